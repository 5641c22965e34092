//! The built site in a real browser: headless Chromium (Debian's package)
//! driven by Playwright (`tests/browser/site.mjs`, npm's playwright-core).
//!
//! Locally, without Chromium, Node or `tests/browser/node_modules`, the test
//! says it skipped; under CI (`CI` set) it fails instead, so CI can never
//! pass without having run it. `.ci/run` installs what it needs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn chromium() -> Option<PathBuf> {
    let from_env = std::env::var_os("CHROMIUM").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file())
}

fn missing_prerequisite(browser_dir: &Path) -> Option<String> {
    if chromium().is_none() {
        return Some("Chromium is not installed (apt-get install -y chromium)".to_owned());
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("Node.js is not installed".to_owned());
    }
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        return Some("playwright-core is not installed (cd tests/browser && npm ci)".to_owned());
    }
    None
}

#[test]
fn the_site_in_headless_chromium() {
    let browser_dir = root().join("tests/browser");
    if let Some(why) = missing_prerequisite(&browser_dir) {
        if std::env::var_os("CI").is_some() {
            panic!("the browser test cannot run under CI: {why}");
        }
        eprintln!("SKIPPED the browser test: {why}. CI runs it (see .ci/run).");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // the bundled project, its English article holding what content must
    // not be able to do to the page's chrome: the search box's ids (twice)
    // and the stale-translation banner's class
    let project = dir.path().join("project");
    for name in ["content", "locales", "templates"] {
        copy_tree(&root().join(name), &project.join(name));
    }
    std::fs::copy(root().join("book.toml"), project.join("book.toml")).unwrap();
    let en = project.join("content/en/csp-software-subscriptions.md");
    let mut text = std::fs::read_to_string(&en).unwrap();
    text.push_str(concat!(
        "\n<div id=\"rulebook-search-input\" class=\"rulebook-banner\">Fake banner.</div>\n",
        "\n<ul id=\"rulebook-search-results\"><li>fake</li></ul>\n",
        "\nA <span id=\"rulebook-search-input\">second</span> search id.\n",
    ));
    std::fs::write(&en, text).unwrap();
    let book = dir.path().join("book");
    let built = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(&project)
        .args(["-q", "build", "--out"])
        .arg(&book)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let shots = root().join("target/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let run = Command::new("node")
        .arg(browser_dir.join("site.mjs"))
        .arg(&book)
        .arg(&shots)
        .env("CHROMIUM", chromium().unwrap())
        .current_dir(&browser_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("searching 阿根廷 on zh-TW finds the article"));
    assert!(stdout.contains("search still finds the article after `constructor`"));
    assert!(stdout.contains("content holding the search box's ids twice leaves one of each"));
    assert!(
        shots.join("ja-JP-article.png").is_file(),
        "no screenshot written"
    );
}
