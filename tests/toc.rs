//! DocFX tables of contents as the site's navigation (issue 19 item 1): the
//! whole real Partner Center tree (`../shared/corpus/tree/`), zh-TW its
//! source locale, ja-JP beside it.

mod common;

use std::path::Path;

use common::*;

/// The real tree as a project; `without_ja_tocs` removes ja-JP's TOC files
/// (a locale that has no navigation of its own).
fn tree_project(without_ja_tocs: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for locale in ["zh-TW", "ja-JP"] {
        copy_tree(
            &shared().join("corpus/tree").join(locale),
            &dir.path().join("content").join(locale),
        );
    }
    for sub in ["locales", "templates"] {
        copy_tree(&root().join(sub), &dir.path().join(sub));
    }
    let book = read(root().join("book.toml"))
        .replace("source-locale = \"en\"", "source-locale = \"zh-TW\"");
    std::fs::write(dir.path().join("book.toml"), book).unwrap();
    if without_ja_tocs {
        for toc in [
            "partner-center/TOC.yml",
            "partner-center/announcements/TOC.md",
            "marketplace/TOC.yml",
            "Archive/TOC.md",
        ] {
            std::fs::remove_file(dir.path().join("content/ja-JP").join(toc)).unwrap();
        }
    }
    let out = rulebook_in(dir.path(), &["-q", "build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// `(href, label)` of every link of a locale's table of contents.
fn toc_links(book: &Path, locale: &str) -> Vec<(String, String)> {
    let html = read(book.join(locale).join("toc.html"));
    let re = regex::Regex::new(r#"<a href="([^"]*)">([^<]*)</a>"#).unwrap();
    re.captures_iter(&html)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect()
}

#[test]
fn each_locale_is_navigated_by_its_own_toc() {
    let dir = tree_project(false);
    let book = dir.path().join("book");
    let zh = toc_links(&book, "zh-TW");
    // TOC.yml's names and hrefs, nested TOCs inlined (announcements/TOC.md)
    for (href, label) in [
        (
            "partner-center/mpn-overview.html",
            "成為 Microsoft 合作夥伴",
        ),
        (
            "partner-center/announcements/2020-june.html",
            "2020 年 6 月",
        ),
    ] {
        assert!(
            zh.iter().any(|(h, l)| h == href && l == label),
            "{href} {label} not in the zh-TW navigation"
        );
    }
    let ja = toc_links(&book, "ja-JP");
    let ja_label = |href: &str| ja.iter().find(|(h, _)| h == href).map(|(_, l)| l.clone());
    let label = ja_label("partner-center/mpn-overview.html").expect("ja-JP lists the page");
    assert!(!label.contains("成為"), "ja-JP's own TOC names it: {label}");
    // the article ja-JP lacks is reported, located at its source
    let zh_dir = dir.path().join("content/zh-TW");
    let lacking: Vec<String> = markdown_files(&zh_dir)
        .into_iter()
        .map(|f| {
            f.strip_prefix(&zh_dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|rel| {
            let lower = rel.to_lowercase();
            !lower.ends_with("readme.md")
                && !lower.ends_with("toc.md")
                && !lower.ends_with("contributing.md")
                && !dir.path().join("content/ja-JP").join(rel).exists()
        })
        .collect();
    assert!(!lacking.is_empty(), "ja-JP lacks an article of zh-TW");
    let report: serde_json::Value = serde_json::from_str(&read(book.join("report.json"))).unwrap();
    let missing: Vec<String> = report["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "missing-article" && d["locale"] == "ja-JP")
        .map(|d| d["expected"].as_str().unwrap().to_owned())
        .collect();
    let paragraph = regex::Regex::new(r"<p>(?:<span[^>]*></span>)?([^<]{8,})</p>").unwrap();
    for rel in &lacking {
        assert!(
            missing.contains(&format!("content/zh-TW/{rel}")),
            "{rel}: {missing:?}"
        );
        // ... and still has a page in ja-JP: zh-TW's text under a notice in
        // Japanese, listed by ja-JP's navigation (its TOC names it)
        let page = rel.strip_suffix(".md").unwrap().to_owned() + ".html";
        let html = read(book.join("ja-JP").join(&page));
        assert!(
            html.contains(
                "この記事はまだ日本語で提供されていません。中国語 (繁体字)で表示しています。"
            ),
            "{page}: {html}"
        );
        assert!(html.contains("<div lang=\"zh-TW\">"), "{page}");
        let zh_html = read(book.join("zh-TW").join(&page));
        let text = paragraph
            .captures(&zh_html)
            .map(|c| c[1].to_owned())
            .expect("the zh-TW page has a paragraph");
        assert!(html.contains(&text), "{page} shows zh-TW's text: {text}");
        assert!(ja.iter().any(|(h, _)| *h == page), "{page} in ja-JP's TOC");
    }
    // each docset's landing page, and a home that leads to them
    let landing = read(book.join("zh-TW/partner-center/index.html"));
    assert!(landing.contains("<h1>合作夥伴中心文件</h1>"), "{landing}");
    assert!(
        landing.contains("<a href=\"../partner-center/overview.html\">"),
        "{landing}"
    );
    assert!(book.join("zh-TW/partner-center/overview.html").is_file());
    let home = read(book.join("zh-TW/index.html"));
    for docset in ["partner-center/index.html", "marketplace/index.html"] {
        assert!(home.contains(&format!("href=\"{docset}\"")), "{home}");
    }
    // a moved article's old path sends its reader on, to a page of the tree
    let moved = read(book.join("zh-TW/partner-center/implement-security-requirements.html"));
    assert!(
        moved.contains("url=../partner-center/partner-security-requirements.html\"")
            && moved.contains("rel=\"canonical\"")
            && moved.contains("<a href=\"../partner-center/partner-security-requirements.html\">"),
        "{moved}"
    );
    assert!(
        book.join("zh-TW/partner-center/partner-security-requirements.html")
            .is_file()
    );
    // no page of the real tree shows DocFX or bilingual markup
    for locale in ["zh-TW", "ja-JP"] {
        for page in files_with_extension(&book.join(locale), "html") {
            let html = read(&page);
            for syntax in [":::", "[!NOTE]", "[!div", "data-ttu-id", "sxs-lookup"] {
                assert!(!html.contains(syntax), "{}: {syntax}", page.display());
            }
        }
    }
    // the breadcrumb TOC is not navigation, and every page is reachable
    let html = read(book.join("zh-TW/toc.html"));
    assert!(!html.contains("breadcrumb"));
    for locale in ["zh-TW", "ja-JP"] {
        let links: std::collections::HashSet<String> = toc_links(&book, locale)
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        for page in files_with_extension(&book.join(locale), "html") {
            let rel = page
                .strip_prefix(book.join(locale))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let generated = [
                "index.html",
                "toc.html",
                "rules.html",
                "status.html",
                "404.html",
            ]
            .contains(&rel.as_str())
                || rel.starts_with("rules-")
                || rel.starts_with("status-");
            let text = read(&page);
            // redirect and landing pages are reached from elsewhere
            let redirect = text.contains("http-equiv=\"refresh\"")
                || (rel.ends_with("/index.html") && !text.contains("rulebook-toc"));
            assert!(
                generated || redirect || links.contains(&rel),
                "{locale}: {rel} is in no table of contents"
            );
        }
    }
}

#[test]
fn a_locale_without_tocs_takes_the_sources_with_its_own_titles() {
    let dir = tree_project(true);
    let book = dir.path().join("book");
    let ja = toc_links(&book, "ja-JP");
    let zh = toc_links(&book, "zh-TW");
    let position =
        |links: &[(String, String)], href: &str| links.iter().position(|(h, _)| h == href).unwrap();
    // the source's order, which is not the order of the paths: TOC.yml
    // lists overview.md before mpn-overview.md
    let (a, b) = (
        "partner-center/mpn-overview.html",
        "partner-center/overview.html",
    );
    assert!(position(&zh, b) < position(&zh, a));
    assert!(
        position(&ja, b) < position(&ja, a),
        "ja-JP follows zh-TW's TOC"
    );
    // ja-JP's own article titles, not the zh-TW TOC's names
    let title = ja.iter().find(|(h, _)| h == a).unwrap().1.clone();
    assert!(!title.contains("成為"), "{title}");
    let ja_text = read(
        dir.path()
            .join("content/ja-JP/partner-center/mpn-overview.md"),
    );
    assert!(ja_text.contains(title.trim()), "{title} is the ja-JP title");
}
