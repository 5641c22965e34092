//! Incremental builds: the cache in `book/.rulebook/` lets a build skip
//! what did not change, and a build with the cache writes exactly what a
//! build without it writes.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::{project, snapshot};
use rulebook::emit::{BuildOptions, BuildStats, build};

fn build_stats(root: &Path, out: &Path) -> BuildStats {
    build(root, out, &BuildOptions::default())
        .expect("the bundled project builds")
        .stats
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).expect("page exists").ino()
}

#[test]
fn one_changed_article_is_all_that_is_done_again_and_the_output_is_the_same() {
    let dir = project();
    let (root, out) = (dir.path(), dir.path().join("book"));

    let first = build_stats(root, &out);
    assert!(!first.up_to_date);
    assert_eq!((first.articles_analyzed, first.articles_cached), (3, 0));
    assert_eq!(first.pages_reused, 0);

    // nothing changed: nothing is written
    let rules_inode = inode(&out.join("rules.json"));
    let before = snapshot(&out);
    let second = build_stats(root, &out);
    assert!(second.up_to_date, "{second:?}");
    assert_eq!(inode(&out.join("rules.json")), rules_inode);
    assert_eq!(snapshot(&out), before);

    // one article changes: only it is read and rendered again
    let en_page = out.join("en/csp-software-subscriptions.html");
    let zh_page = out.join("zh-TW/csp-software-subscriptions.html");
    let (en_inode, zh_inode) = (inode(&en_page), inode(&zh_page));
    let en_cache = out.join(".rulebook/articles-en.json");
    let ja_cache = out.join(".rulebook/articles-ja-JP.json");
    let (en_cache_inode, ja_cache_inode) = (inode(&en_cache), inode(&ja_cache));
    let ja = root.join(common::JA_JP);
    let mut text = std::fs::read_to_string(&ja).unwrap();
    text.push_str("\n追加の段落です。\n");
    std::fs::write(&ja, text).unwrap();
    let third = build_stats(root, &out);
    assert!(!third.up_to_date);
    assert_eq!((third.articles_analyzed, third.articles_cached), (1, 2));
    // the new paragraph states no fact: the rules and status pages of all
    // three locales stay too, and the ja-JP article page is all that is made
    assert_eq!(
        (third.pages_rendered, third.pages_reused),
        (1, 8),
        "{third:?}"
    );
    // the unchanged pages are the old files, linked into the new output
    assert_eq!(inode(&en_page), en_inode);
    assert_eq!(inode(&zh_page), zh_inode);
    // so is the cache of a locale whose articles did not change
    assert_eq!(inode(&en_cache), en_cache_inode);
    assert_ne!(inode(&ja_cache), ja_cache_inode);
    let ja_page =
        std::fs::read_to_string(out.join("ja-JP/csp-software-subscriptions.html")).unwrap();
    assert!(ja_page.contains("追加の段落です。"));

    // and the result is byte for byte a build from scratch
    let fresh = dir.path().join("fresh");
    let clean = build_stats(root, &fresh);
    assert_eq!(clean.pages_reused, 0);
    assert_eq!(snapshot(&out), snapshot(&fresh));
}

#[test]
fn a_changed_template_or_lexicon_makes_everything_anew() {
    let dir = project();
    let (root, out) = (dir.path(), dir.path().join("book"));
    build_stats(root, &out);

    let templates = root.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("page.html"),
        "<!DOCTYPE html><html lang=\"{{ lang }}\"><title>{{ title }}</title><body>{{ content | safe }}</body></html>\n",
    )
    .unwrap();
    let after_template = build_stats(root, &out);
    assert_eq!(after_template.pages_reused, 0, "{after_template:?}");
    let page = std::fs::read_to_string(out.join("en/csp-software-subscriptions.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\"><title>"));

    let lexicon = root.join("locales/en/lexicon.toml");
    let mut text = std::fs::read_to_string(&lexicon).unwrap();
    text.push_str("\n# a comment changes the fingerprint\n");
    std::fs::write(&lexicon, text).unwrap();
    let after_lexicon = build_stats(root, &out);
    assert_eq!(after_lexicon.articles_cached, 0, "{after_lexicon:?}");
    assert_eq!(after_lexicon.pages_reused, 0);
}

#[test]
fn a_damaged_cache_means_a_full_build_not_a_failure() {
    let dir = project();
    let (root, out) = (dir.path(), dir.path().join("book"));
    build_stats(root, &out);
    let reference = snapshot(&out);
    let cache = out.join(".rulebook");
    std::fs::write(cache.join("manifest.json"), "{ not json").unwrap();
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("articles-")
        {
            std::fs::write(&path, "[{\"sha256\": 1}]").unwrap();
        }
    }
    let again = build_stats(root, &out);
    assert!(!again.up_to_date);
    assert_eq!((again.articles_cached, again.pages_reused), (0, 0));
    assert_eq!(snapshot(&out), reference);
}
