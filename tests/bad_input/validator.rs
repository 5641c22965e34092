//! Catalogue cases: see tests/bad_input.rs. Numbers out of range (in an
//! article and in rules.json) and unbounded validator input (issue 17,
//! items 5 and 10). Files the validator is pointed at are written under
//! `content/` (no build runs in those cases), so the output stays as built.

use super::{Case, EN, Run, append, edit, symlink};

const LINK: &str = "This link will expire after two weeks";

/// `check link` with the rules file a case wrote.
const CHECK_LINK: &[&str] = &[
    "check",
    "--rules",
    "content/rules.json",
    "link",
    "--issued",
    "2024-01-01T00:00:00Z",
    "--now",
    "2024-01-02T00:00:00Z",
    "--downloads",
    "0",
];

fn rules_with(d: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(d.join("book/rules.json")).unwrap();
    assert!(text.contains(from));
    std::fs::write(d.join("content/rules.json"), text.replacen(from, to, 1)).unwrap();
}

fn long_line_batch(d: &std::path::Path) {
    let tax = "{\"kind\":\"tax\",\"market\":\"AU\"}\n";
    let mut text = String::from(tax);
    text.push_str(&"x".repeat(3 << 20));
    text.push('\n');
    text.push_str(tax);
    std::fs::write(d.join("content/questions.jsonl"), text).unwrap();
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "a download link valid for 13600000 weeks (used to panic `check link`)",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    t.replacen(LINK, "This link will expire after 13600000 weeks", 1)
                })
            },
            exit: 1,
            code: "number-out-of-range",
            line: true,
        },
        Case {
            name: "a download link valid for 1000000000 weeks (overflowed; the next sentence's two weeks were used)",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    t.replacen(LINK, "This link will expire after 1000000000 weeks", 1)
                })
            },
            exit: 1,
            code: "number-out-of-range",
            line: true,
        },
        Case {
            name: "a download link valid for 13,600,000 weeks (the pattern saw `000 weeks`: 0 days)",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    t.replacen(LINK, "This link will expire after 13,600,000 weeks", 1)
                })
            },
            exit: 1,
            code: "number-unreadable",
            line: true,
        },
        Case {
            name: "a download count past u32 (4294967296 downloads)",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    t.replacen(
                        "two weeks or 50 downloads, whichever",
                        "two weeks or 4294967296 downloads, whichever",
                        1,
                    )
                })
            },
            exit: 1,
            code: "number-out-of-range",
            line: true,
        },
        Case {
            name: "a cancellation window of 40000 days (over 100 years)",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    t.replacen("purchase within 60 days", "purchase within 40000 days", 1)
                })
            },
            exit: 1,
            code: "number-out-of-range",
            line: true,
        },
        Case {
            name: "rules.json with valid_days 4294967295, asked `check link`",
            run: Run::Args("check link", CHECK_LINK),
            break_it: |d| rules_with(d, "\"valid_days\": 14", "\"valid_days\": 4294967295"),
            exit: 2,
            code: "rules-file",
            line: true,
        },
        Case {
            name: "rules.json with max_downloads 4294967295, asked `check link` (answered)",
            run: Run::Args("check link", CHECK_LINK),
            break_it: |d| rules_with(d, "\"max_downloads\": 50", "\"max_downloads\": 4294967295"),
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a batch with a 3 MiB line (error line for it; the lines after it are answered)",
            run: Run::Args(
                "check --batch",
                &[
                    "check",
                    "--rules",
                    "book/rules.json",
                    "--batch",
                    "content/questions.jsonl",
                ],
            ),
            break_it: long_line_batch,
            exit: 0,
            code: "line-too-long",
            line: true,
        },
        Case {
            name: "a batch that is /dev/zero (one endless line: stops after 1 GiB)",
            run: Run::Args(
                "check --batch",
                &[
                    "check",
                    "--rules",
                    "book/rules.json",
                    "--batch",
                    "content/zero.jsonl",
                ],
            ),
            break_it: |d| {
                symlink(
                    std::path::Path::new("/dev/zero"),
                    &d.join("content/zero.jsonl"),
                )
            },
            exit: 2,
            code: "line-too-long",
            line: true,
        },
        Case {
            name: "a cancellation request file of 5 MB (read stops at 1 MiB)",
            run: Run::Args(
                "check cancel-request",
                &[
                    "check",
                    "--rules",
                    "book/rules.json",
                    "cancel-request",
                    "--file",
                    "content/request.json",
                ],
            ),
            break_it: |d| {
                std::fs::write(d.join("content/request.json"), "{}").unwrap();
                append(d, "content/request.json", &" ".repeat(5_000_000));
            },
            exit: 2,
            code: "request-too-large",
            line: false,
        },
        Case {
            name: "a cancellation request file that is /dev/zero",
            run: Run::Args(
                "check cancel-request",
                &[
                    "check",
                    "--rules",
                    "book/rules.json",
                    "cancel-request",
                    "--file",
                    "content/zero.json",
                ],
            ),
            break_it: |d| {
                symlink(
                    std::path::Path::new("/dev/zero"),
                    &d.join("content/zero.json"),
                )
            },
            exit: 2,
            code: "request-too-large",
            line: false,
        },
    ]
}
