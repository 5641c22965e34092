//! Links between pages (issue 19 item 3) on a slice of the real DocFX tree
//! (`../shared/corpus/tree/`): relative `.md` links and absolute docs
//! paths become links to the pages, anchors kept and checked; links that
//! lead nowhere are located `broken-link` warnings and show as text;
//! headings carry their sections' unique anchors as ids.

mod common;

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use common::*;

/// Articles of the slice, under both locale folders: some link to each
/// other (`add-a-new-customer` → `agreements`), many to articles the
/// slice leaves out; the announcements repeat "Categories" headings.
const ARTICLES: &[&str] = &[
    "partner-center/account-structure",
    "partner-center/activity-logs",
    "partner-center/add-a-new-customer",
    "partner-center/agreements",
    "partner-center/assign-licenses-to-users",
    "partner-center/csp-commercial-marketplace-manage",
    "partner-center/confirm-customer-agreement",
    "partner-center/announcements/index",
    "partner-center/announcements/2021-february",
    "partner-center/announcements/2021-january",
];

fn slice_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tree = shared().join("corpus/tree");
    for locale in ["zh-TW", "ja-JP"] {
        for a in ARTICLES
            .iter()
            .map(|a| format!("{a}.md"))
            .chain(["partner-center/docfx.json".to_owned()])
        {
            let target = dir.path().join("content").join(locale).join(&a);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(tree.join(locale).join(&a), target).unwrap();
        }
    }
    for name in ["locales", "templates"] {
        copy_tree(&root().join(name), &dir.path().join(name));
    }
    let book = read(root().join("book.toml"))
        .replace("source-locale = \"en\"", "source-locale = \"zh-TW\"");
    std::fs::write(dir.path().join("book.toml"), book).unwrap();
    dir
}

fn build(root: &Path) -> (PathBuf, String) {
    let out = root.join("book");
    let result = rulebook_in(root, &["build", "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "{stderr}");
    (out, stderr)
}

/// The article text of a page (what is inside `<main>`).
fn main_of(html: &str) -> &str {
    let start = html.find("<main class=\"rulebook-content\">").unwrap();
    &html[start..html.rfind("</main>").unwrap()]
}

fn hrefs(html: &str) -> Vec<String> {
    html.match_indices("href=\"")
        .map(|(at, m)| {
            let v = &html[at + m.len()..];
            v[..v.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

fn ids(html: &str) -> BTreeSet<String> {
    ["id=\"", "name=\""]
        .iter()
        .flat_map(|attr| {
            html.match_indices(attr).map(|(at, m)| {
                let v = &html[at + m.len()..];
                v[..v.find('"').unwrap()].to_owned()
            })
        })
        .collect()
}

/// `href` from page `from` as a file of the output and its fragment.
fn target(out: &Path, from: &Path, href: &str) -> (PathBuf, Option<String>) {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (
            p,
            Some(
                percent_encoding::percent_decode_str(f)
                    .decode_utf8()
                    .unwrap()
                    .into_owned(),
            ),
        ),
        None => (href, None),
    };
    if path.is_empty() {
        return (from.to_path_buf(), fragment);
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .unwrap();
    let mut p = from.parent().unwrap().to_path_buf();
    for c in Path::new(&*decoded).components() {
        match c {
            Component::Normal(s) => p.push(s),
            Component::ParentDir => {
                p.pop();
            }
            other => panic!("{href}: {other:?}"),
        }
    }
    assert!(p.starts_with(out), "{href} leaves the output");
    (p, fragment)
}

#[test]
fn links_between_real_articles_reach_pages_and_their_ids() {
    let project = slice_project();
    let (out, stderr) = build(project.path());

    let mut internal = 0;
    let mut with_fragment = 0;
    for locale in ["zh-TW", "ja-JP"] {
        for a in ARTICLES {
            let page = out.join(locale).join(format!("{a}.html"));
            let html = read(&page);
            let main = main_of(&html);
            for href in hrefs(main) {
                assert!(
                    !href.contains(".md"),
                    "{a}: {href} still names a Markdown file"
                );
                assert!(!href.to_lowercase().starts_with("javascript:"), "{href}");
                if href.starts_with("https://")
                    || href.starts_with("http://")
                    || href.starts_with("mailto:")
                {
                    continue;
                }
                let (file, fragment) = target(&out, &page, &href);
                assert!(file.is_file(), "{locale}/{a}: {href} names no page");
                internal += 1;
                if let Some(f) = fragment {
                    with_fragment += 1;
                    assert!(
                        ids(&read(&file)).contains(&f),
                        "{locale}/{a}: {href}: no id {f}"
                    );
                }
            }
        }
        // a link between two articles of the slice
        let customer = read(
            out.join(locale)
                .join("partner-center/add-a-new-customer.html"),
        );
        assert!(customer.contains("href=\"agreements.html\""), "{locale}");
    }
    assert!(internal > 10, "{internal}");
    assert!(with_fragment > 0, "{with_fragment}");

    // a heading's second `<a name>` is a target too (the page keeps it)
    let zh_index = read(out.join("zh-TW/partner-center/announcements/index.html"));
    assert!(
        zh_index.contains("href=\"2021-february.html#14\""),
        "{zh_index}"
    );
    assert!(
        !stderr
            .lines()
            .any(|l| l.starts_with("content/zh-TW/") && l.contains("2021-february.md#14")),
        "{stderr}"
    );

    // repeated headings get the model's unique anchors as ids
    let feb = read(out.join("zh-TW/partner-center/announcements/2021-february.html"));
    assert!(feb.contains("id=\"categories\""), "{feb}");
    assert!(feb.contains("id=\"categories-1\""), "{feb}");
    assert!(feb.contains("id=\"categories-2\""), "{feb}");

    // links to articles the slice lacks: located warnings, text on the page
    let index = "content/zh-TW/partner-center/announcements/index.md";
    let located = stderr
        .lines()
        .find(|l| {
            l.starts_with(index)
                && l.contains("warning[broken-link]")
                && l.contains("merge-accounts.md")
        })
        .unwrap_or_else(|| panic!("{stderr}"));
    let pos: Vec<&str> = located[index.len() + 1..].splitn(3, ':').collect();
    assert!(
        pos[0].parse::<u32>().unwrap() > 1 && pos[1].parse::<u32>().unwrap() >= 1,
        "{located}"
    );
    let after = &stderr[stderr.find(located).unwrap() + located.len()..];
    assert!(
        after.trim_start_matches('\n').starts_with("  = help: "),
        "{after}"
    );
    let index_page = read(out.join("zh-TW/partner-center/announcements/index.html"));
    assert!(!index_page.contains("merge-accounts"), "a dead href");
    // and the build says how many there were
    let count = stderr
        .lines()
        .find(|l| l.contains("broken link"))
        .unwrap_or_else(|| panic!("no count: {stderr}"));
    let said = stderr
        .lines()
        .filter(|l| l.starts_with("content/") && l.contains(": warning[broken-link]: "))
        .count();
    assert!(count.contains(&said.to_string()), "{count} vs {said}");
}

struct Titles;
impl rulebook::site::html::AlertTitles for Titles {
    fn title(&self, kind: rulebook::docfx::AlertKind) -> String {
        format!("{kind:?}")
    }
}

/// `html` without the `id="…"` of its headings.
fn without_heading_ids(html: &str) -> String {
    let mut out = html.to_owned();
    for level in 1..=6 {
        let open = format!("<h{level} id=\"");
        while let Some(at) = out.find(&open) {
            let end = at + open.len() + out[at + open.len()..].find('"').unwrap() + 1;
            out.replace_range(at + 3..end, "");
        }
    }
    out
}

/// A flat project's pages (the bundled one: no links between articles)
/// are what they were, but for their headings' ids; and every heading
/// has one.
#[test]
fn flat_pages_change_only_by_their_heading_ids() {
    let mut compared = 0;
    for locale in ["en", "zh-TW", "ja-JP"] {
        let rel = format!("content/{locale}/csp-software-subscriptions.md");
        let text = read(root().join(&rel));
        let doc = rulebook::docfx::parse_article(&rel, &text).unwrap();
        let (chapter, _) = rulebook::site::chapter::prepare(
            &doc,
            &text,
            &root().join("content"),
            "csp-software-subscriptions",
        );
        let anchors: Vec<String> = doc.sections.iter().map(|s| s.anchor.clone()).collect();
        let index = rulebook::site::links::LinkIndex::new(
            [("csp-software-subscriptions", anchors.as_slice())],
            Some("https://learn.microsoft.com/"),
        );
        let page = rulebook::site::links::PageLinks {
            index: &index,
            slug: "csp-software-subscriptions",
            headings: doc
                .sections
                .iter()
                .map(|s| (s.pos.line, s.anchor.clone()))
                .collect(),
        };
        let (old, _) = rulebook::site::html::render_checked(
            &chapter.markdown,
            &chapter.line_map,
            &Titles,
            &rel,
        );
        let (new, _) = rulebook::site::html::render_page(
            &chapter.markdown,
            &chapter.line_map,
            &Titles,
            &rel,
            Some(&page),
        );
        assert_ne!(old, new, "{locale}: no heading got an id");
        assert_eq!(without_heading_ids(&new), old, "{locale}");
        let with_ids = (1..=6)
            .map(|l| new.matches(&format!("<h{l} id=\"")).count())
            .sum::<usize>();
        let all = (1..=6)
            .map(|l| new.matches(&format!("<h{l}")).count())
            .sum::<usize>();
        assert_eq!(with_ids, all, "{locale}: a heading without an id");
        assert_eq!(with_ids, doc.sections.len(), "{locale}");
        compared += 1;
    }
    assert_eq!(compared, 3);
}

/// A rebuild after the article a page links to is gone: the page is made
/// anew (its link is now text and a warning), not reused from the cache.
#[test]
fn a_page_is_rebuilt_when_the_page_it_links_to_goes() {
    let project = slice_project();
    // a page with no other warning, so that the cache would keep it
    let linking = "partner-center/see-also.md";
    std::fs::write(
        project.path().join("content/zh-TW").join(linking),
        "---\ntitle: See also\nms.date: 03/01/2021\n---\n# See also\n\nRead [the agreements](agreements.md).\n",
    )
    .unwrap();
    let (out, stderr) = build(project.path());
    assert!(!stderr.contains(linking), "{stderr}");
    let page = out.join("zh-TW/partner-center/see-also.html");
    assert!(
        read(&page).contains("href=\"agreements.html\""),
        "{}",
        read(&page)
    );
    for locale in ["zh-TW", "ja-JP"] {
        std::fs::remove_file(
            project
                .path()
                .join("content")
                .join(locale)
                .join("partner-center/agreements.md"),
        )
        .unwrap();
    }
    let (_, stderr) = build(project.path());
    assert!(!read(&page).contains("agreements.html"), "a dead href kept");
    assert!(
        stderr.lines().any(
            |l| l.starts_with("content/zh-TW/partner-center/see-also.md:")
                && l.contains("warning[broken-link]")
                && l.contains("agreements.md")
        ),
        "{stderr}"
    );
}
