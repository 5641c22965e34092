//! `source-text`: the English rebuilt from the bilingual zh-TW file.

mod common;

use common::*;
use std::path::Path;

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef | 0x3000..=0x303f)
    })
}

#[test]
fn regenerating_content_en_gives_the_committed_bytes() {
    let out = rulebook(&["source-text", ZH_TW]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = std::fs::read(root().join(EN)).unwrap();
    assert!(
        out.stdout == committed,
        "content/en differs from `rulebook source-text {ZH_TW}`: regenerate it with\n  cargo run -- source-text {ZH_TW} -o {EN}"
    );
}

#[test]
fn source_text_is_english_only() {
    let text = String::from_utf8(rulebook(&["source-text", ZH_TW]).stdout).unwrap();
    assert!(!has_cjk(&text), "CJK left in source text");
    assert!(!text.contains("data-ttu-id"));
    assert!(!text.contains("sxs-lookup"));
    assert!(text.contains("ms.contentlocale: en-US\n"));
    assert!(!text.contains("ms.translationtype"));
    assert!(text.contains("select **Get keys and downloads** again"));
    // the rebuilt English parses into the same outline as the bilingual file
    let en = parse(EN);
    let zh = parse(ZH_TW);
    let anchors = |d: &rulebook::docfx::Document| {
        d.sections
            .iter()
            .map(|s| s.anchor.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(anchors(&en), anchors(&zh));
    assert_eq!(
        en.sections[0].title.text,
        zh.sections[0].title.source.clone().unwrap()
    );
}

#[test]
fn source_text_matches_the_corpus_reconstruction() {
    // The corpus rebuilt en--2019-11-06.md from the same sxs-lookup spans by
    // other means; the bodies must agree line for line (ignoring trailing space).
    let shared = shared();
    let theirs = read(shared.join("corpus/article/en--2019-11-06.md"));
    let ours = read(root().join(EN));
    let body = |s: &str| -> Vec<String> {
        let start = s.find("\n# ").unwrap();
        s[start..]
            .lines()
            .map(|l| l.trim_end().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let (a, b) = (body(&ours), body(&theirs));
    let differing: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
    assert!(differing.len() <= 2, "{differing:#?}");
}

#[test]
fn plain_translation_has_no_source_text() {
    let out = rulebook(&["source-text", JA_JP]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[not-bilingual]"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

/// The real DocFX tree: the Partner Center docs, zh-TW bilingual.
fn tree() -> std::path::PathBuf {
    shared().join("corpus/tree/zh-TW")
}

fn source_text(args: &[&str]) -> (Option<i32>, String) {
    let out = rulebook(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every run of CJK characters in `s`.
fn cjk_runs(s: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in s.chars() {
        if has_cjk(c.encode_utf8(&mut [0; 4])) {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    runs.extend((!run.is_empty()).then_some(run));
    runs
}

fn yaml_entries(v: &serde_yaml::Value, out: &mut Vec<(String, Option<String>, Option<String>)>) {
    match v {
        serde_yaml::Value::Sequence(s) => s.iter().for_each(|v| yaml_entries(v, out)),
        serde_yaml::Value::Mapping(m) => {
            let s = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            if let Some(name) = s("name") {
                out.push((name, s("href"), s("displayName")));
            }
            if let Some(items) = m.get("items") {
                yaml_entries(items, out);
            }
        }
        _ => {}
    }
}

/// The `title:` of a Markdown file's frontmatter.
fn title_of(text: &str) -> Option<String> {
    let yaml = text.strip_prefix("---\n")?.split("\n---\n").next()?;
    let v: serde_yaml::Value = serde_yaml::from_str(yaml).ok()?;
    v.get("title")?.as_str().map(str::to_owned)
}

#[test]
fn the_real_tree_gives_the_english_of_every_bilingual_article() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("en");
    let src = tree();
    let (code, err) = source_text(&[
        "source-text",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let segment = regex::Regex::new(r#"(?s)<span data-ttu-id="[^"]*">.*?</span>"#).unwrap();
    let (mut articles, mut kept_cjk) = (0, Vec::new());
    for file in markdown_files(&src) {
        let rel = file.strip_prefix(&src).unwrap();
        let bilingual = read(&file);
        if !bilingual.contains("data-ttu-id") {
            continue;
        }
        articles += 1;
        let english = read(out.join(rel));
        assert!(!english.contains("data-ttu-id"), "{}", rel.display());
        assert!(!english.contains("sxs-lookup"), "{}", rel.display());
        assert!(
            english.contains("ms.contentlocale: en-US\n"),
            "{}",
            rel.display()
        );
        // CJK left in the English is only what the bilingual file has
        // outside its segments (text the vendor left without a twin), never
        // the target of a segment
        let outside = segment.replace_all(&bilingual, "");
        for run in cjk_runs(&english) {
            assert!(
                outside.contains(&run),
                "{}: `{run}` is a segment's target",
                rel.display()
            );
            kept_cjk.push(format!("{}: {run}", rel.display()));
        }
    }
    assert!(articles > 300, "{articles}");
    // measured: one sentence of one article (mpn-skills-report.md) that
    // the vendor translated without a segment
    assert!(kept_cjk.len() <= 2, "{kept_cjk:#?}");
    // the rest of the tree is copied byte for byte
    for rel in [
        "partner-center/docfx.json",
        "partner-center/index.yml",
        "marketplace/index.yml",
        ".openpublishing.redirection.json",
        "partner-center/breadcrumb/toc.yml",
        "LICENSE",
        "ThirdPartyNotices",
    ] {
        let (a, b) = (std::fs::read(src.join(rel)), std::fs::read(out.join(rel)));
        assert!(a.is_ok() && a.ok() == b.ok(), "{rel} not copied as it is");
    }
    // TOC.yml: the same entries, hrefs and displayNames; the names of the
    // entries that link an article are its English title
    for toc in ["partner-center/TOC.yml", "marketplace/TOC.yml"] {
        let (before, after) = (read(src.join(toc)), read(out.join(toc)));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        yaml_entries(&serde_yaml::from_str(&before).unwrap(), &mut a);
        yaml_entries(&serde_yaml::from_str(&after).unwrap(), &mut b);
        assert_eq!(a.len(), b.len());
        let dir = Path::new(toc).parent().unwrap();
        let mut renamed = 0;
        for ((_, href_a, dn_a), (name, href_b, dn_b)) in a.iter().zip(&b) {
            assert_eq!((href_a, dn_a), (href_b, dn_b));
            let Some(article) = href_b
                .as_deref()
                .filter(|h| h.ends_with(".md") && !h.to_lowercase().ends_with("toc.md"))
                .filter(|h| !h.contains("://"))
                .map(|h| out.join(dir).join(h))
                .filter(|p| p.is_file())
            else {
                continue;
            };
            assert_eq!(
                Some(name.clone()),
                title_of(&read(article)),
                "{toc}: {href_b:?}"
            );
            renamed += 1;
        }
        assert!(renamed >= 10, "{toc}: {renamed}");
        // only name: lines change: comments, order and every other line stay
        let changed: Vec<_> = before
            .lines()
            .zip(after.lines())
            .filter(|(x, y)| x != y)
            .collect();
        assert!(before.lines().count() == after.lines().count());
        assert!(
            changed
                .iter()
                .all(|(x, y)| x.contains("name:") && y.contains("name:"))
        );
    }
    // TOC.md: every link to an article of its folder is its English title
    let announcements = read(out.join("partner-center/announcements/TOC.md"));
    assert!(!has_cjk(&announcements), "{announcements}");
    assert!(announcements.contains("](2021-march.md)"));
    // entries that keep their names are reported where they are
    assert!(
        err.lines()
            .any(|l| l.contains("partner-center/TOC.yml:") && l.contains("warning[toc-name-kept]")),
        "{err}"
    );
}

/// A slice of the real tree: a TOC.yml, a TOC.md, a landing page, a
/// docfx.json, articles, a breadcrumb TOC and a file that is not bilingual.
fn slice(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("zh-TW");
    let from = tree();
    for rel in [
        "partner-center/TOC.yml",
        "partner-center/docfx.json",
        "partner-center/index.yml",
        "partner-center/overview.md",
        "partner-center/mpn-overview.md",
        "partner-center/breadcrumb/toc.yml",
        "partner-center/announcements/TOC.md",
        "partner-center/announcements/2021-march.md",
    ] {
        std::fs::create_dir_all(src.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(from.join(rel), src.join(rel)).unwrap();
    }
    std::fs::write(
        src.join("partner-center/plain.md"),
        "# 純文字\n\n沒有雙語。\n",
    )
    .unwrap();
    src
}

#[cfg(unix)]
fn inodes(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, u64> {
    use std::os::unix::fs::MetadataExt;
    snapshot(dir)
        .into_keys()
        .map(|p| {
            let ino = std::fs::metadata(dir.join(&p)).unwrap().ino();
            (p, ino)
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn a_second_run_writes_nothing_and_a_writers_edit_is_never_erased_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let src = slice(tmp.path());
    let out = tmp.path().join("en");
    let args = [
        "source-text",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, err) = source_text(&args);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning[not-bilingual]"), "{err}");
    assert_eq!(
        read(out.join("partner-center/plain.md")),
        "# 純文字\n\n沒有雙語。\n"
    );
    let first = snapshot(&out);
    assert_eq!(first.len(), 9);
    // a file the tree does not have is the writer's: never deleted
    std::fs::write(out.join("partner-center/notes.md"), "mine\n").unwrap();
    // twice: nothing is written (a write replaces the file: a new inode)
    let before = inodes(&out);
    let (code, err) = source_text(&args);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("0 written, 9 unchanged"), "{err}");
    assert_eq!(inodes(&out), before);
    // a writer edits one output and deletes another: the run fails,
    // naming the edit where it is, and writes nothing at all
    let overview = out.join("partner-center/overview.md");
    let edited =
        read(&overview).replacen("Partner Center streamlines", "Partner Center simplifies", 1);
    std::fs::write(&overview, &edited).unwrap();
    std::fs::remove_file(out.join("partner-center/mpn-overview.md")).unwrap();
    let line = edited
        .lines()
        .position(|l| l.contains("simplifies"))
        .unwrap()
        + 1;
    let edited_state = snapshot(&out);
    let (code, err) = source_text(&args);
    assert_eq!(code, Some(1), "{err}");
    let at = format!("partner-center/overview.md:{line}:1: error[source-text-conflict]");
    let i = err
        .lines()
        .position(|l| l.contains(&at))
        .unwrap_or_else(|| panic!("{at} in {err}"));
    assert!(
        err.lines()
            .nth(i + 1)
            .unwrap()
            .contains("--force to overwrite"),
        "{err}"
    );
    assert_eq!(err.matches("error[").count(), 1, "{err}");
    assert_eq!(snapshot(&out), edited_state, "a conflicting run wrote");
    // --force: the edit is overwritten, the missing file written, the
    // writer's own file kept
    let mut forced = args.to_vec();
    forced.push("--force");
    let (code, err) = source_text(&forced);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("2 written, 7 unchanged"), "{err}");
    let mut now = snapshot(&out);
    assert_eq!(
        now.remove(Path::new("partner-center/notes.md")).as_deref(),
        Some(&b"mine\n"[..])
    );
    assert_eq!(now, first);
}

#[test]
fn the_single_file_form_keeps_a_writers_edit_too() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("en.md");
    let t = target.to_str().unwrap();
    assert_eq!(source_text(&["source-text", ZH_TW, "-o", t]).0, Some(0));
    assert_eq!(read(&target), read(root().join(EN)));
    std::fs::write(&target, read(&target) + "\nA writer's line.\n").unwrap();
    let (code, err) = source_text(&["source-text", ZH_TW, "-o", t]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("error[source-text-conflict]"), "{err}");
    assert!(read(&target).ends_with("A writer's line.\n"));
    assert_eq!(
        source_text(&["source-text", ZH_TW, "-o", t, "--force"]).0,
        Some(0)
    );
    assert_eq!(read(&target), read(root().join(EN)));
    // the bilingual file is never overwritten by its own source text
    let copy = tmp.path().join("zh.md");
    std::fs::copy(root().join(ZH_TW), &copy).unwrap();
    let c = copy.to_str().unwrap();
    let (code, err) = source_text(&["source-text", c, "-o", c, "--force"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error[source-text-output]"), "{err}");
    assert_eq!(read(&copy), read(root().join(ZH_TW)));
}

#[test]
fn a_folder_needs_an_output_folder_outside_it_and_the_project() {
    let (code, err) = source_text(&["source-text", "content/zh-TW"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("error[usage]") && err.contains("-o OUT"),
        "{err}"
    );
    for out in [".", "content/zh-TW/en", "content"] {
        let (code, err) = source_text(&["source-text", "content/zh-TW", "-o", out]);
        assert_eq!(code, Some(2), "{out}: {err}");
        assert!(err.contains("error[source-text-output]"), "{err}");
    }
}
