//! rules.json and report.json put together from per-article-group parts.
//!
//! Facts align by article (the same file name in every locale), and so do
//! procedures and findings: reconciling one group of articles gives exactly
//! that group's rules, procedures and findings. A build reconciles only the
//! groups whose articles changed; every other group's parts are the bytes
//! the previous build wrote into rules.json, copied as they are. The parts
//! are written with serde_json's own pretty layout started at their depth,
//! so a file put together from old and new parts is byte for byte the file
//! one serialization of the whole would give.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::config::Policy;
use crate::reconcile::{self, ArticleFacts, findings};
use crate::report::{self, LocaleSummary, Report};
use crate::rules::{Discrepancy, Procedure, Rule, SourceFile};

/// A byte range of the previous rules.json.
pub type Span = (u64, u64);

/// A part of the output: made this build, or the previous build's bytes.
#[derive(Debug)]
pub enum Part<T> {
    Fresh(T),
    Old(Span),
}

/// Counts of a group's findings in one locale: errors, warnings, infos.
pub type Severities = [usize; 3];

/// What the site's out-of-date notices need of a group in one locale: the
/// date of a stale translation's source, the ids of the facts it misses or
/// states differently.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BannerFacts {
    pub stale: Option<String>,
    pub rules: BTreeSet<String>,
}

/// A run of sorted findings: locale, translation path, count, the run.
pub type FindingRun = (String, Option<String>, usize, Part<Vec<Discrepancy>>);

/// One group of articles (one file name across locales), reconciled.
#[derive(Debug)]
pub struct Group {
    pub slug: String,
    /// Hash of the inputs and the members' texts; None when a member had
    /// diagnostics (the group is reconciled anew every build).
    pub key: Option<String>,
    /// (rule id, kind id, rule), by id.
    pub rules: Vec<(String, String, Part<Rule>)>,
    /// The group's procedures, by section, and how many.
    pub procedures: Option<(usize, Part<Vec<Procedure>>)>,
    /// Sorted findings, one run per (locale, translation path).
    pub runs: Vec<FindingRun>,
    /// Each article's target-text disagreements (appended after the sorted
    /// findings, in article order): article path, count, run.
    pub tails: Vec<(String, usize, Part<Vec<Discrepancy>>)>,
    pub severities: BTreeMap<String, Severities>,
    pub banners: BTreeMap<String, BannerFacts>,
}

/// A group as the cache keeps it: the spans of its parts in rules.json.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GroupIndex {
    pub key: String,
    pub rules: Vec<(String, String, Span)>,
    pub procedures: Option<(usize, Span)>,
    pub runs: Vec<(String, Option<String>, usize, Span)>,
    pub tails: Vec<(String, usize, Span)>,
    pub severities: BTreeMap<String, Severities>,
    pub banners: BTreeMap<String, BannerFacts>,
}

impl Group {
    /// Reconcile one group; `articles` are its members in build order.
    pub fn reconcile(
        slug: &str,
        key: Option<String>,
        articles: &[ArticleFacts],
        policy: Policy,
        source_locale: &str,
    ) -> Group {
        let reconciled = reconcile::reconcile(articles, policy, source_locale);
        // reconcile appends each article's target-text disagreements after
        // the sorted findings; they are placed by article, not by sort key
        let mut tails = Vec::new();
        let mut tail_len = 0;
        for a in articles {
            let mut found = Vec::new();
            findings::target_disagreements(a, &mut found);
            tail_len += found.len();
            if !found.is_empty() {
                tails.push((a.path.clone(), found.len(), Part::Fresh(found)));
            }
        }
        let mut sorted = reconciled.discrepancies;
        sorted.truncate(sorted.len().saturating_sub(tail_len));
        let mut severities: BTreeMap<String, Severities> = BTreeMap::new();
        let mut banners: BTreeMap<String, BannerFacts> = BTreeMap::new();
        let all = sorted
            .iter()
            .chain(tails.iter().flat_map(|(_, _, p)| match p {
                Part::Fresh(v) => v.as_slice(),
                Part::Old(_) => &[],
            }));
        for d in all {
            let s = severities.entry(d.locale.to_string()).or_default();
            s[match report::severity(d) {
                findings::Severity::Error => 0,
                findings::Severity::Warning => 1,
                findings::Severity::Info => 2,
            }] += 1;
            if d.source.is_none() {
                continue;
            }
            match &*d.code {
                "stale-translation" => {
                    banners.entry(d.locale.to_string()).or_default().stale =
                        Some(d.expected.as_str().unwrap_or_default().to_owned());
                }
                "fact-mismatch" | "missing-fact" => {
                    if let Some(rule) = &d.rule {
                        banners
                            .entry(d.locale.to_string())
                            .or_default()
                            .rules
                            .insert(rule.clone());
                    }
                }
                _ => {}
            }
        }
        let mut runs: Vec<FindingRun> = Vec::new();
        for d in sorted {
            let path = d.source.as_ref().map(|s| s.path.to_string());
            match runs.last_mut() {
                Some((locale, p, n, Part::Fresh(list))) if **locale == *d.locale && *p == path => {
                    *n += 1;
                    list.push(d);
                }
                _ => runs.push((d.locale.to_string(), path, 1, Part::Fresh(vec![d]))),
            }
        }
        let procedures = (!reconciled.procedures.is_empty()).then_some((
            reconciled.procedures.len(),
            Part::Fresh(reconciled.procedures),
        ));
        Group {
            slug: slug.to_owned(),
            key,
            rules: reconciled
                .rules
                .into_iter()
                .map(|r| (r.id.clone(), r.kind.id().to_owned(), Part::Fresh(r)))
                .collect(),
            procedures,
            runs,
            tails,
            severities,
            banners,
        }
    }

    /// The group as the previous build wrote it.
    pub fn old(slug: &str, index: &GroupIndex) -> Group {
        Group {
            slug: slug.to_owned(),
            key: Some(index.key.clone()),
            rules: index
                .rules
                .iter()
                .map(|(id, kind, span)| (id.clone(), kind.clone(), Part::Old(*span)))
                .collect(),
            procedures: index.procedures.map(|(n, span)| (n, Part::Old(span))),
            runs: index
                .runs
                .iter()
                .map(|(l, p, n, span)| (l.clone(), p.clone(), *n, Part::Old(*span)))
                .collect(),
            tails: index
                .tails
                .iter()
                .map(|(p, n, span)| (p.clone(), *n, Part::Old(*span)))
                .collect(),
            severities: index.severities.clone(),
            banners: index.banners.clone(),
        }
    }
}

/// serde_json's pretty layout (two spaces) begun at a given depth: a value
/// written alone has the bytes it has inside the whole file.
struct Indented {
    depth: usize,
    has_value: bool,
}

fn indent<W: ?Sized + Write>(w: &mut W, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        w.write_all(b"  ")?;
    }
    Ok(())
}

impl Indented {
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.depth)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.depth)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Write `value` as it appears at `depth` inside a pretty-printed file.
fn write_at<W: Write, T: Serialize + ?Sized>(w: &mut W, depth: usize, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        w,
        Indented {
            depth,
            has_value: false,
        },
    );
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// A writer that counts the bytes written through it.
pub struct Counting<W> {
    pub inner: W,
    pub pos: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A top-level array being written element by element (elements at
/// depth 2), or run by run.
struct Array {
    first: bool,
}

impl Array {
    fn begin<W: Write>(w: &mut W, key: &str) -> io::Result<Array> {
        write!(w, "  \"{key}\": [")?;
        Ok(Array { first: true })
    }

    /// Start an element; returns where its bytes begin.
    fn next<W: Write>(&mut self, w: &mut Counting<W>) -> io::Result<u64> {
        w.write_all(if self.first { b"\n    " } else { b",\n    " })?;
        self.first = false;
        Ok(w.pos)
    }

    /// Write a run of elements: fresh ones serialized, old ones copied
    /// (separators included). Returns the span it takes in the new file.
    fn run<W: Write, T: Serialize>(
        &mut self,
        w: &mut Counting<W>,
        part: &Part<Vec<T>>,
        old: &[u8],
    ) -> io::Result<Span> {
        match part {
            Part::Fresh(list) => {
                let mut start = None;
                for item in list {
                    let at = self.next(w)?;
                    start.get_or_insert(at);
                    write_at(w, 2, item)?;
                }
                Ok((start.unwrap_or(w.pos), w.pos))
            }
            Part::Old(span) => {
                let start = self.next(w)?;
                w.write_all(slice(old, *span)?)?;
                Ok((start, w.pos))
            }
        }
    }

    fn one<W: Write, T: Serialize>(
        &mut self,
        w: &mut Counting<W>,
        part: &Part<T>,
        old: &[u8],
    ) -> io::Result<Span> {
        let start = self.next(w)?;
        match part {
            Part::Fresh(item) => write_at(w, 2, item)?,
            Part::Old(span) => w.write_all(slice(old, *span)?)?,
        }
        Ok((start, w.pos))
    }

    fn end<W: Write>(self, w: &mut W, last: bool) -> io::Result<()> {
        if !self.first {
            w.write_all(b"\n  ")?;
        }
        w.write_all(if last { b"]\n" } else { b"],\n" })
    }
}

fn slice(old: &[u8], (start, end): Span) -> io::Result<&[u8]> {
    usize::try_from(start)
        .ok()
        .zip(usize::try_from(end).ok())
        .and_then(|(s, e)| old.get(s..e))
        .ok_or_else(|| io::Error::other("the previous rules.json is shorter than its cache says"))
}

/// Everything rules.json and report.json are made of, in groups.
#[derive(Debug)]
pub struct Assembled {
    pub canonical_locale: String,
    pub policy: Policy,
    /// Sorted by (locale, path).
    pub sources: Vec<SourceFile>,
    /// Sorted by slug.
    pub groups: Vec<Group>,
    /// Articles, segments and untranslated segments per locale (the
    /// findings' counts are added from the groups).
    pub base_summary: BTreeMap<String, LocaleSummary>,
    /// Article path → its place in the build (locale, then file order).
    pub positions: HashMap<String, usize>,
    /// The previous rules.json, where old parts are read.
    pub old: Vec<u8>,
    rules: OnceLock<Result<Vec<Rule>, String>>,
    report: OnceLock<Result<Report, String>>,
}

impl Assembled {
    pub fn new(
        canonical_locale: String,
        policy: Policy,
        sources: Vec<SourceFile>,
        groups: Vec<Group>,
        base_summary: BTreeMap<String, LocaleSummary>,
        positions: HashMap<String, usize>,
        old: Vec<u8>,
    ) -> Assembled {
        Assembled {
            canonical_locale,
            policy,
            sources,
            groups,
            base_summary,
            positions,
            old,
            rules: OnceLock::new(),
            report: OnceLock::new(),
        }
    }

    /// (group, rule) pairs in rules.json order: by id, then article.
    fn rule_order(&self) -> Vec<(usize, usize)> {
        let mut order: Vec<(&str, &str, usize, usize)> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| {
                group
                    .rules
                    .iter()
                    .enumerate()
                    .map(move |(r, (id, ..))| (id.as_str(), group.slug.as_str(), g, r))
            })
            .collect();
        order.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        order.into_iter().map(|(_, _, g, r)| (g, r)).collect()
    }

    /// Findings in report order: the sorted runs by (locale, path), then
    /// the target-text disagreements by article. (group, run or tail).
    fn finding_order(&self) -> Vec<(usize, Run)> {
        let mut runs: Vec<(&str, Option<&str>, usize, usize)> = Vec::new();
        let mut tails: Vec<(usize, usize, usize)> = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            for (r, (locale, path, ..)) in group.runs.iter().enumerate() {
                runs.push((locale, path.as_deref(), g, r));
            }
            for (t, (path, ..)) in group.tails.iter().enumerate() {
                let at = self.positions.get(path).copied().unwrap_or(usize::MAX);
                tails.push((at, g, t));
            }
        }
        runs.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        tails.sort_unstable();
        runs.into_iter()
            .map(|(_, _, g, r)| (g, Run::Sorted(r)))
            .chain(tails.into_iter().map(|(_, g, t)| (g, Run::Tail(t))))
            .collect()
    }

    fn finding_part(&self, g: usize, run: Run) -> Option<&Part<Vec<Discrepancy>>> {
        let group = self.groups.get(g)?;
        match run {
            Run::Sorted(r) => group.runs.get(r).map(|x| &x.3),
            Run::Tail(t) => group.tails.get(t).map(|x| &x.2),
        }
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for g in &self.groups {
            counts.0 += g.rules.len();
            counts.1 += g.procedures.as_ref().map_or(0, |p| p.0);
            counts.2 += g.runs.iter().map(|r| r.2).sum::<usize>()
                + g.tails.iter().map(|t| t.1).sum::<usize>();
        }
        counts
    }

    /// The summary report.json states: the articles' counts and the
    /// groups' findings.
    pub fn summary(&self) -> BTreeMap<String, LocaleSummary> {
        let mut summary = self.base_summary.clone();
        for g in &self.groups {
            for (locale, [e, w, i]) in &g.severities {
                let s = summary.entry(locale.clone()).or_default();
                s.errors += e;
                s.warnings += w;
                s.infos += i;
            }
        }
        summary
    }

    /// Write rules.json; returns each group's spans in it (for the next
    /// build's cache) and the span of the rules array.
    pub fn write_rules<W: Write>(
        &self,
        w: &mut Counting<W>,
    ) -> io::Result<(Vec<GroupIndex>, Span)> {
        let mut index: Vec<GroupIndex> = self
            .groups
            .iter()
            .map(|g| GroupIndex {
                key: g.key.clone().unwrap_or_default(),
                rules: Vec::with_capacity(g.rules.len()),
                procedures: None,
                runs: Vec::with_capacity(g.runs.len()),
                tails: Vec::with_capacity(g.tails.len()),
                severities: g.severities.clone(),
                banners: g.banners.clone(),
            })
            .collect();
        w.write_all(b"{\n  \"schema\": ")?;
        serde_json::to_writer(&mut *w, crate::rules::SCHEMA_ID)?;
        w.write_all(b",\n  \"canonical_locale\": ")?;
        serde_json::to_writer(&mut *w, &self.canonical_locale)?;
        w.write_all(b",\n  \"policy\": ")?;
        serde_json::to_writer(&mut *w, &self.policy)?;
        w.write_all(b",\n")?;
        let mut array = Array::begin(w, "sources")?;
        for s in &self.sources {
            array.next(w)?;
            write_at(w, 2, s)?;
        }
        array.end(w, false)?;

        let mut array = Array::begin(w, "rules")?;
        let rules_start = w.pos;
        for (g, r) in self.rule_order() {
            if let Some((id, kind, part)) = self.groups.get(g).and_then(|group| group.rules.get(r))
            {
                let span = array.one(w, part, &self.old)?;
                if let Some(i) = index.get_mut(g) {
                    i.rules.push((id.clone(), kind.clone(), span));
                }
            }
        }
        array.end(w, false)?;
        let rules_end = w.pos;

        let mut array = Array::begin(w, "procedures")?;
        for (g, group) in self.groups.iter().enumerate() {
            if let Some((n, part)) = &group.procedures {
                let span = array.run(w, part, &self.old)?;
                if let Some(i) = index.get_mut(g) {
                    i.procedures = Some((*n, span));
                }
            }
        }
        array.end(w, false)?;

        let mut array = Array::begin(w, "discrepancies")?;
        for (g, run) in self.finding_order() {
            let Some(part) = self.finding_part(g, run) else {
                continue;
            };
            let span = array.run(w, part, &self.old)?;
            if let (Some(i), Some(group)) = (index.get_mut(g), self.groups.get(g)) {
                match run {
                    Run::Sorted(r) => {
                        if let Some((l, p, n, _)) = group.runs.get(r) {
                            i.runs.push((l.clone(), p.clone(), *n, span));
                        }
                    }
                    Run::Tail(t) => {
                        if let Some((p, n, _)) = group.tails.get(t) {
                            i.tails.push((p.clone(), *n, span));
                        }
                    }
                }
            }
        }
        array.end(w, true)?;
        w.write_all(b"}\n")?;
        Ok((index, (rules_start, rules_end)))
    }

    /// Write report.json: the summary, then the findings as rules.json has
    /// them.
    pub fn write_report<W: Write>(&self, w: &mut Counting<W>) -> io::Result<()> {
        w.write_all(b"{\n  \"schema\": ")?;
        serde_json::to_writer(&mut *w, report::REPORT_SCHEMA)?;
        w.write_all(b",\n  \"canonical_locale\": ")?;
        serde_json::to_writer(&mut *w, &self.canonical_locale)?;
        w.write_all(b",\n  \"summary\": ")?;
        write_at(w, 1, &self.summary())?;
        w.write_all(b",\n")?;
        let mut array = Array::begin(w, "discrepancies")?;
        for (g, run) in self.finding_order() {
            if let Some(part) = self.finding_part(g, run) {
                array.run(w, part, &self.old)?;
            }
        }
        array.end(w, true)?;
        w.write_all(b"}\n")
    }

    /// Every rule in rules.json order (old ones read back), for the rules
    /// page; made once, when a page needs it.
    pub fn rules(&self) -> Result<&[Rule], String> {
        self.rules
            .get_or_init(|| {
                let mut rules = Vec::new();
                for (g, r) in self.rule_order() {
                    let Some((_, _, part)) = self.groups.get(g).and_then(|x| x.rules.get(r)) else {
                        continue;
                    };
                    rules.push(match part {
                        Part::Fresh(rule) => rule.clone(),
                        Part::Old(span) => serde_json::from_slice(
                            slice(&self.old, *span).map_err(|e| e.to_string())?,
                        )
                        .map_err(|e| e.to_string())?,
                    });
                }
                Ok(rules)
            })
            .as_ref()
            .map(Vec::as_slice)
            .map_err(Clone::clone)
    }

    /// The report (old findings read back), for the status pages; made
    /// once, when a page needs it.
    pub fn report(&self) -> Result<&Report, String> {
        self.report
            .get_or_init(|| {
                let mut all = Vec::new();
                for (g, run) in self.finding_order() {
                    match self.finding_part(g, run) {
                        Some(Part::Fresh(list)) => all.extend(list.iter().cloned()),
                        Some(Part::Old(span)) => {
                            let bytes = slice(&self.old, *span).map_err(|e| e.to_string())?;
                            let mut array = Vec::with_capacity(bytes.len() + 2);
                            array.push(b'[');
                            array.extend_from_slice(bytes);
                            array.push(b']');
                            let list: Vec<Discrepancy> =
                                serde_json::from_slice(&array).map_err(|e| e.to_string())?;
                            all.extend(list);
                        }
                        None => {}
                    }
                }
                Ok(Report::new(
                    &self.canonical_locale,
                    self.base_summary.clone(),
                    std::sync::Arc::new(all),
                ))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Each locale's out-of-date notices' facts, by article: the stale
    /// date and the kinds of facts that differ. A rule's kind is that of
    /// the first rule of its id in rules.json.
    pub fn banner_facts(
        &self,
        locale: &str,
    ) -> BTreeMap<String, (Option<String>, BTreeSet<String>)> {
        let mut kinds: HashMap<&str, (&str, &str)> = HashMap::new();
        for g in &self.groups {
            for (id, kind, _) in &g.rules {
                let entry = kinds.entry(id).or_insert((g.slug.as_str(), kind));
                if g.slug.as_str() < entry.0 {
                    *entry = (g.slug.as_str(), kind);
                }
            }
        }
        let mut out = BTreeMap::new();
        for g in &self.groups {
            let Some(b) = g.banners.get(locale) else {
                continue;
            };
            let facts: BTreeSet<String> = b
                .rules
                .iter()
                .filter_map(|id| kinds.get(id.as_str()).map(|(_, k)| (*k).to_owned()))
                .collect();
            if b.stale.is_some() || !facts.is_empty() {
                out.insert(g.slug.clone(), (b.stale.clone(), facts));
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy)]
enum Run {
    Sorted(usize),
    Tail(usize),
}
