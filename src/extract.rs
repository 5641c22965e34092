//! Rule facts from the document model, driven by locale data only.
//!
//! Facts are found by structure first (the alert that holds a market list, the
//! notes of a section, the numbered steps, the nested list of a step) and by
//! words second (the lexicon's cues and terms). A bilingual file is read
//! through its English source segments with the source locale's lexicon, so a
//! locale with no lexicon still yields its facts; its target side is read too
//! when the locale has a lexicon, and disagreements are recorded.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::diag::{Diagnostic, Location};
use crate::docfx::{AlertKind, Block, Document, Item, Pos, Segment, Text};
use crate::lexicon::{Cue, Lexicon, LocaleData, NumberError, NumberProblem, Screen};
use crate::rules::{
    CancellationWindow, FieldList, Kind, LinkLimits, MarketList, Provenance, RoleRequirement,
    SavingsClaim, UnavailableMarkets, Value,
};

/// Which reading of a bilingual text to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The source-language segments (English).
    Source,
    /// What readers of the locale see.
    Target,
}

/// One fact as one locale states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fact {
    /// The fact's local id (`cancellation-window`): with the article and
    /// section it makes the rule id.
    pub rule: String,
    /// What the locale states.
    #[serde(with = "crate::rules::tagged")]
    pub value: Value,
    /// Where it states it.
    pub source: Provenance,
}

impl Fact {
    /// The kind of the value (what the validator asks of it).
    pub fn kind(&self) -> Kind {
        self.value.kind()
    }
}

/// A numbered procedure of one locale.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProcedureFact {
    /// Anchor of the section the procedure is in.
    pub section: String,
    /// That section's heading text.
    pub title: String,
    /// The numbered steps, with their UI labels.
    pub steps: Vec<crate::rules::Step>,
    /// Ids of the roles the section says may follow it; empty when it names
    /// none.
    pub requires_role: Vec<String>,
    /// Line where the numbered list starts.
    pub line: u32,
}

/// A product named in the text, as written (for the terminology check).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermUse {
    /// Id of the product in the lexicon.
    pub product: String,
    /// The name as the text wrote it.
    pub name: String,
    /// The lexicon lists this name as an older one.
    pub superseded: bool,
    /// Where it is written.
    pub source: Provenance,
}

/// What one article of one locale states.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Extraction {
    /// Facts stated, in file order.
    pub facts: Vec<Fact>,
    /// Numbered procedures, in file order.
    pub procedures: Vec<ProcedureFact>,
    /// First use of each product name, in file order.
    pub terms: Vec<TermUse>,
    /// Bilingual files: facts whose target reading differs from the source.
    pub target_disagreements: Vec<(Fact, Fact)>,
    /// Its facts were not read (no lexicon for its language, a `no-lexicon`
    /// warning): that it states no fact says nothing of what it states, so
    /// no `missing-fact` is reported for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unread: bool,
    /// Not in the cached analysis: the article's cache entry keeps its
    /// warnings (`cache::ArticleMeta::warnings`), said every build.
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

/// A sentence with its place: what extraction reads. The text borrows from
/// the document unless markup had to be stripped.
#[derive(Debug, Clone)]
struct Sentence<'a> {
    text: Cow<'a, str>,
    line: u32,
    segment: Option<&'a str>,
    section: usize,
    /// Index of the alert it is in, counted through the document.
    alert: Option<usize>,
    /// Which of the lexicon's regexes may match `text` (one pass, at
    /// collection), so each check below runs only the regexes that can.
    screen: Screen,
    /// The paragraph or segment it was read from, to locate a number in it.
    place: Place<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Place<'a> {
    /// `text` is a slice of this text's reading.
    Text(&'a Text),
    /// `text` is this segment's source or target, markup stripped.
    Segment(&'a Segment),
}

struct Reader<'a> {
    doc: &'a Document,
    side: Side,
    lex: &'a Lexicon,
    data: &'a LocaleData,
    /// English names are a last resort in any locale: translations leave
    /// market names untranslated.
    fallback: &'a LocaleData,
    sentences: Vec<Sentence<'a>>,
    alerts: Vec<(usize, AlertKind, &'a [Block])>,
    /// Segments by id (the first of an id wins, as with `Document::segment`).
    segments: &'a FxHashMap<&'a str, &'a Segment>,
    diagnostics: Vec<Diagnostic>,
    origin: Origin,
    /// The article's text, when the caller has it: locates a bad number
    /// exactly (the model keeps only where each paragraph starts).
    file: Option<&'a str>,
    /// The article's id, when the caller knows it (see `extract_article`).
    article: Option<&'a str>,
}

/// The strings every provenance of one article repeats, allocated once and
/// shared: a big build holds hundreds of thousands of provenances (facts,
/// rules, findings), and these strings were most of their weight.
struct Origin {
    locale: Arc<str>,
    path: Arc<str>,
    /// Section anchors, by section index.
    anchors: Vec<Arc<str>>,
}

/// Extract the facts of one parsed article.
///
/// `own` is the data of the article's locale, `source` that of the source
/// locale (the English lexicon that reads bilingual source segments).
pub fn extract(doc: &Document, locale: &str, own: &LocaleData, source: &LocaleData) -> Extraction {
    extract_from(doc, None, None, locale, own, source)
}

/// [`extract`] given the article's text too, which `doc` was parsed from: a
/// number that cannot be read (`number-out-of-range`) is then located at its
/// own line and column, not at the start of its paragraph.
pub fn extract_located(
    doc: &Document,
    text: &str,
    locale: &str,
    own: &LocaleData,
    source: &LocaleData,
) -> Extraction {
    extract_from(doc, Some(text), None, locale, own, source)
}

/// [`extract_located`] for the article `article` (its path under the
/// locale folder, without extension: the id its roles lines' actions are
/// named by). Without it, the article is the file's path without its
/// extension.
pub fn extract_article(
    doc: &Document,
    text: &str,
    article: &str,
    locale: &str,
    own: &LocaleData,
    source: &LocaleData,
) -> Extraction {
    extract_from(doc, Some(text), Some(article), locale, own, source)
}

fn extract_from(
    doc: &Document,
    file: Option<&str>,
    article: Option<&str>,
    locale: &str,
    own: &LocaleData,
    source: &LocaleData,
) -> Extraction {
    let mut out = Extraction::default();
    let plan: Vec<(Side, &LocaleData)> = if doc.is_bilingual() {
        let mut p = vec![(Side::Source, source)];
        if own.lexicon.is_some() && own.locale != source.locale {
            p.push((Side::Target, own));
        }
        p
    } else {
        vec![(Side::Target, own)]
    };
    // Looking segments up by id through the document's list would make
    // reading a bilingual file quadratic in its segments.
    let mut segments: FxHashMap<&str, &Segment> = FxHashMap::default();
    for seg in &doc.segments {
        segments.entry(seg.id.as_str()).or_insert(seg);
    }
    let mut readings = Vec::new();
    for (side, data) in plan {
        let Some(lex) = data.lexicon.as_ref() else {
            // the first reading is the one whose facts count
            out.unread |= readings.is_empty();
            out.diagnostics.push(
                Diagnostic::warning(
                    "no-lexicon",
                    format!(
                        "no lexicon for locale `{}`: its facts are not read",
                        data.locale
                    ),
                )
                .at(Location::file(&doc.path))
                .with_help(format!(
                    "add locales/{}/lexicon.toml (see docs/lexicon.md)",
                    data.locale
                )),
            );
            continue;
        };
        let mut reader = Reader::new(doc, locale, side, lex, data, source, &segments);
        reader.file = file;
        reader.article = article;
        let facts = reader.facts();
        let procedures = reader.procedures(&facts);
        let terms = reader.terms();
        readings.push((side, facts, procedures, terms, reader.diagnostics));
    }
    let mut readings = readings.into_iter();
    if let Some((_, facts, procedures, terms, diagnostics)) = readings.next() {
        out.facts = facts;
        out.procedures = procedures;
        out.terms = terms;
        out.diagnostics.extend(diagnostics);
    }
    // The target reading of a bilingual file: compare, never replace. Its
    // errors are the source reading's again, except a number stated in the
    // translation alone: that one must not pass silently either.
    if let Some((_, target_facts, _, _, diagnostics)) = readings.next() {
        // A warning about the file's structure (a roles line without
        // roles) is the same on both sides: reported once.
        for d in diagnostics {
            if (!d.is_error() || NUMBER_CODES.contains(&d.code)) && !out.diagnostics.contains(&d) {
                out.diagnostics.push(d);
            }
        }
        for t in target_facts {
            if let Some(s) = out.facts.iter().find(|s| s.rule == t.rule)
                && s.value != t.value
            {
                out.target_disagreements.push((s.clone(), t));
            }
        }
    }
    out
}

impl<'a> Reader<'a> {
    fn new(
        doc: &'a Document,
        locale: &'a str,
        side: Side,
        lex: &'a Lexicon,
        data: &'a LocaleData,
        fallback: &'a LocaleData,
        segments: &'a FxHashMap<&'a str, &'a Segment>,
    ) -> Self {
        let mut reader = Reader {
            doc,
            side,
            lex,
            data,
            fallback,
            sentences: Vec::new(),
            alerts: Vec::new(),
            segments,
            diagnostics: Vec::new(),
            file: None,
            article: None,
            origin: Origin {
                locale: locale.into(),
                path: doc.path.as_str().into(),
                anchors: doc
                    .sections
                    .iter()
                    .map(|s| s.anchor.as_str().into())
                    .collect(),
            },
        };
        reader.collect();
        reader
    }

    fn read(side: Side, text: &Text) -> &str {
        match side {
            Side::Source => text.source_or_text(),
            Side::Target => &text.text,
        }
    }

    fn provenance(&self, line: u32, segment: Option<&str>, section: usize) -> Provenance {
        Provenance {
            column: None,
            locale: self.origin.locale.clone(),
            path: self.origin.path.clone(),
            line,
            segment: segment.map(str::to_owned),
            section: self.origin.anchors.get(section).cloned(),
        }
    }

    /// Flatten the document into sentences, remembering section and alert.
    fn collect(&mut self) {
        let doc = self.doc;
        for (si, section) in doc.sections.iter().enumerate() {
            let mut stack: Vec<(&Block, Option<usize>)> =
                section.blocks.iter().rev().map(|b| (b, None)).collect();
            while let Some((block, alert)) = stack.pop() {
                let alert = match block {
                    Block::Alert { kind, blocks, .. } => {
                        self.alerts.push((si, *kind, blocks));
                        Some(self.alerts.len() - 1)
                    }
                    _ => alert,
                };
                for text in block.texts() {
                    self.push_sentences(text, si, alert);
                }
                let children: Vec<&Block> = match block {
                    Block::Alert { blocks, .. } | Block::Quote { blocks, .. } => {
                        blocks.iter().collect()
                    }
                    Block::Procedure { steps: items, .. } | Block::List { items, .. } => {
                        items.iter().flat_map(|i| i.blocks.iter()).collect()
                    }
                    _ => Vec::new(),
                };
                stack.extend(children.into_iter().rev().map(|b| (b, alert)));
            }
        }
    }

    fn push_sentences(&mut self, text: &'a Text, section: usize, alert: Option<usize>) {
        if self.doc.is_bilingual() && !text.segments.is_empty() {
            for id in &text.segments {
                let Some(seg) = self.segments.get(id.as_str()) else {
                    continue;
                };
                let s = match self.side {
                    Side::Source => seg.source.as_deref().unwrap_or(&seg.target),
                    Side::Target => &seg.target,
                };
                let text = strip_markup(s);
                self.sentences.push(Sentence {
                    screen: self.lex.screen(&text),
                    text,
                    line: seg.pos.line,
                    segment: Some(seg.id.as_str()),
                    section,
                    alert,
                    place: Place::Segment(seg),
                });
            }
            return;
        }
        for s in split_sentences(Self::read(self.side, text)) {
            self.sentences.push(Sentence {
                text: Cow::Borrowed(s),
                line: text.pos.line,
                segment: None,
                section,
                alert,
                screen: self.lex.screen(s),
                place: Place::Text(text),
            });
        }
    }

    fn facts(&mut self) -> Vec<Fact> {
        let mut facts = Vec::new();
        self.unavailable_markets(&mut facts);
        self.tax_inclusive(&mut facts);
        self.roles(&mut facts);
        self.roles_lines(&mut facts);
        self.link_limits(&mut facts);
        self.cancellation(&mut facts);
        self.request_fields(&mut facts);
        self.savings(&mut facts);
        facts
    }

    fn resolve_market(&mut self, name: &str, line: u32, col: u32) -> Option<String> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        if let Some(code) = self
            .data
            .markets
            .resolve(name)
            .or_else(|| self.fallback.markets.resolve(name))
        {
            return Some(code.to_owned());
        }
        self.diagnostics.push(
            Diagnostic::error("unknown-market", format!("`{name}` is not a market name rulebook knows"))
                .at(Location::new(&self.doc.path, line, col))
                .with_help(format!(
                    "fix the name, or add `{name}<TAB>CODE` to locales/{}/markets.tsv if it is another name of a real market",
                    self.data.locale
                )),
        );
        None
    }

    /// The alert whose lead sentence says a product is unavailable, and the
    /// list or table inside it.
    fn unavailable_markets(&mut self, facts: &mut Vec<Fact>) {
        let alerts = self.alerts.clone();
        for (ai, (section, _, blocks)) in alerts.iter().enumerate() {
            let Some(cue) = self
                .sentences
                .iter()
                .find(|s| {
                    s.alert == Some(ai) && self.lex.cue(s.screen, Cue::UnavailableMarkets, &s.text)
                })
                .cloned()
            else {
                continue;
            };
            let Some(product) = self
                .lex
                .products
                .first(cue.screen, &cue.text)
                .map(str::to_owned)
            else {
                continue;
            };
            let mut names: Vec<(String, u32, u32)> = Vec::new();
            for block in blocks.iter() {
                match block {
                    Block::List { items, .. } => names.extend(items.iter().map(|i: &Item| {
                        (
                            Self::read(self.side, &i.text).to_owned(),
                            i.text.pos.line,
                            i.text.pos.col,
                        )
                    })),
                    Block::Table { rows, .. } => {
                        for cell in rows.iter().flatten() {
                            names.push((
                                Self::read(self.side, cell).to_owned(),
                                cell.pos.line,
                                cell.pos.col,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            if names.is_empty() {
                continue;
            }
            let mut markets = BTreeSet::new();
            for (name, line, col) in names {
                if let Some(code) = self.resolve_market(&name, line, col) {
                    markets.insert(code);
                }
            }
            let rule = format!("{product}-unavailable-markets");
            if facts.iter().any(|f: &Fact| f.rule == rule) {
                continue;
            }
            facts.push(Fact {
                rule,
                value: Value::UnavailableMarkets(UnavailableMarkets {
                    product,
                    markets: markets.into_iter().collect(),
                }),
                source: self.provenance(cue.line, cue.segment, *section),
            });
        }
    }

    fn tax_inclusive(&mut self, facts: &mut Vec<Fact>) {
        let mut markets = BTreeSet::new();
        let mut first: Option<&Sentence> = None;
        for s in &self.sentences {
            if !self.lex.cue(s.screen, Cue::TaxInclusive, &s.text) {
                continue;
            }
            let mut found = self.data.markets.scan(&s.text);
            if found.is_empty() {
                found = self.fallback.markets.scan(&s.text);
            }
            if found.is_empty() {
                continue;
            }
            first.get_or_insert(s);
            markets.extend(found);
        }
        if let Some(s) = first {
            facts.push(Fact {
                rule: "tax-inclusive-markets".to_owned(),
                value: Value::TaxInclusiveMarkets(MarketList {
                    markets: markets.into_iter().collect(),
                }),
                source: self.provenance(s.line, s.segment, s.section),
            });
        }
    }

    /// Notes that say which role an action needs.
    fn roles(&mut self, facts: &mut Vec<Fact>) {
        for s in &self.sentences {
            if s.alert.is_none() || !self.lex.cue(s.screen, Cue::RoleRequired, &s.text) {
                continue;
            }
            let roles: Vec<String> = self
                .lex
                .roles
                .find_all(s.screen, &s.text)
                .into_iter()
                .map(str::to_owned)
                .collect();
            if roles.is_empty() {
                continue;
            }
            let mut roles = roles;
            roles.sort();
            for action in self.lex.actions.find_all(s.screen, &s.text) {
                let rule = format!("{action}-role");
                if facts.iter().any(|f| f.rule == rule) {
                    continue;
                }
                facts.push(Fact {
                    rule,
                    value: Value::RoleRequirement(RoleRequirement {
                        action: action.to_owned(),
                        any_of_roles: roles.clone(),
                    }),
                    source: self.provenance(s.line, s.segment, s.section),
                });
            }
        }
    }

    /// Roles lines: a paragraph or heading that starts with the locale's
    /// roles label, the roles after a separator on the same line or in the
    /// list right after it. Each gives the role requirement of the section
    /// it stands in (the article's top before the first H2), its action the
    /// article's path and that section's anchor.
    fn roles_lines(&mut self, facts: &mut Vec<Fact>) {
        if self.lex.role_names.labels.is_empty() {
            return;
        }
        let doc = self.doc;
        // Sections before the first H2 (the H1 and what precedes it) are the
        // article's top.
        let first_h2 = doc
            .sections
            .iter()
            .position(|s| s.level == 2)
            .unwrap_or(doc.sections.len());
        let owner_of = |si: usize| (si >= first_h2 && doc.sections[si].level >= 2).then_some(si);
        for (si, section) in doc.sections.iter().enumerate() {
            let title = Self::read(self.side, &section.title);
            if let Some(inline) = self.roles_label(title) {
                // A heading "Appropriate roles": the requirement is the
                // enclosing section's, its roles the list the heading holds.
                let owner = (0..si)
                    .rev()
                    .find(|&p| doc.sections[p].level < section.level)
                    .and_then(owner_of);
                let list = section.blocks.first();
                self.roles_line(facts, &section.title, inline, list, owner);
            }
            for (bi, block) in section.blocks.iter().enumerate() {
                let Block::Paragraph { text } = block else {
                    continue;
                };
                if let Some(inline) = self.roles_label(Self::read(self.side, text)) {
                    let list = section.blocks.get(bi + 1);
                    self.roles_line(facts, text, inline, list, owner_of(si));
                }
            }
        }
    }

    /// When `text` is a roles line, what follows its label and separator
    /// (empty when the roles are in a list below).
    fn roles_label(&self, text: &str) -> Option<String> {
        // emphasis marks can survive in old bilingual source spans
        let plain: String = text.chars().filter(|&c| c != '*').collect();
        let plain = plain.trim_start_matches(|c: char| c == '_' || c.is_whitespace());
        let rest = self
            .lex
            .role_names
            .labels
            .iter()
            .find_map(|label| strip_label(plain, label))?;
        let rest = rest.trim_start_matches(|c: char| c == '_' || c.is_whitespace());
        if rest.is_empty() {
            return Some(String::new());
        }
        // "Appropriate roles: …", "– …", "| …"; anything else ("… are
        // assigned by …") is a sentence about roles, not a roles line
        let after = rest.strip_prefix(LABEL_SEPARATORS)?;
        Some(after.trim().to_owned())
    }

    /// One roles line: its roles, resolved through `roles.tsv` (unknown
    /// names are warnings), become the requirement of `owner`.
    fn roles_line(
        &mut self,
        facts: &mut Vec<Fact>,
        line: &'a Text,
        inline: String,
        list: Option<&'a Block>,
        owner: Option<usize>,
    ) {
        let mut names: Vec<(String, u32, u32)> = Vec::new();
        let unread = inline.is_empty() && !matches!(list, Some(Block::List { .. }));
        if inline.is_empty() {
            if let Some(Block::List { items, .. }) = list {
                for item in items {
                    names.push((
                        Self::read(self.side, &item.text).to_owned(),
                        item.text.pos.line,
                        item.text.pos.col,
                    ));
                }
            }
        } else {
            for part in self.split_roles(&inline) {
                names.push((part.to_owned(), line.pos.line, line.pos.col));
            }
        }
        let mut roles = BTreeSet::new();
        for (name, at_line, col) in names {
            let name = name
                .trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_' | '.' | ';'))
                .to_owned();
            if name.is_empty() {
                continue;
            }
            match self.resolve_roles(&name) {
                Some(ids) => roles.extend(ids),
                None => self.diagnostics.push(
                    Diagnostic::warning(
                        "unknown-role",
                        format!("`{name}` in a roles line is not a role name rulebook knows"),
                    )
                    .at(Location::new(&self.doc.path, at_line, col))
                    .with_help(format!(
                        "correct the name, or add `{name}<TAB>role-id` to locales/{}/roles.tsv (the id: the official English role name in kebab-case, singular, e.g. global-admin)",
                        self.data.locale
                    )),
                ),
            }
        }
        if roles.is_empty() {
            if unread {
                // a label over prose ("All logged in users can …"): say so
                // rather than pass over it as if there were no roles line
                self.diagnostics.push(
                    Diagnostic::warning(
                        "roles-line-unread",
                        "a roles line names no roles: no list follows it and nothing follows its label",
                    )
                    .at(Location::new(&self.doc.path, line.pos.line, line.pos.col))
                    .with_help(
                        "list the roles below the label (`- Global admin`) or after it on the line (`**Appropriate roles**: Admin agent | Global admin`)",
                    ),
                );
            }
            return;
        }
        let article = match self.article {
            Some(a) => a.to_owned(),
            None => article_of(&self.doc.path),
        };
        let anchor = owner.and_then(|o| self.origin.anchors.get(o).cloned());
        let action = crate::rules::action_id(&article, anchor.as_deref());
        // two roles lines of one section name the roles of one task
        if let Some(Value::RoleRequirement(r)) = facts
            .iter_mut()
            .find(|f| f.rule == ROLES_LINE_RULE && f.source.section == anchor)
            .map(|f| &mut f.value)
        {
            roles.extend(r.any_of_roles.drain(..));
            r.any_of_roles = roles.into_iter().collect();
            return;
        }
        facts.push(Fact {
            rule: ROLES_LINE_RULE.to_owned(),
            value: Value::RoleRequirement(RoleRequirement {
                action,
                any_of_roles: roles.into_iter().collect(),
            }),
            source: Provenance {
                locale: self.origin.locale.clone(),
                path: self.origin.path.clone(),
                line: line.pos.line,
                column: None,
                segment: line.segments.first().cloned(),
                section: anchor,
            },
        });
    }

    /// The roles a name stands for: the name whole, else each of its parts
    /// joined by the locale's separators ("Primary contact or program
    /// admin"); `None` when any part is unknown.
    fn resolve_roles(&self, name: &str) -> Option<Vec<String>> {
        let names = &self.lex.role_names;
        if let Some(id) = names.resolve(name) {
            return Some(vec![id.to_owned()]);
        }
        let parts = self.split_roles(name);
        if parts.len() < 2 {
            return None;
        }
        parts
            .iter()
            .map(|p| names.resolve(p.trim()).map(str::to_owned))
            .collect()
    }

    /// `text` cut at every separator of the locale's `[roles-line]`
    /// (matched ignoring case), empty parts dropped.
    fn split_roles<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let lower = text.to_lowercase();
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        // the lower-cased text has the same byte offsets only when lower-
        // casing kept every length; otherwise split on the text as written
        let hay = if lower.len() == text.len() {
            lower.as_str()
        } else {
            text
        };
        for sep in &self.lex.role_names.separators {
            cuts.extend(
                hay.match_indices(sep.as_str())
                    .map(|(i, m)| (i, i + m.len())),
            );
        }
        cuts.sort_unstable();
        let mut out = Vec::new();
        let mut from = 0;
        for (start, end) in cuts {
            if start < from {
                continue;
            }
            out.push(&text[from..start]);
            from = end;
        }
        out.push(&text[from..]);
        out.into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }

    fn link_limits(&mut self, facts: &mut Vec<Fact>) {
        for (at, s) in self.sentences.iter().enumerate() {
            if !self.lex.cue(s.screen, Cue::LinkExpiry, &s.text) {
                continue;
            }
            let read = self
                .lex
                .duration_days(s.screen, &s.text)
                .and_then(|days| Ok((days, self.lex.count(s.screen, &s.text)?)));
            let (days, downloads) = match read {
                Ok((Some(days), Some(downloads))) => (days, downloads),
                Ok(_) => continue,
                // The sentence states the limits unreadably: an error, and
                // no other sentence's numbers in its place.
                Err(e) => return self.number_error(at, &e, "the download link's limits"),
            };
            let renewable = self
                .sentences
                .iter()
                .filter(|o| o.section == s.section && (s.alert.is_none() || o.alert == s.alert))
                .any(|o| self.lex.cue(o.screen, Cue::Renewable, &o.text));
            facts.push(Fact {
                rule: "download-link-limits".to_owned(),
                value: Value::LinkLimits(LinkLimits {
                    valid_days: days,
                    max_downloads: downloads,
                    renewable,
                }),
                source: self.provenance(s.line, s.segment, s.section),
            });
            return;
        }
    }

    fn cancellation(&mut self, facts: &mut Vec<Fact>) {
        for (at, s) in self.sentences.iter().enumerate() {
            if !self.lex.cue(s.screen, Cue::Cancellation, &s.text) {
                continue;
            }
            let days = match self.lex.duration_days(s.screen, &s.text) {
                Ok(Some(days)) => days,
                Ok(None) => continue,
                Err(e) => return self.number_error(at, &e, "the cancellation window"),
            };
            // The fee is stated next to the window; a text silent on it is read
            // as "a fee may apply", the reading that promises nothing.
            let no_fee = self
                .sentences
                .iter()
                .filter(|o| o.section == s.section)
                .any(|o| self.lex.cue(o.screen, Cue::NoFee, &o.text));
            facts.push(Fact {
                rule: "cancellation-window".to_owned(),
                value: Value::CancellationWindow(CancellationWindow {
                    days,
                    early_termination_fee: !no_fee,
                }),
                source: self.provenance(s.line, s.segment, s.section),
            });
            return;
        }
    }

    /// A list whose items name the fields of a cancellation request.
    fn request_fields(&mut self, facts: &mut Vec<Fact>) {
        let doc = self.doc;
        for (si, section) in doc.sections.iter().enumerate() {
            for block in section.walk() {
                let Block::List { items, pos } = block else {
                    continue;
                };
                let mut fields = BTreeSet::new();
                let mut matched = 0;
                for item in items {
                    let text = Self::read(self.side, &item.text);
                    let found = self.lex.fields.find_all(Screen::ALL, text);
                    if !found.is_empty() {
                        matched += 1;
                    }
                    fields.extend(found.into_iter().map(str::to_owned));
                }
                if matched < 2 {
                    continue;
                }
                let segment = items
                    .first()
                    .and_then(|i| i.text.segments.first())
                    .map(String::as_str);
                facts.push(Fact {
                    rule: "cancellation-request-fields".to_owned(),
                    value: Value::CancellationRequestFields(FieldList {
                        fields: fields.into_iter().collect(),
                    }),
                    source: self.provenance(pos.line, segment, si),
                });
                return;
            }
        }
    }

    fn savings(&mut self, facts: &mut Vec<Fact>) {
        for (at, s) in self.sentences.iter().enumerate() {
            let Some(program) = self.lex.programs.first(s.screen, &s.text) else {
                continue;
            };
            if !self.lex.cue(s.screen, Cue::Savings, &s.text) {
                continue;
            }
            let percent = match self.lex.percent(s.screen, &s.text) {
                Ok(Some(percent)) => percent,
                Ok(None) => continue,
                Err(e) => return self.number_error(at, &e, "the savings claim"),
            };
            facts.push(Fact {
                rule: format!("{program}-savings"),
                value: Value::SavingsClaim(SavingsClaim {
                    program: program.to_owned(),
                    max_percent: percent,
                }),
                source: self.provenance(s.line, s.segment, s.section),
            });
            return;
        }
    }

    /// Report a number of sentence `at` that cannot be taken as written.
    fn number_error(&mut self, at: usize, e: &NumberError, what: &str) {
        let (line, col) = self.locate(at, e);
        let max = crate::rules::MAX_DURATION_DAYS;
        let diagnostic = match e.problem {
            NumberProblem::OutOfRange => Diagnostic::error(
                NUMBER_OUT_OF_RANGE,
                format!("{what}: {}", e.message),
            )
            .with_help(format!(
                "correct the number: rulebook reads a duration of at most {max} days (100 years) and a count or percentage of at most {}",
                u32::MAX
            )),
            NumberProblem::Unreadable => {
                Diagnostic::error(NUMBER_UNREADABLE, format!("{what}: {}", e.message))
                    .with_help("write the number as whole digits, ASCII (0-9) or full-width (０-９), with no separator or fraction")
            }
        };
        self.diagnostics
            .push(diagnostic.at(Location::new(&self.doc.path, line, col)));
    }

    /// Line and column of the number `e` in the file: found in the
    /// paragraph's or segment's own span of the article text (the same
    /// occurrence of the same token), else reckoned from where the paragraph
    /// starts (exact for a paragraph on one line).
    fn locate(&self, at: usize, e: &NumberError) -> (u32, u32) {
        let Some(s) = self.sentences.get(at) else {
            return (1, 1);
        };
        let (pos, reading, region): (Pos, &str, Option<(usize, usize)>) = match s.place {
            Place::Text(t) => (t.pos, Self::read(self.side, t), None),
            Place::Segment(seg) => {
                let raw = match (self.side, &seg.source) {
                    (Side::Source, Some(_)) => seg.raw.source,
                    _ => seg.raw.target,
                };
                (seg.pos, &*s.text, Some(raw))
            }
        };
        // where the number is in the reading: a sentence of a paragraph is
        // a slice of it
        let sentence_at = match s.place {
            Place::Text(_) => (s.text.as_ptr() as usize)
                .checked_sub(reading.as_ptr() as usize)
                .filter(|&d| d <= reading.len())
                .unwrap_or(0),
            Place::Segment(_) => 0,
        };
        let in_reading = sentence_at + e.span.start;
        // What follows the number (its unit, say) tells it from the same
        // digits elsewhere, e.g. in a link's URL, which the reading lacks.
        let after: String = reading
            .get(in_reading + e.text.len()..)
            .unwrap_or_default()
            .chars()
            .take(6)
            .collect();
        if let Some(file) = self.file {
            let (start, end) = region.unwrap_or((offset_of(file, pos), file.len()));
            let span = file.get(start..end).unwrap_or_default();
            for context in [after.as_str(), ""] {
                let nth = token_starts(reading, &e.text, context)
                    .take_while(|&i| i < in_reading)
                    .count();
                if let Some(found) = token_starts(span, &e.text, context).nth(nth) {
                    return crate::position::LineIndex::new(file).line_col(file, start + found);
                }
            }
        }
        match s.place {
            Place::Text(_) => {
                let before = reading.get(..in_reading).unwrap_or_default();
                (pos.line, pos.col + before.chars().count() as u32)
            }
            Place::Segment(_) => (pos.line, pos.col),
        }
    }

    /// The first use of each product name.
    fn terms(&self) -> Vec<TermUse> {
        let mut out: Vec<TermUse> = Vec::new();
        // the folded name of each entry of `out`, folded once
        let mut seen: Vec<String> = Vec::new();
        for s in &self.sentences {
            for (product, name) in self.lex.products.find_matches(s.screen, &s.text) {
                // one finding per name, whatever its capitalisation
                let folded = crate::lexicon::normalize_name(name);
                if out
                    .iter()
                    .zip(&seen)
                    .any(|(t, f)| t.product == product && *f == folded)
                {
                    continue;
                }
                seen.push(folded);
                out.push(TermUse {
                    product: product.to_owned(),
                    name: name.to_owned(),
                    superseded: self.lex.is_superseded(product, name),
                    source: self.provenance(s.line, s.segment, s.section),
                });
            }
        }
        out
    }

    /// Every numbered procedure, with the roles its section's notes require.
    fn procedures(&self, facts: &[Fact]) -> Vec<ProcedureFact> {
        let mut out = Vec::new();
        for (si, section) in self.doc.sections.iter().enumerate() {
            let mut roles: BTreeSet<String> = BTreeSet::new();
            for f in facts {
                if let Value::RoleRequirement(r) = &f.value
                    && f.source.section.as_deref() == Some(section.anchor.as_str())
                {
                    roles.extend(r.any_of_roles.iter().cloned());
                }
            }
            for block in section.walk() {
                let Block::Procedure { steps, pos } = block else {
                    continue;
                };
                out.push(ProcedureFact {
                    section: section.anchor.clone(),
                    title: self.doc.sections[si].title.text.clone(),
                    steps: steps
                        .iter()
                        .map(|step| crate::rules::Step {
                            n: step.n.unwrap_or(0),
                            text: step.text.text.clone(),
                            ui: step.text.labels.iter().map(|l| l.text.clone()).collect(),
                            line: step.pos.line,
                        })
                        .collect(),
                    requires_role: roles.iter().cloned().collect(),
                    line: pos.line,
                });
            }
        }
        out
    }
}

/// Segment texts keep Markdown emphasis markers out: the parser already gives
/// plain text, but `*` can survive in source spans of older files. White
/// space is folded to single spaces and trimmed. Most segments need neither,
/// and are borrowed as they are.
fn strip_markup(s: &str) -> Cow<'_, str> {
    if is_plain(s) {
        return Cow::Borrowed(s);
    }
    let t: String = s.chars().filter(|&c| c != '*').collect();
    Cow::Owned(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// No `*`, no white space at either end, and white space only as single
/// ASCII spaces: what `strip_markup` would return unchanged. Vector
/// searches (the parser's fold check) rather than a walk over every
/// character: this runs for every segment of every bilingual file.
fn is_plain(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr(b'*', bytes).is_none()
        && bytes.first().is_none_or(|&b| b != b' ')
        && bytes.last().is_none_or(|&b| b != b' ')
        && crate::docfx::is_folded(s)
}

/// The local id of a roles line's requirement: with the article (and the
/// section, when the article has roles lines in several) it makes the rule
/// id, `partner-center/activity-logs/roles`.
pub const ROLES_LINE_RULE: &str = "roles";

/// `text` after `label` (folded: lower case, single spaces) when it starts
/// with it, ignoring case and matching any run of white space to a space;
/// the rest keeps its case, for the names it holds.
fn strip_label<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    let mut chars = text.char_indices().peekable();
    for l in label.chars() {
        if l == ' ' {
            chars.next_if(|(_, c)| c.is_whitespace())?;
            while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        } else {
            let (_, c) = chars.next()?;
            if !c.to_lowercase().eq(std::iter::once(l)) {
                return None;
            }
        }
    }
    Some(chars.peek().map_or("", |&(i, _)| &text[i..]))
}

/// What may stand between a roles label and the roles on its line.
const LABEL_SEPARATORS: &[char] = &[':', '：', '–', '—', '-', '|', '｜'];

/// The article of a file path when the caller gave none: the path without
/// its extension, and without `content/<locale>/` where it starts so.
fn article_of(path: &str) -> String {
    let rest = path
        .strip_prefix("content/")
        .and_then(|p| p.split_once('/'))
        .map_or(path, |(_, rest)| rest);
    rest.strip_suffix(".md").unwrap_or(rest).to_owned()
}

/// The codes of numbers extraction cannot take as written.
pub(crate) const NUMBER_OUT_OF_RANGE: &str = "number-out-of-range";
pub(crate) const NUMBER_UNREADABLE: &str = "number-unreadable";
const NUMBER_CODES: [&str; 2] = [NUMBER_OUT_OF_RANGE, NUMBER_UNREADABLE];

/// Where `token` (a number as written) stands in `text` as a whole (digits
/// with no digit beside them, or a number word anywhere), followed by
/// `after` (any white space matching any white space: soft line breaks
/// are spaces in the reading).
fn token_starts<'t>(
    text: &'t str,
    token: &'t str,
    after: &'t str,
) -> impl Iterator<Item = usize> + 't {
    let digits = token.chars().all(char::is_numeric);
    text.match_indices(token).map(|(i, _)| i).filter(move |&i| {
        let rest = &text[i + token.len()..];
        let whole = !digits
            || (!text[..i].chars().next_back().is_some_and(char::is_numeric)
                && !rest.chars().next().is_some_and(char::is_numeric));
        // emphasis marks are in the file, not in the reading
        let markless = |c: &char| !matches!(c, '*' | '_' | '`');
        let mut rest = rest.chars().filter(markless);
        whole
            && after.chars().filter(markless).all(|a| {
                rest.next()
                    .is_some_and(|r| r == a || (r.is_whitespace() && a.is_whitespace()))
            })
    })
}

/// Byte offset of a 1-based line and column (in characters), clamped to
/// the text.
fn offset_of(text: &str, pos: Pos) -> usize {
    let line_start = match pos.line {
        0 | 1 => 0,
        line => memchr::memchr_iter(b'\n', text.as_bytes())
            .nth(line as usize - 2)
            .map_or(text.len(), |i| i + 1),
    };
    let line = &text[line_start..];
    line_start
        + line
            .char_indices()
            .nth(pos.col.saturating_sub(1) as usize)
            .map_or(line.len(), |(i, _)| i)
}

/// Split plain text into sentences at `.`, `!`, `?` followed by a space, and
/// after the CJK full stops `。！？`.
fn split_sentences(text: &str) -> Sentences<'_> {
    Sentences {
        text,
        start: 0,
        from: 0,
        ascii: None,
        full_stop: None,
        fullwidth: None,
    }
}

/// `。` searched for as a whole: its lead byte 0xE3 starts every kana.
static FULL_STOP: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("。".as_bytes()));

/// The sentences of one text, found as they are asked for (one list per
/// text was one allocation per paragraph).
///
/// The stops are found by vector searches, not by a walk over every
/// character: `.`, `!`, `?` (a stop when white space or the end follows),
/// `。`, and `！`, `？` (lead byte 0xEF). None of their bytes occurs inside
/// another character, so a hit is a character. Each kind's next hit is kept
/// until passed, so no part of the text is searched twice for one kind.
struct Sentences<'t> {
    text: &'t str,
    /// Where the next sentence starts.
    start: usize,
    /// Where the search for its end goes on.
    from: usize,
    /// The next hit of each kind at or after some earlier `from`: `None`
    /// before the first search, `Some(None)` when there is none.
    ascii: Option<Option<usize>>,
    full_stop: Option<Option<usize>>,
    fullwidth: Option<Option<usize>>,
}

/// The kept hit in `slot` if it is at or after `from`, else `find` anew.
fn next_hit(
    slot: &mut Option<Option<usize>>,
    from: usize,
    find: impl FnOnce() -> Option<usize>,
) -> Option<usize> {
    match *slot {
        Some(None) => None,
        Some(Some(at)) if at >= from => Some(at),
        _ => {
            let found = find();
            *slot = Some(found);
            found
        }
    }
}

impl<'t> Iterator for Sentences<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let text = self.text;
        let bytes = text.as_bytes();
        loop {
            let from = self.from;
            let rest = bytes.get(from..).unwrap_or_default();
            let ascii = next_hit(&mut self.ascii, from, || {
                memchr::memchr3(b'.', b'!', b'?', rest).map(|k| from + k)
            });
            let full_stop = next_hit(&mut self.full_stop, from, || {
                FULL_STOP.find(rest).map(|k| from + k)
            });
            let fullwidth = next_hit(&mut self.fullwidth, from, || {
                memchr::memchr_iter(0xEF, rest)
                    .map(|k| from + k)
                    .find(|&at| {
                        bytes[at..].starts_with("！".as_bytes())
                            || bytes[at..].starts_with("？".as_bytes())
                    })
            });
            let Some(at) = [ascii, full_stop, fullwidth].into_iter().flatten().min() else {
                break;
            };
            let end = if Some(at) == ascii {
                let next = text.get(at + 1..).and_then(|t| t.chars().next());
                if !next.is_none_or(char::is_whitespace) {
                    self.from = at + 1;
                    continue;
                }
                at + 1
            } else {
                at + 3
            };
            let s = text[self.start..end].trim();
            self.start = end;
            self.from = end;
            if !s.is_empty() {
                return Some(s);
            }
        }
        // the rest, once
        let s = text.get(self.start..)?.trim();
        self.start = text.len() + 1;
        self.from = self.start;
        (!s.is_empty()).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_segments_are_borrowed_and_others_folded() {
        for s in [
            "",
            " ",
            "a b",
            " a b",
            "a b ",
            "a  b",
            "a\tb",
            "a\u{a0}b",
            "a\u{3000}b",
            "**a** b",
            "中文 x",
            "*",
        ] {
            let folded: String = s.chars().filter(|&c| c != '*').collect();
            let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
            let got = strip_markup(s);
            assert_eq!(got, folded, "{s:?}");
            assert_eq!(matches!(got, Cow::Borrowed(_)), is_plain(s), "{s:?}");
        }
        assert!(matches!(strip_markup("a b"), Cow::Borrowed(_)));
    }

    /// The character walks `is_plain` and `split_sentences` replaced.
    fn is_plain_by_chars(s: &str) -> bool {
        let mut after_space = true;
        for c in s.chars() {
            if c == '*' {
                return false;
            }
            if c.is_whitespace() {
                if c != ' ' || after_space {
                    return false;
                }
                after_space = true;
            } else {
                after_space = false;
            }
        }
        !after_space || s.is_empty()
    }

    fn split_sentences_by_chars(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let end = i + c.len_utf8();
            let boundary = match c {
                '。' | '！' | '？' => true,
                '.' | '!' | '?' => chars.peek().is_none_or(|&(_, n)| n.is_whitespace()),
                _ => false,
            };
            if boundary {
                let s = text[start..end].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = end;
            }
        }
        let s = text[start..].trim();
        if !s.is_empty() {
            out.push(s);
        }
        out
    }

    /// The byte loops answer what the character walks did, on every line
    /// of the bundled articles and the shared corpus, each line also cut
    /// into pieces at every space (so pieces start and end anywhere), and
    /// on made-up texts with every kind of stop and space.
    #[test]
    fn byte_loops_agree_with_character_walks() {
        let mut texts: Vec<String> = [
            "",
            " ",
            "a",
            "a.",
            "a. b",
            "a.b",
            "a.\u{a0}b",
            "a.\u{3000}b",
            "a.\u{2028}b",
            "x。y！z？w",
            "e.g.\tf",
            "?",
            "！",
            " a ",
            "a  b",
            "a\u{85}b",
            "**a** b.",
            "全形。 空白？\u{3000}",
            "a\u{1680}b",
            "末尾.",
        ]
        .map(str::to_owned)
        .to_vec();
        for text in crate::real_articles() {
            for line in text.lines() {
                texts.extend(line.split(' ').map(str::to_owned));
                texts.push(line.to_owned());
            }
        }
        assert!(texts.len() > 10_000, "{} texts", texts.len());
        for t in &texts {
            assert_eq!(is_plain(t), is_plain_by_chars(t), "{t:?}");
            assert_eq!(
                split_sentences(t).collect::<Vec<_>>(),
                split_sentences_by_chars(t),
                "{t:?}"
            );
        }
    }

    #[test]
    fn sentences_split_in_both_scripts() {
        assert_eq!(
            split_sentences("A b. C d, e.g. f. 連結過期之後。其次 x").collect::<Vec<_>>(),
            ["A b.", "C d, e.g.", "f.", "連結過期之後。", "其次 x"]
        );
    }

    fn en() -> LocaleData {
        crate::lexicon::load_locale_data(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), "en")
            .unwrap()
    }

    /// The article's facts and number diagnostics as (line, col, code).
    fn read(text: &str, located: bool) -> (Vec<Fact>, Vec<(u32, u32, &'static str)>) {
        let data = en();
        let doc = crate::docfx::parse_article("a.md", text).unwrap();
        let x = if located {
            extract_located(&doc, text, "en", &data, &data)
        } else {
            extract(&doc, "en", &data, &data)
        };
        let numbers = x
            .diagnostics
            .iter()
            .filter(|d| NUMBER_CODES.contains(&d.code))
            .map(|d| {
                assert!(d.is_error() && d.help.is_some(), "{d}");
                let at = d.location.as_ref().unwrap();
                (at.line, at.col, d.code)
            })
            .collect();
        (x.facts, numbers)
    }

    const HEAD: &str = "---\ntitle: T\n---\n# T\n\n## <a name=\"s\"></a>S\n\n";

    #[test]
    fn an_out_of_range_number_is_an_error_at_the_number_and_nothing_else_is_read() {
        let link_kinds = |facts: &[Fact]| {
            facts
                .iter()
                .filter(|f| f.kind() == Kind::LinkLimits)
                .count()
        };
        // the second sentence's numbers used to stand in for the first's
        for number in [
            "13600000 weeks",
            "1000000000 weeks",
            "99999999999 days",
            "5218 weeks",
        ] {
            let text = format!(
                "{HEAD}>[!NOTE]\n>This link will expire after {number} or 50 downloads. Once the link expires, enable another two weeks or 50 downloads.\n"
            );
            for located in [true, false] {
                let (facts, errors) = read(&text, located);
                assert_eq!(link_kinds(&facts), 0, "{number}");
                assert_eq!(errors, vec![(9, 30, NUMBER_OUT_OF_RANGE)], "{number}");
            }
        }
        // a count, on the paragraph's third line, after markup and a link
        // holding the same digits
        let text = format!(
            "{HEAD}>[!NOTE]\n>This **link** will\n>expire after [two](https://x/4294967296) weeks or\n>   4294967296 downloads.\n"
        );
        let (facts, errors) = read(&text, true);
        assert_eq!(link_kinds(&facts), 0);
        assert_eq!(errors, vec![(11, 5, NUMBER_OUT_OF_RANGE)]);
        // a cancellation window and a savings claim
        let text = format!(
            "{HEAD}You can cancel a software purchase within 40000 days of the purchase date.\n\nWith Azure Hybrid Benefit you can save up to 99999999999 percent.\n"
        );
        let (facts, errors) = read(&text, true);
        assert!(facts.is_empty(), "{facts:?}");
        assert_eq!(
            errors,
            vec![(8, 43, NUMBER_OUT_OF_RANGE), (10, 46, NUMBER_OUT_OF_RANGE)]
        );
        // in range: read as before
        let text = format!(
            "{HEAD}>[!NOTE]\n>This link will expire after 5217 weeks or 4294967295 downloads.\n"
        );
        let (facts, errors) = read(&text, true);
        assert!(errors.is_empty());
        assert_eq!(
            facts[0].value,
            Value::LinkLimits(LinkLimits {
                valid_days: 36_519,
                max_downloads: u32::MAX,
                renewable: false
            })
        );
    }

    #[test]
    fn a_number_out_of_range_in_a_translation_alone_is_reported_too() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = "content/zh-TW/csp-software-subscriptions.md";
        let good = std::fs::read_to_string(root.join(path)).unwrap();
        let zh = crate::lexicon::load_locale_data(root, "zh-TW").unwrap();
        let en = en();
        let errors = |text: &str| {
            let doc = crate::docfx::parse_article(path, text).unwrap();
            extract_located(&doc, text, "zh-TW", &zh, &en)
                .diagnostics
                .into_iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let at = d.location.unwrap();
                    (at.line, at.col, d.code)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(errors(&good), vec![]);
        // the target says 99999 weeks, the English source two weeks
        let text = good.replacen("此連結會在兩個星期後", "此連結會在 99999 週後", 1);
        assert_ne!(text, good);
        let at = text.find("99999").unwrap();
        let line = text[..at].matches('\n').count() as u32 + 1;
        let col = text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at]
            .chars()
            .count() as u32
            + 1;
        assert_eq!(errors(&text), vec![(line, col, NUMBER_OUT_OF_RANGE)]);
        // the English source segment says it: located in the source span
        let text = good.replacen(
            "This link will expire after two weeks",
            "This link will expire after 99999 weeks",
            1,
        );
        let at = text.find("99999").unwrap();
        let line = text[..at].matches('\n').count() as u32 + 1;
        let col = text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at]
            .chars()
            .count() as u32
            + 1;
        assert_eq!(errors(&text), vec![(line, col, NUMBER_OUT_OF_RANGE)]);
    }
}
