//! The real tree's other locales (issue 19, "What must be shown"): the
//! same docs set exists in a dozen more languages, and nothing may be
//! specific to zh-TW and ja-JP. Four more locale folders are made from
//! what the corpus holds, each standing for a kind of locale folder:
//!
//! - `ko-KR`: zh-TW's bilingual files (a bilingual file works in any locale),
//!   with TOCs; no locale data at all (no `locales/ko-KR/`).
//! - `de-DE`: ja-JP's plain files relabelled, with TOCs; no locale data.
//! - `pt-BR`: the same without any TOC file (navigation in the source
//!   locale's TOC structure, with its own titles); no locale data.
//! - `fr-FR`: the same with TOCs; `locales/fr-FR/` without `site.ftl` or a
//!   lexicon (only the CLDR tables).
//!
//! Built on the slice of tests/trees.rs plus the docset's TOC.yml, landing
//! page and the redirect file, not the whole tree: six locales of the
//! whole tree take minutes in a debug build, the slice a few seconds, and
//! every kind of file the tree has is in it.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::tree::*;
use common::*;

/// The synthesized locales: (tag, copied from, keeps its TOCs, CLDR
/// autonym the switcher must show).
const EXTRA: &[(&str, &str, bool, &str)] = &[
    ("ko-KR", "zh-TW", true, "한국어"),
    ("de-DE", "ja-JP", true, "Deutsch"),
    ("pt-BR", "ja-JP", false, "Português"),
    ("fr-FR", "ja-JP", true, "Français"),
];

/// The slice's articles plus the one the docset adds here.
fn articles() -> Vec<String> {
    ARTICLES
        .iter()
        .map(|a| (*a).to_owned())
        .chain(["partner-center/csp-commercial-marketplace-manage".to_owned()])
        .collect()
}

fn locales_project() -> tempfile::TempDir {
    let project = tree_project();
    let root = project.path();
    add_to_slice(
        root,
        &[
            "partner-center/csp-commercial-marketplace-manage.md",
            "partner-center/TOC.yml",
            "partner-center/index.yml",
            ".openpublishing.redirection.json",
        ],
    );
    for (locale, from, tocs, _) in EXTRA {
        let dir = root.join("content").join(locale);
        copy_tree(&root.join("content").join(from), &dir);
        for file in files_with_extension(&dir, "md")
            .into_iter()
            .chain(files_with_extension(&dir, "yml"))
        {
            let name = file.file_name().unwrap().to_string_lossy().to_lowercase();
            if !tocs && (name == "toc.yml" || name == "toc.md") {
                std::fs::remove_file(&file).unwrap();
                continue;
            }
            // relabelled as a translation into `locale` would be
            let text = read(&file).replace(
                &format!("ms.contentlocale: {from}"),
                &format!("ms.contentlocale: {locale}"),
            );
            std::fs::write(&file, text).unwrap();
        }
        let data = root.join("locales").join(locale);
        if *locale == "fr-FR" {
            for f in ["site.ftl", "lexicon.toml", "validator.ftl"] {
                let _ = std::fs::remove_file(data.join(f));
            }
            assert!(data.join("languages.tsv").is_file());
        } else {
            assert!(!data.exists(), "{locale} has no locale data");
        }
    }
    project
}

/// A page's text as a reader sees it (tags dropped, entities kept).
fn page_text(html: &str) -> String {
    regex::Regex::new("<[^>]*>")
        .unwrap()
        .replace_all(html, "")
        .into_owned()
}

/// The findings of report.json as (locale, code, path under the locale
/// folder, line), per locale.
fn findings(report: &serde_json::Value) -> BTreeMap<String, BTreeSet<(String, String, u64)>> {
    let mut by_locale: BTreeMap<String, BTreeSet<_>> = BTreeMap::new();
    for d in report["discrepancies"].as_array().unwrap() {
        let locale = d["locale"].as_str().unwrap().to_owned();
        let path = d["source"]["path"]
            .as_str()
            .or(d["canonical"]["path"].as_str())
            .unwrap_or("")
            .splitn(3, '/')
            .nth(2)
            .unwrap_or("")
            .to_owned();
        let line = d["source"]["line"].as_u64().unwrap_or(0);
        by_locale.entry(locale).or_default().insert((
            d["code"].as_str().unwrap().to_owned(),
            path,
            line,
        ));
    }
    by_locale
}

#[test]
fn the_tree_builds_in_locales_made_from_the_ones_the_corpus_has() {
    let project = locales_project();
    let root = project.path();
    let out = root.join("book");
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root)
        .args(["build", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");

    let all: Vec<&str> = ["zh-TW", "ja-JP"]
        .into_iter()
        .chain(EXTRA.iter().map(|e| e.0))
        .collect();
    let articles = articles();
    for locale in &all {
        let dir = out.join(locale);
        // every article has a page in every locale, and the locale a home,
        // the docset's landing page and the redirect pages
        for a in &articles {
            assert!(dir.join(format!("{a}.html")).is_file(), "{locale}: {a}");
        }
        for page in [
            "index.html",
            "partner-center/index.html",
            "partner-center/incentives-unified-user-guide.html",
        ] {
            assert!(dir.join(page).is_file(), "{locale}: {page}");
        }
        // navigation: every article is in it, an article of the TOC under
        // the locale's own title where the locale has no TOC of its own
        let toc = read(dir.join("toc.js"));
        for a in &articles {
            assert!(
                toc.contains(&format!("{a}.html")),
                "{locale}: {a} not in navigation"
            );
        }
        assert!(
            toc.matches("partner-center/announcements/index.html")
                .count()
                == 1,
            "{locale}: the announcements' TOC.md is nested once"
        );
        for page in files_with_extension(&dir, "html") {
            let html = read(&page);
            let shown = page.strip_prefix(&out).unwrap().display().to_string();
            // no page shows DocFX or bilingual syntax
            let text = page_text(&html);
            for syntax in [
                ":::",
                "[!NOTE]",
                "[!div",
                "[!INCLUDE",
                "data-ttu-id",
                "sxs-lookup",
            ] {
                assert!(!text.contains(syntax), "{shown} shows `{syntax}`");
            }
            assert!(!html.contains("data-ttu-id"), "{shown}");
            // every locale is named in its own language, never by its tag
            // or as a second English
            if html.contains("rulebook-languages") {
                for (tag, _, _, name) in EXTRA {
                    assert!(
                        html.contains(&format!("lang=\"{tag}\" href=")) || *tag == *locale,
                        "{shown}: no link to {tag}"
                    );
                    assert!(html.contains(&format!(">{name}")), "{shown}: {name}");
                }
                assert!(!html.contains("language-"), "{shown}: a message id shown");
            }
        }
    }
    // the picker: each locale once, by its autonym
    let picker = read(out.join("index.html"));
    for (tag, _, _, name) in EXTRA {
        assert!(
            picker.contains(&format!("lang=\"{tag}\">{name}")),
            "{tag} in the picker: {picker}"
        );
    }
    assert_eq!(picker.matches(">English").count(), 0, "{picker}");

    // a locale without TOCs has the source's structure with its own titles
    let pt_toc = read(out.join("pt-BR/toc.js"));
    let own_h1 = "パートナーセンターには、MPN パートナー向けの2つのレベルのアカウントがあります。";
    assert!(pt_toc.contains(own_h1), "{pt_toc}");
    assert!(!pt_toc.contains("關於帳戶結構"), "the source's entry name");

    // diagnostics: locale folders of the same content say the same, each
    // diagnostic once (a borrowed TOC's warnings are the source's)
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("content/"))
        .collect();
    let unique: BTreeSet<&str> = lines.iter().copied().collect();
    assert_eq!(lines.len(), unique.len(), "a diagnostic printed twice");
    let per_locale = |locale: &str, code: &str| {
        lines
            .iter()
            .filter(|l| {
                l.starts_with(&format!("content/{locale}/")) && l.contains(&format!("[{code}]"))
            })
            .count()
    };
    for code in ["broken-link", "missing-media", "landing-link", "toc-entry"] {
        assert_eq!(
            per_locale("ko-KR", code),
            per_locale("zh-TW", code),
            "{code}"
        );
        for l in ["de-DE", "fr-FR"] {
            assert_eq!(per_locale(l, code), per_locale("ja-JP", code), "{l} {code}");
        }
    }
    assert_eq!(per_locale("pt-BR", "toc-entry"), 0);
    // a bilingual file is read through its English segments without a
    // lexicon of its own; a plain one is not read, and says so
    assert_eq!(per_locale("ko-KR", "no-lexicon"), 0);
    for l in ["de-DE", "pt-BR", "fr-FR"] {
        assert_eq!(per_locale(l, "no-lexicon"), articles.len(), "{l}");
    }

    // report.json: every locale summarized with all its articles; a
    // plain locale whose facts were not read is not said to miss them
    let report: serde_json::Value = serde_json::from_str(&read(out.join("report.json"))).unwrap();
    for locale in &all {
        assert_eq!(
            report["summary"][locale]["articles"],
            articles.len(),
            "{locale}"
        );
    }
    let found = findings(&report);
    // the links and media of a copy lead where its original's do
    let site = |l: &str| -> BTreeSet<(String, String, u64)> {
        found[l]
            .iter()
            .filter(|f| f.0 == "broken-link" || f.0 == "missing-media")
            .cloned()
            .collect()
    };
    assert!(!site("ja-JP").is_empty());
    assert_eq!(site("ko-KR"), site("zh-TW"));
    for l in ["de-DE", "pt-BR", "fr-FR"] {
        assert_eq!(site(l), site("ja-JP"), "{l}");
        let codes: BTreeSet<&str> = found[l].iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            codes,
            BTreeSet::from(["broken-link", "missing-media", "stale-translation"]),
            "{l}: {:?}",
            found[l]
        );
        assert_eq!(found[l], found["de-DE"], "{l} says what de-DE says");
    }
    // the relabelled copy of the source: what it shows is the source's
    // own findings, less those only the source's lexicon reads
    assert!(!found["ko-KR"].is_empty());
    assert!(
        found["ko-KR"].is_subset(&found["zh-TW"]),
        "{:?}",
        found["ko-KR"]
            .difference(&found["zh-TW"])
            .collect::<Vec<_>>()
    );
    for (code, path, line) in found["zh-TW"].difference(&found["ko-KR"]) {
        assert_eq!(code, "number-mismatch", "{path}:{line}: zh-TW only");
    }
    assert!(
        !report["discrepancies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "missing-article" || d["code"] == "extra-article"),
        "every locale has every article"
    );
}
