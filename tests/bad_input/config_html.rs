//! Catalogue cases: see tests/bad_input.rs. book.toml's `[output.html]`
//! (issue 19 item 9): `additional-css` files are inputs (inside the
//! project, read confined), `redirect` pages lead nowhere harmful and
//! replace no page, `site-url` is a path or an http(s) address. Each bad
//! value fails the build at its line of book.toml; the output is left as
//! it was.

use std::path::Path;

use super::{Case, Run};

/// `[output.html]` given `keys` (TOML lines).
fn html_table(dir: &Path, keys: &str) {
    super::edit(dir, "book.toml", |t| {
        assert!(t.contains("[output.html]\n"));
        t.replacen("[output.html]\n", &format!("[output.html]\n{keys}\n"), 1)
    });
}

fn refused(name: &'static str, break_it: fn(&Path)) -> Case {
    Case {
        name,
        run: Run::Build,
        break_it,
        exit: 1,
        code: "book-toml",
        line: true,
    }
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        refused("[output.html] additional-css names a missing file", |d| {
            html_table(d, "additional-css = [\"theme/missing.css\"]")
        }),
        refused(
            "[output.html] additional-css climbs out of the project (../outside/secret.txt)",
            |d| html_table(d, "additional-css = [\"../outside/secret.txt\"]"),
        ),
        refused("[output.html] additional-css is an absolute path", |d| {
            html_table(d, "additional-css = [\"/etc/passwd\"]")
        }),
        refused(
            "[output.html] additional-css is a link inside the project to a file outside it",
            |d| {
                std::fs::create_dir_all(d.join("theme")).unwrap();
                super::symlink(&d.join("../outside/secret.txt"), &d.join("theme/x.css"));
                html_table(d, "additional-css = [\"theme/x.css\"]");
            },
        ),
        refused(
            "[output.html] additional-css would replace rulebook.css",
            |d| {
                std::fs::write(d.join("rulebook.css"), "body{}").unwrap();
                html_table(d, "additional-css = [\"rulebook.css\"]");
            },
        ),
        refused(
            "[output.html] additional-css is not a style sheet (a page's name)",
            |d| {
                std::fs::write(d.join("index.html"), "<script>x</script>").unwrap();
                html_table(d, "additional-css = [\"index.html\"]");
            },
        ),
        refused("[output.html.redirect] to a javascript: URL", |d| {
            html_table(
                d,
                "[output.html.redirect]\n\"/old.html\" = \"javascript:alert(document.cookie)\"",
            )
        }),
        refused(
            "[output.html.redirect] to //another-host (protocol-relative)",
            |d| {
                html_table(
                    d,
                    "[output.html.redirect]\n\"/old.html\" = \"//evil.example/x\"",
                )
            },
        ),
        refused("[output.html.redirect] from a path out of the book", |d| {
            html_table(
                d,
                "[output.html.redirect]\n\"/../../outside/x.html\" = \"https://example.com/\"",
            )
        }),
        refused(
            "[output.html.redirect] from a page rulebook generates (index.html)",
            |d| {
                html_table(
                    d,
                    "[output.html.redirect]\n\"/index.html\" = \"https://example.com/\"",
                )
            },
        ),
        refused(
            "[output.html.redirect] that would replace an article's page",
            |d| {
                html_table(
                    d,
                    "[output.html.redirect]\n\"/csp-software-subscriptions.html\" = \"https://example.com/\"",
                )
            },
        ),
        refused("[output.html] site-url is a javascript: URL", |d| {
            html_table(d, "site-url = \"javascript:alert(1)//\"")
        }),
    ]
}
