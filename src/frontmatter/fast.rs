//! A direct reader for the small, flat YAML that DocFX frontmatter is in
//! practice: `key: plain scalar`, `key: "quoted"`, `key: 'quoted'`, empty
//! values and block lists of scalars, with `#` comments and blank lines.
//!
//! libyaml and yaml_serde's event walk cost as much as the rest of the parse
//! of a monolingual article, for a few hundred bytes of `key: value` lines.
//! This reader gives up (returns `None`) on anything outside that subset or
//! anything it is not sure how yaml_serde would read: flow collections,
//! block scalars, anchors, tags, escapes, multi-line scalars, tabs, unusual
//! characters, duplicate keys, plain scalars that could resolve to a number,
//! a boolean or null where a string is wanted, dates that do not parse. The
//! caller then hands the YAML to yaml_serde exactly as before, so yaml_serde
//! stays the parser of record and every error and its location come from it.
//! A test checks that whatever this reader accepts, yaml_serde reads the same.

use serde_yaml::Value;

use super::{Frontmatter, keywords_from_str, parse_docfx_date};

/// One value as written: a scalar (with whether it was plain, i.e. subject to
/// YAML's resolution of `null`, `true`, `12` …), an empty value, or a block
/// list of string scalars.
enum Raw<'a> {
    Empty,
    Scalar {
        text: std::borrow::Cow<'a, str>,
        plain: bool,
    },
    List(Vec<String>),
}

/// The frontmatter, or `None` when the YAML is outside the subset read here.
pub(super) fn parse(yaml: &str) -> Option<Frontmatter> {
    if !plain_characters(yaml) {
        return None;
    }
    let mut fm = Frontmatter::default();
    // Keys seen so far, to give up on duplicates (yaml_serde decides those).
    let mut seen: Vec<&str> = Vec::with_capacity(24);
    let mut lines = yaml.split_inclusive('\n').map(bare_line).peekable();
    while let Some(line) = lines.next() {
        let line = line?;
        if line.is_empty() || line.starts_with('#') || line.bytes().all(|b| b == b' ') {
            continue;
        }
        let (key, rest) = key_of(line)?;
        if seen.contains(&key) {
            return None;
        }
        seen.push(key);
        let mut raw = value_of(rest)?;
        if matches!(raw, Raw::Empty) {
            // A block list may follow, one `- item` per line at one indent.
            let mut items = Vec::new();
            let mut indent = None;
            while let Some(Some(next)) = lines.peek() {
                let spaces = next.len() - next.trim_start_matches(' ').len();
                let Some(item) = next[spaces..].strip_prefix("- ") else {
                    break;
                };
                if *indent.get_or_insert(spaces) != spaces {
                    return None;
                }
                match value_of(item)? {
                    Raw::Scalar { text, plain } if !plain || surely_string(&text) => {
                        items.push(text.into_owned())
                    }
                    _ => return None,
                }
                lines.next();
            }
            if indent.is_some() {
                raw = Raw::List(items);
            }
        }
        // Whatever comes next must start a new key at column 0 (or be blank
        // or a comment); anything indented would continue this value.
        if let Some(Some(next)) = lines.peek()
            && next.starts_with([' ', '-'])
            && !next.bytes().all(|b| b == b' ')
        {
            return None;
        }
        set(&mut fm, key, raw)?;
    }
    if seen.is_empty() {
        // Only comments: let yaml_serde say what an empty document is.
        return None;
    }
    Some(fm)
}

/// Store one key's value the way the `Deserialize` impl of [`Frontmatter`]
/// would, or `None` where that would fail or where a plain scalar resolves to
/// something other than a string.
fn set(fm: &mut Frontmatter, key: &str, raw: Raw<'_>) -> Option<()> {
    let slot = match key {
        "title" => &mut fm.title,
        "description" => &mut fm.description,
        "ms.contentlocale" => &mut fm.content_locale,
        "ms.translationtype" => &mut fm.translation_type,
        "ms.sourcegitcommit" => &mut fm.source_git_commit,
        "ms.locfileid" => &mut fm.loc_file_id,
        "ms.date" | "ms.lasthandoff" => {
            let date = match string_or_null(raw)? {
                None => None,
                Some(s) => Some(parse_docfx_date(&s)?),
            };
            if key == "ms.date" {
                fm.date = date;
            } else {
                fm.last_handoff = date;
            }
            return Some(());
        }
        "keywords" => {
            fm.keywords = match raw {
                Raw::List(items) => items
                    .iter()
                    .map(|k| k.trim())
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect(),
                raw => string_or_null(raw)?.map_or_else(Vec::new, |s| keywords_from_str(&s)),
            };
            return Some(());
        }
        _ => {
            let value = match raw {
                Raw::List(items) => Value::Sequence(items.into_iter().map(Value::String).collect()),
                raw => string_or_null(raw)?.map_or(Value::Null, Value::String),
            };
            fm.other.insert(key.to_owned(), value);
            return Some(());
        }
    };
    *slot = string_or_null(raw)?;
    Some(())
}

/// A scalar value as a string, an empty value as `None`; `None` overall (give
/// up) for a list or for a plain scalar that YAML might resolve otherwise.
fn string_or_null(raw: Raw<'_>) -> Option<Option<String>> {
    match raw {
        Raw::Empty => Some(None),
        Raw::Scalar { text, plain } if !plain || surely_string(&text) => {
            Some(Some(text.into_owned()))
        }
        _ => None,
    }
}

/// A line without its line break; `None` (give up) for a carriage return
/// anywhere but before the line feed.
fn bare_line(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    (!line.contains('\r')).then_some(line)
}

/// True when every character is one this reader handles: no tabs (YAML gives
/// them rules of their own), no control characters, no
/// characters libyaml reads as line breaks (U+0085, U+2028, U+2029) or
/// refuses (U+FEFF, U+FFFE, U+FFFF).
fn plain_characters(yaml: &str) -> bool {
    let bytes = yaml.as_bytes();
    // One branch-free pass over the ASCII (the compiler vectorizes it) ...
    let ascii_refused = bytes.iter().fold(false, |refused, &b| {
        refused | (b < 0x20 && b != b'\n' && b != b'\r') | (b == 0x7f)
    });
    if ascii_refused {
        return false;
    }
    // ... then a look at the lead bytes of the refused non-ASCII characters.
    !memchr::memchr3_iter(0xc2, 0xe2, 0xef, bytes).any(|i| {
        let (next, third) = (bytes.get(i + 1), bytes.get(i + 2));
        match bytes[i] {
            // U+0080–U+009F
            0xc2 => next.is_some_and(|&n| n < 0xa0),
            // U+2028, U+2029
            0xe2 => next == Some(&0x80) && matches!(third, Some(0xa8 | 0xa9)),
            // U+FEFF, U+FFFE, U+FFFF
            _ => matches!(
                (next, third),
                (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
            ),
        }
    })
}

/// `key: rest` at column 0, for a key of letters, digits, `.`, `_` and `-`
/// starting with a letter (and not a YAML word such as `true`).
fn key_of(line: &str) -> Option<(&str, &str)> {
    let end = line.find(':')?;
    let key = &line[..end];
    let mut bytes = key.bytes();
    let first = bytes.next()?;
    if !first.is_ascii_alphabetic()
        || !bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        || key.len() > 512
        || resolves(key)
    {
        return None;
    }
    let rest = &line[end + 1..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((key, rest))
}

/// The value after `key:` (or `- `): empty, a quoted scalar on this line, or
/// a plain scalar without `: ` in it.
fn value_of(rest: &str) -> Option<Raw<'_>> {
    let value = rest.trim_start_matches(' ');
    if value.is_empty() {
        return Some(Raw::Empty);
    }
    let (text, after) = match value.as_bytes()[0] {
        b'"' => {
            let body = &value[1..];
            let close = body.find(['"', '\\'])?;
            if body.as_bytes()[close] == b'\\' {
                return None;
            }
            (body[..close].into(), &body[close + 1..])
        }
        b'\'' => {
            let (text, after) = single_quoted(&value[1..])?;
            (text, after)
        }
        // Indicators that start something other than a plain scalar (or
        // that need a closer look than this reader gives them). A value
        // that starts a flow collection (`[`, `{`) goes to yaml_serde
        // behind the nesting guard; inside a plain scalar of block context
        // (`description: select [Dashboard] and …`, as real DocFX
        // frontmatter writes UI labels) brackets are only text.
        b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
        | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
        _ => {
            // A comment starts at ` #`; `: ` or a final `:` would start a
            // mapping inside the value, which YAML refuses. (The first byte
            // is neither `#` nor `:`.)
            let bytes = value.as_bytes();
            let mut end = value.len();
            for i in memchr::memchr2_iter(b'#', b':', bytes) {
                if bytes[i] == b'#' {
                    if i > 0 && bytes[i - 1] == b' ' {
                        end = i - 1;
                        break;
                    }
                } else if matches!(bytes.get(i + 1), None | Some(b' ')) {
                    return None;
                }
            }
            let text = value[..end].trim_end_matches(' ');
            if text.ends_with(':') {
                return None;
            }
            return Some(Raw::Scalar {
                text: text.into(),
                plain: true,
            });
        }
    };
    // After a quoted scalar: nothing, or a comment after a space.
    let after_trimmed = after.trim_start_matches(' ');
    if !(after_trimmed.is_empty()
        || (after_trimmed.starts_with('#') && after_trimmed.len() < after.len()))
    {
        return None;
    }
    Some(Raw::Scalar { text, plain: false })
}

/// The body of a single-quoted scalar (after the opening quote) with `''`
/// read as `'`, and what follows the closing quote.
fn single_quoted(body: &str) -> Option<(std::borrow::Cow<'_, str>, &str)> {
    let mut owned: Option<String> = None;
    let mut from = 0;
    loop {
        let close = from + body[from..].find('\'')?;
        if body.as_bytes().get(close + 1) == Some(&b'\'') {
            owned
                .get_or_insert_with(String::new)
                .push_str(&body[from..=close]);
            from = close + 2;
            continue;
        }
        let text = match owned {
            Some(mut s) => {
                s.push_str(&body[from..close]);
                s.into()
            }
            None => body[..close].into(),
        };
        return Some((text, &body[close + 1..]));
    }
}

/// True when a plain scalar is a string for yaml_serde: not empty, not a
/// null or boolean word, and not something its integer or float readers
/// could take. Numbers are recognised generously (a radix prefix and its
/// digits, or only digits, `.`, `e`, `E`, `+`, `-`, `_`), so a string that
/// merely looks numeric is left to yaml_serde.
fn surely_string(s: &str) -> bool {
    if s.is_empty() || resolves(s) {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let unsigned = unsigned.strip_prefix(['+', '-']).unwrap_or(unsigned);
    // `0x…`, `0o…`, `0b…` are integers when the rest is digits of the radix
    // (a Git hash such as `0ba3f3…` is not one). Signs and `_` count as
    // digits here, and either case of the prefix, to err on the safe side.
    let radix_digits = |rest: &str, digit: fn(u8) -> bool| {
        rest.bytes()
            .all(|b| digit(b) || matches!(b, b'+' | b'-' | b'_'))
    };
    if let [b'0', prefix, ..] = *unsigned.as_bytes() {
        let rest = unsigned.get(2..).unwrap_or("");
        let number = match prefix.to_ascii_lowercase() {
            b'x' => radix_digits(rest, |b| b.is_ascii_hexdigit()),
            b'o' => radix_digits(rest, |b| matches!(b, b'0'..=b'7')),
            b'b' => radix_digits(rest, |b| matches!(b, b'0' | b'1')),
            _ => false,
        };
        if number {
            return false;
        }
    }
    !s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
}

/// The words YAML's core schema (as yaml_serde reads it) resolves to null,
/// a boolean, infinity or NaN, in any case, with or without a sign: more
/// than yaml_serde takes, which only means giving up more often.
fn resolves(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    s == "~"
        || [
            "null", "true", "false", ".inf", ".nan", "inf", "nan", "infinity",
        ]
        .iter()
        .any(|w| unsigned.eq_ignore_ascii_case(w))
}
