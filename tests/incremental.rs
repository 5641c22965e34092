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

fn mtime(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
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
    let en_cache = out.join(".rulebook/facts-en.json");
    let ja_cache = out.join(".rulebook/facts-ja-JP.json");
    let (en_cache_inode, ja_cache_inode) = (inode(&en_cache), inode(&ja_cache));
    let (book_inode, en_mtime) = (inode(&out), mtime(&en_page));
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
    // the unchanged pages are the old files, left where they are: the few
    // new files were moved into the same book/ (not a new folder swapped in)
    assert_eq!(inode(&en_page), en_inode);
    assert_eq!(inode(&zh_page), zh_inode);
    assert_eq!(mtime(&en_page), en_mtime);
    assert_eq!(inode(&out), book_inode);
    assert!(common::leftovers(root).is_empty());
    // so is the cache of a locale whose articles did not change
    assert_eq!(inode(&en_cache), en_cache_inode);
    assert_ne!(inode(&ja_cache), ja_cache_inode);
    let ja_page =
        std::fs::read_to_string(out.join("ja-JP/csp-software-subscriptions.html")).unwrap();
    assert!(ja_page.contains("追加の段落です。"));
    // no copy of the replaced data files is kept in the output: a build
    // that took such a copy out to write over it, and then failed, had
    // changed the output
    assert!(!out.join(".rulebook/spare").exists());
    // and the result is byte for byte a build from scratch
    let fresh = dir.path().join("fresh");
    let clean = build_stats(root, &fresh);
    assert_eq!(clean.pages_reused, 0);
    assert_eq!(snapshot(&out), snapshot(&fresh));

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
    std::fs::write(cache.join("index.json"), "[1, 2").unwrap();
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("facts-")
        {
            std::fs::write(&path, "{\"sha256\": 1}").unwrap();
        }
    }
    let again = build_stats(root, &out);
    assert!(!again.up_to_date);
    assert_eq!((again.articles_cached, again.pages_reused), (0, 0));
    assert_eq!(snapshot(&out), reference);
}

fn two_article_project() -> tempfile::TempDir {
    let dir = project();
    for locale in ["en", "ja-JP", "zh-TW"] {
        let from = dir
            .path()
            .join(format!("content/{locale}/csp-software-subscriptions.md"));
        std::fs::copy(
            &from,
            dir.path().join(format!("content/{locale}/a-copy.md")),
        )
        .unwrap();
    }
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// What a build of `root` from scratch writes (the cache left out: it
/// records file stamps).
fn fresh_build(root: &Path, out: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let _ = std::fs::remove_dir_all(out);
    build_stats(root, out);
    let mut files = snapshot(out);
    files.retain(|p, _| !p.starts_with(".rulebook"));
    files
}

fn without_cache(out: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = snapshot(out);
    files.retain(|p, _| !p.starts_with(".rulebook"));
    files
}

/// The two-article project built once into `book/`; `fresh/` is where
/// fresh builds to compare with go.
fn built_two_article_project() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = two_article_project();
    let (out, fresh) = (dir.path().join("book"), dir.path().join("fresh"));
    build_stats(dir.path(), &out);
    (dir, out, fresh)
}

#[test]
fn an_edit_that_changes_a_fact_rewrites_the_data_files_as_a_fresh_build_would() {
    let (dir, out, fresh) = built_two_article_project();
    let root = dir.path();

    // a paragraph without facts in one group: the other group's parts of
    // rules.json are the previous build's bytes
    let ja = root.join("content/ja-JP/a-copy.md");
    let mut text = std::fs::read_to_string(&ja).unwrap();
    text.push_str("\n追加の段落です。\n");
    std::fs::write(&ja, text).unwrap();
    let stats = build_stats(root, &out);
    assert_eq!((stats.articles_analyzed, stats.articles_cached), (1, 5));
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // a changed fact in the source locale: the rules, the findings (the
    // translations now disagree) and the rules pages change
    let rules_before = std::fs::read(out.join("rules.json")).unwrap();
    let en = root.join("content/en/a-copy.md");
    edit(
        &en,
        "exception of Australia and Brazil. For Australia and Brazil",
        "exception of Australia and Mexico. For Australia and Mexico",
    );
    let stats = build_stats(root, &out);
    assert_eq!((stats.articles_analyzed, stats.articles_cached), (1, 5));
    let rules_after = std::fs::read(out.join("rules.json")).unwrap();
    assert_ne!(rules_after, rules_before);
    let rules: serde_json::Value = serde_json::from_slice(&rules_after).unwrap();
    let tax = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "a-copy/tax-inclusive-markets" && r["article"] == "a-copy")
        .expect("the copy states the tax rule");
    assert_eq!(tax["value"]["markets"], serde_json::json!(["AU", "MX"]));
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // and the files are those one serialization of the whole analysis gives
    let project = rulebook::load::load_project(root).unwrap();
    let analysis = rulebook::emit::analyze(&project).unwrap();
    assert_eq!(rules_after, rulebook::emit::to_json_bytes(&analysis.rules));
    assert_eq!(
        std::fs::read(out.join("report.json")).unwrap(),
        rulebook::emit::to_json_bytes(&analysis.report)
    );
}

#[test]
fn a_cache_of_another_format_or_with_damaged_parts_means_a_full_build() {
    let (dir, out, fresh) = built_two_article_project();
    let root = dir.path();
    let reference = fresh_build(root, &fresh);

    // an older cache format: nothing of it is trusted
    let manifest = out.join(".rulebook/manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let older = text.replacen("rulebook-cache/9 ", "rulebook-cache/8 ", 1);
    assert_ne!(older, text, "the manifest names its format");
    std::fs::write(&manifest, reseal(&older)).unwrap();
    let again = build_stats(root, &out);
    assert!(!again.up_to_date);
    assert_eq!((again.articles_cached, again.pages_reused), (0, 0));
    assert_eq!(without_cache(&out), reference);

    // a data file changed behind the cache's back: no part of any of them
    // is copied
    let ja = root.join(common::JA_JP);
    let mut text = std::fs::read_to_string(&ja).unwrap();
    for (i, name) in ["rules.json", "procedures.json", "report.json"]
        .iter()
        .enumerate()
    {
        text.push_str(&format!("\n追加の段落 {i} です。\n"));
        std::fs::write(&ja, &text).unwrap();
        let file = out.join(name);
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&file, bytes).unwrap();
        let stats = build_stats(root, &out);
        assert_eq!(stats.articles_cached, 0, "{name}");
        assert_eq!(without_cache(&out), fresh_build(root, &fresh), "{name}");
    }

    // damaged cached analyses and index: read as no cache, never a failure
    text.push_str("\nもう一つの段落です。\n");
    std::fs::write(&ja, &text).unwrap();
    for entry in std::fs::read_dir(out.join(".rulebook")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("facts-") {
            std::fs::write(&path, "{\"locale\": 1").unwrap();
        }
    }
    build_stats(root, &out);
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
    text.push_str("\n三つ目の段落です。\n");
    std::fs::write(&ja, &text).unwrap();
    std::fs::write(out.join(".rulebook/index.json"), "{\"groups\": 7").unwrap();
    let stats = build_stats(root, &out);
    assert_eq!(stats.articles_cached, 0);
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
}

/// The manifest's text with its first line (its checksum) made to match
/// the rest again, as a forger who knows the format would.
fn reseal(text: &str) -> String {
    let body = text.split_once('\n').unwrap().1;
    format!("{}\n{body}", rulebook::cache::checksum(body.as_bytes()))
}

/// The cached analysis of the en article, forged: a market list changed
/// (same length, so every span still points where it did).
fn forge_facts(out: &Path) {
    edit(
        &out.join(".rulebook/facts-en.json"),
        r#""markets":["AR","BR","CN""#,
        r#""markets":["AR","DE","CN""#,
    );
}

/// Issue 17 item 12: a forged analysis in the cache never reaches the
/// published rules: nothing touched, the build is up to date (the forged
/// entry is not read); one article of its group touched, the forged
/// entry's checksum fails and the article is analyzed again. Either way
/// rules.json is what a fresh build writes.
#[test]
fn a_forged_cache_entry_is_never_used() {
    let (dir, out, fresh) = built_two_article_project();
    let root = dir.path();
    forge_facts(&out);
    let again = build_stats(root, &out);
    assert!(again.up_to_date);
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // the ja-JP article of the same group changes: en's analysis would be
    // read back from the cache
    let ja = root.join(common::JA_JP);
    let mut text = std::fs::read_to_string(&ja).unwrap();
    text.push_str("\n追加の段落です。\n");
    std::fs::write(&ja, &text).unwrap();
    let stats = build_stats(root, &out);
    assert!(!stats.up_to_date);
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // a forged index (an article's market counts) or manifest without
    // their checksums: the same
    text.push_str("\nもう一つの段落です。\n");
    std::fs::write(&ja, &text).unwrap();
    forge_facts(&out);
    edit(
        &out.join(".rulebook/index.json"),
        "\"segments\":",
        "\"segments\": ",
    );
    let stats = build_stats(root, &out);
    assert_eq!(stats.articles_cached, 0, "{stats:?}");
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
    let manifest = out.join(".rulebook/manifest.json");
    edit(&manifest, "\"inputs\":\"", "\"inputs\": \"");
    let stats = build_stats(root, &out);
    assert!(!stats.up_to_date);
    assert_eq!((stats.articles_cached, stats.pages_reused), (0, 0));
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
}

/// Entries copied from the cache of another build are not used: one
/// analysis file, the index, or the whole cache folder (its manifest
/// speaks of another rules.json); nor a cache made for other inputs.
#[test]
fn entries_of_another_build_are_not_used() {
    let (dir, out, fresh) = built_two_article_project();
    let root = dir.path();
    // another build: other facts in the en article of the same name
    let other = two_article_project();
    edit(&other.path().join(common::EN), "Argentina", "Germany");
    let other_out = other.path().join("book");
    build_stats(other.path(), &other_out);
    let ja = root.join(common::JA_JP);
    let mut text = std::fs::read_to_string(&ja).unwrap();
    let theirs = |name: &str| other_out.join(".rulebook").join(name);
    for copied in ["facts-en.json", "index.json", ""] {
        let ours = out.join(".rulebook");
        if copied.is_empty() {
            std::fs::remove_dir_all(&ours).unwrap();
            common::copy_tree(&other_out.join(".rulebook"), &ours);
        } else {
            std::fs::copy(theirs(copied), ours.join(copied)).unwrap();
        }
        text.push_str("\n追加の段落です。\n");
        std::fs::write(&ja, &text).unwrap();
        let stats = build_stats(root, &out);
        assert!(stats.articles_cached < 6, "{copied}: {stats:?}");
        assert_eq!(without_cache(&out), fresh_build(root, &fresh), "{copied}");
    }
    // made for other inputs (another book.toml): no analysis is reused
    let toml = root.join("book.toml");
    let before = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{before}\n# another input\n")).unwrap();
    let stats = build_stats(root, &out);
    assert_eq!(stats.articles_cached, 0);
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
}

#[test]
fn a_removed_article_and_a_stray_file_are_gone_after_a_rebuild() {
    // (in so small a project most files change, and the commit swaps the
    // folders; fsutil's tests hold the commit in place to the same)
    let (dir, out, fresh) = built_two_article_project();
    let root = dir.path();
    // not rulebook's: a build writes the whole output, so it goes
    std::fs::write(out.join("en/stray.html"), "stray").unwrap();
    std::fs::remove_file(root.join("content/ja-JP/a-copy.md")).unwrap();
    let stats = build_stats(root, &out);
    assert!(stats.pages_reused > 0, "{stats:?}");
    // a translation removed: its page shows the source's text instead
    assert!(common::read(out.join("ja-JP/a-copy.html")).contains("rulebook-fallback"));
    assert!(!out.join("en/stray.html").exists());
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
    // an article removed from every locale: its pages are gone
    for locale in ["en", "zh-TW"] {
        std::fs::remove_file(root.join("content").join(locale).join("a-copy.md")).unwrap();
    }
    build_stats(root, &out);
    for locale in ["en", "ja-JP", "zh-TW"] {
        assert!(!out.join(locale).join("a-copy.html").exists(), "{locale}");
    }
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
}

/// `RULEBOOK_TIMINGS=1` names each phase of a build and of a rebuild on
/// stderr, and changes nothing the build writes.
#[test]
fn timings_name_the_phases_and_change_no_output() {
    let dir = project();
    let (root, out) = (dir.path(), dir.path().join("book"));
    let plain = dir.path().join("plain");
    let run = |out: &Path, timings: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"));
        cmd.arg("--root")
            .arg(root)
            .args(["-q", "build", "--out"])
            .arg(out);
        if timings {
            cmd.env("RULEBOOK_TIMINGS", "1");
        } else {
            cmd.env_remove("RULEBOOK_TIMINGS");
        }
        let done = cmd.output().unwrap();
        assert!(done.status.success(), "{done:?}");
        String::from_utf8(done.stderr).unwrap()
    };
    let phases = [
        "load the project",
        "analyze and reconcile",
        "write the data files",
        "build the sites",
        "commit the output",
        "build (all phases)",
    ];
    let full = run(&out, true);
    let edited = {
        let ja = root.join(common::JA_JP);
        let mut text = std::fs::read_to_string(&ja).unwrap();
        text.push_str("\n追加の段落です。\n");
        std::fs::write(&ja, text).unwrap();
        run(&out, true)
    };
    for stderr in [&full, &edited] {
        for phase in phases {
            assert!(
                stderr
                    .lines()
                    .any(|l| l.starts_with("timing:") && l.ends_with(phase)),
                "no `{phase}` in {stderr}"
            );
        }
    }
    assert!(run(&plain, false).is_empty(), "no timings unless asked");
    let strip = |mut files: std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>| {
        files.retain(|p, _| !p.starts_with(".rulebook"));
        files
    };
    assert_eq!(strip(snapshot(&out)), strip(snapshot(&plain)));
}

/// A locale's search index is kept in shards of 256 pages: an edit
/// rewrites the shard of the page it changed and keeps the others as they
/// are; pages that move to another shard (an article added in front) are
/// found in the shard that had them. Either way the result is what a
/// fresh build writes.
#[test]
fn an_edit_rewrites_one_shard_of_the_search_index() {
    let dir = project();
    let root = dir.path();
    let status = std::process::Command::new(common::shared().join("bench/gen-corpus"))
        .args(["-q", "-n", "65"])
        .arg(root)
        .status()
        .expect("gen-corpus runs");
    assert!(status.success());
    let (out, fresh) = (root.join("book"), root.join("fresh"));
    build_stats(root, &out);
    let shard = |locale: &str, n: usize| out.join(format!("{locale}/search-index-{n}.js"));
    // 66 articles, the rules and the status page: two shards of 64 pages
    let loader = std::fs::read_to_string(out.join("ja-JP/search-index.js")).unwrap();
    assert_eq!(
        loader,
        "window.RULEBOOK_SEARCH = {\"shards\":[\"search-index-1.js\",\"search-index-2.js\"]};\n"
    );
    assert!(shard("ja-JP", 2).is_file() && !shard("ja-JP", 3).exists());

    // an edit of one ja-JP article rewrites the shard that has its page and
    // leaves the other (and every shard of the other locales) as it was
    let mut articles: Vec<_> = std::fs::read_dir(root.join("content/ja-JP"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    articles.sort();
    let article = articles.last().unwrap();
    let url = format!(
        "\"url\":\"{}.html\"",
        article.file_stem().unwrap().to_string_lossy()
    );
    let edited = (1..=2)
        .find(|&n| {
            std::fs::read_to_string(shard("ja-JP", n))
                .unwrap()
                .contains(&url)
        })
        .expect("a shard has the page");
    let others: Vec<_> = ["en", "ja-JP", "zh-TW"]
        .into_iter()
        .flat_map(|l| [(l, 1), (l, 2)])
        .filter(|&s| s != ("ja-JP", edited))
        .map(|(l, n)| shard(l, n))
        .collect();
    let inodes = |files: &[std::path::PathBuf]| files.iter().map(|f| inode(f)).collect::<Vec<_>>();
    let (kept, before) = (inodes(&others), inode(&shard("ja-JP", edited)));
    let mut text = std::fs::read_to_string(article).unwrap();
    text.push_str("\n追加の段落です。\n");
    std::fs::write(article, text).unwrap();
    let stats = build_stats(root, &out);
    assert_eq!(stats.pages_rendered, 1, "{stats:?}");
    assert_eq!(inodes(&others), kept);
    assert_ne!(inode(&shard("ja-JP", edited)), before);
    assert!(
        std::fs::read_to_string(shard("ja-JP", edited))
            .unwrap()
            .contains("\"追加\"")
    );
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // an article added in front moves every page one place on: the
    // reused pages are found in the shard that had them
    for locale in ["en", "ja-JP", "zh-TW"] {
        std::fs::copy(
            root.join(format!("content/{locale}/csp-software-subscriptions.md")),
            root.join(format!("content/{locale}/0-first.md")),
        )
        .unwrap();
    }
    let stats = build_stats(root, &out);
    assert_eq!(stats.articles_analyzed, 3, "{stats:?}");
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
}

/// A session (what `serve` keeps between builds) hands each build the
/// cache the last one wrote, without reading it back, while the output is
/// the one that build left; the bytes written are a fresh build's either
/// way, and an output changed behind the session's back is read from disk
/// (or rebuilt) as without one.
#[test]
fn a_session_keeps_the_cache_between_builds_and_never_changes_the_output() {
    let (dir, out, fresh) = built_two_article_project();
    let root = dir.path();
    let session = Some(std::sync::Arc::new(rulebook::emit::Session::default()));
    let options = BuildOptions {
        session,
        ..BuildOptions::default()
    };
    let run = || build(root, &out, &options).expect("builds").stats;
    let ja = root.join("content/ja-JP/a-copy.md");
    let append = |line: &str| {
        let mut text = std::fs::read_to_string(&ja).unwrap();
        text.push_str(line);
        std::fs::write(&ja, text).unwrap();
    };

    // the session's first build reads the cache from disk
    append("\n追加の段落です。\n");
    let first = run();
    assert!(
        !first.cache_in_memory && first.articles_cached > 0,
        "{first:?}"
    );
    // then each build has it from the one before, up to date or not
    let same = run();
    assert!(same.up_to_date && same.cache_in_memory, "{same:?}");
    append("\nもう一つの段落です。\n");
    let second = run();
    assert!(second.cache_in_memory && !second.up_to_date, "{second:?}");
    assert_eq!((second.articles_analyzed, second.pages_rendered), (1, 1));
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // rules.json written over behind the session's back: not trusted
    append("\n三つ目の段落です。\n");
    let rules = out.join("rules.json");
    let bytes = std::fs::read(&rules).unwrap();
    std::fs::write(&rules, vec![b' '; bytes.len()]).unwrap();
    let third = run();
    assert!(third.cache_in_memory, "{third:?}");
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // the output removed: nothing of the session's cache is used
    std::fs::remove_dir_all(&out).unwrap();
    let gone = run();
    assert!(
        !gone.cache_in_memory && gone.articles_cached == 0,
        "{gone:?}"
    );
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
}

/// Articles that disagree give a cross-article finding; a rebuild copies it
/// while no rule changed, makes it anew when one did, and drops it when the
/// articles agree again: every time, the files a fresh build writes.
#[test]
fn cross_article_findings_follow_the_rules_through_rebuilds() {
    let (dir, out, fresh) = built_two_article_project();
    let root = dir.path();
    let en = root.join("content/en/a-copy.md");
    let original = std::fs::read_to_string(&en).unwrap();
    let conflicts = |out: &Path| -> Vec<serde_json::Value> {
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        report["discrepancies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "cross-article-conflict")
            .cloned()
            .collect()
    };
    assert!(conflicts(&out).is_empty(), "two copies agree");

    let thirty = original.replace("within 60 days", "within 30 days");
    assert_ne!(thirty, original);
    std::fs::write(&en, &thirty).unwrap();
    build_stats(root, &out);
    let found = conflicts(&out);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]["rule"]
            .as_str()
            .unwrap()
            .ends_with("/cancellation-window")
    );
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // a paragraph without facts: the finding's bytes are copied
    std::fs::write(&en, format!("{thirty}\nAnother paragraph.\n")).unwrap();
    let stats = build_stats(root, &out);
    assert_eq!(stats.articles_analyzed, 1);
    assert_eq!(conflicts(&out), found);
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));

    // the articles agree again: the finding goes
    std::fs::write(&en, &original).unwrap();
    build_stats(root, &out);
    assert!(conflicts(&out).is_empty());
    assert_eq!(without_cache(&out), fresh_build(root, &fresh));
}

#[test]
fn a_project_with_warnings_is_up_to_date_when_nothing_changed_and_says_them_again() {
    let dir = project();
    let (root, out) = (dir.path(), dir.path().join("book"));
    // a link that leads nowhere: a warning on every build
    let en = root.join(common::EN);
    let mut text = std::fs::read_to_string(&en).unwrap();
    text.push_str("\nSee [the missing page](no-such-article.md).\n");
    std::fs::write(&en, text).unwrap();

    let first = build(root, &out, &BuildOptions::default()).unwrap();
    assert!(!first.stats.up_to_date);
    let said = |d: &rulebook::diag::Diagnostics| -> Vec<String> {
        d.iter().map(ToString::to_string).collect()
    };
    let warnings = said(&first.diagnostics);
    assert!(
        warnings.iter().any(|w| w.contains("warning[broken-link]")),
        "{warnings:?}"
    );

    let before = snapshot(&out);
    let second = build(root, &out, &BuildOptions::default()).unwrap();
    assert!(second.stats.up_to_date, "{:?}", second.stats);
    assert_eq!(snapshot(&out), before);
    assert_eq!(said(&second.diagnostics), warnings);

    // the link fixed: no longer up to date, and the warning is gone
    let text = std::fs::read_to_string(&en)
        .unwrap()
        .replace("(no-such-article.md)", "(#top)");
    std::fs::write(&en, text).unwrap();
    let third = build(root, &out, &BuildOptions::default()).unwrap();
    assert!(!third.stats.up_to_date);
    assert!(
        !said(&third.diagnostics)
            .iter()
            .any(|w| w.contains("no-such-article")),
        "{:?}",
        said(&third.diagnostics)
    );
}
