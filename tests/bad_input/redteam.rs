//! Catalogue cases from the red-team review of the issue 17 fixes: other
//! attacks of the classes issue 17 closed, each of which got through.

use std::path::Path;

use super::{Case, Observed, Run, plain_article, rulebook, write};

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

/// Build, and check that every line of standard error is rulebook's own:
/// a name or text from the input never starts a line (a CI runner obeys
/// `::error`, `::add-mask::` … at the start of any log line) nor carries a
/// terminal escape.
fn build_one_line_each(dir: &Path) -> Observed {
    let out = rulebook(dir, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for line in stderr.lines() {
        assert!(
            !line.starts_with("::") && !line.contains('\u{1b}') && !line.contains('\r'),
            "a line of stderr made by the input: {line:?}\n{stderr}"
        );
    }
    Observed {
        exit: out.status.code().unwrap_or(-1),
        stderr,
    }
}

/// Build with a hang guard: a build that has not ended after a minute is
/// killed and observed as exit -1 (it used to wait for good).
fn build_or_hang(dir: &Path) -> Observed {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("build")
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let exit = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            break -1;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    Observed { exit, stderr }
}

/// Replace `rel` of the built output by a FIFO, and edit an article so the
/// next build has work to do with the cache.
fn output_fifo(dir: &Path, rel: &str) {
    let path = dir.join("book").join(rel);
    std::fs::remove_file(&path).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    super::append(dir, super::JA, "\nOne more line.\n");
}

pub(crate) fn cases() -> Vec<Case> {
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
        Case {
            name: "an article named with a line break and a GitHub Actions command (`x⏎::error …⏎.md`: its own line in the CI log)",
            run: Run::Custom("build", build_one_line_each),
            break_it: |d| {
                write(
                    d,
                    "content/en/x\n::error file=README.md,line=1::forged\n::add-mask::\u{1b}[2J.md",
                    "",
                )
            },
            exit: 1,
            code: "empty-article",
            // located at 1:1, but the name's own colons defeat the table's
            // split of `path:line:col`
            line: false,
        },
        Case {
            name: "a locale folder that is a link to the project itself (`content/fr -> ..`), an article there a link to `.git/config`, output outside the project",
            run: Run::Args("build --out ../site", &["build", "--out", "../site"]),
            break_it: |d| {
                write(
                    d,
                    ".git/config",
                    "[http]\n\textraheader = AUTHORIZATION: basic SECRET-TOKEN\n",
                );
                super::symlink(Path::new(".git/config"), &d.join("token.md"));
                super::symlink(Path::new(".."), &d.join("content/fr"));
            },
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "the previous output's rules.json is a FIFO (a restored CI cache; the build waited for a writer for good)",
            run: Run::Custom("build", build_or_hang),
            break_it: |d| output_fifo(d, "rules.json"),
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "the previous output's search-index.js is a FIFO",
            run: Run::Custom("build", build_or_hang),
            break_it: |d| output_fifo(d, "en/search-index.js"),
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a page of the previous output whose key is unchanged is a FIFO (it was kept and read back for the home page)",
            run: Run::Custom("build", build_or_hang),
            break_it: |d| output_fifo(d, "en/csp-software-subscriptions.html"),
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "the cache manifest is a link to /dev/zero (read whole: memory)",
            run: Run::Custom("build", build_or_hang),
            break_it: |d| {
                let manifest = d.join("book/.rulebook/manifest.json");
                std::fs::remove_file(&manifest).unwrap();
                super::symlink(Path::new("/dev/zero"), &manifest);
                super::append(d, super::JA, "\nOne more line.\n");
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a duration that shows as `60 days` with a zero-width space between its digits (the canonical window was published as 0 days)",
            run: Run::Build,
            break_it: |d| {
                super::edit(d, super::EN, |t| {
                    t.replacen("within 60 days", "within 6\u{200b}0 days", 1)
                })
            },
            exit: 1,
            code: "number-unreadable",
            line: true,
        },
        Case {
            name: "a page and a script of the output edited by hand after the build (kept for good: their keys still matched, and the build said up to date)",
            run: Run::Custom("build", |d| {
                let observed = build_or_hang(d);
                for page in ["en/csp-software-subscriptions.html", "en/rulebook.js"] {
                    let text = std::fs::read_to_string(d.join("book").join(page)).unwrap();
                    assert!(!text.contains("FORGED"), "{page} kept as edited");
                }
                observed
            }),
            break_it: |d| {
                for page in ["en/csp-software-subscriptions.html", "en/rulebook.js"] {
                    let path = d.join("book").join(page);
                    let text = std::fs::read_to_string(&path).unwrap();
                    std::fs::write(&path, format!("/*FORGED*/{text}")).unwrap();
                }
            },
            exit: 0,
            code: "",
            line: false,
        },
    ]
}
