//! Catalogue cases from the red-team review of the issue 17 fixes: other
//! attacks of the classes issue 17 closed, each of which got through.

use std::path::Path;

use super::{Case, Run};

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
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
    ]
}
