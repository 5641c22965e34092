//! Hrefs made from names that come from content (article file names, and
//! later folder paths and anchors).
//!
//! A browser reads an href whose text starts with `letters:` as a URL of
//! that scheme: an article named `javascript:alert(1).md` linked as
//! `javascript:alert(1).html` is a script. Every href built here is a
//! relative path whose every byte outside RFC 3986's unreserved set is
//! percent-encoded (the `:` included), so it can never start a scheme, a
//! `//host`, a query or a fragment; and names with `#`, `?` or `%` reach the
//! page they name. Absolute URLs never come from here.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte but RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A relative path (`/`-separated, as the output is laid out) as an href.
/// Empty, `.` and `..` segments cannot come from a file name; even so, an
/// empty one is dropped (no `//host`, no root) and dots are encoded
/// (`%2E`), so a path that had them would still stay where it is.
pub fn path(relative: &str) -> String {
    let mut out = String::with_capacity(relative.len() + 8);
    for segment in relative.split('/').filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push('/');
        }
        if segment == "." || segment == ".." {
            out.extend(std::iter::repeat_n("%2E", segment.len()));
            continue;
        }
        out.extend(utf8_percent_encode(segment, SEGMENT));
    }
    out
}

/// A page of another locale's book, from a page of this one.
pub fn in_locale(locale: &str, relative: &str) -> String {
    format!("../{}/{}", path(locale), path(relative))
}

/// What leads from a page back to its locale's folder: `../` once for
/// each folder the page (`file`, relative to the locale's folder,
/// `/`-separated) lies in; empty for a page at the top. Every href a page
/// makes to another page of the site starts with it.
pub fn base(file: &str) -> String {
    "../".repeat(
        file.split('/')
            .filter(|s| !s.is_empty())
            .count()
            .saturating_sub(1),
    )
}

/// A fragment (`#...`) naming an anchor of a page.
pub fn fragment(anchor: &str) -> String {
    format!("#{}", utf8_percent_encode(anchor, SEGMENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a browser would take for a scheme: `ALPHA *( ALPHA / DIGIT /
    /// "+" / "-" / "." ) ":"` at the start.
    pub(crate) fn has_scheme(href: &str) -> bool {
        let Some(colon) = href.find(':') else {
            return false;
        };
        let scheme = &href[..colon];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }

    #[test]
    fn names_never_become_schemes_hosts_queries_or_fragments() {
        assert_eq!(
            path("javascript:alert(document.domain).html"),
            "javascript%3Aalert%28document.domain%29.html"
        );
        assert_eq!(path("a#b?c%d.html"), "a%23b%3Fc%25d.html");
        assert_eq!(path("x/y z.html"), "x/y%20z.html");
        assert_eq!(path("販売.html"), "%E8%B2%A9%E5%A3%B2.html");
        assert_eq!(path("../x.html"), "%2E%2E/x.html");
        assert_eq!(in_locale("zh-TW", "a:b.html"), "../zh-TW/a%3Ab.html");
        assert_eq!(fragment("L12"), "#L12");
        assert_eq!(base("a.html"), "");
        assert_eq!(base("a/b/c.html"), "../../");
        for name in [
            "javascript:x",
            "data:text/html,x",
            "//evil.example/x",
            "vbscript:x",
        ] {
            let href = path(name);
            assert!(!has_scheme(&href), "{href}");
            assert!(!href.starts_with("//"), "{href}");
        }
    }

    proptest::proptest! {
        /// Any name: the href has no scheme, no host, no query and no
        /// fragment, and decodes back to the name.
        #[test]
        fn any_name_is_a_plain_relative_path(name in "\\PC{0,40}") {
            let href = path(&name);
            proptest::prop_assert!(!has_scheme(&href));
            proptest::prop_assert!(!href.starts_with("//"));
            proptest::prop_assert!(!href.contains(['?', '#', '\\', '"', '\'', '<', '>', ' ']));
            let back = percent_encoding::percent_decode_str(&href).decode_utf8_lossy();
            let segments: Vec<&str> = name.split('/').filter(|s| !s.is_empty()).collect();
            let same = segments.len() == back.split('/').filter(|s| !s.is_empty()).count()
                && segments.iter().zip(back.split('/')).all(|(a, b)| a == &b);
            proptest::prop_assert!(same, "{} -> {}", name, href);
        }
    }
}
