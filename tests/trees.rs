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

/// Build `root` as a user does (no `-q`): the exit, and what it says.
fn build_said(root: &Path) -> String {
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root)
        .arg("build")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "{said}");
    said
}

/// (pages rendered, pages reused) from the build's count line.
fn pages(said: &str) -> (usize, usize) {
    let line = said
        .lines()
        .find(|l| l.starts_with("wrote "))
        .unwrap_or_else(|| panic!("{said}"));
    let number = |before: &str| -> usize {
        let at = line.find(before).unwrap_or_else(|| panic!("{line}"));
        line[..at]
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (number(" pages,"), number(" reused)"))
}

fn report(out: &Path) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(&read(out.join("report.json"))).unwrap();
    report["discrepancies"].as_array().unwrap().clone()
}

/// The findings of `code` at `path`, as (line, column, locale).
fn located(all: &[serde_json::Value], code: &str, path: &str) -> Vec<(u64, u64, String)> {
    all.iter()
        .filter(|d| d["code"] == code && d["source"]["path"] == path)
        .map(|d| {
            (
                d["source"]["line"].as_u64().unwrap(),
                d["source"]["column"].as_u64().unwrap(),
                d["locale"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Add a line to an article of the slice; the line number it is on.
fn add_line(project: &Path, article: &str, line: &str) -> u64 {
    let path = project.join(article);
    let mut text = read(&path);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
    text.push_str(line);
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    text.lines().count() as u64
}

#[test]
fn broken_links_and_missing_images_are_located_findings_of_report_json_and_diff() {
    let project = tree_project();
    let article = "content/zh-TW/partner-center/agreements.md";
    let link = add_line(
        project.path(),
        article,
        "見 [不存在的頁面](no-such-article.md) 與 [錨點](activity-logs.md#no-such-section)。",
    );
    let image = add_line(project.path(), article, "![缺少的圖](media/not-there.png)");
    let said = build_said(project.path());
    let out = project.path().join("book");
    let all = report(&out);

    // located findings of the article's locale, at the link and the image
    let broken = located(&all, "broken-link", article);
    assert!(broken.contains(&(link, 3, "zh-TW".into())), "{broken:?}");
    assert!(broken.contains(&(link, 34, "zh-TW".into())), "{broken:?}");
    let missing = located(&all, "missing-media", article);
    assert_eq!(missing, [(image, 1, "zh-TW".into())]);
    // the slice copies no media folder: every image of the tree is missing,
    // in both locales; links to articles the slice lacks are broken
    for locale in ["zh-TW", "ja-JP"] {
        assert!(
            all.iter()
                .any(|d| d["code"] == "missing-media" && d["locale"] == locale),
            "{locale}"
        );
    }
    // each is said as a warning at the same place too, and counted
    assert!(
        said.contains(&format!(
            "{article}:{link}:3: warning[broken-link]: `no-such-article.md` names no article"
        )),
        "{said}"
    );
    assert!(said.contains(&format!("{article}:{image}:1: warning[missing-media]")));
    let warned = said.matches(": warning[broken-link]: ").count();
    assert!(said.contains(&format!(
        "\n{warned} broken links (warning[broken-link] above)"
    )));
    assert_eq!(
        warned,
        all.iter().filter(|d| d["code"] == "broken-link").count()
    );
    let counted = format!(" {} discrepancies from ", all.len());
    assert!(said.contains(&counted), "{said}");
    // the summary counts them as warnings of their locale
    let file: serde_json::Value = serde_json::from_str(&read(out.join("report.json"))).unwrap();
    for locale in ["zh-TW", "ja-JP"] {
        let n = all
            .iter()
            .filter(|d| d["locale"] == locale && d["severity"] == "warning")
            .count() as u64;
        assert_eq!(file["summary"][locale]["warnings"], n, "{locale}");
    }

    // `diff` reports what report.json holds: JSON, text and SARIF
    let diff = |args: &[&str]| {
        let mut all = vec!["--root", project.path().to_str().unwrap(), "diff"];
        all.extend_from_slice(args);
        let o = rulebook_in(project.path(), &all);
        String::from_utf8(o.stdout).unwrap()
    };
    let json: serde_json::Value =
        serde_json::from_str(&diff(&["--format", "json", "--fail-on", "never"])).unwrap();
    assert_eq!(json["discrepancies"].as_array().unwrap(), &all);
    let text = diff(&["--fail-on", "never"]);
    assert!(text.contains(&format!("{article}:{link}:3")), "{text}");
    assert!(text.contains("broken-link"), "{text}");
    assert!(text.contains(&format!("{article}:{image}:1")), "{text}");
    let sarif: serde_json::Value =
        serde_json::from_str(&diff(&["--format", "sarif", "--fail-on", "never"])).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "missing-media"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == article
        })
        .unwrap();
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": image, "startColumn": 1})
    );
}

/// Every page of the output with its inode and modification time.
fn stamps(out: &Path) -> std::collections::BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    files_with_extension(out, "html")
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(&p).unwrap();
            (
                p.strip_prefix(out).unwrap().to_path_buf(),
                (m.ino(), m.modified().unwrap()),
            )
        })
        .collect()
}

fn fresh_build(project: &Path) -> PathBuf {
    let fresh = tempfile::tempdir().unwrap().keep();
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(project)
        .args(["-q", "build", "--out"])
        .arg(fresh.join("book"))
        .output()
        .unwrap();
    assert!(result.status.success());
    fresh.join("book")
}

#[test]
fn a_one_article_edit_renders_its_page_alone_and_equals_a_fresh_build() {
    let project = tree_project();
    // an article with an analysis warning (a repeated heading) is cached
    // with it, not analyzed anew every build
    let warned_article = "content/ja-JP/partner-center/agreements.md";
    let twice = add_line(
        project.path(),
        warned_article,
        "## 重複\n\n本文。\n\n## 重複\n\n本文。",
    );
    let (rendered, reused) = pages(&build_said(project.path()));
    assert_eq!(reused, 0);
    let out = project.path().join("book");
    let before = stamps(&out);
    let findings = report(&out);
    // pages with warnings (every page of the slice with an image has a
    // missing one) are reused like any other
    let warned: Vec<&str> = findings
        .iter()
        .filter(|d| d["code"] == "missing-media" || d["code"] == "broken-link")
        .filter_map(|d| d["source"]["path"].as_str())
        .collect();
    assert!(warned.len() > 10, "{warned:?}");

    // unchanged: nothing rendered
    let said = build_said(project.path());
    assert!(
        said.contains("is up to date") || pages(&said).0 == 0,
        "{said}"
    );

    // an edit of one article's text (not its title or anchors)
    let article = "content/zh-TW/partner-center/activity-logs.md";
    add_line(project.path(), article, "這是新增的一段文字。");
    let said = build_said(project.path());
    let (again, kept) = pages(&said);
    assert_eq!((again, kept), (1, rendered - 1), "{said}");
    assert!(said.contains("analyzed 1 articles, "), "{said}");
    assert!(
        said.contains(&format!(
            "{warned_article}:{}:1: warning[duplicate-anchor]",
            twice - 2
        )),
        "{said}"
    );
    let after = stamps(&out);
    let changed: Vec<&PathBuf> = before
        .iter()
        .filter(|(p, s)| after.get(*p) != Some(s))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        changed,
        [Path::new("zh-TW/partner-center/activity-logs.html")]
    );
    // the warnings of the reused pages are still in report.json and said
    assert_eq!(report(&out), findings);
    assert!(said.contains("warning[missing-media]"), "{said}");
    // and the output is what a fresh build writes, byte for byte
    let fresh = fresh_build(project.path());
    assert_eq!(snapshot(&out), snapshot(&fresh));
}

#[test]
fn a_media_file_changed_added_or_removed_renders_its_page_again() {
    let project = tree_project();
    let article = "content/zh-TW/partner-center/agreements.md";
    add_line(project.path(), article, "![圖](media/pic.png)");
    let media = project
        .path()
        .join("content/zh-TW/partner-center/media/pic.png");
    std::fs::create_dir_all(media.parent().unwrap()).unwrap();
    std::fs::write(&media, b"\x89PNG first").unwrap();
    build_said(project.path());
    let out = project.path().join("book");
    let copy = out.join("zh-TW/partner-center/media/pic.png");
    assert_eq!(std::fs::read(&copy).unwrap(), b"\x89PNG first");
    let missing = |out: &Path| located(&report(out), "missing-media", article);
    assert!(missing(&out).is_empty());

    // the same bytes: the page is reused and its copy kept
    let said = build_said(project.path());
    assert!(
        said.contains("is up to date") || pages(&said).0 == 0,
        "{said}"
    );
    // new bytes: the page is made again (the ja-JP page of the article
    // shows no such image)
    std::fs::write(&media, b"\x89PNG second").unwrap();
    assert_eq!(pages(&build_said(project.path())).0, 1);
    assert_eq!(std::fs::read(&copy).unwrap(), b"\x89PNG second");
    assert_eq!(snapshot(&out), snapshot(&fresh_build(project.path())));
    // removed: the page shows the alt text, with a finding (which the
    // status pages list: they are made again too)
    let before = stamps(&out);
    std::fs::remove_file(&media).unwrap();
    build_said(project.path());
    let after = stamps(&out);
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(p, s)| before.get(*p) != Some(s))
        .map(|(p, _)| p)
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("status")
        })
        .collect();
    assert_eq!(changed, [Path::new("zh-TW/partner-center/agreements.html")]);
    assert!(read(out.join("zh-TW/partner-center/agreements.html")).contains("docfx-image-missing"));
    assert_eq!(missing(&out).len(), 1);
    assert!(!copy.exists());
    assert_eq!(snapshot(&out), snapshot(&fresh_build(project.path())));
    // back again: the finding is gone
    std::fs::write(&media, b"\x89PNG third").unwrap();
    assert!(pages(&build_said(project.path())).0 >= 1);
    assert!(missing(&out).is_empty());
    assert_eq!(std::fs::read(&copy).unwrap(), b"\x89PNG third");
    assert_eq!(snapshot(&out), snapshot(&fresh_build(project.path())));
}
