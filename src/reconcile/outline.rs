//! What the cross-locale checks need to know of one parsed article besides
//! its facts: its sections, its segments' health, the line of its date.

use crate::docfx::Document;
use crate::lexicon::Lexicon;

/// A section of an article as the cross-locale checks compare it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SectionRef {
    /// Its anchor, the key that aligns it across locales.
    pub anchor: String,
    /// Its heading text in this locale, for messages.
    pub title: String,
    /// The heading's line.
    pub line: u32,
}

/// A bilingual segment a finding cites.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SegmentRef {
    /// Its `data-ttu-id`.
    pub id: String,
    /// The line its target starts on.
    pub line: u32,
    /// Anchor of the section it is in; `None` before the first heading.
    pub section: Option<String>,
    /// Its target text, trimmed.
    pub text: String,
}

/// A bilingual segment whose target and source disagree on numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NumberMismatch {
    /// The segment, with its target text.
    pub segment: SegmentRef,
    /// Its source text, trimmed.
    pub source: String,
    /// Numbers the source text states (read through the source locale's
    /// lexicon, else digits), in order.
    pub source_numbers: Vec<u32>,
    /// Numbers the target text states (read through this locale's lexicon, else
    /// digits), in order.
    pub target_numbers: Vec<u32>,
}

/// One article's outline: what the cross-locale checks compare besides facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outline {
    /// Its sections, in file order.
    pub sections: Vec<SectionRef>,
    /// How many bilingual segments it has.
    pub segments: usize,
    /// Segments whose target repeats the source (only in a locale of another
    /// language than the source).
    pub untranslated: Vec<SegmentRef>,
    /// Segments whose target and source state different numbers.
    pub number_mismatches: Vec<NumberMismatch>,
    /// Line of the frontmatter key that dates the file (`ms.date`, else
    /// `ms.lasthandoff`), 0 when there is none.
    pub date_line: u32,
}

/// Outline one article. `own` reads the target side's number words,
/// `source` the source side's; `translated` is false for a locale of the
/// source language, where a target equal to its source is expected.
pub fn outline(
    doc: &Document,
    text: &str,
    own: Option<&Lexicon>,
    source: Option<&Lexicon>,
    translated: bool,
) -> Outline {
    let sections = doc
        .sections
        .iter()
        .map(|s| SectionRef {
            anchor: s.anchor.clone(),
            title: s.title.text.clone(),
            line: s.pos.line,
        })
        .collect();
    // The section of a line: the last of the sections before the first that
    // starts after it. That first one is where the running maximum of the
    // start lines first passes the line, found by binary search on the
    // running maximum (sorted, unlike the lines if a section had none).
    let mut highest = 0;
    let running_max: Vec<u32> = doc
        .sections
        .iter()
        .map(|s| {
            highest = highest.max(s.pos.line);
            highest
        })
        .collect();
    let section_of = |line: u32| {
        let end = running_max.partition_point(|&m| m <= line);
        end.checked_sub(1)
            .and_then(|i| doc.sections.get(i))
            .map(|s| s.anchor.clone())
    };
    let mut untranslated = Vec::new();
    let mut number_mismatches = Vec::new();
    for seg in &doc.segments {
        let Some(src) = seg.source.as_deref() else {
            continue;
        };
        let reference = || SegmentRef {
            id: seg.id.clone(),
            line: seg.pos.line,
            section: section_of(seg.pos.line),
            text: seg.target.trim().to_owned(),
        };
        if seg.is_untranslated() {
            if translated {
                untranslated.push(reference());
            }
            continue;
        }
        let target_numbers = numbers(own, &seg.target);
        let source_numbers = numbers(source, src);
        if target_numbers != source_numbers {
            number_mismatches.push(NumberMismatch {
                segment: reference(),
                source: src.trim().to_owned(),
                source_numbers,
                target_numbers,
            });
        }
    }
    Outline {
        sections,
        segments: doc.segments.len(),
        untranslated,
        number_mismatches,
        date_line: key_line(text, "ms.date")
            .or_else(|| key_line(text, "ms.lasthandoff"))
            .unwrap_or(0),
    }
}

/// Numbers in a text: with a lexicon, digits and number words; without one,
/// digits only.
fn numbers(lexicon: Option<&Lexicon>, text: &str) -> Vec<u32> {
    match lexicon {
        Some(lex) => lex.numbers_in(text),
        None => crate::lexicon::digits_in(text),
    }
}

/// The line of a top-level frontmatter key.
fn key_line(text: &str, key: &str) -> Option<u32> {
    let end = text
        .get(3..)
        .and_then(|t| t.find("\n---"))
        .map_or(0, |e| e + 3);
    text[..end]
        .lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_date_key() {
        let text = "---\ntitle: x\nms.date: 11/20/2019\n---\nbody ms.date: no\n";
        assert_eq!(key_line(text, "ms.date"), Some(3));
        assert_eq!(key_line(text, "ms.lasthandoff"), None);
    }
}
