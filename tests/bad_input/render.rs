//! Catalogue cases: see tests/bad_input.rs. Page rendering: include
//! fan-outs and cycles, raw HTML that would swallow the page or nest without
//! end, and content posing as rulebook's own page chrome.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Case, EN, JA, Observed, Run, append};

/// The English article's page, relative to the project.
const EN_PAGE: &str = "book/en/csp-software-subscriptions.html";
const JA_PAGE: &str = "book/ja-JP/csp-software-subscriptions.html";

/// The sentence every raw-HTML case puts after what it breaks.
const AFTER: &str = "The sentence after the raw tag stays on the page.";

/// `rulebook build` in the project, killed after `limit` (a hang guard for
/// inputs that once took minutes, not a timing assertion).
fn build_within(dir: &Path, limit: Duration) -> Observed {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("build")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the build did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    Observed::from(out)
}

fn page(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

/// Build, then assert the English page still holds [`AFTER`] (and never a
/// script element).
fn build_keeps_the_sentence_after(dir: &Path) -> Observed {
    let observed = build_within(dir, Duration::from_secs(60));
    if observed.exit == 0 {
        let html = page(dir, EN_PAGE);
        assert!(html.contains(AFTER), "the text after the tag is gone");
        let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
        assert!(!main.contains("<script"), "a script reached the page");
    }
    observed
}

/// A case whose article gets `$raw` in prose, then [`AFTER`].
macro_rules! swallowing {
    ($name:literal, $raw:literal) => {
        Case {
            name: concat!(
                "a raw ",
                $name,
                " in prose (warning: the tag is left out, the text after it kept)"
            ),
            run: Run::Custom("build", build_keeps_the_sentence_after),
            break_it: |d| {
                append(
                    d,
                    EN,
                    &format!("\nSome prose with {} in it.\n\n{AFTER}\n", $raw),
                )
            },
            exit: 0,
            code: "raw-html-swallows",
            line: true,
        }
    };
}

/// `content/en/includes/` with `a.md` and `b.md` of 100 includes each
/// (a → b → c), and the article including `a.md` 100 times: 10^6 includes
/// of `c.md` if nothing stopped them.
fn include_fan_out(d: &Path) {
    let dir = d.join("content/en/includes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("c.md"),
        "A shared sentence that the fan-out repeats.\n".repeat(20),
    )
    .unwrap();
    std::fs::write(dir.join("b.md"), "[!INCLUDE [c](c.md)]\n\n".repeat(100)).unwrap();
    std::fs::write(dir.join("a.md"), "[!INCLUDE [b](b.md)]\n\n".repeat(100)).unwrap();
    append(d, EN, &"\n[!INCLUDE [a](includes/a.md)]\n".repeat(100));
}

/// Build, then assert that content did not fake the banner: the English
/// page (source locale) has none, the Japanese page only its own.
fn banner_is_not_faked(dir: &Path) -> Observed {
    let observed = build_within(dir, Duration::from_secs(60));
    if observed.exit == 0 {
        let en = page(dir, EN_PAGE);
        assert!(en.contains("Fake banner."), "the text is kept");
        assert!(!en.contains("rulebook-banner"), "a fake banner on en");
        assert!(!en.contains("id=\"rulebook-search-input\" class"), "{en}");
        assert_eq!(en.matches("id=\"rulebook-search-input\"").count(), 1);
        assert_eq!(en.matches("id=\"L1\"").count(), 0, "L1 is a line anchor");
        let ja = page(dir, JA_PAGE);
        assert_eq!(ja.matches("class=\"rulebook-banner\"").count(), 1);
    }
    observed
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "includes fanning out 100 × 100 × 100 (refused at the include that crosses 1,000 includes / 4 MiB)",
            run: Run::Build,
            break_it: include_fan_out,
            exit: 1,
            code: "include-too-large",
            line: true,
        },
        Case {
            name: "50,000 includes in one article (refused at the 1,001st; took 3 minutes to find the include lines; hang guard 60 s)",
            run: Run::Custom("build", |d| build_within(d, Duration::from_secs(60))),
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/en/includes")).unwrap();
                std::fs::write(d.join("content/en/includes/c.md"), "Leaf.\n").unwrap();
                append(d, EN, &"\n[!INCLUDE [c](includes/c.md)]\n".repeat(50_000));
            },
            exit: 1,
            code: "include-too-large",
            line: true,
        },
        Case {
            name: "an include file that includes itself",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/en/includes")).unwrap();
                std::fs::write(
                    d.join("content/en/includes/loop.md"),
                    "Looping.\n\n[!INCLUDE [again](loop.md)]\n\n[!INCLUDE [again](./loop.md)]\n",
                )
                .unwrap();
                append(d, EN, "\n[!INCLUDE [loop](includes/loop.md)]\n");
            },
            exit: 1,
            code: "include-cycle",
            line: true,
        },
        Case {
            name: "100,000 unclosed <div>s (warning: raw HTML flattened below 64 levels; builds, hang guard 60 s)",
            run: Run::Custom("build", build_keeps_the_sentence_after),
            break_it: |d| {
                append(
                    d,
                    EN,
                    &format!("\n{}\n\n{AFTER}\n", "<div>".repeat(100_000)),
                )
            },
            exit: 0,
            code: "deep-nesting",
            line: true,
        },
        Case {
            name: "50,000 <b> blocks and <i>s left open by paragraphs (warning: raw HTML flattened; hang guard 60 s)",
            run: Run::Custom("build", build_keeps_the_sentence_after),
            break_it: |d| {
                append(
                    d,
                    EN,
                    &format!("\n{}\n\n{AFTER}\n", "<b>\n\ntext <i>\n\n".repeat(50_000)),
                )
            },
            exit: 0,
            code: "deep-nesting",
            line: true,
        },
        Case {
            name: "100,000 <span>s left open in one paragraph (error: unclosed-span; the parser walked them all for every text, hang guard 60 s)",
            run: Run::Custom("build", |d| build_within(d, Duration::from_secs(60))),
            break_it: |d| {
                let spans: String = (0..100_000).map(|i| format!("<span>line {i}\n")).collect();
                append(d, EN, &format!("\n{spans}\n{AFTER}\n"))
            },
            exit: 1,
            code: "unclosed-span",
            line: true,
        },
        swallowing!("<script>", "<script>alert(1)"),
        swallowing!("<style>", "<style>p { display: none }"),
        swallowing!("<template>", "<template>hidden"),
        swallowing!("<textarea>", "<textarea>typed"),
        swallowing!("<title>", "<title>a title"),
        swallowing!("<plaintext>", "<plaintext>"),
        swallowing!("<xmp>", "<xmp>"),
        swallowing!("<iframe>", "<iframe src=\"https://x.test\">"),
        swallowing!("<noscript>", "<noscript>"),
        Case {
            name: "a raw <script> block never closed (warning: the rest of the page is kept)",
            run: Run::Custom("build", build_keeps_the_sentence_after),
            break_it: |d| append(d, EN, &format!("\n<script>\nalert(1)\n\n{AFTER}\n")),
            exit: 0,
            code: "raw-html-swallows",
            line: true,
        },
        Case {
            name: "an HTML comment never closed (error: it would hide the rest of the article)",
            run: Run::Build,
            break_it: |d| append(d, EN, &format!("\n<!-- a note never closed\n\n{AFTER}\n")),
            exit: 1,
            code: "unclosed-comment",
            line: true,
        },
        Case {
            name: "a raw tag an HTML block ends inside (error: the text after it would vanish into its attributes)",
            run: Run::Build,
            break_it: |d| {
                append(
                    d,
                    EN,
                    &format!("\n<div>\n<span title=\"never closed\n\n{AFTER}\n"),
                )
            },
            exit: 1,
            code: "raw-html-unfinished",
            line: true,
        },
        Case {
            name: "a processing instruction `<?` never closed (error: a comment to the end of the article)",
            run: Run::Build,
            break_it: |d| append(d, EN, &format!("\n<?php echo 1;\n\n{AFTER}\n")),
            exit: 1,
            code: "unclosed-comment",
            line: true,
        },
        Case {
            name: "content using the banner's class and the search box's ids (warning: removed)",
            run: Run::Custom("build", banner_is_not_faked),
            break_it: |d| {
                append(
                    d,
                    EN,
                    "\n<div class=\"rulebook-banner\" id=\"rulebook-search-input\">Fake banner.</div>\n\nA <span id=\"rulebook-search-input\" class=\"x RULEBOOK-banner\">second</span> and <a name=\"L1\">a line anchor</a>.\n",
                )
            },
            exit: 0,
            code: "reserved-name",
            line: true,
        },
        Case {
            name: "a raw <div> with the banner's class in a translation",
            run: Run::Custom("build", banner_is_not_faked),
            break_it: |d| {
                append(d, JA, "\n<div class=\"rulebook-banner\">偽のバナー</div>\n");
                append(d, EN, "\n<p class=\"rulebook-banner\">Fake banner.</p>\n");
            },
            exit: 0,
            code: "reserved-name",
            line: true,
        },
    ]
}
