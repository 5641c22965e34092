//! Heading ids on the real monthly announcements of ../shared/corpus/tree:
//! every announcement repeats `<a name="categories">` (and five more names)
//! once per item, which DocFX publishes as `categories`, `categories-1`, …

mod common;

use std::collections::HashSet;

use common::*;

const ANNOUNCEMENT: &str = "partner-center/announcements/2020-june.md";

fn announcement(locale: &str) -> String {
    read(shared().join("corpus/tree").join(locale).join(ANNOUNCEMENT))
}

fn anchors(locale: &str) -> (Vec<String>, rulebook::docfx::Document) {
    let doc = rulebook::docfx::parse_article("2020-june.md", &announcement(locale)).unwrap();
    (doc.sections.iter().map(|s| s.anchor.clone()).collect(), doc)
}

#[test]
fn every_real_announcement_parses_without_an_error_and_with_unique_ids() {
    for locale in ["zh-TW", "ja-JP"] {
        let folder = shared()
            .join("corpus/tree")
            .join(locale)
            .join("partner-center/announcements");
        let mut repeated = 0;
        for file in markdown_files(&folder) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name == "TOC.md" {
                continue;
            }
            let doc = rulebook::docfx::parse_article(&name, &read(&file)).unwrap();
            assert!(
                doc.diagnostics.iter().all(|d| !d.is_error()),
                "{locale}/{name}: {:?}",
                doc.diagnostics
            );
            let ids: HashSet<&str> = doc.sections.iter().map(|s| s.anchor.as_str()).collect();
            assert_eq!(
                ids.len(),
                doc.sections.len(),
                "{locale}/{name}: an id repeats"
            );
            repeated += usize::from(doc.diagnostics.iter().any(|d| d.code == "duplicate-anchor"));
        }
        // every month but the index repeats its item headings
        assert!(repeated >= 14, "{locale}: {repeated} announcements warned");
    }
}

#[test]
fn zh_tw_and_ja_jp_announcements_get_the_same_docfx_ids() {
    let (zh, zh_doc) = anchors("zh-TW");
    let (ja, _) = anchors("ja-JP");
    assert_eq!(
        zh, ja,
        "the same suffixing in both locales aligns the sections"
    );
    let categories: Vec<&str> = zh
        .iter()
        .map(String::as_str)
        .filter(|a| a.starts_with("categories"))
        .collect();
    assert!(categories.len() > 3, "{categories:?}");
    let expected: Vec<String> = (0..categories.len())
        .map(|n| {
            if n == 0 {
                "categories".to_owned()
            } else {
                format!("categories-{n}")
            }
        })
        .collect();
    assert_eq!(categories, expected);
    let warning = zh_doc
        .diagnostics
        .iter()
        .find(|d| d.code == "duplicate-anchor" && d.message.contains("`categories`"))
        .expect("a warning names the repeated anchor");
    let second = zh_doc
        .sections
        .iter()
        .find(|s| s.anchor == "categories-1")
        .unwrap();
    assert_eq!(warning.location.as_ref().unwrap().line, second.pos.line);
}

#[test]
fn a_project_of_real_announcements_builds_with_located_warnings() {
    let dir = tempfile::tempdir().unwrap();
    for locale in ["zh-TW", "ja-JP"] {
        let to = dir.path().join("content").join(locale);
        std::fs::create_dir_all(&to).unwrap();
        std::fs::write(to.join("2020-june.md"), announcement(locale)).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("content/en")).unwrap();
    let zh = dir.path().join("content/zh-TW/2020-june.md");
    let en = dir.path().join("content/en/2020-june.md");
    let made = rulebook(&[
        "source-text",
        zh.to_str().unwrap(),
        "-o",
        en.to_str().unwrap(),
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    copy_tree(&root().join("locales"), &dir.path().join("locales"));
    std::fs::copy(root().join("book.toml"), dir.path().join("book.toml")).unwrap();
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{stderr}");
    for locale in ["en", "zh-TW", "ja-JP"] {
        let head = format!("content/{locale}/2020-june.md:");
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&head) && l.contains("warning[duplicate-anchor]"))
            .unwrap_or_else(|| panic!("no located warning for {locale}: {stderr}"));
        let next = stderr
            .lines()
            .skip_while(|l| *l != line)
            .nth(1)
            .unwrap_or_default();
        assert!(next.starts_with("  = help: "), "{next}");
        assert!(
            dir.path()
                .join("book")
                .join(locale)
                .join("2020-june.html")
                .is_file()
        );
    }
}
