//! Catalogue cases: see tests/bad_input.rs. The output folder (issue 17,
//! items 4, 11, 12): a folder of inputs, of the project or of the user's
//! own is never written (refused before anything is, exit 2); a build that
//! fails never changes the output; a forged cache never reaches it.

use std::path::Path;

use super::{Case, EN, JA, Observed, Run, ZH};

/// A refused output: exit 2, the `output-folder` diagnostic.
fn refused(name: &'static str, run: Run, break_it: fn(&Path)) -> Case {
    Case {
        name,
        run,
        break_it,
        exit: 2,
        code: "output-folder",
        line: false,
    }
}

fn nothing(_: &Path) {}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        refused(
            "--out content (the input folder)",
            Run::Args("build", &["build", "--out", "content"]),
            nothing,
        ),
        refused(
            "--out content/en (a locale folder)",
            Run::Args("build", &["build", "--out", "content/en"]),
            nothing,
        ),
        refused(
            "--out locales/en/new (inside an input)",
            Run::Args("build", &["build", "--out", "locales/en/new"]),
            nothing,
        ),
        refused(
            "--out . (the project)",
            Run::Args("build", &["build", "--out", "."]),
            nothing,
        ),
        refused(
            "--out .. (holds the project)",
            Run::Args("build", &["build", "--out", ".."]),
            nothing,
        ),
        refused(
            "--out a folder holding a user's file",
            Run::Args("build", &["build", "--out", "mine"]),
            |d| {
                std::fs::create_dir(d.join("mine")).unwrap();
                std::fs::write(d.join("mine/notes.txt"), "my notes").unwrap();
            },
        ),
        refused(
            "--out a file",
            Run::Args("build", &["build", "--out", "notes.txt"]),
            |d| std::fs::write(d.join("notes.txt"), "my notes").unwrap(),
        ),
        refused(
            "--out a link to content/",
            Run::Args("build", &["build", "--out", "site"]),
            |d| super::symlink(&d.join("content"), &d.join("site")),
        ),
        refused(
            "--out the real folder of a locale that is a link to elsewhere",
            Run::Args("build", &["build", "--out", "../outside/ja"]),
            |d| {
                let elsewhere = d.join("../outside/ja");
                std::fs::rename(d.join("content/ja-JP"), &elsewhere).unwrap();
                super::symlink(&elsewhere, &d.join("content/ja-JP"));
            },
        ),
        refused(
            "--out the folder holding a locale that is a link to elsewhere",
            Run::Args("build", &["build", "--out", "../outside"]),
            |d| {
                let elsewhere = d.join("../outside/ja");
                std::fs::rename(d.join("content/ja-JP"), &elsewhere).unwrap();
                super::symlink(&elsewhere, &d.join("content/ja-JP"));
            },
        ),
        refused(
            "the default book/ when it is a user's folder (no .rulebook/)",
            Run::Custom("build", users_book),
            nothing,
        ),
        refused(
            "serve --out content",
            Run::Args("serve", &["serve", "--out", "content", "--port", "0"]),
            nothing,
        ),
        Case {
            name: "--out folders that do not exist yet, the build failing on bad input: none is left behind",
            run: Run::Args("build", &["build", "--out", "new/site"]),
            break_it: |d| super::edit(d, ZH, |t| t.replacen("title: ", "title: [", 1)),
            exit: 1,
            code: "yaml-frontmatter",
            line: true,
        },
        Case {
            name: "a forged cache entry (a market list in the cached facts; an article of its group edited): the rebuild publishes the true rules",
            run: Run::Custom("build", forged_cache),
            break_it: |d| {
                super::edit(d, "book/.rulebook/facts-en.json", |t| {
                    t.replacen(r#""markets":["AR","BR""#, r#""markets":["AR","DE""#, 1)
                });
                super::append(d, JA, "\n追加の段落です。\n");
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a commit that fails (a folder where the edited page goes), then a build that fails on bad input",
            run: Run::Build,
            break_it: |d| {
                super::append(d, EN, "\nOne more paragraph.\n");
                let page = d.join("book/en/csp-software-subscriptions.html");
                let bytes = std::fs::read(&page).unwrap();
                std::fs::remove_file(&page).unwrap();
                std::fs::create_dir(&page).unwrap();
                let failed = super::rulebook(d, &["build", "-q"]);
                assert!(!failed.status.success(), "the commit must fail");
                std::fs::remove_dir(&page).unwrap();
                std::fs::write(&page, bytes).unwrap();
                super::edit(d, ZH, |t| t.replacen("title: ", "title: [", 1));
            },
            exit: 1,
            code: "yaml-frontmatter",
            line: true,
        },
    ]
}

/// `build` into the default `book/` after its `.rulebook/` was renamed
/// (so book/ is a folder of files rulebook cannot tell from the user's):
/// refused, book/ untouched; the name is then put back.
fn users_book(dir: &Path) -> Observed {
    let book = dir.join("book");
    let (cache, aside) = (book.join(".rulebook"), book.join(".rulebook-aside"));
    std::fs::rename(&cache, &aside).unwrap();
    let before = super::state(&book, &[]);
    let out = super::rulebook(dir, &["build"]);
    assert_eq!(super::state(&book, &[]), before, "book/ changed");
    std::fs::rename(&aside, &cache).unwrap();
    Observed::from(out)
}

/// Rebuild over the forged cache, then build the same project from scratch
/// elsewhere: rules.json and report.json must be the same bytes.
fn forged_cache(dir: &Path) -> Observed {
    let out = super::rulebook(dir, &["build"]);
    let fresh = tempfile::tempdir().unwrap();
    for name in ["content", "locales"] {
        super::common::copy_tree(&dir.join(name), &fresh.path().join(name));
    }
    std::fs::copy(dir.join("book.toml"), fresh.path().join("book.toml")).unwrap();
    let built = super::rulebook(fresh.path(), &["build", "-q"]);
    assert!(built.status.success());
    for file in ["rules.json", "report.json"] {
        assert!(
            std::fs::read(dir.join("book").join(file)).unwrap()
                == std::fs::read(fresh.path().join("book").join(file)).unwrap(),
            "{file} differs from a fresh build's"
        );
    }
    Observed::from(out)
}
