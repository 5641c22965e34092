//! DocFX landing pages (`index.yml`, `### YamlMime:Landing`): a folder's
//! page of link lists, written as `<folder>/index.html` where no article
//! takes that page. Each link to an article of the tree becomes a relative
//! link to its page; an absolute path or http(s) URL goes where a redirect
//! would send it ([`super::redirects`]); a link that leads nowhere is its
//! text alone, with a located warning.

use std::collections::HashSet;
use std::path::PathBuf;

use serde::Deserialize;

use crate::diag::{Diagnostic, Location};
use crate::load::{Article, confine};

use super::{href, html, redirects, toc};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Landing {
    title: String,
    summary: String,
    #[serde(rename = "landingContent")]
    landing_content: Vec<Section>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Section {
    title: String,
    #[serde(rename = "linkLists")]
    link_lists: Vec<LinkList>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkList {
    links: Vec<Link>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Link {
    text: String,
    url: String,
}

/// A landing page written: its path under the locale folder, its title, and
/// its HTML.
pub(crate) struct LandingPage {
    /// `<folder>/index.html`.
    pub(crate) page: String,
    /// The landing page's title.
    pub(crate) title: String,
    /// The page.
    pub(crate) html: Vec<u8>,
}

/// The landing pages of a locale; `pages`: its pages (`a/b.html`), which a
/// landing page never replaces and links lead to. Warnings: links that lead
/// nowhere, files that are no landing page (skipped).
pub(crate) fn pages(
    landings: &[Article],
    locale: &str,
    roots: &[PathBuf],
    pages: &HashSet<String>,
    stylesheet: &str,
) -> Result<(Vec<LandingPage>, Vec<Diagnostic>), Diagnostic> {
    let prefix = format!("content/{locale}/");
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for file in landings {
        let relative = file.path.strip_prefix(&prefix).unwrap_or(&file.path);
        let folder = relative.rsplit_once('/').map_or("", |(d, _)| d);
        let page = if folder.is_empty() {
            "index.html".to_owned()
        } else {
            format!("{folder}/index.html")
        };
        // the locale's own home page, or an article's, stays
        if folder.is_empty() || pages.contains(&page) {
            continue;
        }
        let bytes = confine::read(&file.file, roots).map_err(|r| r.diagnostic(&file.path))?;
        let text = crate::load::decode(bytes, &file.path)?;
        if !text.trim_start().starts_with("### YamlMime:Landing") {
            continue;
        }
        let landing: Landing = toc::parse_yaml(
            &text,
            &file.path,
            "landing",
            "the landing page",
            "a DocFX landing page has `title`, `summary` and `landingContent` with `linkLists` of `links`",
        )?;
        let base = href::base(&page);
        let mut body = format!(
            "<h1>{}</h1>\n<p>{}</p>\n",
            html::escape(&landing.title),
            html::escape(&landing.summary)
        );
        for section in &landing.landing_content {
            body.push_str(&format!(
                "<h2>{}</h2>\n<ul>\n",
                html::escape(&section.title)
            ));
            for link in section.link_lists.iter().flat_map(|l| &l.links) {
                match target(&page, folder, &link.url, pages) {
                    Some(to) => body.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>\n",
                        html::escape(&to),
                        html::escape(&link.text)
                    )),
                    None => {
                        let line = text
                            .lines()
                            .position(|l| l.contains(&link.url))
                            .map_or(0, |i| u32::try_from(i + 1).unwrap_or(0));
                        warnings.push(
                            Diagnostic::warning(
                                "landing-link",
                                format!("the landing page's link to `{}` leads to no page", link.url),
                            )
                            .at(Location::new(&file.path, line, 1))
                            .with_help("link an article of the tree (`page.md`), a path of the docs site or an http(s) URL; the link is shown as text"),
                        );
                        body.push_str(&format!("<li>{}</li>\n", html::escape(&link.text)));
                    }
                }
            }
            body.push_str("</ul>\n");
        }
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" href=\"{base}{stylesheet}\"></head>\n<body><main class=\"rulebook-content\">\n{body}</main></body></html>\n",
            html::escape(locale),
            html::escape(&landing.title),
        );
        out.push(LandingPage {
            page,
            title: landing.title,
            html: html.into_bytes(),
        });
    }
    Ok((out, warnings))
}

/// Where a landing link leads from `page` (in `folder`): a page of the tree
/// for a relative `.md` inside the locale folder, else what a redirect
/// would make of it.
pub(crate) fn target(
    page: &str,
    folder: &str,
    url: &str,
    pages: &HashSet<String>,
) -> Option<String> {
    if url.starts_with('/') || url.contains("://") {
        return redirects::target(page, url, pages);
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let joined = toc::normalize(folder, path)?;
    let html = format!("{}.html", joined.strip_suffix(".md")?);
    if !pages.contains(&html) {
        return None;
    }
    let mut to = format!("{}{}", href::base(page), href::path(&html));
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        to.push('#');
        to.push_str(&href::path(f));
    }
    Some(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_to_pages_of_the_tree_or_nowhere() {
        let pages: HashSet<String> =
            ["pc/overview.html".to_owned(), "pc/a/b.html".to_owned()].into();
        assert_eq!(
            target("pc/index.html", "pc", "overview.md", &pages).as_deref(),
            Some("../pc/overview.html")
        );
        assert_eq!(
            target("pc/index.html", "pc", "a/b.md#x", &pages).as_deref(),
            Some("../pc/a/b.html#x")
        );
        assert_eq!(target("pc/index.html", "pc", "missing.md", &pages), None);
        assert_eq!(target("pc/index.html", "pc", "../../x.md", &pages), None);
        assert_eq!(
            target("pc/index.html", "pc", "javascript:alert(1)", &pages),
            None
        );
    }
}
