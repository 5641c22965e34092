//! Any SUMMARY.md and any article names through the outline: the chapter
//! paths (where pages are written) never leave the locale folder, and no
//! input panics.
#![no_main]

use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// `<tmp>/content/en/` with two articles and a file beside the project.
static PROJECT: LazyLock<(tempfile::TempDir, PathBuf)> = LazyLock::new(|| {
    let tmp = tempfile::tempdir().expect("temp dir");
    let locale = tmp.path().join("content/en");
    std::fs::create_dir_all(&locale).expect("locale folder");
    std::fs::write(locale.join("a.md"), "# A\n").expect("article");
    std::fs::write(locale.join("b c.md"), "# B\n").expect("article");
    std::fs::write(tmp.path().join("secret.txt"), "s").expect("secret");
    (tmp, locale)
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (tmp, locale) = &*PROJECT;
    let summary = locale.join("SUMMARY.md");
    if std::fs::write(&summary, text).is_err() {
        return;
    }
    let articles: Vec<rulebook::load::Article> = ["a.md", "b c.md"]
        .iter()
        .map(|n| rulebook::load::Article::new(&locale.join(n), &format!("content/en/{n}")))
        .collect();
    let roots = rulebook::load::content_roots(&tmp.path().join("content"), [locale.as_path()]);
    if let Ok(Some((book, _))) =
        rulebook::site::outline::from_summary_file(locale, "en", &articles, &roots)
    {
        for path in rulebook::site::outline::chapter_paths(&book) {
            assert!(inside(&path), "{}", path.display());
        }
    }
    // titles are data: any title, any name, the same paths
    let book = rulebook::site::outline::from_articles(&articles, |_| text.to_owned());
    assert_eq!(rulebook::site::outline::chapter_paths(&book).len(), articles.len());
});

fn inside(path: &Path) -> bool {
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}
