//! A tiny reader for the single HTML tags pulldown-cmark hands over as
//! `InlineHtml` events (`<span data-ttu-id="x">`, `</span>`, `<a name="y">`).
//! It reads one tag, never a document, so it needs no HTML parser; it borrows
//! everything from the tag text, since span tags are the most frequent events
//! in a bilingual file.

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HtmlTag<'a> {
    name: &'a str,
    pub closing: bool,
    pub self_closing: bool,
    attrs: &'a str,
}

impl<'a> HtmlTag<'a> {
    /// Whether the tag is `name` (ASCII case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value of attribute `name` (case-insensitive), scanning the
    /// attributes on each call: tags carry one or two.
    pub(crate) fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every `(name, value)` attribute, in order (a bare attribute has "").
    pub(crate) fn attrs(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        Attrs { rest: self.attrs }
    }
}

/// Read `html` as one start or end tag. Comments, declarations and anything
/// else give `None`.
pub(crate) fn parse_tag(html: &str) -> Option<HtmlTag<'_>> {
    // Tags from pulldown-cmark come without surrounding space: trim (a
    // Unicode-aware scan from both ends) only when they do not.
    let html = if html.starts_with('<') && html.ends_with('>') {
        html
    } else {
        html.trim()
    };
    let inner = html.strip_prefix('<')?.strip_suffix('>')?;
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let (self_closing, inner) = match inner.strip_suffix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    // Byte-wise: an ASCII byte found in UTF-8 is a character boundary.
    let name_end = inner
        .bytes()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
        return None;
    }
    Some(HtmlTag {
        name,
        closing,
        self_closing,
        attrs: &inner[name_end..],
    })
}

/// The four span tags of a bilingual segment, as translation tools write
/// them. They are most of the events of a bilingual file, so they are known
/// by their exact bytes before [`parse_tag`] reads any tag in general.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum SegmentSpan<'a> {
    /// `<span data-ttu-id="ID">`
    Target(&'a str),
    /// `<span data-stu-id="ID">`
    Source(&'a str),
    /// `<span class="sxs-lookup">`
    Lookup,
    /// `</span>`
    Close,
}

/// `html` as one of the [`SegmentSpan`] tags written exactly so, else `None`
/// (the tag is then read by [`parse_tag`], which reads these the same way).
pub(super) fn segment_span(html: &str) -> Option<SegmentSpan<'_>> {
    match html {
        "</span>" => return Some(SegmentSpan::Close),
        r#"<span class="sxs-lookup">"# => return Some(SegmentSpan::Lookup),
        _ => {}
    }
    let rest = html.strip_prefix(r#"<span data-"#)?;
    let (source, rest) = if let Some(rest) = rest.strip_prefix(r#"ttu-id=""#) {
        (false, rest)
    } else {
        (true, rest.strip_prefix(r#"stu-id=""#)?)
    };
    let id = rest.strip_suffix(r#"">"#)?;
    if memchr::memchr(b'"', id.as_bytes()).is_some() {
        return None;
    }
    Some(if source {
        SegmentSpan::Source(id)
    } else {
        SegmentSpan::Target(id)
    })
}

/// `name="value"` pairs of a tag, quoted with `"` or `'`, or bare.
struct Attrs<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a str, &'a str);

    // Byte-wise: every delimiter here is ASCII, so byte offsets found by
    // scanning bytes are character boundaries.
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.trim_ascii_start();
        let bytes = rest.as_bytes();
        let name_end = bytes
            .iter()
            .position(|&b| b == b'=' || b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        if name_end == 0 {
            self.rest = "";
            return None;
        }
        let name = &rest[..name_end];
        let after_name = rest[name_end..].trim_ascii_start();
        let Some(after_eq) = after_name.strip_prefix('=') else {
            self.rest = after_name;
            return Some((name, ""));
        };
        let after_eq = after_eq.trim_ascii_start();
        let (value, after) = match after_eq.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => {
                let body = &after_eq[1..];
                match memchr::memchr(q, body.as_bytes()) {
                    Some(end) => (&body[..end], &body[end + 1..]),
                    None => (body, ""),
                }
            }
            _ => {
                let end = after_eq
                    .as_bytes()
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .unwrap_or(after_eq.len());
                (&after_eq[..end], &after_eq[end..])
            }
        };
        self.rest = after;
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_segment_tags() {
        let t = parse_tag(r#"<span data-ttu-id="76e84-104">"#).unwrap();
        assert!(t.is("span") && t.is("SPAN"));
        assert!(!t.closing);
        assert_eq!(t.attr("data-ttu-id"), Some("76e84-104"));
        let t = parse_tag(r#"<span class="sxs-lookup">"#).unwrap();
        assert_eq!(t.attr("CLASS"), Some("sxs-lookup"));
        let t = parse_tag("</span>").unwrap();
        assert!(t.closing);
        let t = parse_tag("<a name='x' id=y hidden>").unwrap();
        assert_eq!(
            (t.attr("name"), t.attr("id"), t.attr("hidden")),
            (Some("x"), Some("y"), Some(""))
        );
        assert_eq!(parse_tag("<!-- c -->"), None);
        assert!(parse_tag("<br/>").unwrap().self_closing);
    }

    #[test]
    fn segment_spans_read_as_the_general_reader_reads_them() {
        for html in [
            r#"<span data-ttu-id="76e84-104">"#,
            r#"<span data-stu-id="76e84-104">"#,
            r#"<span data-ttu-id="">"#,
            r#"<span data-ttu-id="a>b 'c'">"#,
            r#"<span class="sxs-lookup">"#,
            "</span>",
        ] {
            let tag = parse_tag(html).unwrap();
            let general = match (
                tag.closing,
                tag.attr("data-ttu-id"),
                tag.attr("data-stu-id"),
            ) {
                (true, _, _) => SegmentSpan::Close,
                (false, Some(id), _) => SegmentSpan::Target(id),
                (false, None, Some(id)) => SegmentSpan::Source(id),
                (false, None, None) if tag.attr("class") == Some("sxs-lookup") => {
                    SegmentSpan::Lookup
                }
                _ => unreachable!("{html}"),
            };
            assert!(tag.is("span") && !tag.self_closing);
            assert_eq!(segment_span(html), Some(general), "{html}");
        }
        // Anything else is left to the general reader.
        for html in [
            r#"<span data-ttu-id="a" class="x">"#,
            r#"<span data-ttu-id="a"/">"#,
            r#"<SPAN data-ttu-id="a">"#,
            r#"<span data-ttu-id='a'>"#,
            r#" <span data-ttu-id="a">"#,
            "</span >",
            r#"<span class="sxs-lookup x">"#,
        ] {
            assert_eq!(segment_span(html), None, "{html}");
        }
    }
}
