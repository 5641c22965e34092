//! A tiny reader for the single HTML tags pulldown-cmark hands over as
//! `InlineHtml` events (`<span data-ttu-id="x">`, `</span>`, `<a name="y">`).
//! It reads one tag, never a document, so it needs no HTML parser.

#[derive(Debug, PartialEq, Eq)]
pub struct HtmlTag<'a> {
    pub name: String,
    pub closing: bool,
    pub self_closing: bool,
    attrs: Vec<(String, &'a str)>,
}

impl<'a> HtmlTag<'a> {
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }
}

/// Read `html` as one start or end tag. Comments, declarations and anything
/// else give `None`.
pub fn parse_tag(html: &str) -> Option<HtmlTag<'_>> {
    let inner = html.trim().strip_prefix('<')?.strip_suffix('>')?;
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let (self_closing, inner) = match inner.strip_suffix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name_end = inner
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    Some(HtmlTag {
        name: name.to_ascii_lowercase(),
        closing,
        self_closing,
        attrs: parse_attrs(&inner[name_end..]),
    })
}

fn parse_attrs(mut rest: &str) -> Vec<(String, &str)> {
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start();
        let name_end = rest
            .find(|c: char| c == '=' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        if name_end == 0 {
            return attrs;
        }
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let Some(after_eq) = rest.strip_prefix('=') else {
            attrs.push((name, ""));
            continue;
        };
        let after_eq = after_eq.trim_start();
        let (value, after) = match after_eq.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after_eq[1..];
                match body.find(q) {
                    Some(end) => (&body[..end], &body[end + 1..]),
                    None => (body, ""),
                }
            }
            _ => {
                let end = after_eq
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(after_eq.len());
                (&after_eq[..end], &after_eq[end..])
            }
        };
        attrs.push((name, value));
        rest = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_segment_tags() {
        let t = parse_tag(r#"<span data-ttu-id="76e84-104">"#).unwrap();
        assert_eq!(t.name, "span");
        assert!(!t.closing);
        assert_eq!(t.attr("data-ttu-id"), Some("76e84-104"));
        let t = parse_tag(r#"<span class="sxs-lookup">"#).unwrap();
        assert!(t.has_class("sxs-lookup"));
        let t = parse_tag("</span>").unwrap();
        assert!(t.closing);
        let t = parse_tag("<a name='x' id=y>").unwrap();
        assert_eq!((t.attr("name"), t.attr("id")), (Some("x"), Some("y")));
        assert_eq!(parse_tag("<!-- c -->"), None);
        assert!(parse_tag("<br/>").unwrap().self_closing);
    }
}
