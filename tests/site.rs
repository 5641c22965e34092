//! The localized site built from the bundled content, and from edited copies.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn build(root: &Path, out: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root)
        .args(["-q", "build", "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// A build that must succeed (its diagnostics shown if it does not).
fn build_ok(root: &Path, out: &Path) {
    let result = build(root, out);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// The site of the bundled content, built once into a temp dir.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book");
    build_ok(&root(), &out);
    (dir, out)
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    files_with_extension(dir, "html")
}

const ARTICLE: &str = "csp-software-subscriptions.html";

#[test]
fn three_locales_with_index_and_article_pages() {
    let (_dir, out) = site();
    for locale in ["en", "zh-TW", "ja-JP"] {
        for page in [
            "index.html",
            ARTICLE,
            "rules.html",
            "status.html",
            "search-index.js",
            "rulebook.css",
            "rulebook.js",
        ] {
            assert!(
                out.join(locale).join(page).is_file(),
                "{locale}/{page} missing"
            );
        }
        let article = read(out.join(locale).join(ARTICLE));
        assert!(
            article.contains(&format!("<html lang=\"{locale}\"")),
            "{locale}: html lang"
        );
        for other in ["en", "zh-TW", "ja-JP"] {
            assert!(
                article.contains(&format!(
                    "<link rel=\"alternate\" hreflang=\"{other}\" href=\"../{other}/{ARTICLE}\">"
                )),
                "{locale}: no hreflang alternate for {other}"
            );
        }
        assert!(article.contains(&format!("hreflang=\"x-default\" href=\"../en/{ARTICLE}\"")));
        // the switcher leads to the same page in the other locales
        assert!(
            article.contains(&format!(
                "class=\"rulebook-switch\" hreflang=\"en\" lang=\"en\" href=\"../en/{ARTICLE}\""
            )) || locale == "en"
        );
    }
    let picker = read(out.join("index.html"));
    for locale in ["en", "zh-TW", "ja-JP"] {
        assert!(
            picker.contains(&format!(
                "<a href=\"{locale}/index.html\" hreflang=\"{locale}\""
            )),
            "picker: {locale}"
        );
    }
    assert!(picker.contains("navigator.languages"));
}

#[test]
fn no_source_markup_comment_or_directive_reaches_a_page() {
    let (_dir, out) = site();
    let files = html_files(&out);
    assert!(files.len() >= 13, "{files:?}");
    for f in files {
        let html = read(&f);
        for bad in [
            "data-ttu-id",
            "sxs-lookup",
            "data-stu-id",
            "[!NOTE]",
            "<!--",
            "--&gt;",
            "FAREAST",
            "Maggie last updated",
        ] {
            assert!(!html.contains(bad), "{} contains {bad}", f.display());
        }
    }
    // alerts are callouts titled in the page's language
    assert!(
        read(out.join("zh-TW").join(ARTICLE))
            .contains("<p class=\"rulebook-alert-title\">附註</p>")
    );
    assert!(
        read(out.join("ja-JP").join(ARTICLE))
            .contains("<p class=\"rulebook-alert-title\">注記</p>")
    );
    assert!(
        read(out.join("en").join(ARTICLE)).contains("<p class=\"rulebook-alert-title\">Note</p>")
    );
}

#[test]
fn frontmatter_becomes_title_and_description() {
    let (_dir, out) = site();
    let zh = read(out.join("zh-TW").join(ARTICLE));
    assert!(
        zh.contains("<title>透過雲端解決方案提供者銷售軟體訂閱 | 合作夥伴中心</title>"),
        "{zh}"
    );
    assert!(
        zh.contains("<meta name=\"description\" content=\"Learn how partners in the CSP program")
    );
    assert!(!zh.contains("ms.openlocfilehash"));
}

#[test]
fn rules_page_lists_markets_by_local_name_and_links_to_the_paragraph() {
    let (_dir, out) = site();
    let zh = read(out.join("zh-TW/rules.html"));
    for name in ["阿根廷", "澤西島"] {
        assert!(
            zh.contains(&format!("<td>{name}</td>")),
            "zh-TW rules page lacks {name}"
        );
    }
    // the market fact links to the paragraph of the article it came from
    assert!(zh.contains(&format!("href=\"{ARTICLE}#L29\"")), "{zh}");
    let article = read(out.join("zh-TW").join(ARTICLE));
    assert!(article.contains("id=\"L29\""));
    let ja = read(out.join("ja-JP/rules.html"));
    assert!(ja.contains("<td>アルゼンチン</td>") && ja.contains("<code>JE</code>"));
    // ja-JP's own list differs: its facts link to the English article
    assert!(
        ja.contains("href=\"../en/csp-software-subscriptions.html#L23\""),
        "{ja}"
    );
}

#[test]
fn ja_jp_article_shows_its_own_markets_and_the_banner() {
    let (_dir, out) = site();
    let ja = read(out.join("ja-JP").join(ARTICLE));
    let markets = ja.matches("<li><span class=\"rulebook-line\"").count();
    assert!(markets >= 18, "{markets}");
    for name in ["アゼルバイジャン", "ロシア連邦", "ウクライナ"] {
        assert!(ja.contains(name));
    }
    let banner_start = ja.find("class=\"rulebook-banner\"").expect("the banner");
    let banner = &ja[banner_start..banner_start + ja[banner_start..].find("</div>").unwrap()];
    assert!(
        banner.contains("この翻訳は英語版 (2019-11-20) より古く"),
        "{banner}"
    );
    assert!(
        banner.contains("販売できない市場の一覧が異なります"),
        "{banner}"
    );
    assert!(banner.contains(&format!("href=\"../en/{ARTICLE}\"")));
    // up-to-date and agreeing: no banner
    assert!(!read(out.join("zh-TW").join(ARTICLE)).contains("rulebook-banner"));
    assert!(!read(out.join("en").join(ARTICLE)).contains("rulebook-banner"));
}

#[test]
fn status_page_has_findings_and_a_coverage_chart() {
    let (_dir, out) = site();
    let zh = read(out.join("zh-TW/status.html"));
    assert!(zh.contains("<svg"), "{zh}");
    assert!(zh.contains("69 個區段中已翻譯 44 個"), "{zh}");
    assert!(zh.contains("untranslated-segment"));
    let ja = read(out.join("ja-JP/status.html"));
    assert!(ja.contains("fact-mismatch") && ja.contains("stale-translation"));
}

#[test]
fn a_relative_root_and_output_get_every_page() {
    let dir = project();
    let parent = dir.path().parent().unwrap();
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    // `--out` is taken relative to `--root`, both relative to the cwd
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .current_dir(parent)
        .args(["--root", &name, "-q", "build", "--out", "site"])
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let out = dir.path().join("site");
    for locale in ["en", "ja-JP", "zh-TW"] {
        for page in [ARTICLE, "rules.html", "status.html", "index.html"] {
            assert!(out.join(locale).join(page).is_file(), "{locale}/{page}");
        }
    }
    assert!(
        !dir.path().join(&name).exists(),
        "pages written beside the output"
    );
}

/// Rows and rule sections of a generated list, in page order.
fn list_items(out: &Path, locale: &str, stem: &str) -> (usize, Vec<String>) {
    let mut pages = Vec::new();
    for n in 1.. {
        let file = if n == 1 {
            format!("{stem}.html")
        } else {
            format!("{stem}-{n}.html")
        };
        let Ok(page) = std::fs::read_to_string(out.join(locale).join(file)) else {
            break;
        };
        pages.push(page);
    }
    let mut items = Vec::new();
    for page in &pages {
        for piece in page.split("<tr").skip(1) {
            let row = &piece[..piece.find("</tr>").unwrap_or(piece.len())];
            // table heads repeat on every page
            if !row.contains("<th>") {
                items.push(row.to_owned());
            }
        }
        for piece in page.split("<section class=\"rulebook-rule\" id=\"").skip(1) {
            items.push(piece[..piece.find('"').unwrap()].to_owned());
        }
    }
    (pages.len(), items)
}

#[test]
fn long_lists_are_split_into_pages_that_together_hold_every_item() {
    let (_whole, whole) = site();
    let project = project();
    let toml = project.path().join("book.toml");
    let text = read(&toml).replace(
        "\n[output.rulebook]\n",
        "\n[output.rulebook]\npage-size = 2\n",
    );
    std::fs::write(&toml, text).unwrap();
    let out = project.path().join("book");
    build_ok(project.path(), &out);
    for locale in ["en", "ja-JP", "zh-TW"] {
        // the findings in their order; the rules page's sections and rows
        // as sets (the roles table is one per page)
        let (one, mut all) = list_items(&whole, locale, "status");
        let (pages, mut split) = list_items(&out, locale, "status");
        assert_eq!(one, 1);
        assert_eq!(split, all, "{locale}: the status pages hold other findings");
        let findings = all.len();
        assert_eq!(
            pages,
            findings.div_ceil(2).max(1),
            "{locale}: {findings} findings"
        );
        (_, all) = list_items(&whole, locale, "rules");
        let pages;
        (pages, split) = list_items(&out, locale, "rules");
        let rules: serde_json::Value = serde_json::from_str(&read(out.join("rules.json"))).unwrap();
        let rules = rules["rules"].as_array().unwrap().len();
        assert!(rules > 2, "{rules} rules");
        assert_eq!(pages, rules.div_ceil(2), "{locale}: {rules} rules");
        // every rule's section and row once, on some page (the roles
        // table's own section is on every page that has roles)
        all.retain(|i| i != "roles");
        split.retain(|i| i != "roles");
        all.sort();
        split.sort();
        assert_eq!(split, all, "{locale}: the rules pages hold other rules");
    }
    // a later page: its own title, a pager linking its neighbours, and no
    // entry of its own in the table of contents
    let second = read(out.join("zh-TW/status-2.html"));
    assert!(second.contains("<title>翻譯狀態（2/"), "{second}");
    assert!(second.contains("<nav class=\"rulebook-pager\" aria-label=\"頁面\">"));
    assert!(second.contains("<a rel=\"prev\" href=\"status.html\">"));
    assert!(second.contains("<strong aria-current=\"page\">2</strong>"));
    let toc = read(out.join("zh-TW/toc.html"));
    assert!(
        toc.contains("status.html") && !toc.contains("status-2.html"),
        "{toc}"
    );
    // one page: no pager
    assert!(!read(whole.join("zh-TW/status.html")).contains("rulebook-pager"));
    // the further pages are searchable and have their language links
    let en_rules = read(out.join("en/rules-2.html"));
    assert!(
        en_rules.contains("hreflang=\"ja-JP\" href=\"../ja-JP/rules-2.html\""),
        "{en_rules}"
    );
}

/// The search index of a locale, as the page script reads it: the shards
/// `search-index.js` lists, each searched on its own, hits in shard order.
fn search(out: &Path, locale: &str, query: &str) -> Vec<String> {
    let dir = out.join(locale);
    let script = |text: &str, start: &str| -> serde_json::Value {
        let json = text
            .trim()
            .strip_prefix(start)
            .unwrap_or_else(|| panic!("{text:.80}"))
            .strip_suffix(';')
            .unwrap();
        serde_json::from_str(json).unwrap()
    };
    let loader = script(
        &read(dir.join("search-index.js")),
        "window.RULEBOOK_SEARCH = ",
    );
    let mut found = Vec::new();
    for (n, file) in loader["shards"].as_array().unwrap().iter().enumerate() {
        let text = read(dir.join(file.as_str().unwrap()));
        let index = script(
            &text,
            &format!(
                "(window.RULEBOOK_SEARCH_SHARDS = window.RULEBOOK_SEARCH_SHARDS || [])[{n}] = "
            ),
        );
        let mut hits: Option<Vec<u64>> = None;
        for token in rulebook::site::search::tokens(query) {
            let pages: Vec<u64> = index["tokens"][&token].as_array().map_or(Vec::new(), |a| {
                a.iter().map(|p| p.as_u64().unwrap()).collect()
            });
            hits = Some(match hits {
                None => pages,
                Some(h) => h.into_iter().filter(|p| pages.contains(p)).collect(),
            });
        }
        found.extend(hits.unwrap_or_default().into_iter().map(|p| {
            index["pages"][p as usize]["url"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    found
}

#[test]
fn search_finds_chinese_and_japanese_words() {
    let (_dir, out) = site();
    assert!(search(&out, "zh-TW", "阿根廷").contains(&ARTICLE.to_owned()));
    assert!(search(&out, "ja-JP", "アルゼンチン").contains(&ARTICLE.to_owned()));
    assert!(search(&out, "en", "Argentina").contains(&ARTICLE.to_owned()));
    assert!(search(&out, "ja-JP", "阿根廷").is_empty());
}

#[test]
fn script_event_handlers_and_javascript_urls_are_removed() {
    let dir = project();
    std::fs::write(
        dir.path().join("content/en/hostile.md"),
        "---\ntitle: Hostile\n---\n# <a name=\"hostile\"></a>Hostile\n\n<script>alert('x')</script>\n\n<img src=\"a.png\" onerror=\"alert(1)\">\n\n[click](javascript:alert(1)) and <a href=\"javascript:alert(2)\" onclick=\"x()\">this</a>\n\n<div onmouseover=\"steal()\">ok</div>\n",
    )
    .unwrap();
    let out = dir.path().join("book");
    build_ok(dir.path(), &out);
    let html = read(out.join("en/hostile.html"));
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    for bad in [
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
    ] {
        assert!(!main.to_lowercase().contains(bad), "{bad} survived: {main}");
    }
    assert!(main.contains("ok") && main.contains("this"));
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let dir = project();
    let out = dir.path().join("book");
    assert!(build(dir.path(), &out).status.success());
    let before: Vec<(PathBuf, Vec<u8>)> = html_files(&out)
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    std::fs::write(
        dir.path().join("content/en/broken.md"),
        "---\ntitle: x\n---\n# Broken\n\n[!INCLUDE[outside](../../Cargo.toml)]\n",
    )
    .unwrap();
    // what an interrupted earlier build left behind
    std::fs::create_dir_all(dir.path().join(".book.tmp-999999/en")).unwrap();
    let result = build(dir.path(), &out);
    assert_eq!(result.status.code(), Some(1));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(
        err.contains("content/en/broken.md:6:1: error[include-"),
        "{err}"
    );
    for (path, bytes) in before {
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{} changed",
            path.display()
        );
    }
    assert!(!out.join("en/broken.html").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".book."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn includes_inside_the_content_root_are_resolved() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["content", "locales"] {
        copy_tree(&root().join(sub), &dir.path().join(sub));
    }
    // includes live in a sub-folder of a locale (files there are not articles)
    std::fs::create_dir_all(dir.path().join("content/en/includes")).unwrap();
    std::fs::write(
        dir.path().join("content/en/includes/shared.md"),
        "Shared **included** text.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("content/en/uses-include.md"),
        "---\ntitle: Inc\n---\n# Inc\n\n[!INCLUDE[shared](includes/shared.md)]\n\nafter\n",
    )
    .unwrap();
    let out = dir.path().join("book");
    build_ok(dir.path(), &out);
    let html = read(out.join("en/uses-include.html"));
    assert!(
        html.contains("Shared <strong>included</strong> text."),
        "{html}"
    );
    assert!(!html.contains("[!INCLUDE"));
}

#[test]
fn the_thirty_real_docfx_articles_build_a_site() {
    // ../shared/corpus/docfx: 30 real articles in 7 locales, with alerts,
    // tables, code, bilingual spans and DocFX includes of `../includes/*.md`
    // (the shared include files are not in the corpus: the test writes two
    // placeholders where DocFX keeps them, beside the locale folders).
    let shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let mut articles = 0;
    for locale in std::fs::read_dir(shared.join("corpus/docfx"))
        .unwrap()
        .map(Result::unwrap)
    {
        if !locale.path().is_dir() {
            continue;
        }
        let to = content.join(locale.file_name());
        std::fs::create_dir_all(&to).unwrap();
        for file in std::fs::read_dir(locale.path())
            .unwrap()
            .map(Result::unwrap)
        {
            let name = file.file_name().to_string_lossy().replace(".sxs.md", ".md");
            std::fs::copy(file.path(), to.join(name)).unwrap();
            articles += 1;
        }
    }
    assert_eq!(articles, 30);
    std::fs::create_dir_all(content.join("includes")).unwrap();
    for name in ["java-sdk-support.md", "powershell-module-support.md"] {
        std::fs::write(
            content.join("includes").join(name),
            format!("Included {name}.\n"),
        )
        .unwrap();
    }
    copy_tree(&root().join("locales"), &dir.path().join("locales"));
    let book_toml = read(root().join("book.toml"))
        .replace("source-locale = \"en\"", "source-locale = \"zh-TW\"");
    std::fs::write(dir.path().join("book.toml"), book_toml).unwrap();
    let out = dir.path().join("book");
    build_ok(dir.path(), &out);
    assert!(!out.join("includes").exists(), "includes/ is not a locale");
    let pages = html_files(&out);
    assert!(pages.len() >= 30 + 7 * 3, "{}", pages.len());
    for page in &pages {
        let html = read(page);
        for bad in [
            "data-ttu-id",
            "sxs-lookup",
            "[!NOTE]",
            "[!INCLUDE",
            "<!--",
            ":::image",
            "[!div",
            "[!VIDEO",
            "[!code",
            ":::code",
            "::: zone",
            ":::zone",
            "zone-end",
            ":::row",
            ":::column",
        ] {
            assert!(!html.contains(bad), "{} contains {bad}", page.display());
        }
    }
    let cart = read(out.join("zh-TW/develop__create-a-cart.html"));
    assert!(
        cart.contains("Included java-sdk-support.md."),
        "the include is resolved"
    );
}

#[test]
fn a_summary_orders_the_book_and_a_missing_entry_is_a_located_warning() {
    let dir = project();
    let out = dir.path().join("book");
    let summary = dir.path().join("content/en/SUMMARY.md");
    std::fs::write(
        dir.path().join("content/en/second.md"),
        "---\ntitle: Second\n---\n# Second page\n\nText.\n",
    )
    .unwrap();
    std::fs::write(
        &summary,
        "# Summary\n\n# Part one\n\n- [Second first](second.md)\n  - [Nested](csp-software-subscriptions.md)\n",
    )
    .unwrap();
    build_ok(dir.path(), &out);
    // the book follows SUMMARY.md: its order and titles, nesting flattened
    // into the table of contents
    let toc = read(out.join("en/toc.js"));
    let second = toc.find("second.html").expect("second page listed");
    let nested = toc
        .find("csp-software-subscriptions.html")
        .expect("nested page listed");
    assert!(second < nested, "{toc}");
    assert!(toc.contains("Second first"), "{toc}");
    assert!(read(out.join("en/csp-software-subscriptions.html")).contains("Sell software"));

    // a link to a file that is not there: listed without a page, warned
    // about at its line (the real-trees issue makes such links warnings)
    std::fs::write(
        &summary,
        "# Summary\n\n- [Second](second.md)\n- [Gone](gone.md)\n",
    )
    .unwrap();
    // not quiet: the warning is what is looked for
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(dir.path())
        .args(["build", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "content/en/SUMMARY.md:4:10: warning[missing-chapter]: SUMMARY.md names `gone.md`"
        ),
        "{err}"
    );
    assert!(out.join("en/second.html").is_file());
    assert!(!out.join("en/gone.html").exists());
}

// --- Sanitizing: the fast path writes what ammonia writes -----------------
//
// `html::render` writes most pages straight into ammonia's output form and
// sends the rest through pulldown-cmark's HTML and ammonia. Each test below
// renders pages both ways and wants the same bytes wherever the fast path
// takes the page.

use rulebook::docfx::AlertKind;
use rulebook::site::html::{AlertTitles, render_both_paths};

/// Alert titles with everything that needs escaping.
struct HostileTitles;
impl AlertTitles for HostileTitles {
    fn title(&self, kind: AlertKind) -> String {
        format!("{} & <b>\"it's\"</b>\u{a0}!", kind.id())
    }
}

/// Render `markdown` both ways; panic if the fast path differs. Whether the
/// fast path took the page.
fn same_both_ways(what: &str, markdown: &str, line_map: &[u32]) -> bool {
    let (fast, slow) = render_both_paths(markdown, line_map, &HostileTitles);
    match fast {
        Some(fast) => {
            if fast != slow {
                let at = fast
                    .bytes()
                    .zip(slow.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(fast.len().min(slow.len()));
                let from = at.saturating_sub(80);
                panic!(
                    "{what}: fast and slow paths differ at byte {at}\nfast: {:?}\nslow: {:?}\nmarkdown: {markdown:?}",
                    fast.get(from..(at + 80).min(fast.len())),
                    slow.get(from..(at + 80).min(slow.len())),
                );
            }
            true
        }
        None => false,
    }
}

/// Every file both ways, as it is and as the chapter the site makes of it
/// (frontmatter off, segments reduced to their target, includes resolved,
/// with its line map). How many of the chapters took the fast path.
fn chapters_both_ways(files: &[PathBuf], content_root: &Path) -> usize {
    let mut fast = 0;
    for file in files {
        let text = read(file);
        let what = file.display().to_string();
        same_both_ways(&what, &text, &[]);
        if let Ok(doc) = rulebook::docfx::parse_article(&what, &text) {
            let (chapter, _) = rulebook::site::chapter::prepare(&doc, &text, content_root, "page");
            if same_both_ways(&what, &chapter.markdown, &chapter.line_map) {
                fast += 1;
            } else {
                eprintln!("slow path: {what}");
            }
        }
    }
    fast
}

#[test]
fn fast_sanitizing_equals_ammonia_on_the_bundled_and_shared_articles() {
    let content = root().join("content");
    let files = markdown_files(&content);
    let fast = chapters_both_ways(&files, &content);
    eprintln!("content/: {fast} of {} chapters fast", files.len());
    // the bundled articles are bilingual spans, alerts, tables, links and
    // `<a name>` anchors: all of it is the fast path's
    assert_eq!(fast, files.len());

    let corpus = shared().join("corpus");
    let files = markdown_files(&corpus);
    let fast = chapters_both_ways(&files, &corpus);
    eprintln!("../shared/corpus: {fast} of {} chapters fast", files.len());
    assert!(fast > 0 && files.len() >= 100);

    // the seeds are Markdown in .txt files
    let seeds = files_with_extension(&shared().join("seeds"), "txt");
    assert!(!seeds.is_empty());
    let fast = chapters_both_ways(&seeds, &shared().join("seeds"));
    eprintln!("../shared/seeds: {fast} of {} chapters fast", seeds.len());
}

#[test]
fn fast_sanitizing_equals_ammonia_on_the_generated_bench_corpus() {
    let dir = project();
    let status = std::process::Command::new(shared().join("bench/gen-corpus"))
        .args(["-q", "-n", "40"])
        .arg(dir.path())
        .status()
        .expect("gen-corpus runs");
    assert!(status.success());
    let content = dir.path().join("content");
    let files = markdown_files(&content);
    let fast = chapters_both_ways(&files, &content);
    eprintln!("gen-corpus -n 40: {fast} of {} chapters fast", files.len());
    assert_eq!(
        fast,
        files.len(),
        "every generated page takes the fast path"
    );
}

#[test]
fn hostile_markup_is_cleaned_on_either_path() {
    for (md, fast_expected) in [
        // left out whole before either path
        ("<script>alert(1)</script>\n", true),
        ("x <img src=x onerror=\"alert(1)\"> y\n", false),
        (
            "[a](javascript:alert(1)) [b](data:text/html,x) ![c](javascript:x)\n",
            true,
        ),
        (
            "x <a href=\"javascript:alert(2)\" onclick=\"x()\">this</a>\n",
            true,
        ),
        (
            "x <span onmouseover=\"steal()\" class=\"c\">ok</span>\n",
            true,
        ),
        ("<div onmouseover=\"steal()\">ok</div>\n", false),
    ] {
        let (fast, slow) = render_both_paths(md, &[], &HostileTitles);
        assert_eq!(fast.is_some(), fast_expected, "{md}: {fast:?}");
        assert!(fast.is_none_or(|f| f == slow), "{md}");
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "onmouseover",
            "javascript:",
            "data:",
        ] {
            assert!(!slow.contains(bad), "{bad} in {slow}");
        }
    }
}

#[test]
fn fast_path_takes_common_constructs_and_gives_up_on_odd_ones() {
    let common = "# <a name=\"t\"></a>Title & \"more\"\n\nText&nbsp;with <b>bold</b> and `a<b>` and [link](https://x.test/a?b=1&c='2' \"T &\").\n\n> [!NOTE]\n> Alert\n\n| a | b |\n|:-|-:|\n| 1 | <br> 2 |\n\n- [x] done\n  1. nested\n\n```rust\nfn x() {}\n```\n\n![alt *em*](img.png \"t\") <https://auto.test> <me@mail.test>\n\n---\n";
    assert!(same_both_ways(
        "common",
        common,
        &[3, 4, 5, 6, 7, 8, 9, 10, 11]
    ));
    // a URL with consecutive multibyte characters (once a slicing panic)
    assert!(same_both_ways(
        "idn",
        "[例え](https://例え.テスト/パス?q=値)\n",
        &[]
    ));
    // pulldown-cmark itself turns CRLF line ends into line feeds
    assert!(same_both_ways(
        "crlf",
        "line\r\nwith CR\r\n\r\n```\ncode\r\n```\n",
        &[]
    ));
    // raw tags are rewritten in their plain form before either path
    // (site::html::raw), so these take the fast path, the same both ways
    for plain in [
        "a </span> stray\n",
        "a <SPAN>upper</SPAN>\n",
        "a <span title='x'>single quotes</span>\n",
        "a <span title=\"x\r\ny\">attribute with CR</span>\n",
        "a <span class=\"rulebook-banner x\" id=\"L3\">reserved</span>\n",
    ] {
        assert!(same_both_ways(plain, plain, &[]), "{plain:?} was not taken");
    }
    for odd in [
        "<div>block</div>\n",
        "a <span>unclosed\n",
        "a <span title=\"a&amp;b\">entity</span>\n",
        "a <u>not in the list</u>\n",
        "[a <a name=\"x\">b</a>](c)\n",
    ] {
        let (fast, slow) = render_both_paths(odd, &[], &HostileTitles);
        assert!(
            fast.is_none(),
            "{odd:?} took the fast path: {fast:?} (slow: {slow:?})"
        );
    }
}

/// Inline pieces the fast path writes itself.
const FAST_PIECES: &[&str] = &[
    "word",
    "two words",
    "中文字",
    "&",
    "&amp;",
    "&nbsp;",
    "\u{a0}",
    "&#160;",
    "&lt;b&gt;",
    "\"",
    "'",
    "<",
    ">",
    "*em*",
    "**strong**",
    "~~del~~",
    "`co<d>e`",
    "``a ` b``",
    "[l](https://x.test/a?b&c=\"d\" \"Ti&tle\")",
    "[l](/rel/p%20ath \"t\")",
    "[l](javascript:alert(1))",
    "[l](JaVaScRiPt:x)",
    "[l](data:text/html;base64,x)",
    "[l](http://[::1)",
    "[l](<a b>)",
    "[l](#L3)",
    "[l]( mailto:x@y.test )",
    "[ref][r]",
    "\n\n[r]: https://r.test 'R'\n\n",
    "<https://auto.test/x?y=1&z>",
    "<me@mail.test>",
    "![i](x.png)",
    "![i *e* `c` <b>h</b>](x.png \"t\")",
    "![i](javascript:x)",
    "[![i](x.png)](y)",
    "<a name=\"n\"></a>",
    "<a href=\"https://h.test\">a</a>",
    "<a href=\"javascript:x\" onclick=\"y\">a</a>",
    "<a name=\"x\" rel=\"nofollow\">r</a>",
    "<span class=\"c\" style=\"s\">s</span>",
    "<span data-ttu-id=\"1\">目標</span><span class=\"sxs-lookup\"><span data-stu-id=\"1\">Src</span></span>",
    "<b>b</b>",
    "<em>e</em>",
    "<kbd>Ctrl</kbd>",
    "<br> b",
    "<br/>b",
    "<sup>1</sup>",
    "<code>c</code>",
    "c <!-- comment -->",
    "\\*",
    "\\<",
    "line  \nbreak",
    "a\\\nb",
    "\t",
    "\r\n",
    "***both***",
    "_u_ __uu__",
    "&copy;&#x26;&#39;",
    "![a&nbsp;b&amp;\"c\"](x.png \"t&nbsp;\\\"q\\\"\")",
    "[l](u \"t&nbsp;q\")",
    "x <span title=\"a\u{a0}b it's\">t</span>",
    "[l](https://例え.テスト/パス?q=値)",
    "[l](HTTP://X.TEST)",
    "[l](//x.test/a)",
    "[l](x:y)",
    "[l](tel:+1)",
    "[l](%6Aavascript:x)",
    "[l](java\tscript:x)",
    "&#0;",
    "<i>i</i> <strong>s</strong> H<sub>2</sub>O",
    "[l]()",
    "[l](<>)",
    "[l](a \"\")",
];

/// Inline pieces that send a page to the slow path (or may).
const SLOW_PIECES: &[&str] = &[
    "<span>",
    "</span>",
    "<b>",
    "</b>",
    "<u>u</u>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<!--\nlong\n-->",
    "<div>d</div>",
    "<p>p</p>",
    "<table><tr><td>t</td></tr></table>",
    "<?pi?>",
    "<![CDATA[x]]>",
    "&#13;",
    "[l](<java\nscript:x>)",
    "x\ry",
    "<a name=\"a\">",
    "</a>",
    "<span title=\"x\">",
    "<em>",
    "</em>",
];

/// Block openings the fast path writes itself.
const FAST_BLOCKS: &[&str] = &[
    "",
    " ",
    "\n",
    "\n\n",
    "\n\n# ",
    "\n\n## ",
    "\n\n> ",
    "\n\n> [!NOTE]\n> ",
    "\n\n> [!WARNING]\n> ",
    "\n\n- ",
    "\n  - ",
    "\n\n1. ",
    "\n\n3. ",
    "\n- [ ] ",
    "\n- [x] ",
    "\n\n| a | b |\n|:-|:-:|\n| ",
    " | ",
    "\n| ",
    "\n\n```js\n",
    "\n```\n",
    "\n\n    ",
    "\n\n---\n\n",
    "\n\n***\n",
    "\n\n[!INCLUDE[x](y.md)]\n\n",
    "\n\n- > [!TIP]\n  > ",
    "\n> - ",
    "\n   ",
    "\n\n1) ",
    "\n\n* ",
    "\n\n+ ",
    "\n\n#### ",
    "\n\nSetext\n===\n\n",
    "\n\n~~~\n",
    "\n\n- a\n\n  ",
    "\n  ```\n",
];

/// Block openings that send a page to the slow path (or may).
const SLOW_BLOCKS: &[&str] = &["\n\n<div>\n", "\n</div>\n\n", "\n\n<!--\n", "\n-->\n"];

/// Markdown made of the given inline pieces and block openings.
fn markdown(
    pieces: Vec<&'static str>,
    blocks: Vec<&'static str>,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let pair = (prop::sample::select(blocks), prop::sample::select(pieces));
    proptest::collection::vec(pair, 0..30)
        .prop_map(|v| v.into_iter().flat_map(|(b, p)| [b, p]).collect::<String>())
}

fn line_map(md: &str) -> Vec<u32> {
    (1..=md.lines().count() as u32 + 1).map(|l| l * 2).collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

    /// The fast path takes every page made of what it knows, and writes
    /// what ammonia writes.
    #[test]
    fn fast_sanitizing_takes_and_equals_ammonia_on_assembled_markdown(
        md in markdown(FAST_PIECES.to_vec(), FAST_BLOCKS.to_vec())
    ) {
        proptest::prop_assert!(same_both_ways("proptest", &md, &line_map(&md)), "slow path: {md:?}");
    }

    /// With hostile and unknown markup mixed in, wherever the fast path
    /// takes a page it writes what ammonia writes.
    #[test]
    fn fast_sanitizing_equals_ammonia_on_hostile_assembled_markdown(
        md in markdown([FAST_PIECES, SLOW_PIECES].concat(), [FAST_BLOCKS, SLOW_BLOCKS].concat())
    ) {
        same_both_ways("proptest", &md, &line_map(&md));
    }
}

/// Raw HTML that would swallow the page, fake rulebook's chrome or nest
/// without end.
const RAW_HOSTILE: &[&str] = &[
    "<script>",
    "</script>",
    "<script>x()</script>",
    "<style>p{}",
    "</style>",
    "<template>",
    "</template>",
    "<textarea>",
    "<title>",
    "<xmp>",
    "<iframe src=x>",
    "<noscript>",
    "<noembed>",
    "<noframes>",
    "<plaintext>",
    "<select><option>o",
    "<svg><style>",
    "<math>",
    "<div class=rulebook-banner>",
    "<span id=\"rulebook-search-input\">",
    "<a name=L3>",
    "<b id=RULEBOOK_SEARCH>",
    "<p class=\"x &#114;ulebook-alert\">",
    "<div>",
    "</div>",
    "<table>",
    "<td>",
    "<li>",
    "<a>",
    "<b>",
    "</b>",
    "<span>",
    "</span>",
    "<div class=\"a",
    "<!-- c -->",
    "<!--",
    "-->",
    "</br>",
    "<?x",
    "<!x",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 400, ..Default::default() })]

    /// Whatever raw HTML comes before it, the last sentence reaches the
    /// page (or a located error refuses the article), no element of the
    /// page's chrome or text-swallowing element is made, and both paths
    /// agree.
    #[test]
    fn raw_html_never_swallows_the_page_or_fakes_its_chrome(
        md in markdown([FAST_PIECES, RAW_HOSTILE].concat(), [FAST_BLOCKS, SLOW_BLOCKS].concat())
    ) {
        let md = format!("{md}\n\nZZ last sentence.\n");
        same_both_ways("proptest", &md, &[]);
        let (_, page) = render_both_paths(&md, &[], &HostileTitles);
        let found = rulebook::site::html::check(&md, &identity_lines(&md), "a.md");
        let refused = found.iter().any(|d| d.to_string().contains(": error["));
        proptest::prop_assert!(refused || page.contains("ZZ last sentence."), "{md:?}\n{page}");
        for tag in ["script", "style", "template", "textarea", "title", "xmp", "iframe",
            "noscript", "noembed", "noframes", "plaintext", "select", "svg", "math"] {
            proptest::prop_assert!(!page.contains(&format!("<{tag}")), "{tag}: {page}");
        }
        for (attr, value) in ids_and_classes(&page) {
            for name in value.split_ascii_whitespace() {
                let own = attr == "class" && name.starts_with("rulebook-alert");
                proptest::prop_assert!(own || !reserved(name), "{attr} {name}: {page}");
            }
        }
    }
}

/// Every `id="…"` and `class="…"` value of a tag in `html` (text has
/// `<` escaped, so every `<` starts a tag).
fn ids_and_classes(html: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or(tag);
        for attr in ["id", "class"] {
            let open = format!(" {attr}=\"");
            if let Some(at) = tag.find(&open) {
                let rest = &tag[at + open.len()..];
                let end = rest.find('"').unwrap_or(rest.len());
                out.push((attr, rest[..end].to_owned()));
            }
        }
    }
    out
}

fn reserved(value: &str) -> bool {
    value.to_ascii_lowercase().starts_with("rulebook")
        || value
            .strip_prefix('L')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn page_chrome_ids_and_classes_are_namespaced() {
    let (_dir, out) = site();
    for page in html_files(&out) {
        let html = read(&page);
        let Some(main) = html.find("<main") else {
            continue;
        };
        // the chrome: everything but the content; toc.js (site::mod) marks
        // the current entry with `active`, inside `.rulebook-toc` only
        let chrome = format!(
            "{}{}",
            &html[..main],
            &html[html.find("</main>").unwrap()..]
        );
        for (attr, value) in ids_and_classes(&chrome) {
            for name in value.split_ascii_whitespace() {
                assert!(
                    name.starts_with("rulebook-"),
                    "{attr} `{name}` of {} is not namespaced",
                    page.display()
                );
            }
        }
    }
    // and the style sheet and script select nothing else
    let css = read(root().join("templates/rulebook.css"));
    // the selectors: the text outside the declaration blocks (the
    // innermost braces)
    let mut selectors = String::new();
    let mut block = None;
    for (i, c) in css.char_indices() {
        match c {
            '{' => block = Some(i),
            '}' if block.take().is_some() => {}
            '}' => {}
            _ if block.is_none() => selectors.push(c),
            _ => {}
        }
    }
    for selector in selectors.split(['.', '#']).skip(1) {
        let name: String = selector
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if name.is_empty() || name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            continue; // a number (`.25rem`, `#fff`)
        }
        // `docfx-…`: what DocFX blocks become inside the article's own
        // markup (`site::blocks`), where `rulebook-…` is refused as the
        // chrome's
        assert!(
            name.starts_with("rulebook-") || name.starts_with("docfx-") || name == "active",
            "rulebook.css selects `{name}`"
        );
    }
    let js = read(root().join("templates/rulebook.js"));
    for quoted in js.split("getElementById(\"").skip(1) {
        assert!(
            quoted.starts_with("rulebook-"),
            "rulebook.js looks up {quoted:.30}"
        );
    }
}

#[test]
fn content_cannot_produce_rulebook_ids_or_classes() {
    let hostile = concat!(
        "<div class=\"rulebook-banner\" id=\"rulebook-search-input\">block</div>\n\n",
        "<div class=rulebook-alert\u{20}id=L12>unquoted</div>\n\n",
        "<p class=\"&#114;ulebook-banner\" id=\"&#82;ULEBOOK_SEARCH\">entities</p>\n\n",
        "Inline <span class=\"x Rulebook-Line\" id=\"rulebook-toc\">span</span> and ",
        "<a name=\"L3\">anchor</a> and <b id=\"RULEBOOK_SEARCH_SHARDS\">b</b> and ",
        "<a name=\"keep-me\" id=\"L1x\">kept</a>.\n\n",
        "> [!NOTE]\n> <span class=\"rulebook-alert-title\">fake title</span>\n",
    );
    let (fast, slow) = render_both_paths(hostile, &[], &HostileTitles);
    assert!(fast.is_none_or(|f| f == slow), "{slow}");
    for (attr, value) in ids_and_classes(&slow) {
        for name in value.split_ascii_whitespace() {
            // the callout is the renderer's own
            let own = attr == "class"
                && [
                    "rulebook-alert",
                    "rulebook-alert-note",
                    "rulebook-alert-title",
                ]
                .contains(&name);
            assert!(own || !reserved(name), "{attr} `{name}` in {slow}");
        }
    }
    assert_eq!(slow.matches("rulebook-alert-title").count(), 1, "{slow}");
    for text in [
        "block",
        "unquoted",
        "entities",
        "span",
        "anchor",
        "fake title",
    ] {
        assert!(slow.contains(text), "{text} lost: {slow}");
    }
    assert!(slow.contains("name=\"keep-me\" id=\"L1x\""), "{slow}");
    let found = rulebook::site::html::check(hostile, &identity_lines(hostile), "a.md");
    assert!(
        found
            .iter()
            .all(|d| d.to_string().contains("warning[reserved-name]")),
        "{found:?}"
    );
    assert!(found.len() >= 8, "{found:?}");
}

#[test]
fn raw_tags_that_swallow_text_keep_the_rest_of_the_page() {
    let tags = [
        "script",
        "style",
        "template",
        "textarea",
        "title",
        "xmp",
        "iframe",
        "noscript",
        "noembed",
        "noframes",
        "plaintext",
        "select",
    ];
    for tag in tags {
        for md in [
            format!("Before.\n\n<{tag}>\ninside\n\nAfter paragraph.\n"),
            format!("Before <{tag} x=\"1\">inline and more.\n\nAfter paragraph.\n"),
            format!("- item <{tag}>\n- next\n\nAfter paragraph.\n"),
        ] {
            let (fast, slow) = render_both_paths(&md, &[], &HostileTitles);
            assert!(fast.is_none_or(|f| f == slow), "{md:?}");
            assert!(slow.contains("After paragraph."), "{md:?}: {slow}");
            assert!(!slow.contains(&format!("<{tag}")), "{md:?}: {slow}");
            let found = rulebook::site::html::check(&md, &identity_lines(&md), "a.md");
            // the one-pass form gives the same page and diagnostics
            let (page, again) = rulebook::site::html::render_checked(
                &md,
                &identity_lines(&md),
                &HostileTitles,
                "a.md",
            );
            let text = |d: &[rulebook::diag::Diagnostic]| -> Vec<String> {
                d.iter().map(ToString::to_string).collect()
            };
            assert_eq!(text(&again), text(&found));
            assert_eq!(
                page,
                render_both_paths(&md, &identity_lines(&md), &HostileTitles).1
            );
            assert!(
                found.iter().any(|d| d.to_string().starts_with("a.md:")
                    && d.to_string().contains("warning[raw-html-swallows]")),
                "{md:?}: {found:?}"
            );
        }
    }
    // a comment never closed would hide the rest: refused, at its line
    let md = "Before.\n\n<!-- a note\n\nAfter paragraph.\n";
    let found = rulebook::site::html::check(md, &identity_lines(md), "a.md");
    assert!(
        found[0]
            .to_string()
            .starts_with("a.md:3:1: error[unclosed-comment]"),
        "{found:?}"
    );
}

#[test]
fn includes_past_the_bound_are_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["content", "locales"] {
        copy_tree(&root().join(sub), &dir.path().join(sub));
    }
    let includes = dir.path().join("content/en/includes");
    std::fs::create_dir_all(&includes).unwrap();
    // one file past the bound: refused at the article's include, read no
    // further than the bound
    std::fs::write(
        includes.join("huge.md"),
        "A line of text.\n".repeat(300_000),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("content/en/huge.md"),
        "---\ntitle: Huge\n---\n# Huge\n\n[!INCLUDE[huge](includes/huge.md)]\n",
    )
    .unwrap();
    // a fan-out of small files: refused once, where it crosses the count
    std::fs::write(includes.join("leaf.md"), "Leaf.\n").unwrap();
    std::fs::write(
        includes.join("fan.md"),
        "[!INCLUDE[l](leaf.md)]\n\n".repeat(40),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("content/en/fan.md"),
        format!(
            "---\ntitle: Fan\n---\n# Fan\n\n{}",
            "[!INCLUDE[fan](includes/fan.md)]\n\n".repeat(40)
        ),
    )
    .unwrap();
    let result = build(dir.path(), &dir.path().join("book"));
    assert_eq!(result.status.code(), Some(1));
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(
        err.contains("content/en/huge.md:6:1: error[include-too-large]"),
        "{err}"
    );
    assert_eq!(
        err.matches("content/en/includes/fan.md:").count(),
        1,
        "the fan-out is said once: {err}"
    );
    assert!(
        err.contains("error[include-too-large]: the page of content/en/fan.md"),
        "{err}"
    );
}

/// Each chapter line is the article line of the same number.
fn identity_lines(md: &str) -> Vec<u32> {
    (1..=md.lines().count() as u32 + 1).collect()
}

// --- Articles a locale lacks (issue 19 item 5) ----------------------------

/// An article only the source locale has gets a page in every other
/// locale: the source text, marked as such, under a notice in the
/// locale's language, in its navigation, search index and switcher, and
/// the locale's links to it resolve. Adding the translation later makes
/// the page the translation's, as a fresh build would.
#[test]
fn an_article_a_locale_lacks_is_shown_in_the_source_language_under_a_notice() {
    let dir = project();
    let out = dir.path().join("book");
    // an article only en has (hostile bits in it stay text)
    std::fs::write(
        dir.path().join("content/en/extra.md"),
        "---\ntitle: Extra page\n---\n# Extra page\n\nOnly in English <script>alert(1)</script>, see [subscriptions](csp-software-subscriptions.md).\n",
    )
    .unwrap();
    // the ja-JP and zh-TW articles link to it
    for locale in ["ja-JP", "zh-TW"] {
        let file = dir
            .path()
            .join("content")
            .join(locale)
            .join("csp-software-subscriptions.md");
        let text = read(&file) + "\n[extra](extra.md)\n";
        std::fs::write(file, text).unwrap();
    }
    let result = build(dir.path(), &out);
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{err}");
    assert!(!err.contains("broken-link"), "{err}");
    let ja = read(out.join("ja-JP/extra.html"));
    assert!(
        ja.contains("この記事はまだ日本語で提供されていません。英語で表示しています。"),
        "{ja}"
    );
    assert!(ja.contains("<div lang=\"en\">"), "{ja}");
    assert!(ja.contains("Only in English"), "{ja}");
    assert!(!ja.contains("<script>alert"), "{ja}");
    // its links lead to the locale's own pages
    assert!(
        ja.contains("href=\"csp-software-subscriptions.html\""),
        "{ja}"
    );
    assert!(read(out.join("zh-TW/extra.html")).contains("此文章尚未提供繁體中文版本"));
    // the locale's page links to it, its navigation and search index list it
    assert!(
        read(out.join("ja-JP/csp-software-subscriptions.html")).contains("href=\"extra.html\"")
    );
    assert!(read(out.join("ja-JP/toc.js")).contains("extra.html"));
    let shards: String = files_with_extension(&out.join("ja-JP"), "js")
        .iter()
        .filter(|f| f.to_string_lossy().contains("search-index-"))
        .map(read)
        .collect();
    assert!(shards.contains("extra.html"), "{shards}");
    // the source page's switcher leads to it
    assert!(read(out.join("en/extra.html")).contains("href=\"../ja-JP/extra.html\""));
    // the source page itself shows no notice
    assert!(!read(out.join("en/extra.html")).contains("rulebook-fallback"));
    // the analysis still reports the missing translation
    let report = read(out.join("report.json"));
    assert!(report.contains("\"missing-article\""), "{report}");

    // the translation arrives: its page replaces the fallback, and the
    // rebuild writes what a fresh build writes
    std::fs::write(
        dir.path().join("content/ja-JP/extra.md"),
        "---\ntitle: 追加ページ\n---\n# 追加ページ\n\n日本語の本文。\n",
    )
    .unwrap();
    build_ok(dir.path(), &out);
    let ja = read(out.join("ja-JP/extra.html"));
    assert!(ja.contains("日本語の本文"), "{ja}");
    assert!(!ja.contains("rulebook-fallback"), "{ja}");
    let fresh = dir.path().join("fresh");
    build_ok(dir.path(), &fresh);
    let strip = |s: std::collections::BTreeMap<PathBuf, Vec<u8>>| -> Vec<_> {
        s.into_iter()
            .filter(|(p, _)| !p.starts_with(".rulebook"))
            .collect()
    };
    assert!(strip(snapshot(&out)) == strip(snapshot(&fresh)));
}

// --- [output.html] (issue 19 item 9) ----------------------------------------

/// `site-url`, `additional-css` and `redirect` are honoured as mdBook
/// honours them: a 404 page based at the site's URL (and absolute
/// alternates), the style sheets copied into every book and linked from
/// every page, a redirect page in every locale.
#[test]
fn output_html_site_url_additional_css_and_redirects_are_honoured() {
    let dir = project();
    let out = dir.path().join("book");
    std::fs::create_dir_all(dir.path().join("theme")).unwrap();
    std::fs::write(
        dir.path().join("theme/custom.css"),
        "body { color: #123; }\n",
    )
    .unwrap();
    let book = read(dir.path().join("book.toml")).replacen(
        "[output.html]\n",
        "[output.html]\nsite-url = \"/help\"\nadditional-css = [\"theme/custom.css\"]\n\n[output.html.redirect]\n\"/old/moved.html\" = \"/csp-software-subscriptions.html#anchor\"\n\"/gone.html\" = \"https://example.com/new\"\n\"/up.html\" = \"../en/index.html\"\n",
        1,
    );
    std::fs::write(dir.path().join("book.toml"), book).unwrap();
    build_ok(dir.path(), &out);
    for locale in ["en", "ja-JP", "zh-TW"] {
        let book = out.join(locale);
        assert_eq!(
            read(book.join("theme/custom.css")),
            "body { color: #123; }\n"
        );
        for page in [
            "csp-software-subscriptions.html",
            "rules.html",
            "status.html",
        ] {
            let html = read(book.join(page));
            let own = html.find("href=\"rulebook.css\"").unwrap();
            let extra = html
                .find("<link rel=\"stylesheet\" href=\"theme/custom.css\">")
                .unwrap_or_else(|| panic!("{locale}/{page} links the style sheet"));
            assert!(own < extra, "after rulebook's own");
        }
        // absolute alternates under the site's URL
        assert!(
            read(book.join("csp-software-subscriptions.html")).contains(&format!(
                "hreflang=\"{locale}\" href=\"/help/{locale}/csp-software-subscriptions.html\""
            ))
        );
        let moved = read(book.join("old/moved.html"));
        assert!(
            moved.contains("url=../csp-software-subscriptions.html#anchor\"")
                && moved.contains(
                    "<link rel=\"canonical\" href=\"../csp-software-subscriptions.html#anchor\">"
                ),
            "{moved}"
        );
        assert!(read(book.join("gone.html")).contains("url=https://example.com/new\""));
        assert!(read(book.join("up.html")).contains("url=../en/index.html\""));
    }
    let not_found = read(out.join("404.html"));
    assert!(not_found.contains("<base href=\"/help/\">"), "{not_found}");
    assert!(
        not_found.contains("href=\"ja-JP/index.html\""),
        "{not_found}"
    );

    // the style sheet edited: a rebuild copies it, as a fresh build does
    std::fs::write(
        dir.path().join("theme/custom.css"),
        "body { color: #456; }\n",
    )
    .unwrap();
    build_ok(dir.path(), &out);
    assert_eq!(
        read(out.join("ja-JP/theme/custom.css")),
        "body { color: #456; }\n"
    );

    // without the settings: no 404 page, no copies, relative alternates
    let plain = project();
    let plain_out = plain.path().join("book");
    build_ok(plain.path(), &plain_out);
    assert!(!plain_out.join("404.html").exists());
    assert!(!plain_out.join("en/theme").exists());
    assert!(
        read(plain_out.join("en/csp-software-subscriptions.html"))
            .contains("hreflang=\"ja-JP\" href=\"../ja-JP/csp-software-subscriptions.html\"")
    );
}
