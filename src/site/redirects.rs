//! Redirect pages from a DocFX repository's `.openpublishing.redirection.json`
//! (at the top of the locale folder): for each moved article, a page at its
//! old path that sends the reader on (meta refresh), names where (canonical
//! link) and shows a link for readers whose browser does not follow.
//!
//! The file is input like any other: read confined and bounded. A source
//! path must be a relative path inside the locale folder that no article
//! takes; a target is a page of the tree (written as a relative href), an
//! absolute path of the docs site the tree belongs to (`DOCS_SITE`), or an
//! `http(s)` URL. Anything else (a `javascript:` URL, a path that climbs
//! out) is refused with a located warning and gets no page.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Location};
use crate::load::confine;

use super::{href, html};

/// The file DocFX's publishing reads.
pub(crate) const FILE: &str = ".openpublishing.redirection.json";

/// Where an absolute path the tree does not hold is published (Microsoft
/// Docs, where the DocFX repositories rulebook reads come from).
const DOCS_SITE: &str = "https://learn.microsoft.com";

#[derive(Deserialize)]
struct RedirectionFile {
    #[serde(default)]
    redirections: Vec<Redirection>,
}

#[derive(Deserialize)]
struct Redirection {
    source_path: String,
    redirect_url: String,
}

/// A redirect page: its path under the locale's folder, and its HTML.
pub(crate) type RedirectPage = (String, Vec<u8>);

/// The redirect pages of a locale: (page path under the locale's folder,
/// its HTML), and warnings for the entries refused. `pages`: the locale's
/// pages (`a/b.html`), which a redirect never replaces and may lead to.
pub(crate) fn pages(
    src_dir: &Path,
    locale: &str,
    roots: &[PathBuf],
    pages: &HashSet<String>,
) -> Result<(Vec<RedirectPage>, Vec<Diagnostic>), Diagnostic> {
    let file = src_dir.join(FILE);
    if std::fs::symlink_metadata(&file).is_err() {
        return Ok((Vec::new(), Vec::new()));
    }
    let display = format!("content/{locale}/{FILE}");
    let bytes = confine::read(&file, roots).map_err(|r| r.diagnostic(&display))?;
    let text = crate::load::decode(bytes, &display)?;
    let parsed: RedirectionFile = serde_json::from_str(&text).map_err(|e| {
        Diagnostic::error(
            "redirects",
            format!("{FILE} does not parse: {e}"),
        )
        .at(Location::new(
            &display,
            u32::try_from(e.line()).unwrap_or(0),
            u32::try_from(e.column()).unwrap_or(0),
        ))
        .with_help("it is a JSON object with `redirections`: a list of `source_path` and `redirect_url`")
    })?;
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map_or(0, |i| u32::try_from(i + 1).unwrap_or(0))
    };
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    for r in parsed.redirections {
        let refuse = |why: String| {
            Diagnostic::warning("redirect", why)
                .at(Location::new(&display, line_of(&r.source_path), 1))
                .with_help("give a relative source_path of a moved .md or .yml, and a redirect_url that is a path of the docs site or an http(s) URL")
        };
        let Some(page) = page_of(&r.source_path) else {
            warnings.push(refuse(format!(
                "the redirect from `{}` is not from a page of this folder",
                r.source_path
            )));
            continue;
        };
        if pages.contains(&page) || !taken.insert(page.clone()) {
            warnings.push(refuse(format!(
                "the redirect from `{}` would replace a page ({page})",
                r.source_path
            )));
            continue;
        }
        let Some(target) = target(&page, &r.redirect_url, pages) else {
            warnings.push(refuse(format!(
                "the redirect to `{}` leads nowhere rulebook may send a reader",
                r.redirect_url
            )));
            continue;
        };
        out.push((page, redirect_page(locale, &target)));
    }
    Ok((out, warnings))
}

/// The page a source path had (`a/b.md` → `a/b.html`), or `None` when it
/// is not a relative path of a page inside the folder.
pub(crate) fn page_of(source: &str) -> Option<String> {
    let stem = source
        .strip_suffix(".md")
        .or_else(|| source.strip_suffix(".yml"))?;
    let ok = !stem.is_empty()
        && !source.starts_with('/')
        && !source.contains('\\')
        && stem
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.starts_with('.'));
    ok.then(|| format!("{stem}.html"))
}

/// Where the page at `page` sends its reader: a relative href to a page of
/// the tree, the docs site's URL of another absolute path, or an http(s)
/// URL as given (percent-encoding left to the browser is not needed: the
/// result is escaped where it is written).
pub(crate) fn target(page: &str, url: &str, pages: &HashSet<String>) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return (!url.chars().any(|c| c.is_whitespace() || c.is_control())).then(|| url.to_owned());
    }
    let path = url.strip_prefix('/')?;
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let path = path
        .split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    if path.split('/').any(|s| s == ".." || s == ".") || path.chars().any(char::is_control) {
        return None;
    }
    let in_tree = [format!("{path}.html"), format!("{path}/index.html")]
        .into_iter()
        .find(|p| pages.contains(p));
    let mut target = match in_tree {
        Some(p) => format!("{}{}", href::base(page), href::path(&p)),
        None => format!("{DOCS_SITE}/{}", href::path(path)),
    };
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        target.push('#');
        target.push_str(&href::path(f));
    }
    Some(target)
}

/// A redirect page to `target` (an href, escaped here).
pub(crate) fn redirect_page(locale: &str, target: &str) -> Vec<u8> {
    let target = html::escape(target);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url={target}\"><link rel=\"canonical\" href=\"{target}\"><meta name=\"robots\" content=\"noindex\"><title>{target}</title></head>\n<body><p><a href=\"{target}\">{target}</a></p></body></html>\n",
        html::escape(locale)
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_inside_the_folder_are_redirected_from() {
        assert_eq!(
            page_of("partner-center/a.md").as_deref(),
            Some("partner-center/a.html")
        );
        assert_eq!(page_of("x/t.yml").as_deref(), Some("x/t.html"));
        for bad in [
            "/etc/passwd.md",
            "../a.md",
            "a/../../b.md",
            ".git/x.md",
            "a.txt",
            ".md",
        ] {
            assert_eq!(page_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn targets_are_pages_the_docs_site_or_http() {
        let pages: HashSet<String> = ["partner-center/b.html".to_owned()].into();
        assert_eq!(
            target("partner-center/old/a.html", "/partner-center/b#s", &pages).as_deref(),
            Some("../../partner-center/b.html#s")
        );
        assert_eq!(
            target("a.html", "/partner-center/develop/x", &pages).as_deref(),
            Some("https://learn.microsoft.com/partner-center/develop/x")
        );
        assert_eq!(
            target("a.html", "https://example.com/p", &pages).as_deref(),
            Some("https://example.com/p")
        );
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "relative/x",
            "/a/../../etc",
            "JavaScript:x",
        ] {
            assert_eq!(target("a.html", bad, &pages), None, "{bad}");
        }
    }
}
