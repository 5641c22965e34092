//! Catalogue cases from the red-team review of the issue 17 fixes: other
//! attacks of the classes issue 17 closed, each of which got through.

use std::path::Path;

use super::{Case, Run};

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An article with a fact-free body, under `name` in content/en.
fn plain_article(dir: &Path, name: &str) {
    write(
        dir,
        &format!("content/en/{name}"),
        "---\ntitle: A plain page\nms.date: 11/20/2019\n---\n# A plain page\n\nSome text.\n",
    );
}

/// A SUMMARY.md listing the bundled article and then `entry`, a file of
/// plain Markdown written beside it.
fn summary_entry(dir: &Path, entry: &str) {
    write(
        dir,
        &format!("content/en/{entry}"),
        "# An entry\n\nSome text.\n",
    );
    write(
        dir,
        "content/en/SUMMARY.md",
        &format!("- [Subscriptions](csp-software-subscriptions.md)\n- [Entry]({entry})\n"),
    );
}

/// A SUMMARY.md whose entries nest `levels` deep, one entry per level.
fn deep_summary(dir: &Path, levels: usize) {
    let mut text = String::from("- [Subscriptions](csp-software-subscriptions.md)\n");
    for i in 1..levels {
        text.push_str(&"  ".repeat(i));
        text.push_str(&format!("- [Level {i}](level-{i}.md)\n"));
    }
    write(dir, "content/en/SUMMARY.md", &text);
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "SUMMARY.md nested 5,000 levels deep (mdBook's summary parser recursed until the stack overflowed: abort)",
            run: Run::Build,
            break_it: |d| deep_summary(d, 5_000),
            exit: 1,
            code: "summary-too-deep",
            line: true,
        },
        Case {
            name: "SUMMARY.md nested 3,000 levels on one line (`- - - …`)",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/SUMMARY.md",
                    &format!(
                        "- [Subscriptions](csp-software-subscriptions.md)\n{}[x](x.md)\n",
                        "- ".repeat(3_000)
                    ),
                )
            },
            exit: 1,
            code: "summary-too-deep",
            line: true,
        },
        Case {
            name: "a SUMMARY.md entry `toc.txt` (its page, toc.html, was silently replaced by the generated contents page)",
            run: Run::Build,
            break_it: |d| summary_entry(d, "toc.txt"),
            exit: 1,
            code: "reserved-page-name",
            line: true,
        },
        Case {
            name: "a SUMMARY.md entry `index.txt` (its page was silently replaced by the copy of the first page)",
            run: Run::Build,
            break_it: |d| summary_entry(d, "index.txt"),
            exit: 1,
            code: "reserved-page-name",
            line: true,
        },
        Case {
            name: "a SUMMARY.md entry with another extension than an article's (two chapters, one page)",
            run: Run::Build,
            break_it: |d| summary_entry(d, "csp-software-subscriptions.txt"),
            exit: 1,
            code: "page-name-clash",
            line: true,
        },
        Case {
            name: "an article named `Rules.md` (rules.html where case is ignored: macOS, Windows)",
            run: Run::Build,
            break_it: |d| plain_article(d, "Rules.md"),
            exit: 1,
            code: "reserved-page-name",
            line: true,
        },
        Case {
            name: "two articles whose names differ only in case",
            run: Run::Build,
            break_it: |d| plain_article(d, "CSP-Software-Subscriptions.md"),
            exit: 1,
            code: "page-name-clash",
            line: true,
        },
    ]
}
