//! Catalogue cases: see tests/bad_input.rs. Links between pages: a link
//! that climbs out of the locale folder or names no article, a missing
//! anchor, a script URL, and a base URL for docs links that is no web
//! address.

use std::path::Path;

use super::{Case, EN, Observed, Run, append, edit};

const EN_PAGE: &str = "book/en/csp-software-subscriptions.html";

/// The English page's article text (inside `<main>`).
fn main_text(dir: &Path) -> String {
    let html = std::fs::read_to_string(dir.join(EN_PAGE)).unwrap();
    html[html.find("<main").unwrap()..html.find("</main>").unwrap()].to_owned()
}

/// Build, then assert the page shows the link's text without an href
/// that leaves the site or runs a script.
fn build_shows_the_text(dir: &Path) -> Observed {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("build")
        .current_dir(dir)
        .output()
        .unwrap();
    let observed = Observed::from(out);
    if observed.exit == 0 {
        let main = main_text(dir);
        assert!(main.contains("the linked words"), "the link's text is gone");
        for bad in ["secret", "javascript:", "book.toml", "data:", ".md\""] {
            assert!(!main.contains(bad), "an href to `{bad}` reached the page");
        }
    }
    observed
}

macro_rules! link_case {
    ($name:literal, $dest:literal, $code:literal) => {
        Case {
            name: $name,
            run: Run::Custom("build", build_shows_the_text),
            break_it: |d| {
                append(
                    d,
                    EN,
                    concat!("\nSee [the linked words](", $dest, ") here.\n"),
                )
            },
            exit: 0,
            code: $code,
            line: !$code.is_empty(),
        }
    };
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        link_case!(
            "a link climbing out of the locale folder (warning: shown as text)",
            "../../outside/secret.md",
            "broken-link"
        ),
        link_case!(
            "a link to an article that does not exist (warning: shown as text)",
            "no-such-article.md#intro",
            "broken-link"
        ),
        link_case!(
            "a link to a missing anchor of the page itself (warning: shown as text)",
            "#no-such-section",
            "broken-link"
        ),
        link_case!(
            "a `javascript:` link named like an article (the sanitizer drops the href)",
            "javascript:alert(1)//a.md",
            ""
        ),
        link_case!(
            "a `data:` link (the sanitizer drops the href)",
            "data:text/html,<script>alert(1)</script>",
            ""
        ),
        Case {
            name: "docs-base-url that is no https:// address (a script URL)",
            run: Run::Args("build", &["build"]),
            break_it: |d| {
                edit(d, "book.toml", |t| {
                    t.replace(
                        "[output.rulebook]\n",
                        "[output.rulebook]\ndocs-base-url = \"javascript:alert(1)//\"\n",
                    )
                })
            },
            exit: 1,
            code: "book-toml",
            line: true,
        },
    ]
}
