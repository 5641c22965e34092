//! mdBook's `[output.html]` settings that rulebook's site honours (issue
//! 19 item 9), as mdBook does where the site has the same thing:
//!
//! - `site-url`: where the site is published. mdBook uses it as the
//!   `<base>` of its 404 page (served at any depth, its links must be
//!   absolute); rulebook writes that page (`404.html`, at the top, leading
//!   to each locale's home) and makes each page's `hreflang` alternates,
//!   which search engines want absolute, absolute too.
//! - `additional-css`: style sheets copied into every locale's book at the
//!   same relative path and linked from every page after rulebook's own.
//!   They are inputs like any other: relative paths inside the project,
//!   read confined and bounded; a path that leaves the project, or a file
//!   that is missing, fails the build with a located error.
//! - `redirect`: old page path → new URL, a redirect page in each locale
//!   (as `.openpublishing.redirection.json`'s, `redirects`): from a
//!   relative `.html` path inside the book that no page takes, to an
//!   http(s) URL, a path of the book (`/new.html`) or a relative href; no
//!   other scheme (`javascript:`) ever becomes a link.
//!
//! Errors are located at the line of book.toml that names the value.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::load::{Project, confine};
use crate::position::LineIndex;

use super::{href, html};

/// What the site takes of `[output.html]`, checked.
#[derive(Debug, Default)]
pub(crate) struct HtmlOutput {
    /// `site-url`, ending with `/`.
    pub(crate) site_url: Option<String>,
    /// Each additional style sheet: its path in every locale's book
    /// (`/`-separated) and its bytes.
    pub(crate) css: Vec<(String, Vec<u8>)>,
    /// Each redirect: its page under a locale's folder, the target as
    /// written, and where book.toml names it.
    pub(crate) redirects: Vec<Redirect>,
}

/// One `[output.html.redirect]` entry.
#[derive(Debug)]
pub(crate) struct Redirect {
    pub(crate) page: String,
    target: String,
    at: Location,
}

const BOOK_TOML: &str = "book.toml";

impl HtmlOutput {
    /// Check and read `[output.html]`'s settings of `project`.
    pub(crate) fn load(project: &Project) -> Result<HtmlOutput, Diagnostics> {
        let config = &project.config.html;
        if config.site_url.is_none()
            && config.additional_css.is_empty()
            && config.redirect.is_empty()
        {
            return Ok(HtmlOutput::default());
        }
        // book.toml again, only to say where a value is written
        let text = confine::read_any(&project.root.join(BOOK_TOML))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        let at = |value: &str| locate(&text, value);
        let mut errors = Vec::new();
        let site_url = match &config.site_url {
            Some(url) => match site_url(url) {
                Some(url) => Some(url),
                None => {
                    errors.push(
                        Diagnostic::error(
                            "book-toml",
                            format!("[output.html] site-url `{url}` is not an address the site can be published at"),
                        )
                        .at(at(url))
                        .with_help("give an absolute path (`/help/`) or an https:// or http:// address (`https://docs.example.com/help/`), without spaces, quotes or angle brackets"),
                    );
                    None
                }
            },
            None => None,
        };
        let roots = confine::real_roots([project.root.as_path()]);
        let mut css = Vec::new();
        let mut seen = HashSet::new();
        for path in &config.additional_css {
            match stylesheet(&project.root, &roots, path) {
                Ok(found) => {
                    if seen.insert(found.0.clone()) {
                        css.push(found);
                    }
                }
                Err(d) => errors.push(d.at(at(path))),
            }
        }
        let mut redirects = Vec::new();
        for (from, target) in &config.redirect {
            let Some(page) = redirect_page(from) else {
                errors.push(
                    Diagnostic::error(
                        "book-toml",
                        format!("[output.html.redirect] `{from}` is not the path of a page inside the book"),
                    )
                    .at(at(from))
                    .with_help("name the old page by its path in the book, as mdBook does: `/old/page.html` (no `..`, no hidden folder, not a page rulebook generates)"),
                );
                continue;
            };
            if resolve(&page, target).is_none() {
                errors.push(
                    Diagnostic::error(
                        "book-toml",
                        format!("[output.html.redirect] `{from}` leads to `{target}`, where rulebook may not send a reader"),
                    )
                    .at(at(target))
                    .with_help("redirect to an https:// or http:// address, a page of the book (`/new/page.html`) or a relative path (`../page.html`)"),
                );
                continue;
            }
            redirects.push(Redirect {
                page,
                target: target.clone(),
                at: at(from),
            });
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        Ok(HtmlOutput {
            site_url,
            css,
            redirects,
        })
    }

    /// The hrefs of the additional style sheets, for the pages of a
    /// locale's book (each page prefixes them with its `base`).
    pub(crate) fn css_hrefs(&self) -> Vec<String> {
        self.css.iter().map(|(path, _)| href::path(path)).collect()
    }

    /// The redirect pages of a locale: (page, HTML); a redirect whose page
    /// the locale has (`pages`) is an error, as mdBook refuses to
    /// overwrite a page with a redirect.
    pub(crate) fn redirect_pages(
        &self,
        locale: &str,
        pages: &HashSet<String>,
    ) -> Result<Vec<super::redirects::RedirectPage>, Diagnostic> {
        let mut out = Vec::new();
        for r in &self.redirects {
            if pages.contains(&r.page) {
                return Err(Diagnostic::error(
                    "book-toml",
                    format!(
                        "[output.html.redirect] `{}` would replace the page {locale}/{} of the book",
                        r.target, r.page
                    ),
                )
                .at(r.at.clone())
                .with_help("remove the redirect, or the article that now has that path"));
            }
            if let Some(target) = resolve(&r.page, &r.target) {
                out.push((
                    r.page.clone(),
                    super::redirects::redirect_page(locale, &target),
                ));
            }
        }
        Ok(out)
    }
}

/// `site-url` with a trailing `/`, or `None` when it is neither an
/// absolute path nor an http(s) address (a `javascript:` one would make
/// every link of the 404 page a script).
fn site_url(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let ok = match host {
        Some(h) => !h.is_empty() && !h.starts_with('/'),
        // an absolute path, not `//host` (another site)
        None => url.starts_with('/') && !url.starts_with("//"),
    } && !url.chars().any(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
    });
    ok.then(|| {
        if url.ends_with('/') {
            url.to_owned()
        } else {
            format!("{url}/")
        }
    })
}

/// An additional style sheet: its path in the book and its bytes.
fn stylesheet(root: &Path, roots: &[PathBuf], path: &str) -> Result<(String, Vec<u8>), Diagnostic> {
    let help = "list style sheets by their path inside the project (`theme/custom.css`), as mdBook does; each is copied into every locale's book";
    let inside = (!path.contains('\\'))
        .then(|| confine::lexically_inside(Path::new(path)))
        .flatten()
        .filter(|p| {
            p.components().count() > 0
                && p.components()
                    .all(|c| !c.as_os_str().to_string_lossy().starts_with('.'))
        });
    let Some(rel) = inside else {
        return Err(Diagnostic::error(
            "book-toml",
            format!("[output.html] additional-css `{path}` is not a path inside the project"),
        )
        .with_help(help));
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    if !rel.to_ascii_lowercase().ends_with(".css") {
        return Err(Diagnostic::error(
            "book-toml",
            format!("[output.html] additional-css `{path}` is not a style sheet (`.css`)"),
        )
        .with_help(help));
    }
    // its place in the book must be no file rulebook writes there
    if rel.eq_ignore_ascii_case("rulebook.css") {
        return Err(Diagnostic::error(
            "book-toml",
            format!(
                "[output.html] additional-css `{path}` would replace rulebook's own style sheet"
            ),
        )
        .with_help(
            "rename the file; rulebook writes rulebook.css at the top of each locale's book",
        ));
    }
    let bytes = confine::read(&root.join(&rel), roots).map_err(|r| {
        let d = r.diagnostic(path);
        Diagnostic::error(
            "book-toml",
            format!("[output.html] additional-css: {}", d.message),
        )
        .with_help(format!("{}; {help}", d.help.as_deref().unwrap_or_default()))
    })?;
    Ok((rel, bytes))
}

/// The page a redirect key names (`/old/a.html` → `old/a.html`), or
/// `None` when it is not an `.html` path of normal, visible segments, or
/// is a page rulebook generates.
fn redirect_page(key: &str) -> Option<String> {
    let rel = key.strip_prefix('/').unwrap_or(key);
    let stem = rel.strip_suffix(".html")?;
    let ok = !stem.is_empty()
        && !rel.contains('\\')
        && !rel.chars().any(char::is_control)
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.starts_with('.'))
        && !super::reserved_top_file(rel.split('/').next().unwrap_or_default());
    ok.then(|| rel.to_owned())
}

/// Where the redirect page `page` sends its reader: an http(s) address as
/// written, a path of the book made relative to the page, or a relative
/// href as written; `None` for anything else (another scheme, `//host`).
fn resolve(page: &str, target: &str) -> Option<String> {
    if target.is_empty()
        || target
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return None;
    }
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Some(target.to_owned());
    }
    if target.starts_with("//") {
        return None;
    }
    if let Some(path) = target.strip_prefix('/') {
        let (path, fragment) = match path.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (path, None),
        };
        if path.split('/').any(|s| s == "." || s == "..") {
            return None;
        }
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_owned()
        };
        let mut out = format!("{}{}", href::base(page), href::path(&path));
        if let Some(f) = fragment.filter(|f| !f.is_empty()) {
            out.push_str(&href::fragment(f));
        }
        return Some(out);
    }
    // a relative href: no scheme (a `:` before any `/`, `?` or `#`)
    let head = target.split(['/', '?', '#']).next().unwrap_or_default();
    (!head.contains(':')).then(|| target.to_owned())
}

/// Where book.toml writes `value` (its first quoted occurrence).
fn locate(text: &str, value: &str) -> Location {
    let lines = LineIndex::new(text);
    let found = [format!("\"{value}\""), format!("'{value}'")]
        .iter()
        .filter_map(|quoted| text.find(quoted.as_str()))
        .min();
    match found {
        Some(offset) => {
            let (line, col) = lines.line_col(text, offset);
            Location::new(BOOK_TOML, line, col)
        }
        None => Location::file(BOOK_TOML),
    }
}

/// `404.html` at the top of the output, as mdBook writes it: its links
/// start from `site_url` (the `<base>`), so it works at any depth it is
/// served for; it leads to each locale's home, each named in itself.
pub(crate) fn not_found_page(
    lang: &str,
    site_url: &str,
    title: &str,
    text: &str,
    locales: &[(String, String)],
) -> Vec<u8> {
    let items: String = locales
        .iter()
        .map(|(locale, name)| {
            format!(
                "<li><a href=\"{}\" hreflang=\"{}\" lang=\"{}\">{}</a></li>",
                html::escape(&href::path(&format!("{locale}/index.html"))),
                html::escape(locale),
                html::escape(locale),
                html::escape(name)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><base href=\"{}\"><meta name=\"robots\" content=\"noindex\"><title>{}</title></head>\n<body><main class=\"rulebook-content\"><h1>{}</h1><p>{}</p><ul>{items}</ul></main></body></html>\n",
        html::escape(lang),
        html::escape(site_url),
        html::escape(title),
        html::escape(title),
        html::escape(text)
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_urls_are_paths_or_http_addresses() {
        assert_eq!(site_url("/help").as_deref(), Some("/help/"));
        assert_eq!(
            site_url("https://docs.example.com/help/").as_deref(),
            Some("https://docs.example.com/help/")
        );
        for bad in [
            "javascript:alert(1)//",
            "//evil.example/",
            "help/",
            "/a b/",
            "/\"><script>",
        ] {
            assert_eq!(site_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn redirects_come_from_book_pages_and_lead_nowhere_harmful() {
        assert_eq!(redirect_page("/old/a.html").as_deref(), Some("old/a.html"));
        for bad in [
            "/../a.html",
            "/a.md",
            "/.git/a.html",
            "/index.html",
            "/toc.html",
            "/a//b.html",
        ] {
            assert_eq!(redirect_page(bad), None, "{bad}");
        }
        assert_eq!(
            resolve("old/a.html", "/new/b.html#s").as_deref(),
            Some("../new/b.html#s")
        );
        assert_eq!(resolve("a.html", "/").as_deref(), Some("index.html"));
        assert_eq!(resolve("a.html", "../b.html").as_deref(), Some("../b.html"));
        assert_eq!(
            resolve("a.html", "https://example.com/x").as_deref(),
            Some("https://example.com/x")
        );
        for bad in [
            "javascript:alert(1)",
            "JavaScript:x",
            "data:text/html,x",
            "//evil.example/x",
            "/a/../b.html",
            " https://x",
        ] {
            assert_eq!(resolve("a.html", bad), None, "{bad}");
        }
    }
}
