//! Links between pages: what an article's Markdown link to another article
//! (`other.md`, `../sub/a.md#anchor`, `/docset/a`) becomes on its page.
//!
//! Articles link to each other's Markdown files, as DocFX resolves them;
//! on the site each article is `<slug>.html`, so such a link is rewritten
//! to the page, relative to the page that holds it (pages lie in folders).
//! An absolute link (`/partner-center/a`) names an article of the docs
//! site by its path without locale: the page of the tree's article when the
//! tree holds it, else the docs site's own page (`docs-base-url`). A link
//! that leads nowhere is said (`broken-link`, a warning) and the page shows
//! its text without a dead href. Hrefs made here come from `href::path`
//! and `href::fragment` (no scheme can start them) or from the configured
//! base URL; links with a scheme are left to the sanitizer.

use std::collections::{HashMap, HashSet};

use super::href;

/// Whether a link's destination is kept as written on every page (empty,
/// `//host`, or with a scheme): nothing to check.
pub fn always_kept(dest: &str) -> bool {
    let dest = dest.trim();
    dest.is_empty() || dest.starts_with("//") || has_scheme(dest)
}

/// The pages of one locale's book and their anchors.
#[derive(Debug, Default)]
pub struct LinkIndex {
    /// Slug → the anchors of its sections.
    pages: HashMap<String, HashSet<String>>,
    /// Where absolute links to pages the tree lacks go (ends with `/`).
    base_url: Option<String>,
}

/// What a link's destination becomes.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Not a link to an article (a URL, an image, a file): left as it is.
    Keep,
    /// A link to this href.
    Href(String),
    /// A link that leads nowhere: the page shows the text, and this is
    /// said (what is wrong, how to fix it).
    Broken(String, String),
    /// A link to the page without the anchor it names, which the page
    /// lacks: the href, and what is said.
    MissingAnchor(String, String, String),
}

impl LinkIndex {
    /// The index of `pages` (slug, anchors); absolute links to other
    /// pages go to `base_url` (`None`: nowhere, a warning).
    pub fn new<'a>(
        pages: impl IntoIterator<Item = (&'a str, &'a [String])>,
        base_url: Option<&str>,
    ) -> Self {
        LinkIndex {
            pages: pages
                .into_iter()
                .map(|(slug, anchors)| (slug.to_owned(), anchors.iter().cloned().collect()))
                .collect(),
            base_url: base_url.filter(|b| !b.is_empty()).map(|b| {
                if b.ends_with('/') {
                    b.to_owned()
                } else {
                    format!("{b}/")
                }
            }),
        }
    }

    /// A fingerprint of what links resolve against: pages whose links may
    /// have changed are made anew.
    pub fn fingerprint(&self) -> String {
        let mut pages: Vec<(&String, Vec<&String>)> = self
            .pages
            .iter()
            .map(|(slug, anchors)| {
                let mut a: Vec<&String> = anchors.iter().collect();
                a.sort();
                (slug, a)
            })
            .collect();
        pages.sort();
        let mut key = crate::cache::Key::new("links");
        key.add(self.base_url.as_deref().unwrap_or("").as_bytes());
        for (slug, anchors) in pages {
            key.add(slug.as_bytes());
            for a in anchors {
                key.add(a.as_bytes());
            }
        }
        key.finish()
    }

    /// `broken-link` findings of one page's links ([`super::chapter::PageRefs`]):
    /// (destination, what, help, line, column) of each link that leads
    /// nowhere or to a section its page lacks, as the page resolves them.
    pub fn broken<'a>(
        &'a self,
        links: &'a [(String, u32, u32)],
        from: &'a str,
    ) -> impl Iterator<Item = (&'a str, String, String, u32, u32)> + 'a {
        links
            .iter()
            .filter_map(move |(dest, line, col)| match self.resolve(dest, from) {
                Resolved::Broken(what, help) | Resolved::MissingAnchor(_, what, help) => {
                    Some((dest.as_str(), what, help, *line, *col))
                }
                Resolved::Keep | Resolved::Href(_) => None,
            })
    }

    /// What `dest` (a link's destination as written) becomes on the page of
    /// article `from` (its slug).
    pub fn resolve(&self, dest: &str, from: &str) -> Resolved {
        if always_kept(dest) {
            return Resolved::Keep;
        }
        let dest = dest.trim();
        let (rest, fragment) = match dest.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (dest, None),
        };
        // `?tabs=…` picks a tab of a DocFX page: the page is what it names
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let path: &str = &decoded;
        if path.is_empty() {
            // `#anchor` on the page itself
            return match fragment {
                Some(f) => self.anchor_of(from, f, String::new(), dest),
                None => Resolved::Keep,
            };
        }
        if let Some(absolute) = path.strip_prefix('/') {
            let slug = absolute_slug(absolute);
            if self.pages.contains_key(&slug) {
                let page = relative(from, &slug);
                return match fragment {
                    Some(f) => self.anchor_of(&slug, f, page, dest),
                    None => Resolved::Href(page),
                };
            }
            return match &self.base_url {
                Some(url) => {
                    let mut out = format!("{url}{}", href::path(absolute.trim_end_matches(".md")));
                    if let Some(q) = query {
                        out.push('?');
                        out.push_str(&utf8_query(q));
                    }
                    if let Some(f) = fragment {
                        out.push_str(&href::fragment(f));
                    }
                    Resolved::Href(out)
                }
                None => Resolved::Broken(
                    format!("`{dest}` names a page of the docs site that this tree does not hold, and no base URL is set"),
                    "set `docs-base-url` in book.toml's [output.rulebook] (e.g. \"https://learn.microsoft.com/\"), or link to an article of the tree".to_owned(),
                ),
            };
        }
        let Some(stem) = strip_md(path) else {
            return Resolved::Keep;
        };
        let mut segments: Vec<&str> = from.split('/').collect();
        segments.pop();
        for part in stem.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    if segments.pop().is_none() {
                        return Resolved::Broken(
                            format!("`{dest}` climbs out of the locale's folder"),
                            "link to an article of this locale by its path from this article's folder".to_owned(),
                        );
                    }
                }
                p => segments.push(p),
            }
        }
        let slug = segments.join("/");
        if !self.pages.contains_key(&slug) {
            return Resolved::Broken(
                format!("`{dest}` names no article of this locale (no `{slug}.md`)"),
                "correct the path (relative to this article's folder), or remove the link"
                    .to_owned(),
            );
        }
        let page = relative(from, &slug);
        match fragment {
            Some(f) => self.anchor_of(&slug, f, page, dest),
            None => Resolved::Href(page),
        }
    }

    /// `page` with `#fragment` when article `slug` has that anchor.
    fn anchor_of(&self, slug: &str, fragment: &str, page: String, dest: &str) -> Resolved {
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        let Some(anchors) = self.pages.get(slug) else {
            return Resolved::Keep;
        };
        if fragment.is_empty() || fragment.starts_with("tab/") {
            return Resolved::Href(if page.is_empty() {
                "#".to_owned()
            } else {
                page
            });
        }
        if anchors.contains(&*fragment) {
            return Resolved::Href(format!("{page}{}", href::fragment(&fragment)));
        }
        // DocFX's anchors are lower case; a link that spells one otherwise
        // still reaches it there
        let lower = fragment.to_lowercase();
        if let Some(found) = anchors.iter().find(|a| a.to_lowercase() == lower) {
            return Resolved::Href(format!("{page}{}", href::fragment(found)));
        }
        let what = format!("`{dest}`: the page `{slug}` has no section `#{fragment}`");
        let help = "link to one of the page's headings (its anchor), or drop the `#…`".to_owned();
        if page.is_empty() {
            Resolved::Broken(what, help)
        } else {
            Resolved::MissingAnchor(page, what, help)
        }
    }
}

/// The href of page `to` from page `from` (slugs): up to the folder they
/// share, then down (`agreements.html` beside it, not
/// `../partner-center/agreements.html`).
fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').collect();
    let to_segments: Vec<&str> = to.split('/').collect();
    let from_dirs = &from[..from.len().saturating_sub(1)];
    let to_dirs = &to_segments[..to_segments.len().saturating_sub(1)];
    let shared = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dirs.len() - shared);
    out.push_str(&href::path(&format!(
        "{}.html",
        to_segments[shared..].join("/")
    )));
    out
}

/// `a.md` → `a` (any case of `.md`); `None` for other files.
fn strip_md(path: &str) -> Option<&str> {
    let n = path.len();
    (n > 3 && path.is_char_boundary(n - 3) && path[n - 3..].eq_ignore_ascii_case(".md"))
        .then(|| &path[..n - 3])
}

/// The slug an absolute docs path names: no `.md`, no trailing `/` (a
/// folder's `index`), no locale segment (`/en-us/…`).
fn absolute_slug(absolute: &str) -> String {
    let path = strip_md(absolute).unwrap_or(absolute);
    let mut segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if segments.first().is_some_and(|s| looks_like_locale(s)) && segments.len() > 1 {
        segments.remove(0);
    }
    if path.ends_with('/') || segments.is_empty() {
        segments.push("index");
    }
    segments.join("/")
}

/// `en-us`, `zh-TW`: two letters, `-`, two to four letters.
fn looks_like_locale(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 5
        && b.len() <= 7
        && b[..2].iter().all(u8::is_ascii_alphabetic)
        && b[2] == b'-'
        && b[3..].iter().all(u8::is_ascii_alphanumeric)
}

/// A query as an URL's: anything but what a query may hold percent-encoded.
fn utf8_query(q: &str) -> String {
    const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'=')
        .remove(b'&')
        .remove(b'%');
    percent_encoding::utf8_percent_encode(q, QUERY).to_string()
}

/// `letters:` at the start (a URL of some scheme, `mailto:`, `javascript:`).
fn has_scheme(dest: &str) -> bool {
    let Some(colon) = dest.find(':') else {
        return false;
    };
    let scheme = &dest[..colon];
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// What links to an article's page may name after `#`: its sections'
/// anchors (unique: DocFX's `-1` suffixes), and every other `<a name>` or
/// `<a id>` its headings carry (`## <a name="long-title"></a><a name="14"></a>`:
/// the page keeps them, and real articles link to them).
pub fn page_anchors(doc: &crate::docfx::Document, text: &str) -> Vec<String> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect();
    let mut out: Vec<String> = doc.sections.iter().map(|s| s.anchor.clone()).collect();
    for section in &doc.sections {
        let Some(&start) = (section.pos.line as usize)
            .checked_sub(1)
            .and_then(|i| starts.get(i))
        else {
            continue;
        };
        let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
        let line = &text[start..end];
        for (at, _) in line.match_indices("<a") {
            let Some(close) = line[at..].find('>') else {
                break;
            };
            let Some(tag) = crate::docfx::parse_html_tag(&line[at..=at + close]) else {
                continue;
            };
            if !tag.is("a") || tag.closing {
                continue;
            }
            for name in [tag.attr("name"), tag.attr("id")].into_iter().flatten() {
                let name = name.trim();
                if !name.is_empty() && !out.iter().any(|a| a == name) {
                    out.push(name.to_owned());
                }
            }
        }
    }
    out
}

/// Per page: what the renderer needs to write its links and heading ids.
pub struct PageLinks<'a> {
    /// The locale's pages.
    pub index: &'a LinkIndex,
    /// The article's slug.
    pub slug: &'a str,
    /// Article line of a heading → its section's anchor.
    pub headings: HashMap<u32, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(base: Option<&str>) -> LinkIndex {
        let a = vec![
            "intro".to_owned(),
            "categories".to_owned(),
            "categories-1".to_owned(),
        ];
        let none: Vec<String> = Vec::new();
        LinkIndex::new(
            [
                ("partner-center/announcements/2021-february", a.as_slice()),
                ("partner-center/overview", none.as_slice()),
                ("marketplace/index", none.as_slice()),
                ("top", none.as_slice()),
            ],
            base,
        )
    }

    #[test]
    fn relative_links_reach_pages_from_the_article_folder() {
        let i = index(None);
        let from = "partner-center/announcements/2021-february";
        assert_eq!(
            i.resolve("../overview.md", from),
            Resolved::Href("../overview.html".into())
        );
        assert!(matches!(
            i.resolve(
                "../../marketplace/index.md?tabs=a#x",
                "partner-center/overview"
            ),
            Resolved::Broken(..)
        ));
        assert_eq!(
            i.resolve("2021-february.md#categories-1", from),
            Resolved::Href("2021-february.html#categories-1".into())
        );
        assert_eq!(
            i.resolve("../marketplace/index.md?tabs=x", "partner-center/overview"),
            Resolved::Href("../marketplace/index.html".into())
        );
        assert_eq!(
            i.resolve("#Categories", from),
            Resolved::Href("#categories".into())
        );
        assert!(matches!(i.resolve("#nope", from), Resolved::Broken(..)));
        assert!(matches!(
            i.resolve("../../../top.md", from),
            Resolved::Broken(..)
        ));
        assert!(matches!(
            i.resolve("../../../../x.md", from),
            Resolved::Broken(..)
        ));
        assert!(matches!(
            i.resolve("missing.md", from),
            Resolved::Broken(..)
        ));
        assert!(matches!(
            i.resolve("../announcements/2021-february.md#gone", from),
            Resolved::MissingAnchor(..)
        ));
        assert_eq!(i.resolve("image.png", from), Resolved::Keep);
        assert_eq!(i.resolve("https://example.com/a.md", from), Resolved::Keep);
        assert_eq!(i.resolve("javascript:alert(1)//a.md", from), Resolved::Keep);
    }

    #[test]
    fn absolute_links_resolve_into_the_tree_or_to_the_docs_site() {
        let i = index(Some("https://learn.microsoft.com"));
        assert_eq!(
            i.resolve("/partner-center/overview", "top"),
            Resolved::Href("partner-center/overview.html".into())
        );
        assert_eq!(
            i.resolve("/en-us/marketplace/", "partner-center/overview"),
            Resolved::Href("../marketplace/index.html".into())
        );
        assert_eq!(
            i.resolve("/partner-center/develop/a?view=x#b", "top"),
            Resolved::Href("https://learn.microsoft.com/partner-center/develop/a?view=x#b".into())
        );
        let none = index(None);
        assert!(matches!(
            none.resolve("/partner-center/develop/a", "top"),
            Resolved::Broken(..)
        ));
    }
}
