//! rules.json, procedures.json and report.json put together from
//! per-article-group parts.
//!
//! Facts align by article (the same file name in every locale), and so do
//! procedures and findings: reconciling one group of articles gives exactly
//! that group's rules, procedures and findings. A build reconciles only the
//! groups whose articles changed; every other group's parts are the bytes
//! the previous build wrote into the same file, copied as they are. The parts
//! are written with serde_json's own pretty layout started at their depth,
//! so a file put together from old and new parts is byte for byte the file
//! one serialization of the whole would give.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::fsutil::Counting;
use crate::load::config::Policy;
use crate::reconcile::{self, ArticleFacts, findings};
use crate::report::{self, LocaleSummary};
use crate::rules::{Discrepancy, Procedure, Rule, SourceFile};

/// A byte range of the previous rules.json.
pub(crate) type Span = (u64, u64);

/// A part of the output: made this build (in memory, or already written
/// to the build's spill file), or the previous build's bytes.
#[derive(Debug)]
pub enum Part<T> {
    Fresh(T),
    /// In the previous build's file of the same name (rules.json for a
    /// rule, procedures.json for procedures, report.json for findings).
    Old(Span),
    /// In this build's spill file ([`Spill`]).
    Spilled(Span),
}

/// Bytes on disk read back by span: the previous rules.json, or this
/// build's spill file. Parts are read when they are copied, so a big build
/// never holds either file in memory.
#[derive(Debug, Default)]
pub struct Store {
    file: Option<std::fs::File>,
    len: u64,
}

impl Store {
    pub fn new(file: std::fs::File) -> Store {
        let len = file.metadata().map_or(0, |m| m.len());
        Store {
            file: Some(file),
            len,
        }
    }

    /// How long the stored file is.
    pub fn size(&self) -> u64 {
        self.len
    }

    /// The bytes of `span`, into `buf` (cleared first).
    pub fn read(&self, (start, end): Span, buf: &mut Vec<u8>) -> io::Result<()> {
        let short = || io::Error::other("a stored part is shorter than its index says");
        let len =
            usize::try_from(end.checked_sub(start).ok_or_else(short)?).map_err(|_| short())?;
        let file = self.file.as_ref().ok_or_else(short)?;
        buf.clear();
        buf.resize(len, 0);
        read_exact_at(file, buf, start)
    }

    /// Append the bytes of `span` to `out` (at its position), copied by the
    /// kernel from file to file where it can (`copy_file_range`: no trip
    /// through this process's memory), else read and written.
    pub(crate) fn copy_into(&self, (start, end): Span, out: &mut std::fs::File) -> io::Result<()> {
        let short = || io::Error::other("a stored part is shorter than its index says");
        if end < start || end > self.len {
            return Err(short());
        }
        let file = self.file.as_ref().ok_or_else(short)?;
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            let mut offset = i64::try_from(start).map_err(|_| short())?;
            let mut left = end - start;
            while left > 0 {
                let chunk = usize::try_from(left.min(1 << 30)).map_err(|_| short())?;
                // SAFETY: both descriptors are open files for the whole
                // call; the kernel reads from `offset` (updated in place)
                // and writes at `out`'s position.
                let n = unsafe {
                    libc::copy_file_range(
                        file.as_raw_fd(),
                        &mut offset,
                        out.as_raw_fd(),
                        std::ptr::null_mut(),
                        chunk,
                        0,
                    )
                };
                if n == 0 {
                    // the file ended before the span did
                    return Err(short());
                }
                if n < 0 {
                    // not supported here (another file system, an old
                    // kernel): the rest the plain way
                    return copy_by_reading(file, (end - left, end), out);
                }
                left -= n as u64;
            }
            Ok(())
        }
        #[cfg(not(target_os = "linux"))]
        {
            copy_by_reading(file, (start, end), out)
        }
    }

    /// The bytes of `span`, in a new buffer.
    pub fn bytes(&self, span: Span) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.read(span, &mut buf)?;
        Ok(buf)
    }
}

/// Append `span` of `file` to `out`, a block at a time.
fn copy_by_reading(
    file: &std::fs::File,
    (mut start, end): Span,
    out: &mut std::fs::File,
) -> io::Result<()> {
    let mut block = vec![0; 1 << 16];
    while start < end {
        let n = usize::try_from((end - start).min(block.len() as u64)).map_err(io::Error::other)?;
        read_exact_at(file, &mut block[..n], start)?;
        out.write_all(&block[..n])?;
        start += n as u64;
    }
    Ok(())
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// The most bytes of old parts that follow each other in the previous file
/// gathered into one read and one write.
const RUN_CAP: u64 = 1 << 20;

/// A [`Store`]'s parts read one at a time into a buffer of its own (reused
/// from part to part).
struct Window<'a> {
    store: &'a Store,
    bytes: Vec<u8>,
}

impl<'a> Window<'a> {
    fn new(store: &'a Store) -> Window<'a> {
        Window {
            store,
            bytes: Vec::new(),
        }
    }

    fn get(&mut self, span: Span) -> io::Result<&[u8]> {
        self.store.read(span, &mut self.bytes)?;
        Ok(&self.bytes)
    }
}

/// A window on each store, for one file being written: the previous
/// build's file of the same name, and this build's spill file.
struct Windows<'a> {
    old: Window<'a>,
    spilled: Window<'a>,
}

impl<'a> Windows<'a> {
    fn new(old: &'a Store, spilled: &'a Store) -> Windows<'a> {
        Windows {
            old: Window::new(old),
            spilled: Window::new(spilled),
        }
    }

    fn get<T>(&mut self, part: &Part<T>) -> io::Result<&[u8]> {
        match part {
            Part::Old(span) => self.old.get(*span),
            Part::Spilled(span) => self.spilled.get(*span),
            Part::Fresh(_) => Ok(&[]),
        }
    }

    /// A part's value, read back (a fresh one cloned).
    fn value<T: Clone + serde::de::DeserializeOwned>(&mut self, part: &Part<T>) -> io::Result<T> {
        match part {
            Part::Fresh(v) => Ok(v.clone()),
            _ => serde_json::from_slice(self.get(part)?).map_err(io::Error::other),
        }
    }

    /// A run's elements, read back (a fresh one cloned).
    fn list<T: Clone + serde::de::DeserializeOwned>(
        &mut self,
        part: &Part<Vec<T>>,
    ) -> io::Result<Vec<T>> {
        match part {
            Part::Fresh(v) => Ok(v.clone()),
            _ => {
                // a run is its elements with their separators: an array's
                // inside
                let bytes = self.get(part)?;
                let mut array = Vec::with_capacity(bytes.len() + 2);
                array.push(b'[');
                array.extend_from_slice(bytes);
                array.push(b']');
                serde_json::from_slice(&array).map_err(io::Error::other)
            }
        }
    }
}

/// What a build has made but not yet placed: each reconciled group's parts
/// and each article's analysis for the cache, appended to one unnamed
/// temporary file as they are made, so that memory holds only the groups
/// being worked on. The parts are the bytes they take in rules.json.
pub(crate) struct Spill {
    out: Counting<io::BufWriter<std::fs::File>>,
}

impl Spill {
    /// A new spill file in `dir` (removed by the system when closed, also
    /// after a crash).
    pub(crate) fn new(dir: &std::path::Path) -> io::Result<Spill> {
        Ok(Spill {
            out: Counting::new(io::BufWriter::with_capacity(
                1 << 16,
                tempfile::tempfile_in(dir)?,
            )),
        })
    }

    /// Append `bytes`; returns where they begin.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.out.pos;
        self.out.write_all(bytes)?;
        Ok(at)
    }

    /// Done writing: the file to read the parts back from.
    pub(crate) fn finish(self) -> io::Result<Store> {
        let file = self.out.inner.into_inner().map_err(|e| e.into_error())?;
        Ok(Store::new(file))
    }
}

/// Counts of a group's findings in one locale: errors, warnings, infos.
pub(crate) type Severities = [usize; 3];

/// What the site's out-of-date notices need of a group in one locale: the
/// date of a stale translation's source, the ids of the facts it misses or
/// states differently.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BannerFacts {
    pub stale: Option<String>,
    pub rules: BTreeSet<String>,
}

/// A run of sorted findings: locale, translation path, count, the run.
pub(crate) type FindingRun = (String, Option<String>, usize, Part<Vec<Discrepancy>>);

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
    /// What each rule claims (in `rules`' order), to find rules of other
    /// groups that say otherwise of the same subject.
    pub claims: Vec<Claim>,
}

/// What a rule claims, in short: its subject ([`crate::rules::Value::subject`])
/// and a hash of its canonical value. Rules of one kind and subject whose
/// hashes differ disagree; their values are read back only then.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub subject: Option<String>,
    pub value: u64,
}

impl Claim {
    fn of(rule: &Rule) -> Claim {
        Claim {
            subject: rule.value.subject().map(str::to_owned),
            value: xxhash_rust::xxh3::xxh3_64(&serde_json::to_vec(&rule.value).unwrap_or_default()),
        }
    }
}

/// A group as the cache keeps it: the spans of its parts in the previous
/// data files (rules in rules.json, procedures in procedures.json, findings
/// in report.json).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GroupIndex {
    pub key: String,
    pub rules: Vec<(String, String, Span)>,
    pub procedures: Option<(usize, Span)>,
    pub runs: Vec<(String, Option<String>, usize, Span)>,
    pub tails: Vec<(String, usize, Span)>,
    pub severities: BTreeMap<String, Severities>,
    pub banners: BTreeMap<String, BannerFacts>,
    #[serde(default)]
    pub claims: Vec<Claim>,
}

impl Group {
    /// Reconcile one group; `articles` are its members in build order;
    /// `locales`: the source locale and every locale the build reads.
    pub fn reconcile(
        slug: &str,
        key: Option<String>,
        articles: &[ArticleFacts],
        policy: Policy,
        (source_locale, locales): (&str, &[String]),
    ) -> Group {
        let reconciled = reconcile::reconcile(articles, policy, source_locale, locales);
        // each article's target-text disagreements come after the sorted
        // findings, placed by article, not by sort key
        let tails: Vec<(String, usize, Part<Vec<Discrepancy>>)> = reconciled
            .tails
            .into_iter()
            .map(|(path, found)| (path, found.len(), Part::Fresh(found)))
            .collect();
        let sorted = reconciled.discrepancies;
        let mut severities: BTreeMap<String, Severities> = BTreeMap::new();
        let mut banners: BTreeMap<String, BannerFacts> = BTreeMap::new();
        let all = sorted
            .iter()
            .chain(tails.iter().flat_map(|(_, _, p)| match p {
                Part::Fresh(v) => v.as_slice(),
                Part::Old(_) | Part::Spilled(_) => &[],
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
        let claims = reconciled.rules.iter().map(Claim::of).collect();
        Group {
            slug: slug.to_owned(),
            key,
            claims,
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

    /// The group as the previous build wrote it (its index entry moved
    /// in, not copied: a rebuild makes thousands of these).
    pub fn old(slug: &str, index: GroupIndex) -> Group {
        Group {
            slug: slug.to_owned(),
            key: Some(index.key),
            claims: index.claims,
            rules: index
                .rules
                .into_iter()
                .map(|(id, kind, span)| (id, kind, Part::Old(span)))
                .collect(),
            procedures: index.procedures.map(|(n, span)| (n, Part::Old(span))),
            runs: index
                .runs
                .into_iter()
                .map(|(l, p, n, span)| (l, p, n, Part::Old(span)))
                .collect(),
            tails: index
                .tails
                .into_iter()
                .map(|(p, n, span)| (p, n, Part::Old(span)))
                .collect(),
            severities: index.severities,
            banners: index.banners,
        }
    }
}

impl Group {
    /// Write the group's fresh parts into `buf`, as rules.json has them
    /// (a run's elements with their separators), leaving their spans in
    /// `buf` in their place; [`Group::shift`] moves the spans to where
    /// `buf` lands in the spill file.
    pub(crate) fn spill(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        for (_, _, part) in &mut self.rules {
            spill_one(part, buf)?;
        }
        if let Some((_, part)) = &mut self.procedures {
            spill_run(part, buf)?;
        }
        for (.., part) in &mut self.runs {
            spill_run(part, buf)?;
        }
        for (.., part) in &mut self.tails {
            spill_run(part, buf)?;
        }
        Ok(())
    }

    /// Move the spilled parts' spans by `base`.
    pub(crate) fn shift(&mut self, base: u64) {
        fn shift<T>(part: &mut Part<T>, base: u64) {
            if let Part::Spilled((start, end)) = part {
                *start += base;
                *end += base;
            }
        }
        for (_, _, part) in &mut self.rules {
            shift(part, base);
        }
        if let Some((_, part)) = &mut self.procedures {
            shift(part, base);
        }
        for (.., part) in &mut self.runs {
            shift(part, base);
        }
        for (.., part) in &mut self.tails {
            shift(part, base);
        }
    }
}

fn spill_one<T: Serialize>(part: &mut Part<T>, buf: &mut Vec<u8>) -> io::Result<()> {
    if let Part::Fresh(item) = part {
        let start = buf.len() as u64;
        write_at(buf, 2, item)?;
        *part = Part::Spilled((start, buf.len() as u64));
    }
    Ok(())
}

/// A run spilled is what [`Array::run`] would write of it after the first
/// separator; an empty run stays in memory (it has no bytes to stand for
/// it).
fn spill_run<T: Serialize>(part: &mut Part<Vec<T>>, buf: &mut Vec<u8>) -> io::Result<()> {
    if let Part::Fresh(list) = part
        && !list.is_empty()
    {
        let start = buf.len() as u64;
        for (i, item) in list.iter().enumerate() {
            if i > 0 {
                buf.extend_from_slice(b",\n    ");
            }
            write_at(buf, 2, item)?;
        }
        *part = Part::Spilled((start, buf.len() as u64));
    }
    Ok(())
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

/// Spans of a stored file that follow each other there, gathered to be
/// copied as one: the run so far, and where it begins in the file being
/// written (whose end does not move while the run is held).
#[derive(Debug, Default)]
pub(crate) struct Gather {
    run: Option<(Span, u64)>,
}

impl Gather {
    /// Where `span` lands if it joins the run: it starts `gap` bytes after
    /// the run's end, and the run stays within `cap` bytes. `None`: the
    /// run is to be taken (and copied) and a new one begun.
    pub(crate) fn join(&mut self, (from, to): Span, gap: u64, cap: u64) -> Option<u64> {
        let ((a, b), at) = self.run.as_mut()?;
        (from == *b + gap && to - *a <= cap).then(|| {
            *b = to;
            *at + (from - *a)
        })
    }

    /// Begin a run with `span`, landing at `at`.
    pub(crate) fn begin(&mut self, span: Span, at: u64) {
        self.run = Some((span, at));
    }

    /// The run gathered, if any, to be copied now.
    pub(crate) fn take(&mut self) -> Option<Span> {
        self.run.take().map(|(span, _)| span)
    }
}

/// A top-level array being written element by element (elements at
/// depth 2), or run by run. Parts of the previous rules.json that follow
/// each other there (the separator between them is all that lies between)
/// are held back and written as one slice, a window at the most: an edit
/// leaves most of the file in its old order, and the slices go to the
/// file without a copy into the writer's buffer.
struct Array {
    first: bool,
    /// Old parts not written yet.
    pending: Gather,
}

/// What stands between two elements of an array.
const SEPARATOR: &[u8] = b",\n    ";

impl Array {
    fn begin<W: Write>(w: &mut W, key: &str) -> io::Result<Array> {
        write!(w, "  \"{key}\": [")?;
        Ok(Array {
            first: true,
            pending: Gather::default(),
        })
    }

    /// Start an element; returns where its bytes begin.
    fn next<W: Write>(&mut self, w: &mut Counting<W>) -> io::Result<u64> {
        w.write_all(if self.first { b"\n    " } else { SEPARATOR })?;
        self.first = false;
        Ok(w.pos)
    }

    /// Write the old parts held back.
    fn flush<W: Write>(&mut self, w: &mut Counting<W>, stores: &mut Windows) -> io::Result<()> {
        if let Some(span) = self.pending.take() {
            w.write_all(stores.old.get(span)?)?;
        }
        Ok(())
    }

    /// An element or run of the previous file: held back, joined to the
    /// ones before it where it follows them there. Returns its span in the
    /// new file.
    fn old<W: Write>(
        &mut self,
        w: &mut Counting<W>,
        (from, to): Span,
        stores: &mut Windows,
    ) -> io::Result<Span> {
        let gap = SEPARATOR.len() as u64;
        let at = match self.pending.join((from, to), gap, RUN_CAP) {
            Some(at) => at,
            None => {
                self.flush(w, stores)?;
                let at = self.next(w)?;
                self.pending.begin((from, to), at);
                at
            }
        };
        Ok((at, at + (to - from)))
    }

    /// Write a run of elements: fresh ones serialized, stored ones copied
    /// (separators included). Returns the span it takes in the new file.
    fn run<W: Write, T: Serialize>(
        &mut self,
        w: &mut Counting<W>,
        part: &Part<Vec<T>>,
        stores: &mut Windows,
    ) -> io::Result<Span> {
        if let Part::Old(span) = part {
            return self.old(w, *span, stores);
        }
        self.flush(w, stores)?;
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
            Part::Old(_) | Part::Spilled(_) => {
                let start = self.next(w)?;
                w.write_all(stores.get(part)?)?;
                Ok((start, w.pos))
            }
        }
    }

    fn one<W: Write, T: Serialize>(
        &mut self,
        w: &mut Counting<W>,
        part: &Part<T>,
        stores: &mut Windows,
    ) -> io::Result<Span> {
        if let Part::Old(span) = part {
            return self.old(w, *span, stores);
        }
        self.flush(w, stores)?;
        let start = self.next(w)?;
        match part {
            Part::Fresh(item) => write_at(w, 2, item)?,
            Part::Old(_) | Part::Spilled(_) => w.write_all(stores.get(part)?)?,
        }
        Ok((start, w.pos))
    }

    fn end<W: Write>(
        mut self,
        w: &mut Counting<W>,
        stores: &mut Windows,
        last: bool,
    ) -> io::Result<()> {
        self.flush(w, stores)?;
        if !self.first {
            w.write_all(b"\n  ")?;
        }
        w.write_all(if last { b"]\n" } else { b"],\n" })
    }
}

/// Where stored parts are read: the previous data files and this build's
/// spill file.
#[derive(Debug, Default)]
pub struct Stores {
    pub old: OldFiles,
    pub spilled: Store,
}

/// The previous build's data files, each read by span.
#[derive(Debug, Default)]
pub struct OldFiles {
    pub rules: Store,
    pub procedures: Store,
    pub report: Store,
}

/// The spans of every group's parts in the three data files just written,
/// by group (in [`Assembled::groups`] order), for the next build's cache.
pub(crate) type Written = Vec<GroupIndex>;

/// Everything the data files are made of, in groups.
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
    /// Where old and spilled parts are read.
    pub stores: Stores,
    /// The orders of rules and findings, made when a page first needs them.
    rule_order: std::sync::OnceLock<Vec<(usize, usize)>>,
    finding_order: std::sync::OnceLock<Vec<(usize, Run)>>,
    /// Article path → locale, made when a page first needs it.
    locales: std::sync::OnceLock<HashMap<String, String>>,
    /// The findings of rules that disagree across articles, made once.
    cross: std::sync::OnceLock<Cross>,
    /// The previous build's cross-article findings (reused while the
    /// claims they were made from are the same).
    old_cross: Option<CrossIndex>,
    /// rules.json's vocabulary (what a question may name).
    pub vocabulary: crate::rules::Vocabulary,
    /// The site's findings (`broken-link`, `missing-media`), made every
    /// build from what the analysis recorded (`site::checks`): after the
    /// cross-article ones in report.json.
    site: Part<Vec<Discrepancy>>,
    /// How many of them each locale has.
    site_counts: BTreeMap<String, usize>,
}

/// A build's `cross-article-conflict` findings: the key of every rule's
/// claim they were made from, how many, and the run of them.
#[derive(Debug)]
pub(crate) struct Cross {
    key: String,
    n: usize,
    part: Part<Vec<Discrepancy>>,
}

/// The cross-article findings as the cache keeps them: their key, how
/// many, and their span in report.json.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossIndex {
    /// Hash of every rule's claim, in order.
    pub key: String,
    /// How many findings the run holds.
    pub n: usize,
    /// Where the run is in report.json.
    pub span: Span,
}

impl Assembled {
    pub fn new(
        canonical_locale: String,
        policy: Policy,
        sources: Vec<SourceFile>,
        groups: Vec<Group>,
        base_summary: BTreeMap<String, LocaleSummary>,
        positions: HashMap<String, usize>,
        stores: Stores,
    ) -> Assembled {
        Assembled {
            canonical_locale,
            policy,
            sources,
            groups,
            base_summary,
            positions,
            stores,
            rule_order: std::sync::OnceLock::new(),
            finding_order: std::sync::OnceLock::new(),
            locales: std::sync::OnceLock::new(),
            cross: std::sync::OnceLock::new(),
            old_cross: None,
            vocabulary: Default::default(),
            site: Part::Fresh(Vec::new()),
            site_counts: BTreeMap::new(),
        }
    }

    /// The site's findings ([`crate::site::checks::page_findings`]), each
    /// a warning of its locale.
    pub(crate) fn with_site_findings(mut self, found: Vec<Discrepancy>) -> Assembled {
        let mut counts = BTreeMap::new();
        for d in &found {
            *counts.entry(d.locale.to_string()).or_insert(0) += 1;
        }
        self.site_counts = counts;
        self.site = Part::Fresh(found);
        self
    }

    /// The vocabulary rules.json ends with.
    pub(crate) fn with_vocabulary(mut self, vocabulary: crate::rules::Vocabulary) -> Assembled {
        self.vocabulary = vocabulary;
        self
    }

    fn site_count(&self) -> usize {
        self.site_counts.values().sum()
    }

    /// The previous build's cross-article findings, to copy while the
    /// rules' claims are the same (only with the previous report.json in
    /// the stores).
    pub(crate) fn with_old_cross(mut self, old: Option<CrossIndex>) -> Assembled {
        self.old_cross = old;
        self
    }

    /// What would make `check` refuse the rules.json this build is about
    /// to write, as located errors: a rule made this build that the
    /// validator's own per-rule check ([`crate::rules::check_rule`]) or the
    /// id pattern of rules.json's schema refuses, or an id two rules share.
    /// Parts copied from the previous rules.json passed this when they were
    /// made (and are the bytes they were then: the file is fingerprinted).
    /// Cheap enough for every build: the fresh rules, and one pass over the
    /// ids in their sorted order.
    pub(crate) fn verify(&self) -> Vec<crate::diag::Diagnostic> {
        use crate::diag::{Diagnostic, Location};
        let at = |rule: &Rule| Location::new(rule.source.path.to_string(), rule.source.line, 1);
        let help = "rulebook made a rule its own validator would refuse: the build stops so that \
                    book/ keeps rules `check` can load; please report it with the article";
        let mut found = Vec::new();
        let pattern = regex::Regex::new(crate::rules::schema::RULE_ID_PATTERN).ok();
        for group in &self.groups {
            for (_, _, part) in &group.rules {
                let Part::Fresh(rule) = part else { continue };
                if let Err(e) = crate::rules::check_rule(rule) {
                    found.push(
                        Diagnostic::error("unloadable-rule", e.to_string())
                            .at(at(rule))
                            .with_help(help),
                    );
                }
                if pattern.as_ref().is_some_and(|p| !p.is_match(&rule.id)) {
                    found.push(
                        Diagnostic::error(
                            "unloadable-rule",
                            format!(
                                "the rule id {:?} is not of the form <article>[#<section>]/<id>",
                                rule.id
                            ),
                        )
                        .at(at(rule))
                        .with_help(help),
                    );
                }
            }
        }
        let order = self.rule_order();
        for pair in order.windows(2) {
            let id = |(g, r): (usize, usize)| {
                self.groups
                    .get(g)
                    .and_then(|x| x.rules.get(r))
                    .map(|x| x.0.as_str())
            };
            if let (Some(a), Some(b)) = (id(pair[0]), id(pair[1]))
                && a == b
            {
                let (g, _) = pair[1];
                let slug = self.groups.get(g).map_or("", |x| x.slug.as_str());
                found.push(
                    Diagnostic::error(
                        "unloadable-rule",
                        format!("two rules have the id {a:?} (article {slug})"),
                    )
                    .at(Location::file(format!("content/*/{slug}.md")))
                    .with_help(help),
                );
            }
        }
        found
    }

    /// One `cross-article-conflict` finding per kind and subject whose
    /// rules from several articles state different values, naming the
    /// articles and what each says (in the canonical locale: the rules'
    /// canonical values disagree). They concern no group alone: they are
    /// made from every rule's claim, and copied from the previous
    /// report.json while the claims are the same.
    fn cross(&self) -> &Cross {
        self.cross.get_or_init(|| self.make_cross())
    }

    fn make_cross(&self) -> Cross {
        // (kind, subject) → (article, value hash, group, rule)
        type Claims<'a> = Vec<(&'a str, u64, usize, usize)>;
        let mut by_subject: BTreeMap<(&str, Option<&str>), Claims> = BTreeMap::new();
        let mut key = xxhash_rust::xxh3::Xxh3::new();
        for (g, group) in self.groups.iter().enumerate() {
            for (r, ((id, kind, _), claim)) in group.rules.iter().zip(&group.claims).enumerate() {
                for part in [
                    id.as_bytes(),
                    kind.as_bytes(),
                    claim.subject.as_deref().unwrap_or("").as_bytes(),
                ] {
                    key.update(&(part.len() as u64).to_le_bytes());
                    key.update(part);
                }
                key.update(&claim.value.to_le_bytes());
                by_subject
                    .entry((kind.as_str(), claim.subject.as_deref()))
                    .or_default()
                    .push((group.slug.as_str(), claim.value, g, r));
            }
        }
        key.update(self.canonical_locale.as_bytes());
        let key = format!("{:032x}", key.digest128());
        // an empty run has no bytes to copy (it is written as nothing)
        if let Some(old) = self.old_cross.as_ref().filter(|o| o.key == key && o.n > 0) {
            return Cross {
                key,
                n: old.n,
                part: Part::Old(old.span),
            };
        }
        let stores = &mut Windows::new(&self.stores.old.rules, &self.stores.spilled);
        let mut found = Vec::new();
        for ((kind, subject), claims) in by_subject {
            let first = claims[0].1;
            let articles: BTreeSet<&str> = claims.iter().map(|c| c.0).collect();
            if articles.len() < 2 || claims.iter().all(|c| c.1 == first) {
                continue;
            }
            // one rule read back per value stated (conflicts are few, and
            // most articles that disagree agree with some other)
            let mut values: Vec<(u64, Rule, Vec<&str>)> = Vec::new();
            for &(article, hash, g, r) in &claims {
                if let Some(v) = values.iter_mut().find(|v| v.0 == hash) {
                    v.2.push(article);
                    continue;
                }
                let part = self
                    .groups
                    .get(g)
                    .and_then(|x| x.rules.get(r))
                    .map(|x| &x.2);
                if let Some(rule) = part.and_then(|p| stores.value(p).ok()) {
                    values.push((hash, rule, vec![article]));
                }
            }
            if let Some(d) = conflict_finding(kind, subject, &values, &self.canonical_locale) {
                found.push(d);
            }
        }
        Cross {
            key,
            n: found.len(),
            part: Part::Fresh(found),
        }
    }

    /// The cross-article findings, read back (for tests and `diff`).
    pub fn cross_article(&self) -> io::Result<Vec<Discrepancy>> {
        let stores = &mut Windows::new(&self.stores.old.report, &self.stores.spilled);
        stores.list(&self.cross().part)
    }

    /// (group, rule) pairs in rules.json order: by id, then article; made
    /// once, for the data files and the rules pages alike.
    fn rule_order(&self) -> &[(usize, usize)] {
        self.rule_order.get_or_init(|| self.make_rule_order())
    }

    fn make_rule_order(&self) -> Vec<(usize, usize)> {
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
    /// the target-text disagreements by article. (group, run or tail);
    /// made once, for the data files and the status pages alike.
    fn finding_order(&self) -> &[(usize, Run)] {
        self.finding_order.get_or_init(|| self.make_finding_order())
    }

    fn make_finding_order(&self) -> Vec<(usize, Run)> {
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
        counts.2 += self.cross().n + self.site_count();
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
        // every cross-article finding is a warning of the canonical locale
        let n = self.cross().n;
        if n > 0 {
            summary
                .entry(self.canonical_locale.clone())
                .or_default()
                .warnings += n;
        }
        for (locale, n) in &self.site_counts {
            summary.entry(locale.clone()).or_default().warnings += n;
        }
        summary
    }

    /// Each group's index for the next cache, without spans yet: each of
    /// the three writers fills in its file's spans in an index of its own
    /// (they run side by side), and [`merge_indexes`] puts them together.
    pub(crate) fn empty_index(&self) -> Written {
        self.groups.iter().map(|_| GroupIndex::default()).collect()
    }

    /// The indexes the three writers filled, as one: each group's key and
    /// banner facts, its rules' spans in rules.json, its procedures' in
    /// procedures.json, its findings' in report.json.
    pub(crate) fn merge_indexes(
        &self,
        rules: Written,
        procedures: Written,
        report: Written,
    ) -> Written {
        self.groups
            .iter()
            .zip(rules)
            .zip(procedures)
            .zip(report)
            .map(|(((g, r), p), f)| GroupIndex {
                key: g.key.clone().unwrap_or_default(),
                rules: r.rules,
                procedures: p.procedures,
                runs: f.runs,
                tails: f.tails,
                severities: g.severities.clone(),
                banners: g.banners.clone(),
                claims: g.claims.clone(),
            })
            .collect()
    }

    /// Write rules.json; records each rule's span in `index` and returns a
    /// hash of the rules array's bytes.
    pub(crate) fn write_rules<W: Write>(
        &self,
        w: &mut Counting<W>,
        index: &mut Written,
    ) -> io::Result<u128> {
        w.write_all(b"{\n  \"schema\": ")?;
        serde_json::to_writer(&mut *w, crate::rules::SCHEMA_ID)?;
        w.write_all(b",\n  \"canonical_locale\": ")?;
        serde_json::to_writer(&mut *w, &self.canonical_locale)?;
        w.write_all(b",\n  \"policy\": ")?;
        serde_json::to_writer(&mut *w, &self.policy)?;
        w.write_all(b",\n")?;
        let stores = &mut Windows::new(&self.stores.old.rules, &self.stores.spilled);
        let mut array = Array::begin(w, "sources")?;
        for s in &self.sources {
            array.next(w)?;
            write_at(w, 2, s)?;
        }
        array.end(w, stores, false)?;

        let mut array = Array::begin(w, "rules")?;
        w.tap = Some(xxhash_rust::xxh3::Xxh3::new());
        for &(g, r) in self.rule_order() {
            if let Some((id, kind, part)) = self.groups.get(g).and_then(|group| group.rules.get(r))
            {
                let span = array.one(w, part, stores)?;
                if let Some(i) = index.get_mut(g) {
                    i.rules.push((id.clone(), kind.clone(), span));
                }
            }
        }
        let vocabulary = !self.vocabulary.is_empty();
        array.end(w, stores, !vocabulary)?;
        let rules_hash = w.tap.take().map_or(0, |t| t.digest128());
        if vocabulary {
            w.write_all(b"  \"vocabulary\": ")?;
            write_at(w, 1, &self.vocabulary)?;
            w.write_all(b"\n")?;
        }
        w.write_all(b"}\n")?;
        Ok(rules_hash)
    }

    /// Write procedures.json; records each group's span in `index`.
    pub(crate) fn write_procedures<W: Write>(
        &self,
        w: &mut Counting<W>,
        index: &mut Written,
    ) -> io::Result<()> {
        w.write_all(b"{\n  \"schema\": ")?;
        serde_json::to_writer(&mut *w, crate::rules::PROCEDURES_SCHEMA_ID)?;
        w.write_all(b",\n  \"canonical_locale\": ")?;
        serde_json::to_writer(&mut *w, &self.canonical_locale)?;
        w.write_all(b",\n")?;
        let stores = &mut Windows::new(&self.stores.old.procedures, &self.stores.spilled);
        let mut array = Array::begin(w, "procedures")?;
        for (g, group) in self.groups.iter().enumerate() {
            if let Some((n, part)) = &group.procedures {
                let span = array.run(w, part, stores)?;
                if let Some(i) = index.get_mut(g) {
                    i.procedures = Some((*n, span));
                }
            }
        }
        array.end(w, stores, true)?;
        w.write_all(b"}\n")
    }

    /// Write report.json: the summary, then the findings; records each
    /// run's span in `index`.
    pub(crate) fn write_report<W: Write>(
        &self,
        w: &mut Counting<W>,
        index: &mut Written,
    ) -> io::Result<CrossIndex> {
        w.write_all(b"{\n  \"schema\": ")?;
        serde_json::to_writer(&mut *w, report::REPORT_SCHEMA)?;
        w.write_all(b",\n  \"canonical_locale\": ")?;
        serde_json::to_writer(&mut *w, &self.canonical_locale)?;
        w.write_all(b",\n  \"summary\": ")?;
        write_at(w, 1, &self.summary())?;
        w.write_all(b",\n")?;
        let stores = &mut Windows::new(&self.stores.old.report, &self.stores.spilled);
        let mut array = Array::begin(w, "discrepancies")?;
        for &(g, run) in self.finding_order() {
            let Some(part) = self.finding_part(g, run) else {
                continue;
            };
            let span = array.run(w, part, stores)?;
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
        let cross = self.cross();
        let span = array.run(w, &cross.part, stores)?;
        array.run(w, &self.site, stores)?;
        array.end(w, stores, true)?;
        w.write_all(b"}\n")?;
        Ok(CrossIndex {
            key: cross.key.clone(),
            n: cross.n,
            span,
        })
    }

    /// How many rules rules.json lists.
    pub(crate) fn rule_count(&self) -> usize {
        self.groups.iter().map(|g| g.rules.len()).sum()
    }

    /// The rules at `range` of rules.json's order, read back one at a
    /// time, for a page of the rules page.
    pub(crate) fn for_each_rule(
        &self,
        range: std::ops::Range<usize>,
        mut f: impl FnMut(Rule),
    ) -> io::Result<()> {
        let order = self.rule_order();
        let end = range.end.min(order.len());
        let stores = &mut Windows::new(&self.stores.old.rules, &self.stores.spilled);
        for &(g, r) in order.get(range.start.min(end)..end).unwrap_or_default() {
            if let Some((_, _, part)) = self.groups.get(g).and_then(|x| x.rules.get(r)) {
                f(stores.value(part)?);
            }
        }
        Ok(())
    }

    /// Every rule, in rules.json's order, read back.
    pub(crate) fn all_rules(&self) -> io::Result<Vec<Rule>> {
        let mut rules = Vec::with_capacity(self.rule_count());
        self.for_each_rule(0..usize::MAX, |r| rules.push(r))?;
        Ok(rules)
    }

    /// Every procedure, in procedures.json's order, read back.
    pub(crate) fn all_procedures(&self) -> io::Result<Vec<Procedure>> {
        let stores = &mut Windows::new(&self.stores.old.procedures, &self.stores.spilled);
        let mut all = Vec::new();
        for group in &self.groups {
            if let Some((_, part)) = &group.procedures {
                all.extend(stores.list(part)?);
            }
        }
        Ok(all)
    }

    /// Every finding, in report.json's order, read back.
    pub(crate) fn all_findings(&self) -> io::Result<Vec<Discrepancy>> {
        let stores = &mut Windows::new(&self.stores.old.report, &self.stores.spilled);
        let mut all = Vec::new();
        for &(g, run) in self.finding_order() {
            if let Some(part) = self.finding_part(g, run) {
                all.extend(stores.list(part)?);
            }
        }
        all.extend(stores.list(&self.cross().part)?);
        all.extend(stores.list(&self.site)?);
        Ok(all)
    }

    /// How many findings `locale` has.
    pub(crate) fn finding_count(&self, locale: &str) -> usize {
        self.groups
            .iter()
            .filter_map(|g| g.severities.get(locale))
            .map(|s| s.iter().sum::<usize>())
            .sum::<usize>()
            + if locale == self.canonical_locale {
                self.cross().n
            } else {
                0
            }
            + self.site_counts.get(locale).copied().unwrap_or(0)
    }

    /// The findings of one locale at `range` of their report order, read
    /// back run by run (runs before the range are counted, not read), for
    /// a page of its status page.
    pub(crate) fn for_each_finding(
        &self,
        locale: &str,
        range: std::ops::Range<usize>,
        mut f: impl FnMut(Discrepancy),
    ) -> io::Result<()> {
        let stores = &mut Windows::new(&self.stores.old.report, &self.stores.spilled);
        let mut at = 0;
        for &(g, run) in self.finding_order() {
            if at >= range.end {
                break;
            }
            // a sorted run is one locale's; a tail is one article's
            let (part, n) = match run {
                Run::Sorted(r) => match self.groups.get(g).and_then(|x| x.runs.get(r)) {
                    Some((l, _, n, part)) if l == locale => (part, *n),
                    _ => continue,
                },
                Run::Tail(t) => match self.groups.get(g).and_then(|x| x.tails.get(t)) {
                    Some((path, n, part)) if self.locale_of(path) == Some(locale) => (part, *n),
                    _ => continue,
                },
            };
            // runs before the range are counted, not read
            if at + n > range.start {
                for d in stores.list(part)? {
                    if range.contains(&at) {
                        f(d);
                    }
                    at += 1;
                }
            } else {
                at += n;
            }
        }
        if locale == self.canonical_locale && at < range.end {
            let cross = self.cross();
            if at + cross.n > range.start {
                for d in stores.list(&cross.part)? {
                    if range.contains(&at) {
                        f(d);
                    }
                    at += 1;
                }
            } else {
                at += cross.n;
            }
        }
        if let Part::Fresh(site) = &self.site {
            for d in site.iter().filter(|d| *d.locale == *locale) {
                if at >= range.end {
                    break;
                }
                if range.contains(&at) {
                    f(d.clone());
                }
                at += 1;
            }
        }
        Ok(())
    }

    /// The locale of an article, by its path.
    fn locale_of(&self, path: &str) -> Option<&str> {
        let locales = self.locales.get_or_init(|| {
            self.sources
                .iter()
                .map(|s| (s.path.clone(), s.locale.clone()))
                .collect()
        });
        locales.get(path).map(String::as_str)
    }

    /// Each locale's out-of-date notices' facts, by article: the stale
    /// date and the kinds of facts that differ. A rule's kind is that of
    /// the first rule of its id in rules.json.
    pub(crate) fn banner_facts(
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

/// The finding for rules of one kind and subject that disagree: each value
/// stated with the articles that state it (`found`), located at the first
/// value's rule, with a rule stating another as the related location.
/// `values`: (value hash, a rule stating it, the articles stating it).
fn conflict_finding(
    kind: &str,
    subject: Option<&str>,
    values: &[(u64, Rule, Vec<&str>)],
    canonical_locale: &str,
) -> Option<Discrepancy> {
    let (_, first, _) = values.first()?;
    let (_, other, _) = values.get(1)?;
    let mut articles: Vec<&str> = values.iter().flat_map(|v| v.2.iter().copied()).collect();
    articles.sort_unstable();
    articles.dedup();
    let found: Vec<serde_json::Value> = values
        .iter()
        .map(|(_, rule, articles)| serde_json::json!({"value": rule.value, "articles": articles}))
        .collect();
    let what = match subject {
        Some(s) => format!("{kind} rules for {s}"),
        None => format!("{kind} rules"),
    };
    let shown = if articles.len() > 6 {
        format!(
            "{} and {} more",
            articles[..5].join(", "),
            articles.len() - 5
        )
    } else {
        articles.join(", ")
    };
    Some(Discrepancy {
        code: "cross-article-conflict".into(),
        severity: "warning".into(),
        locale: canonical_locale.into(),
        rule: Some(first.id.clone()),
        section: first.section.as_deref().map(Into::into),
        expected: serde_json::json!({"kind": kind, "subject": subject}),
        found: serde_json::Value::Array(found),
        message: format!(
            "{what} state {} values in articles {shown}: {} says {}, {} says {}; `rulebook check` answers with the stricter",
            values.len(),
            first.id,
            serde_json::to_string(&first.value).unwrap_or_default(),
            other.id,
            serde_json::to_string(&other.value).unwrap_or_default(),
        ),
        source: Some(first.source.clone()),
        canonical: Some(other.source.clone()),
    })
}

#[derive(Debug, Clone, Copy)]
enum Run {
    Sorted(usize),
    Tail(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(article: &str, local: &str, value: crate::rules::Value) -> Rule {
        Rule {
            id: crate::rules::rule_id(article, None, local),
            kind: value.kind(),
            article: article.to_owned(),
            section: None,
            value,
            source: crate::rules::Provenance {
                column: None,
                locale: "en".into(),
                path: format!("content/en/{article}.md").into(),
                line: 7,
                segment: None,
                section: None,
            },
            by_locale: BTreeMap::new(),
        }
    }

    fn assembled(rules: Vec<Rule>) -> Assembled {
        let mut groups: Vec<Group> = Vec::new();
        for r in rules {
            let claim = Claim::of(&r);
            let group = match groups.iter_mut().find(|g| g.slug == r.article) {
                Some(g) => g,
                None => {
                    groups.push(Group {
                        slug: r.article.clone(),
                        key: None,
                        rules: Vec::new(),
                        procedures: None,
                        runs: Vec::new(),
                        tails: Vec::new(),
                        severities: BTreeMap::new(),
                        banners: BTreeMap::new(),
                        claims: Vec::new(),
                    });
                    groups.last_mut().unwrap()
                }
            };
            group.claims.push(claim);
            group
                .rules
                .push((r.id.clone(), r.kind.id().to_owned(), Part::Fresh(r)));
        }
        Assembled::new(
            "en".to_owned(),
            Policy::SourceWins,
            Vec::new(),
            groups,
            BTreeMap::new(),
            HashMap::new(),
            Stores::default(),
        )
    }

    fn window(days: u32) -> crate::rules::Value {
        crate::rules::Value::CancellationWindow(crate::rules::CancellationWindow {
            days,
            early_termination_fee: false,
        })
    }

    /// What the validator would refuse is refused before anything is
    /// written, located at the rule's sentence; good rules pass.
    #[test]
    fn rules_check_would_refuse_are_found_before_writing() {
        let good = assembled(vec![rule("a", "cancellation-window", window(60))]);
        assert!(good.verify().is_empty());
        let too_long = assembled(vec![rule("a", "cancellation-window", window(40_000))]);
        let found = too_long.verify();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, "unloadable-rule");
        assert!(
            found[0].to_string().contains("content/en/a.md:7"),
            "{}",
            found[0]
        );
        let lower = assembled(vec![rule(
            "a",
            "x-unavailable-markets",
            crate::rules::Value::UnavailableMarkets(crate::rules::UnavailableMarkets {
                product: "x".to_owned(),
                markets: vec!["br".to_owned()],
            }),
        )]);
        assert!(lower.verify()[0].to_string().contains("upper-case"));
        let mut twice = rule("b", "cancellation-window", window(60));
        twice.id = "a/cancellation-window".to_owned();
        let dup = assembled(vec![rule("a", "cancellation-window", window(60)), twice]);
        assert!(
            dup.verify()[0]
                .to_string()
                .contains("two rules have the id")
        );
        let mut odd = rule("a", "cancellation-window", window(60));
        odd.id = "a/Cancellation_Window".to_owned();
        assert!(
            assembled(vec![odd]).verify()[0]
                .to_string()
                .contains("not of the form")
        );
    }

    /// Articles that disagree on a kind and subject give one finding naming
    /// both; articles that agree give none.
    #[test]
    fn rules_of_several_articles_that_disagree_are_one_finding() {
        let agree = assembled(vec![
            rule("a", "cancellation-window", window(60)),
            rule("b", "cancellation-window", window(60)),
        ]);
        assert!(agree.cross_article().unwrap().is_empty());
        let disagree = assembled(vec![
            rule("a", "cancellation-window", window(60)),
            rule("b", "cancellation-window", window(30)),
            rule("c", "cancellation-window", window(60)),
        ]);
        let found = disagree.cross_article().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "cross-article-conflict");
        assert_eq!(
            found[0].found,
            serde_json::json!([
                {"value": {"days": 60, "early_termination_fee": false}, "articles": ["a", "c"]},
                {"value": {"days": 30, "early_termination_fee": false}, "articles": ["b"]},
            ])
        );
        assert!(found[0].message.contains("a, b, c"), "{}", found[0].message);
        assert_eq!(disagree.counts().2, 1);
        assert_eq!(disagree.finding_count("en"), 1);
    }

    /// Spans join a run only where they follow it by exactly the gap, and
    /// while it stays within the cap; each lands where it will be once the
    /// run is copied.
    #[test]
    fn spans_that_follow_each_other_are_gathered() {
        let mut g = Gather::default();
        assert_eq!(g.join((0, 10), 6, 100), None, "no run yet");
        g.begin((100, 110), 500);
        assert_eq!(g.join((116, 130), 6, 100), Some(516));
        assert_eq!(g.join((136, 150), 6, 100), Some(536));
        assert_eq!(g.join((151, 160), 6, 100), None, "a gap of 1, not 6");
        assert_eq!(g.join((156, 250), 6, 100), None, "over the cap");
        assert_eq!(g.take(), Some((100, 150)));
        assert_eq!(g.take(), None);
    }

    /// A span copied from a stored file lands after what the target holds,
    /// byte for byte; a span past the file's end is an error, not a short
    /// copy.
    #[test]
    fn a_span_is_copied_from_file_to_file() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&from, &bytes).unwrap();
        let store = Store::new(std::fs::File::open(&from).unwrap());
        assert_eq!(store.size(), bytes.len() as u64);
        let to = dir.path().join("to");
        let mut out = std::fs::File::create(&to).unwrap();
        out.write_all(b"head").unwrap();
        store.copy_into((1_000, 150_000), &mut out).unwrap();
        store.copy_into((5, 5), &mut out).unwrap();
        assert!(store.copy_into((199_990, 200_001), &mut out).is_err());
        drop(out);
        let written = std::fs::read(&to).unwrap();
        assert_eq!(&written[..4], b"head");
        assert_eq!(&written[4..], &bytes[1_000..150_000]);
    }
}
