//! What the tree targets share: the pages of a small tree, and the check
//! of an href a page writes.

pub fn pages() -> Vec<String> {
    ["pc/index.html", "pc/a.html", "pc/sub/b.html", "mp/c.html", "d.html"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// `href` from the page at `page` (under the locale's book): an http(s)
/// URL without white space, or a relative path to one of `pages`.
pub fn assert_page_href(page: &str, href: &str, pages: &[String]) {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        assert!(!href.chars().any(|c| c.is_whitespace() || c.is_control()), "{href:?}");
        return;
    }
    assert!(!href.split('/').next().unwrap_or("").contains(':'), "{href:?}");
    assert!(!href.starts_with('/') && !href.starts_with('\\'), "{href:?}");
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for p in href.split(['#', '?']).next().unwrap_or("").split('/') {
        match p {
            ".." => assert!(parts.pop().is_some(), "{href:?} leaves the book"),
            "" | "." => {}
            p => parts.push(p),
        }
    }
    assert!(pages.contains(&parts.join("/")), "{href:?} is no page");
}
