//! Trees, not folders (issue 19 item 1): a slice of the real DocFX tree
//! (`../shared/corpus/tree/`: the Partner Center docset with its
//! docfx.json, an announcements folder, an Archive folder no docfx.json
//! covers, the repository's README and LICENSE) built as it is laid out.

mod common;

use std::path::{Component, Path, PathBuf};

use common::tree::*;
use common::*;

fn build(root: &Path) -> PathBuf {
    let out = root.join("book");
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root)
        .args(["-q", "build", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

/// `href` (as a page writes it, relative to `from`, percent-encoded) as
/// a path of the output, or why it is not one.
fn resolve(out: &Path, from: &Path, href: &str) -> Result<PathBuf, String> {
    let target = href.split(['#', '?']).next().unwrap_or("");
    if target.is_empty() {
        return Ok(from.to_path_buf());
    }
    if target.starts_with('/') || target.contains(':') {
        return Err(format!("{href} is not a relative path"));
    }
    let decoded = percent_encoding::percent_decode_str(target)
        .decode_utf8()
        .map_err(|e| format!("{href}: {e}"))?;
    let mut path = from.parent().unwrap().to_path_buf();
    for c in Path::new(&*decoded).components() {
        match c {
            Component::Normal(p) => path.push(p),
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            _ => return Err(format!("{href}: odd component")),
        }
    }
    if !path.starts_with(out) {
        return Err(format!("{href} leaves the output"));
    }
    if !path.is_file() {
        return Err(format!("{href} names no file of the output"));
    }
    Ok(path)
}

/// The values of every `href="…"` and `src="…"` of `html`.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = &html[at + attr.len()..];
            found.push(value[..value.find('"').unwrap()].replace("&amp;", "&"));
        }
    }
    found
}

/// What of a page rulebook made (not the article's own Markdown, whose
/// links are the link-rewriting task's): an article page without its
/// article text, the banner kept.
fn made_by_rulebook(html: &str) -> String {
    let Some(start) = html.find("<main class=\"rulebook-content\">") else {
        return html.to_owned();
    };
    let end = html.rfind("</main>").unwrap();
    let main = &html[start..end];
    let banner = main
        .find("<div class=\"rulebook-banner\"")
        .map(|b| &main[b..b + main[b..].find("</div>").unwrap()])
        .unwrap_or("");
    format!("{}{banner}{}", &html[..start], &html[end..])
}

fn is_generated(file: &str) -> bool {
    let stem = file.trim_end_matches(".html");
    ["index", "toc"].contains(&stem) || stem.starts_with("rules") || stem.starts_with("status")
}

#[test]
fn a_docfx_tree_builds_pages_at_the_same_paths_and_every_link_resolves() {
    let project = tree_project();
    let out = build(project.path());

    for locale in ["zh-TW", "ja-JP"] {
        let dir = out.join(locale);
        // nested articles are found, each page at its article's path
        for a in ARTICLES {
            assert!(dir.join(format!("{a}.html")).is_file(), "{locale}: {a}");
        }
        // the repository's files, the outline and the include are no pages
        let pages: Vec<String> = files_with_extension(&dir, "html")
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        let articles: Vec<&String> = pages.iter().filter(|p| !is_generated(p)).collect();
        assert_eq!(articles.len(), ARTICLES.len(), "{locale}: {articles:?}");
        for p in &pages {
            let lower = p.to_lowercase();
            let stem = lower.rsplit('/').next().unwrap().trim_end_matches(".html");
            assert!(
                !(["readme", "license"].contains(&stem)
                    || lower.contains("includes/")
                    || (stem == "toc" && lower.contains('/'))),
                "{locale}: {p} is no article"
            );
        }
        // the outline is announcements/TOC.md (its entries whose articles
        // the slice lacks listed without a page), then the articles no TOC
        // reaches, by folder
        let toc = read(dir.join("toc.html"));
        assert!(
            toc.contains("<ol><li><a href=\"partner-center/announcements/index.html\">"),
            "{toc}"
        );
        assert!(toc.contains("<li><span>Archive</span><ol>"), "{toc}");
        assert!(
            toc.find("announcements/index.html") < toc.find("<span>Archive</span>"),
            "{toc}"
        );
    }

    // every href and src rulebook writes resolves to a file of the output,
    // from every page, at every depth
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in files_with_extension(&out, "html") {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        // the picker and a locale's own pages are at most two levels down
        let top = page.strip_prefix(&out).unwrap().components().count() <= 2;
        let html = read(&page);
        let html = if top && is_generated(&name) {
            html
        } else {
            made_by_rulebook(&html)
        };
        for href in links(&html) {
            if href.starts_with("https://") {
                continue;
            }
            checked += 1;
            if let Err(e) = resolve(&out, &page, &href) {
                broken.push(format!(
                    "{}: {e}",
                    page.strip_prefix(&out).unwrap().display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
    // nested pages link the stylesheet, scripts, home and the other
    // locale's page through `../`
    assert!(checked > 500, "{checked}");
    let nested = read(out.join("ja-JP/partner-center/announcements/index.html"));
    for href in [
        "href=\"../../rulebook.css\"",
        "src=\"../../toc.js\"",
        "href=\"../../../zh-TW/partner-center/announcements/index.html\"",
    ] {
        assert!(nested.contains(href), "{href}");
    }

    // the table of contents' and the search index's hrefs are relative to
    // the locale's folder (the scripts prefix them with a page's `../`)
    for locale in ["zh-TW", "ja-JP"] {
        let dir = out.join(locale);
        let anchor = dir.join("index.html");
        let toc = read(dir.join("toc.js"));
        let list: String = serde_json::from_str(
            toc.split("nav.innerHTML = ")
                .nth(1)
                .unwrap()
                .split(";\n")
                .next()
                .unwrap(),
        )
        .unwrap();
        let mut in_toc = 0;
        for href in links(&list) {
            resolve(&out, &anchor, &href).unwrap();
            in_toc += 1;
        }
        assert!(in_toc > ARTICLES.len(), "{list}");
        assert!(toc.contains("document.currentScript"));
        let shard = read(dir.join("search-index-1.js"));
        let json = shard
            .split_once("] = ")
            .unwrap()
            .1
            .trim()
            .trim_end_matches(';');
        let index: serde_json::Value = serde_json::from_str(json).unwrap();
        for page in index["pages"].as_array().unwrap() {
            resolve(&out, &anchor, page["url"].as_str().unwrap()).unwrap();
        }
    }

    // a nested article's rule ids start with its path
    let rules: serde_json::Value = serde_json::from_str(&read(out.join("rules.json"))).unwrap();
    let rules = rules["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        let article = r["article"].as_str().unwrap();
        assert!(ARTICLES.contains(&article), "{id}");
        assert!(
            id.starts_with(&format!("{article}/")) || id.starts_with(&format!("{article}#")),
            "{id}"
        );
    }
    // the bundled article's facts, and the roles lines of the others
    // (issue 20)
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "partner-center/csp-software-subscriptions/cancellation-window")
    );
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "partner-center/activity-logs/roles")
    );
    // and `check` loads the file
    let check = rulebook_in(
        project.path(),
        &[
            "check",
            "--rules",
            "book/rules.json",
            "tax",
            "--market",
            "DE",
        ],
    );
    assert!(
        matches!(check.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn a_folder_no_docfx_json_covers_and_a_docset_with_other_globs() {
    let dir = tempfile::tempdir().unwrap();
    let en = dir.path().join("content/en");
    let write = |rel: &str, text: &str| {
        let path = en.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let page = |title: &str| format!("# {title}\n\nSome text.\n");
    // no docfx.json: every .md but the repository's files, outlines and
    // includes
    write("a.md", &page("A"));
    write("README.md", &page("Readme"));
    write("CONTRIBUTING.md", &page("Contributing"));
    write("TOC.md", &page("Toc"));
    write("guide/b.md", &page("B"));
    write("guide/includes/note.md", &page("Note"));
    write(".hidden/c.md", &page("Hidden"));
    // a docset taking only `*.md` of its own folder, and `docs/*.md` below
    write(
        "set/docfx.json",
        r#"{"build": {"content": [{"files": "*.md", "exclude": ["skip.md"]}, {"files": ["**/*.md"], "src": "docs"}]}}"#,
    );
    write("set/d.md", &page("D"));
    write("set/skip.md", &page("Skip"));
    write("set/deep/e.md", &page("E (no glob names it)"));
    write("set/docs/f/g.md", &page("G"));
    std::fs::copy(root().join("book.toml"), dir.path().join("book.toml")).unwrap();
    copy_tree(&root().join("locales"), &dir.path().join("locales"));
    let out = build(dir.path());
    let pages: Vec<String> = files_with_extension(&out.join("en"), "html")
        .iter()
        .map(|p| {
            p.strip_prefix(out.join("en"))
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| !is_generated(p))
        .collect();
    assert_eq!(
        pages,
        ["a.html", "guide/b.html", "set/d.html", "set/docs/f/g.html"]
    );
}

#[test]
fn an_edit_in_a_nested_folder_rebuilds_to_what_a_fresh_build_writes() {
    let project = tree_project();
    let out = build(project.path());
    let page = out.join("ja-JP/partner-center/announcements/index.html");
    let before = std::fs::read(&page).unwrap();
    let article = project
        .path()
        .join("content/ja-JP/partner-center/announcements/index.md");
    let mut text = read(&article);
    text.push_str("\n追加の段落です。\n");
    std::fs::write(&article, text).unwrap();
    let again = build(project.path());
    assert_ne!(std::fs::read(&page).unwrap(), before);
    let fresh_root = tempfile::tempdir().unwrap();
    let fresh = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(project.path())
        .args(["-q", "build", "--out"])
        .arg(fresh_root.path().join("book"))
        .output()
        .unwrap();
    assert!(fresh.status.success());
    assert_eq!(snapshot(&again), snapshot(&fresh_root.path().join("book")));
}
