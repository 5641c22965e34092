//! The build cache, kept inside the output folder (`<out>/.rulebook/`) so it
//! is swapped in together with the output it describes: it can never speak
//! of pages that are not there.
//!
//! It holds what a build learned that a later one can reuse:
//! - each article's analysis (facts, outline), keyed by the SHA-256 of its
//!   text and the fingerprint of everything else analysis reads (lexicons,
//!   book.toml, shared include folders, rulebook's version);
//! - each page's key: a hash of everything the page is made from, so an
//!   unchanged page is linked from the old output instead of rendered;
//! - the key of the whole build: when nothing changed, nothing is rebuilt.
//!
//! The cache only ever saves work: a missing, old or damaged cache means a
//! full build, never a failure, and a build with a cache writes the same
//! bytes as one without.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::data_files::{CrossIndex, GroupIndex, OldFiles, Span, Store};
use crate::reconcile::ArticleFacts;

/// The folder of the cache inside the output.
pub const DIR: &str = ".rulebook";

/// The manifest inside [`DIR`]: a commit removes it from the output before
/// it changes anything and puts the new one in last, so an output that is
/// not whole has none, and nothing of it is reused.
pub(crate) const MANIFEST: &str = "manifest.json";

/// Bumped with any change to what is cached or how keys are made; the
/// crate version is part of it, so a new rulebook never trusts an old cache.
const FORMAT: &str = concat!("rulebook-cache/9 ", env!("CARGO_PKG_VERSION"));

/// What a finished build leaves for the next one (`manifest.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// The cache format and rulebook version that wrote it: a cache of any
    /// other is ignored.
    pub format: String,
    /// Fingerprint of everything analysis and rendering read besides the
    /// articles themselves.
    pub inputs: String,
    /// Key of the whole build (inputs, options, every article's hash, the
    /// media and other files pages show): a build with the same key is up
    /// to date.
    pub build: Option<String>,
    /// The build's warnings, for an up-to-date build to say again (a
    /// project that always has some, as real trees do, is still up to
    /// date when nothing changed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// What the build wrote, for an up-to-date build to say again.
    pub counts: Counts,
    /// Page (`<locale>/<file>`) → key of what it was made from.
    pub pages: BTreeMap<String, String>,
    /// Fingerprints of the data files committed with this manifest
    /// ([`DATA_FILES`], in that order): a cache is used only beside those
    /// files (not beside ones restored from another output, nor beside
    /// ones changed since).
    #[serde(default)]
    pub data_files: Vec<String>,
    /// Checksum of `index.json`: an index that is not the one written with
    /// this manifest is not used.
    #[serde(default)]
    pub index: String,
}

/// Sizes of a build's rules file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Rules in rules.json.
    pub rules: usize,
    /// Procedures in procedures.json.
    pub procedures: usize,
    /// Findings (discrepancies) in report.json.
    pub discrepancies: usize,
    /// Article files listed as sources of rules.json.
    pub sources: usize,
}

/// What a build needs of an unchanged article besides its facts: its
/// sources entry, its title in the table of contents, its counts for the
/// report's summary, and where its analysis is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleMeta {
    /// The article's locale id.
    pub locale: String,
    /// The article's slug (its file stem, the same in every locale).
    pub article: String,
    /// The file's path relative to the project root, as diagnostics print it.
    pub path: String,
    /// SHA-256 of the file's bytes (hex), as rules.json's sources publish it.
    pub sha256: String,
    /// The file's size and modification time when it hashed to `sha256`:
    /// while both are unchanged the file is not read again (as git and
    /// cargo judge a file unchanged).
    pub stamp: Option<Stamp>,
    /// The date that ranks its statements
    /// ([`crate::frontmatter::Frontmatter::effective_date`]), `YYYY-MM-DD`;
    /// `None` when undated.
    pub date: Option<String>,
    /// Its title in the table of contents.
    pub nav_title: String,
    /// The anchors of its sections (what links to its page may name).
    #[serde(default)]
    pub anchors: Vec<String>,
    /// Each section's anchor and heading, in order: the titles of the
    /// actions its roles lines make (rules.json's vocabulary).
    #[serde(default)]
    pub section_titles: Vec<(String, String)>,
    /// What its page links to and shows.
    #[serde(default)]
    pub refs: crate::site::chapter::PageRefs,
    /// Its analysis' warnings (an article with an error is not cached):
    /// said again every build it is not analyzed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// How many bilingual segments it has, for the report's summary.
    pub segments: usize,
    /// How many of them are left untranslated, for the report's summary.
    pub untranslated: usize,
    /// The analysis (JSON) in the locale's `facts-<locale>.json`.
    pub facts: Span,
    /// Checksum of those bytes ([`checksum`]): an analysis whose bytes
    /// changed is not used (the article is analyzed again).
    pub facts_sum: String,
}

/// What the previous build analyzed and reconciled (`index.json`): the
/// articles without diagnostics, and the groups of articles (one file name
/// across locales) whose parts of rules.json can be copied as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Index {
    /// Fingerprints of the data files the groups' spans point into.
    pub data_files: Vec<String>,
    pub articles: Vec<ArticleMeta>,
    /// Slug → group.
    pub groups: BTreeMap<String, GroupIndex>,
    /// The cross-article findings in report.json.
    #[serde(default)]
    pub cross: Option<CrossIndex>,
}

/// Size and modification time (nanoseconds since the epoch) of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Stamp(pub u64, pub u128);

impl Stamp {
    /// The stamp of the file at `path`; `None` when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::from_metadata(&std::fs::metadata(path).ok()?)
    }

    pub(crate) fn from_metadata(meta: &std::fs::Metadata) -> Option<Stamp> {
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(Stamp(meta.len(), mtime.as_nanos()))
    }
}

/// Who a file is, by its metadata: inode (on Unix), size and modification
/// time. Only ever compared within one process (`serve`'s session), never
/// written into the cache, whose bytes do not depend on such things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId(u64, Stamp);

impl FileId {
    /// Who the file at `path` is (the link itself for a symlink); `None` when
    /// it cannot be read.
    pub fn of(path: &Path) -> Option<FileId> {
        FileId::from_metadata(&std::fs::symlink_metadata(path).ok()?)
    }

    fn from_metadata(meta: &std::fs::Metadata) -> Option<FileId> {
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let ino = 0;
        Some(FileId(ino, Stamp::from_metadata(meta)?))
    }
}

/// The cache of the previous build, being read by this one.
#[derive(Debug, Default)]
pub struct Cache {
    /// The previous build's manifest, of this build's format.
    pub manifest: Manifest,
    /// The previous output folder (pages are linked from here).
    pub out: PathBuf,
    /// Article path → what is known of it (only with the same inputs).
    articles: HashMap<String, ArticleMeta>,
    /// Slug → the group's parts in the previous rules.json.
    pub groups: BTreeMap<String, GroupIndex>,
    /// The cross-article findings in the previous report.json.
    pub cross: Option<CrossIndex>,
    data_files: Vec<String>,
    /// The previous data files as the build that wrote them left them
    /// (known only to a process that made that build): while they are the
    /// same files, they are not read whole to check their fingerprints.
    pub trusted_data: Option<Vec<FileId>>,
    /// Each locale's facts file, read when first needed.
    facts: Mutex<HashMap<String, Option<std::sync::Arc<Store>>>>,
    /// The files of the previous output, listed once (one folder read per
    /// locale, not one lookup per page).
    files: std::sync::OnceLock<std::collections::HashSet<PathBuf>>,
    /// When the manifest was committed (its modification time): every
    /// file of the output the build kept or wrote is older.
    committed: std::sync::OnceLock<Option<std::time::SystemTime>>,
}

/// A whole file of the previous output: bounded, never blocking, a
/// regular file only ([`crate::load::confine::read_any`]).
pub(crate) fn read_old(path: &Path) -> Option<Vec<u8>> {
    crate::load::confine::read_any(path).ok()
}

/// The data files a build writes, whose parts the next build copies: their
/// fingerprints are recorded in this order.
pub(crate) const DATA_FILES: [&str; 3] = ["rules.json", "procedures.json", "report.json"];

/// The open `file` if its bytes hash to `fingerprint` (the open file stays
/// the one hashed, whatever replaces the path).
fn hashed_as(mut file: std::fs::File, fingerprint: &str) -> Option<std::fs::File> {
    let mut hash = xxhash_rust::xxh3::Xxh3::new();
    let mut block = vec![0; 1 << 16];
    loop {
        match std::io::Read::read(&mut file, &mut block) {
            Ok(0) => break,
            Ok(n) => hash.update(&block[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    (format!("{:032x}", hash.digest128()) == fingerprint).then_some(file)
}

/// A file of the previous output opened to be read by span: `None` unless
/// it is a regular file (a FIFO there would block the build for good; the
/// check is made on the open file, so nothing swapped in meanwhile counts).
fn open_old(path: &Path) -> Option<std::fs::File> {
    let file = crate::load::confine::open_nonblocking(path).ok()?;
    file.metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|_| file)
}

impl Cache {
    /// The cache in `out`, if there is a usable one made with `inputs`.
    /// Articles are trusted only when the inputs are the same; page keys
    /// carry the inputs themselves. Every entry is checked before it is
    /// used and ignored (silently: the cache only saves work) when it is
    /// not the one its build wrote: the manifest by its seal and format
    /// (this rulebook's version), the index by the checksum the manifest
    /// records, each analysis by the checksum the index records
    /// ([`Cache::facts`]), the whole cache by the rules.json beside it
    /// ([`Cache::old_rules`]).
    pub fn load(out: &Path, inputs: &str) -> Option<Cache> {
        let dir = out.join(DIR);
        // the previous output is not trusted (a restored CI cache): its
        // files are read bounded and never blocking, a FIFO or a link to a
        // device is no cache
        let manifest = unseal(&read_old(&dir.join(MANIFEST))?)?;
        if manifest.format != FORMAT {
            return None;
        }
        let index: Index = if manifest.inputs == inputs {
            read_old(&dir.join(INDEX))
                .filter(|b| checksum(b) == manifest.index)
                .and_then(|b| serde_json::from_slice::<Index>(&b).ok())
                .filter(|i| i.data_files == manifest.data_files)
                .unwrap_or_default()
        } else {
            Index::default()
        };
        Cache::from_parts(out, manifest, index, inputs)
    }

    /// The cache made of a manifest and an index already read (or kept in
    /// memory from the build that wrote them); the index only serves with
    /// the same inputs.
    pub(crate) fn from_parts(
        out: &Path,
        manifest: Manifest,
        index: Index,
        inputs: &str,
    ) -> Option<Cache> {
        if manifest.format != FORMAT {
            return None;
        }
        let index = if manifest.inputs == inputs {
            index
        } else {
            Index::default()
        };
        Some(Cache {
            manifest,
            out: out.to_path_buf(),
            articles: index
                .articles
                .into_iter()
                .map(|a| (a.path.clone(), a))
                .collect(),
            groups: index.groups,
            cross: index.cross,
            data_files: index.data_files,
            trusted_data: None,
            facts: Mutex::new(HashMap::new()),
            files: std::sync::OnceLock::new(),
            committed: std::sync::OnceLock::new(),
        })
    }

    /// The manifest and the index this cache was made of (for a session
    /// to keep).
    pub(crate) fn into_parts(self) -> (Manifest, Index) {
        let index = Index {
            data_files: self.data_files,
            articles: self.articles.into_values().collect(),
            groups: self.groups,
            cross: self.cross,
        };
        (self.manifest, index)
    }

    /// The hash of `path` recorded when the file had this `stamp`.
    pub(crate) fn known_hash(&self, path: &str, stamp: Stamp) -> Option<String> {
        let a = self.articles.get(path)?;
        (a.stamp == Some(stamp)).then(|| a.sha256.clone())
    }

    /// What the page of the article at `path` linked to and showed when
    /// it was last analyzed.
    pub fn refs(&self, path: &str) -> Option<&crate::site::chapter::PageRefs> {
        self.articles.get(path).map(|a| &a.refs)
    }

    /// What is known of `path` if its text still hashes to `sha256`.
    pub fn article(&self, path: &str, sha256: &str) -> Option<&ArticleMeta> {
        self.articles.get(path).filter(|a| a.sha256 == sha256)
    }

    /// The cached analysis of an article, if its bytes are the ones its
    /// build wrote.
    pub fn facts(&self, meta: &ArticleMeta) -> Option<ArticleFacts> {
        let file = self.old_facts(&meta.locale)?;
        let bytes = file.bytes(meta.facts).ok()?;
        if checksum(&bytes) != meta.facts_sum {
            return None;
        }
        serde_json::from_slice(&bytes).ok()
    }

    /// The previous data files, when they are the ones this cache was
    /// committed with (each hashed as it is read, not held: parts are read
    /// back by span). `None` means the cache speaks of another output: it
    /// is not used at all.
    pub(crate) fn old_data(&self) -> Option<OldFiles> {
        if self.manifest.data_files.len() != DATA_FILES.len() {
            return None;
        }
        let mut stores = Vec::with_capacity(DATA_FILES.len());
        for (i, name) in DATA_FILES.iter().enumerate() {
            let file = open_old(&self.out.join(name))?;
            // the open file's metadata: whatever replaces the path
            // meanwhile, the file copied from is the one checked
            let trusted = self
                .trusted_data
                .as_ref()
                .and_then(|t| t.get(i))
                .is_some_and(|t| {
                    file.metadata().ok().and_then(|m| FileId::from_metadata(&m)) == Some(*t)
                });
            let file = if trusted {
                file
            } else {
                hashed_as(file, &self.manifest.data_files[i])?
            };
            stores.push(Store::new(file));
        }
        let report = stores.pop()?;
        let procedures = stores.pop()?;
        let rules = stores.pop()?;
        Some(OldFiles {
            rules,
            procedures,
            report,
        })
    }

    /// The page of the previous output to reuse for `page` when it was made
    /// from the same `key`.
    pub fn page(&self, page: &str, key: &str) -> Option<PathBuf> {
        (self.manifest.pages.get(page).map(String::as_str) == Some(key))
            .then(|| self.out.join(page))
            .filter(|_| self.has(Path::new(page)))
            // kept in place and read back (the home page is a copy of the
            // first): only a plain file, never a FIFO or a link, and one
            // not changed since the build that made it committed its
            // manifest (a page edited by hand or damaged afterwards was
            // kept for good: its key still matched)
            .filter(|p| {
                std::fs::symlink_metadata(p).is_ok_and(|m| {
                    m.file_type().is_file()
                        && m.modified()
                            .is_ok_and(|t| self.committed().is_some_and(|c| t <= c))
                })
            })
    }

    /// Whether every published file of the previous output is a plain file
    /// no newer than the manifest: none was edited (or replaced by a link or a FIFO)
    /// since its build committed. One stat per file; an output found
    /// touched is not "up to date", and the build that follows replaces
    /// what was touched.
    pub(crate) fn output_untouched(&self) -> bool {
        let Some(committed) = self.committed() else {
            return false;
        };
        let Ok((files, _)) = crate::fsutil::walk(&self.out) else {
            return false;
        };
        // the cache's own entries are checked by their checksums when used
        files.iter().filter(|rel| !rel.starts_with(DIR)).all(|rel| {
            std::fs::symlink_metadata(self.out.join(rel)).is_ok_and(|m| {
                m.file_type().is_file() && m.modified().is_ok_and(|t| t <= committed)
            })
        })
    }

    fn committed(&self) -> Option<std::time::SystemTime> {
        *self.committed.get_or_init(|| {
            std::fs::symlink_metadata(self.out.join(DIR).join(MANIFEST))
                .and_then(|m| m.modified())
                .ok()
        })
    }

    /// Whether the previous output has the file `rel`.
    pub fn has(&self, rel: &Path) -> bool {
        self.files
            .get_or_init(|| {
                crate::fsutil::walk(&self.out)
                    .map(|(files, _)| files.into_iter().collect())
                    .unwrap_or_default()
            })
            .contains(rel)
    }

    /// The previous facts file of `locale`, opened once; analyses are read
    /// from it by span (a big locale's file is far too large to read whole
    /// for a few articles).
    fn old_facts(&self, locale: &str) -> Option<std::sync::Arc<Store>> {
        let mut files = self.facts.lock().ok()?;
        files
            .entry(locale.to_owned())
            .or_insert_with(|| {
                open_old(&self.out.join(DIR).join(facts_file(locale)))
                    .map(|f| std::sync::Arc::new(Store::new(f)))
            })
            .clone()
    }
}

/// The index inside [`DIR`].
const INDEX: &str = "index.json";

/// The checksum of a cache entry's bytes (XXH3-128 of this cache format
/// and the bytes): it tells an entry changed since its build wrote it
/// (damage, a stray edit, an entry of another build copied in). It is no
/// signature: whoever can write the cache and knows its format can write
/// matching checksums (see docs/robustness.md, Threat model).
pub fn checksum(bytes: &[u8]) -> String {
    let mut key = Key::new("entry");
    key.add(bytes);
    key.finish()
}

/// The manifest's bytes: its checksum on the first line, then its JSON.
fn seal(manifest: &Manifest) -> std::io::Result<Vec<u8>> {
    let body = serde_json::to_vec(manifest).map_err(std::io::Error::other)?;
    let mut bytes = checksum(&body).into_bytes();
    bytes.push(b'\n');
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// The manifest in `bytes`, if its checksum holds.
fn unseal(bytes: &[u8]) -> Option<Manifest> {
    let at = bytes.iter().position(|&b| b == b'\n')?;
    let (sum, body) = (&bytes[..at], &bytes[at + 1..]);
    (sum == checksum(body).as_bytes()).then_some(())?;
    serde_json::from_slice(body).ok()
}

fn facts_file(locale: &str) -> String {
    format!("facts-{locale}.json")
}

type Counting = crate::fsutil::Counting<std::io::BufWriter<std::fs::File>>;

/// An article's analysis for the next build's cache: made this build, or
/// the previous cache's bytes.
pub(crate) enum Facts {
    /// Made this build, in the spill file.
    Spilled(Span),
    Old,
}

/// Write each locale's facts file into `dir` (the new output's cache
/// folder) and return the articles' metas with their spans in it. A locale
/// whose articles all kept their analysis, in the same order, keeps the
/// old file (`keep` is told its path in the output).
pub(crate) fn save_facts(
    dir: &Path,
    articles: Vec<(ArticleMeta, Facts)>,
    old: Option<&Cache>,
    spilled: &Store,
    keep: &(dyn Fn(PathBuf) + Sync),
) -> std::io::Result<Vec<ArticleMeta>> {
    std::fs::create_dir_all(dir)?;
    let mut by_locale: BTreeMap<String, Vec<(ArticleMeta, Facts)>> = BTreeMap::new();
    for a in articles {
        by_locale.entry(a.0.locale.clone()).or_default().push(a);
    }
    let mut metas = Vec::new();
    for (locale, list) in by_locale {
        let path = dir.join(facts_file(&locale));
        let unchanged = old.is_some_and(|c| {
            let before = c.articles.values().filter(|a| a.locale == locale).count();
            before == list.len()
                && list.iter().all(|(m, f)| {
                    matches!(f, Facts::Old)
                        && c.articles
                            .get(&m.path)
                            .is_some_and(|o| o.facts == m.facts && o.sha256 == m.sha256)
                })
        });
        if unchanged
            && let Some(c) = old
            && c.has(&Path::new(DIR).join(facts_file(&locale)))
        {
            keep(Path::new(DIR).join(facts_file(&locale)));
            metas.extend(list.into_iter().map(|(m, _)| m));
            continue;
        }
        let previous = old.and_then(|c| c.old_facts(&locale));
        let file = std::fs::File::create(path)?;
        let mut out = crate::fsutil::Counting::new(std::io::BufWriter::new(file));
        let mut buf = Vec::new();
        // Articles kept lie in the previous file one after the other, in
        // the same order: each run of them is copied whole, by the kernel
        // (a one-edit rebuild copies the file in two or three runs instead
        // of a read and a write per article).
        let mut run = crate::data_files::Gather::default();
        let flush =
            |run: &mut crate::data_files::Gather, out: &mut Counting| -> std::io::Result<()> {
                if let (Some(span), Some(p)) = (run.take(), previous.as_ref()) {
                    std::io::Write::flush(out)?;
                    p.copy_into(span, out.inner.get_mut())?;
                    out.pos += span.1 - span.0;
                }
                Ok(())
            };
        for (mut meta, facts) in list {
            match facts {
                Facts::Spilled(span) => {
                    flush(&mut run, &mut out)?;
                    let start = out.pos;
                    spilled.read(span, &mut buf)?;
                    std::io::Write::write_all(&mut out, &buf)?;
                    meta.facts = (start, out.pos);
                    meta.facts_sum = checksum(&buf);
                }
                Facts::Old => {
                    let (from, to) = meta.facts;
                    // not to be found after all: left out of the cache
                    if previous.as_ref().is_none_or(|p| to < from || to > p.size()) {
                        continue;
                    }
                    let start = match run.join((from, to), 0, u64::MAX) {
                        Some(at) => at,
                        None => {
                            flush(&mut run, &mut out)?;
                            run.begin((from, to), out.pos);
                            out.pos
                        }
                    };
                    meta.facts = (start, start + (to - from));
                }
            }
            metas.push(meta);
        }
        flush(&mut run, &mut out)?;
        std::io::Write::flush(&mut out)?;
    }
    Ok(metas)
}

/// Write the index; returns its checksum, for the manifest.
pub(crate) fn save_index(dir: &Path, index: &Index) -> std::io::Result<String> {
    std::fs::create_dir_all(dir)?;
    let bytes = serde_json::to_vec(index).map_err(std::io::Error::other)?;
    std::fs::write(dir.join(INDEX), &bytes)?;
    Ok(checksum(&bytes))
}

/// Write the manifest (of this cache format: `format` is set here),
/// sealed with its checksum.
pub(crate) fn save_manifest(dir: &Path, manifest: &mut Manifest) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    manifest.format = FORMAT.to_owned();
    std::fs::write(dir.join(MANIFEST), seal(manifest)?)
}

/// A hash being fed the parts of a key; each part is length-prefixed, so
/// ("ab", "c") and ("a", "bc") differ. XXH3-128: a key only decides whether
/// work is redone, nobody forges one, and hashing must cost far less than
/// the work it saves.
#[derive(Default)]
pub(crate) struct Key(Xxh3);

impl Key {
    pub(crate) fn new(kind: &str) -> Key {
        let mut k = Key(Xxh3::new());
        k.add(FORMAT.as_bytes()).add(kind.as_bytes());
        k
    }

    pub(crate) fn add(&mut self, part: &[u8]) -> &mut Self {
        self.0.update(&(part.len() as u64).to_le_bytes());
        self.0.update(part);
        self
    }

    /// Every file under `dir` (sorted, with its path relative to `root`);
    /// a missing folder adds nothing. Only regular files under `confined`
    /// (canonical folders) are read; any other file adds a marker.
    pub(crate) fn add_tree(&mut self, root: &Path, dir: &Path, confined: &[PathBuf]) -> &mut Self {
        let mut files = Vec::new();
        walk(dir, &mut files);
        files.sort();
        for f in files {
            let rel = f.strip_prefix(root).unwrap_or(&f).to_string_lossy();
            self.add(rel.as_bytes());
            // only regular files are read (a FIFO would hang the build, a
            // link to /dev/zero fill its memory); load refuses the others
            // where a build could read them
            match crate::load::confine::read(&f, confined) {
                Ok(bytes) => self.add(&bytes),
                Err(_) => self.add(b"\0unreadable"),
            };
        }
        self
    }

    pub(crate) fn finish(self) -> String {
        format!("{:032x}", self.0.digest128())
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&path, files),
            Ok(_) => files.push(path),
            Err(_) => {}
        }
    }
}
