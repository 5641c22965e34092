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

use crate::reconcile::ArticleFacts;

/// The folder of the cache inside the output.
pub const DIR: &str = ".rulebook";

/// Bumped with any change to what is cached or how keys are made; the
/// crate version is part of it, so a new rulebook never trusts an old cache.
const FORMAT: &str = concat!("rulebook-cache/2 ", env!("CARGO_PKG_VERSION"));

/// What a finished build leaves for the next one (`manifest.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// Fingerprint of everything analysis and rendering read besides the
    /// articles themselves.
    pub inputs: String,
    /// Key of the whole build (inputs, options, every article's hash), set
    /// only when the build reported no diagnostics: an up-to-date build
    /// reports nothing, so it must have had nothing to report.
    pub build: Option<String>,
    /// What the build wrote, for an up-to-date build to say again.
    pub counts: Counts,
    /// Page (`<locale>/<file>`) → key of what it was made from.
    pub pages: BTreeMap<String, String>,
}

/// Sizes of a build's rules file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub rules: usize,
    pub procedures: usize,
    pub discrepancies: usize,
    pub sources: usize,
}

/// One article's cached analysis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedArticle {
    pub sha256: String,
    /// The file's size and modification time when it hashed to `sha256`:
    /// while both are unchanged the file is not read again (as git and
    /// cargo judge a file unchanged).
    pub stamp: Option<Stamp>,
    pub facts: ArticleFacts,
}

/// Size and modification time (nanoseconds since the epoch) of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(pub u64, pub u128);

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(Stamp(meta.len(), mtime.as_nanos()))
    }
}

/// The cache of the previous build, being read by this one.
#[derive(Debug, Default)]
pub struct Cache {
    pub manifest: Manifest,
    /// The previous output folder (pages are linked from here).
    pub out: PathBuf,
    /// Article path → analysis; taken out when used.
    articles: Mutex<HashMap<String, CachedArticle>>,
    /// Each locale's cache file and what it held (path, hash, stamp, in
    /// file order): a file that would be written again the same is linked.
    files: HashMap<String, (PathBuf, Vec<Entry>)>,
}

/// What identifies one cached analysis: with the same inputs, the same
/// path, hash and stamp mean the same entry.
type Entry = (String, String, Option<Stamp>);

fn entry(a: &CachedArticle) -> Entry {
    (a.facts.path.clone(), a.sha256.clone(), a.stamp)
}

impl Cache {
    /// The cache in `out`, if there is a usable one made with `inputs`.
    /// Articles are trusted only when the inputs are the same; page keys
    /// carry the inputs themselves.
    pub fn load(out: &Path, inputs: &str) -> Option<Cache> {
        let dir = out.join(DIR);
        let manifest: Manifest =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).ok()?).ok()?;
        if manifest.format != FORMAT {
            return None;
        }
        let mut articles = HashMap::new();
        let mut by_file = HashMap::new();
        if manifest.inputs == inputs {
            let files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .ok()?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("articles-"))
                })
                .collect();
            use rayon::prelude::*;
            let parts: Vec<(PathBuf, Vec<CachedArticle>)> = files
                .par_iter()
                .filter_map(|f| {
                    Some((
                        f.clone(),
                        serde_json::from_slice(&std::fs::read(f).ok()?).ok()?,
                    ))
                })
                .collect();
            for (file, list) in parts {
                if let Some(first) = list.first() {
                    let entries = list.iter().map(entry).collect();
                    by_file.insert(first.facts.locale.clone(), (file, entries));
                }
                for a in list {
                    articles.insert(a.facts.path.clone(), a);
                }
            }
        }
        Some(Cache {
            manifest,
            out: out.to_path_buf(),
            articles: Mutex::new(articles),
            files: by_file,
        })
    }

    /// The hash of `path` recorded when the file had this `stamp`.
    pub fn known_hash(&self, path: &str, stamp: Stamp) -> Option<String> {
        let articles = self.articles.lock().ok()?;
        let a = articles.get(path)?;
        (a.stamp == Some(stamp)).then(|| a.sha256.clone())
    }

    /// The cached analysis of `path` if its text still hashes to `sha256`.
    pub fn take_article(&self, path: &str, sha256: &str) -> Option<ArticleFacts> {
        let mut articles = self.articles.lock().ok()?;
        match articles.remove(path) {
            Some(a) if a.sha256 == sha256 => Some(a.facts),
            _ => None,
        }
    }

    /// The page of the previous output to reuse for `page` when it was made
    /// from the same `key`.
    pub fn page(&self, page: &str, key: &str) -> Option<PathBuf> {
        (self.manifest.pages.get(page).map(String::as_str) == Some(key))
            .then(|| self.out.join(page))
            .filter(|p| p.is_file())
    }
}

/// Write the article cache of one build into `dir` (the new output's cache
/// folder), one file per locale so the next build reads them in parallel.
/// A locale whose entries are those of the previous cache (`old`) gets the
/// old file, linked.
pub fn save_articles(
    dir: &Path,
    articles: &[CachedArticle],
    old: Option<&Cache>,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut by_locale: BTreeMap<&str, Vec<&CachedArticle>> = BTreeMap::new();
    for a in articles {
        by_locale.entry(&a.facts.locale).or_default().push(a);
    }
    for (locale, list) in by_locale {
        let path = dir.join(format!("articles-{locale}.json"));
        if let Some((file, entries)) = old.and_then(|c| c.files.get(locale))
            && entries.len() == list.len()
            && entries.iter().zip(&list).all(|(e, a)| *e == entry(a))
            && std::fs::hard_link(file, &path).is_ok()
        {
            continue;
        }
        let file = std::fs::File::create(path)?;
        let mut out = std::io::BufWriter::new(file);
        serde_json::to_writer(&mut out, &list)?;
        std::io::Write::flush(&mut out)?;
    }
    Ok(())
}

pub fn save_manifest(dir: &Path, manifest: &Manifest) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut manifest = manifest.clone();
    manifest.format = FORMAT.to_owned();
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec(&manifest).map_err(std::io::Error::other)?,
    )
}

/// A hash being fed the parts of a key; each part is length-prefixed, so
/// ("ab", "c") and ("a", "bc") differ. XXH3-128: a key only decides whether
/// work is redone, nobody forges one, and hashing must cost far less than
/// the work it saves.
#[derive(Default)]
pub struct Key(Xxh3);

impl Key {
    pub fn new(kind: &str) -> Key {
        let mut k = Key(Xxh3::new());
        k.add(FORMAT.as_bytes()).add(kind.as_bytes());
        k
    }

    pub fn add(&mut self, part: &[u8]) -> &mut Self {
        self.0.update(&(part.len() as u64).to_le_bytes());
        self.0.update(part);
        self
    }

    /// Every file under `dir` (sorted, with its path relative to `root`);
    /// a missing folder adds nothing.
    pub fn add_tree(&mut self, root: &Path, dir: &Path) -> &mut Self {
        let mut files = Vec::new();
        walk(dir, &mut files);
        files.sort();
        for f in files {
            let rel = f.strip_prefix(root).unwrap_or(&f).to_string_lossy();
            self.add(rel.as_bytes());
            self.add(&std::fs::read(&f).unwrap_or_default());
        }
        self
    }

    pub fn finish(self) -> String {
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
