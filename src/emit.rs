//! The outputs: rules.json (+ its JSON Schema) and report.json, written into a
//! fresh folder that replaces the old output only when everything succeeded.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cache::{self, Cache, Counts};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::extract;
use crate::lexicon::{self, LocaleData};
use crate::load::{self, Project};
use crate::reconcile::{ArticleFacts, outline};
use crate::report::{LocaleSummary, Report, ReportExt};
use crate::rules::{self, ProceduresFile, RulesFile, SourceFile};

use crate::data_files::{self as splice, Assembled, Spill};
use crate::output::{Staging, out_dir};

/// What a build produced, for the caller to report.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BuildOutput {
    /// Sizes of the rules file written.
    pub counts: Counts,
    /// Warnings the build reported (an error fails the build instead).
    pub diagnostics: Diagnostics,
    /// The data files written (rules, report, schema), relative to the
    /// output folder.
    pub files: Vec<String>,
    /// How much was done anew and how much reused.
    pub stats: BuildStats,
}

/// How much of a build was done anew and how much came from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildStats {
    /// Nothing changed since the last build: nothing was written.
    pub up_to_date: bool,
    /// Articles read, parsed and extracted by this build.
    pub articles_analyzed: usize,
    /// Articles whose analysis came from the cache (their file unchanged).
    pub articles_cached: usize,
    /// Pages rendered by this build.
    pub pages_rendered: usize,
    /// Pages kept from the previous output (made from the same inputs).
    pub pages_reused: usize,
    /// The cache came from the session's memory (see [`Session`]), not
    /// from disk.
    pub cache_in_memory: bool,
}

/// How to build: which locales, whether to show progress, what to keep between
/// builds.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Build only these locales (empty: all).
    pub locales: Vec<String>,
    /// Show a progress bar on standard error (drawn only on a terminal).
    pub progress: bool,
    /// What a process that builds again and again (`serve`) keeps from one
    /// build for the next.
    pub session: Option<std::sync::Arc<Session>>,
}

/// What a long-running process keeps between builds of one output: the
/// locales' compiled data (while the inputs are the same), and the cache
/// its last build wrote, so that the next build neither compiles the one
/// nor reads the other back (while the output's cache manifest is still
/// the file that build wrote: same inode, size and modification time).
/// Either is only a shortcut: what a build writes is the same without.
#[derive(Debug, Default)]
pub struct Session {
    /// The inputs key the data was loaded under, and the data by locale.
    locale_data: std::sync::Mutex<(String, HashMap<String, std::sync::Arc<LocaleData>>)>,
    cache: std::sync::Mutex<Option<Remembered>>,
}

/// The cache a session's last build wrote.
#[derive(Debug)]
struct Remembered {
    out: PathBuf,
    manifest_file: cache::FileId,
    /// The data files as that build left them: while they are the same
    /// files, the next build copies their parts without reading them whole
    /// to check them.
    data_files: Option<Vec<cache::FileId>>,
    manifest: cache::Manifest,
    index: cache::Index,
}

fn manifest_file(out: &Path) -> Option<cache::FileId> {
    cache::FileId::of(&out.join(cache::DIR).join(cache::MANIFEST))
}

impl Session {
    /// The cache the last build wrote into `out`, if the output still has
    /// it (taken: the build that uses it leaves its own).
    fn take_cache(&self, out: &Path, inputs: &str) -> Option<Cache> {
        let remembered = self.cache.lock().ok()?.take()?;
        let same = remembered.out == out
            && manifest_file(out).is_some_and(|f| f == remembered.manifest_file);
        let mut cache = same
            .then(|| Cache::from_parts(out, remembered.manifest, remembered.index, inputs))
            .flatten()?;
        cache.trusted_data = remembered.data_files;
        Some(cache)
    }

    /// Keep the cache in `out` for the next build; `data_files` are the
    /// data files to trust without checking them again (ones this process
    /// wrote, or trusted already).
    fn remember_cache(
        &self,
        out: &Path,
        manifest: cache::Manifest,
        index: cache::Index,
        data_files: Option<Vec<cache::FileId>>,
    ) {
        let Some(manifest_file) = manifest_file(out) else {
            return;
        };
        if let Ok(mut slot) = self.cache.lock() {
            *slot = Some(Remembered {
                out: out.to_path_buf(),
                manifest_file,
                data_files,
                manifest,
                index,
            });
        }
    }

    fn locale_data(&self, inputs: &str, locale: &str) -> Option<std::sync::Arc<LocaleData>> {
        let held = self.locale_data.lock().ok()?;
        (held.0 == inputs)
            .then(|| held.1.get(locale).cloned())
            .flatten()
    }

    fn remember_locale_data(&self, inputs: &str, data: &[std::sync::Arc<LocaleData>]) {
        if let Ok(mut held) = self.locale_data.lock() {
            if held.0 != inputs {
                *held = (inputs.to_owned(), HashMap::new());
            }
            for d in data {
                held.1.insert(d.locale.clone(), d.clone());
            }
        }
    }
}

/// Load, parse, extract and reconcile the project into a rules file. Errors
/// anywhere mean no rules file: a partial one would state wrong rules.
pub fn rules_for_project(project: &Project) -> Result<(RulesFile, Diagnostics), Diagnostics> {
    analyze(project).map(|a| (a.rules, a.diagnostics))
}

/// What a project says and where its locales differ: the three data files
/// a build writes, as values.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Analysis {
    /// rules.json's content.
    pub rules: RulesFile,
    /// procedures.json's content.
    pub procedures: ProceduresFile,
    /// report.json's content: the findings.
    pub report: Report,
    /// Problems met while analyzing; with errors among them a build would fail.
    pub diagnostics: Diagnostics,
}

/// One article analyzed: its facts, the SHA-256 of its text, what was
/// found, and its file's stamp (taken before it was read).
type Analyzed = (ArticleFacts, String, Vec<Diagnostic>, Option<cache::Stamp>);

/// The data of the locales every analysis needs (the source locale's and
/// English), loaded on a thread of its own from the start of a build: the
/// cache is read and the articles hashed meanwhile, on one core for the
/// most part, and a one-edit rebuild then only waits for its own locale's.
/// A build that turns out to be up to date never waits for it.
#[derive(Default)]
struct Preload(Option<std::thread::JoinHandle<Preloaded>>);

/// Locale data loaded ahead, by locale.
type Preloaded = Vec<(String, Result<LocaleData, Diagnostic>)>;

/// What the previous build's rules.json offers a rebuild: the file (when
/// it is the one the cache describes) and where each group's parts are in
/// it, taken out of the cache to be moved into the groups kept.
#[derive(Default)]
struct Previous {
    files: Option<splice::OldFiles>,
    /// The previous build's cross-article findings in its report.json.
    cross: Option<splice::CrossIndex>,
    groups: BTreeMap<String, splice::GroupIndex>,
}

/// Where a build's locale data comes from besides loading it: loaded
/// ahead (this build), or kept by the session (earlier builds with the
/// same inputs, the key given with it).
#[derive(Default)]
struct LocaleSources<'s> {
    preload: Preload,
    session: Option<(&'s Session, &'s str)>,
}

impl Preload {
    fn start(project: &Project) -> Preload {
        let root = project.root.clone();
        let mut locales = vec![project.config.rulebook.source_locale.clone()];
        if locales[0] != "en" {
            locales.push("en".to_owned());
        }
        let handle = std::thread::Builder::new()
            .name("rulebook-locale-data".into())
            .spawn(move || {
                locales
                    .into_iter()
                    .map(|l| {
                        let data = lexicon::load_locale_data(&root, &l);
                        (l, data)
                    })
                    .collect()
            })
            .ok();
        Preload(handle)
    }

    /// What was loaded (nothing if the thread could not be had: the
    /// caller loads it then).
    fn take(self) -> Preloaded {
        self.0.and_then(|h| h.join().ok()).unwrap_or_default()
    }
}

/// What analyzing an article reads besides the article: the locales' data.
struct Context<'a> {
    project: &'a Project,
    source_locale: String,
    data: Vec<std::sync::Arc<LocaleData>>,
    /// Each locale's input roots ([`load::LocaleContent::roots`]).
    roots: HashMap<String, Vec<PathBuf>>,
}

impl<'a> Context<'a> {
    /// The data of `only` these locales (and the source locale's, and
    /// English): enough for the articles to be analyzed when the rest
    /// come from the cache.
    fn with(
        project: &'a Project,
        only: Option<&std::collections::HashSet<&str>>,
        sources: LocaleSources,
    ) -> Result<Context<'a>, Diagnostics> {
        let session = sources.session;
        let mut diagnostics = Diagnostics::default();
        let source_locale = project.config.rulebook.source_locale.clone();
        let mut wanted: Vec<&str> = Vec::new();
        for locale in project
            .locales
            .iter()
            .map(|l| l.id.as_str())
            .chain([source_locale.as_str(), "en"])
        {
            if !wanted.contains(&locale)
                && only
                    .is_none_or(|o| o.contains(locale) || locale == source_locale || locale == "en")
            {
                wanted.push(locale);
            }
        }
        // side by side: compiling a lexicon's expressions is most of a
        // one-edit rebuild's analysis
        // kept by the session, loaded already, or loaded now
        let mut preloaded = sources.preload.take();
        let loaded: Vec<Result<std::sync::Arc<LocaleData>, Diagnostic>> = wanted
            .iter()
            .map(|&locale| {
                let kept = session.and_then(|(s, inputs)| s.locale_data(inputs, locale));
                match kept {
                    Some(d) => Some(Ok(d)),
                    None => preloaded
                        .iter()
                        .position(|(l, _)| l == locale)
                        .map(|i| preloaded.swap_remove(i).1.map(std::sync::Arc::new)),
                }
            })
            .collect::<Vec<_>>()
            .into_par_iter()
            .zip(wanted.par_iter())
            .map(|(done, locale)| {
                done.unwrap_or_else(|| {
                    lexicon::load_locale_data(&project.root, locale).map(std::sync::Arc::new)
                })
            })
            .collect();
        let mut data: Vec<std::sync::Arc<LocaleData>> = Vec::new();
        for result in loaded {
            match result {
                Ok(d) => data.push(d),
                Err(d) => diagnostics.push(d),
            }
        }
        if diagnostics.has_errors() {
            diagnostics.sort();
            return Err(diagnostics);
        }
        if !data.iter().any(|d| d.locale == source_locale) {
            return Err(Diagnostic::error(
                "missing-locale",
                format!("no data for source locale `{source_locale}`"),
            )
            .into());
        }
        if let Some((s, inputs)) = session {
            s.remember_locale_data(inputs, &data);
        }
        Ok(Context {
            project,
            source_locale,
            data,
            roots: project
                .locales
                .iter()
                .map(|l| (l.id.clone(), l.roots.clone()))
                .collect(),
        })
    }

    fn find(&self, id: &str) -> Option<&LocaleData> {
        self.data.iter().find(|d| d.locale == id).map(|d| &**d)
    }

    /// Parse, check, extract and outline one article, and drop the
    /// document model (the site parses again, one page at a time), so a
    /// large build never holds every model at once.
    fn analyze(&self, locale: &str, article: &load::Article) -> Result<Analyzed, Diagnostic> {
        let source_locale = &self.source_locale;
        let Some(source_data) = self.find(source_locale) else {
            return Err(Diagnostic::error(
                "missing-locale",
                format!("no data for source locale `{source_locale}`"),
            ));
        };
        // The source segments of side-by-side files are English whatever the
        // project's source locale: read them (and resolve market names as a
        // last resort) with English data where there is any.
        let english = self
            .find("en")
            .filter(|d| d.lexicon.is_some())
            .unwrap_or(source_data);
        // the stamp before the read: a file changed while it is read is
        // hashed again next time
        let stamp = cache::Stamp::of(&article.file);
        let (text, decoding, sha256) = article.read_hashed()?;
        let document = crate::docfx::parse_article(&article.path, &text)?;
        let mut found: Vec<Diagnostic> = decoding.into_iter().collect();
        found.extend(document.diagnostics.iter().cloned());
        found.extend(load::check_document_includes(
            &self.project.root,
            self.roots.get(locale).map_or(&[], Vec::as_slice),
            &document,
        ));
        let own = self.find(locale).unwrap_or(english);
        let extraction =
            extract::extract_article(&document, &text, &article.slug, locale, own, english);
        // A segment's source side is English whatever the project's source
        // locale (a zh-TW source is a translation too): a segment left in
        // it is untranslated in any other language.
        let translated = language(locale) != "en";
        // Number words count on both sides or on neither: a locale
        // without a lexicon is compared on digits only.
        let own_lexicon = own.lexicon.as_ref().filter(|_| own.locale == *locale);
        let source_lexicon = own_lexicon.and(english.lexicon.as_ref());
        let outline = outline::outline(&document, &text, own_lexicon, source_lexicon, translated);
        Ok((
            ArticleFacts {
                outline,
                locale: locale.to_owned(),
                article: article.slug.clone(),
                path: article.path.clone(),
                date: document.frontmatter.effective_date(),
                nav_title: crate::site::chapter::nav_title(&document, &article.slug),
                anchors: crate::site::links::page_anchors(&document, &text),
                refs: crate::site::chapter::page_refs(
                    &document,
                    &text,
                    &self.project.root.join("content"),
                    self.roots.get(locale).map_or(&[], Vec::as_slice),
                    &article.slug,
                    source_locale,
                ),
                extraction,
            },
            sha256,
            found,
            stamp,
        ))
    }
}

/// Every article of the project with its locale, in build order (locales
/// in project order, files in locale order).
fn jobs(project: &Project) -> Vec<(&str, &load::Article)> {
    project
        .locales
        .iter()
        .flat_map(|l| l.articles.iter().map(move |a| (l.id.as_str(), a)))
        .collect()
}

/// The build's analysis of the whole project, without a cache or an output:
/// the data files as values (what `diff` reports, and what a test compares
/// a build's files with). It runs exactly the build's analysis
/// ([`assemble`]), then reads the parts back.
pub fn analyze(project: &Project) -> Result<Analysis, Diagnostics> {
    let assembly = assemble_all(project)?;
    let assembled = &assembly.assembled;
    let unreadable = |e: std::io::Error| {
        Diagnostics::from(Diagnostic::error(
            "internal",
            format!("cannot read the analysis back from its spill file: {e}"),
        ))
    };
    let rules = RulesFile {
        schema: rules::SCHEMA_ID.to_owned(),
        canonical_locale: assembled.canonical_locale.clone(),
        policy: assembled.policy,
        sources: assembled.sources.clone(),
        rules: assembled.all_rules().map_err(unreadable)?,
        vocabulary: assembled.vocabulary.clone(),
    };
    let procedures = ProceduresFile {
        schema: rules::PROCEDURES_SCHEMA_ID.to_owned(),
        canonical_locale: assembled.canonical_locale.clone(),
        procedures: assembled.all_procedures().map_err(unreadable)?,
    };
    let report = findings_of(assembled).map_err(unreadable)?;
    Ok(Analysis {
        rules,
        procedures,
        report,
        diagnostics: assembly.diagnostics,
    })
}

/// The build's findings for the whole project (`diff`): its analysis, with
/// only the report read back.
pub fn findings(project: &Project) -> Result<(Report, Diagnostics), Diagnostics> {
    let assembly = assemble_all(project)?;
    let report = findings_of(&assembly.assembled).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "internal",
            format!("cannot read the findings back from their spill file: {e}"),
        ))
    })?;
    Ok((report, assembly.diagnostics))
}

fn findings_of(assembled: &Assembled) -> std::io::Result<Report> {
    Ok(Report::new(
        &assembled.canonical_locale,
        assembled.base_summary.clone(),
        std::sync::Arc::new(assembled.all_findings()?),
    ))
}

/// [`assemble`] every group anew, spilling into the system's temporary
/// folder (an unnamed file, gone when closed).
fn assemble_all(project: &Project) -> Result<Assembly, Diagnostics> {
    let inputs = inputs_key(project, &BuildOptions::default());
    assemble(
        project,
        None,
        Previous::default(),
        &inputs,
        (&HashMap::new(), &HashMap::new()),
        &std::env::temp_dir(),
        LocaleSources::default(),
    )
}

/// An article's titles in one locale: what names the actions its roles
/// lines make.
struct ArticleTitles {
    locale: String,
    article: String,
    title: String,
    /// (anchor, heading), in order.
    sections: Vec<(String, String)>,
}

/// rules.json's vocabulary: every role of the project's `roles.tsv` files
/// with its first name per locale, and every action a `role-requirement`
/// rule names with its article's title (or its section's heading) per
/// locale. Made from the groups' claims and the articles' titles, so a
/// rebuild that reuses every group gives the same vocabulary.
fn vocabulary(
    project: &Project,
    groups: &[crate::data_files::Group],
    titles: &[ArticleTitles],
) -> Result<rules::Vocabulary, Diagnostics> {
    let mut vocabulary = rules::Vocabulary::default();
    for locale in &project.locales {
        for (id, name) in lexicon::role_display_names(&project.root, &locale.id)? {
            vocabulary
                .roles
                .entry(id)
                .or_default()
                .insert(locale.id.clone(), name);
        }
    }
    let role_kind = rules::Kind::RoleRequirement.id();
    for group in groups {
        for ((_, kind, _), claim) in group.rules.iter().zip(&group.claims) {
            if kind == role_kind
                && let Some(action) = &claim.subject
            {
                vocabulary.actions.entry(action.clone()).or_default();
            }
        }
    }
    if !vocabulary.actions.is_empty() {
        for t in titles {
            let article = rules::action_id(&t.article, None);
            if let Some(names) = vocabulary.actions.get_mut(&article) {
                names.insert(t.locale.clone(), t.title.clone());
            }
            for (anchor, heading) in &t.sections {
                let action = rules::action_id(&t.article, Some(anchor));
                if let Some(names) = vocabulary.actions.get_mut(&action) {
                    names.insert(t.locale.clone(), heading.clone());
                }
            }
        }
    }
    Ok(vocabulary)
}

/// What a build takes from its analysis.
struct Assembly {
    assembled: Assembled,
    nav_titles: HashMap<String, String>,
    /// Section anchors of each article, by path (for the site's links).
    anchors: HashMap<String, Vec<String>>,
    /// What each article's page links to and shows, by path.
    refs: HashMap<String, crate::site::chapter::PageRefs>,
    diagnostics: Diagnostics,
    /// Articles for the next build's cache (those without diagnostics).
    keep: Vec<(cache::ArticleMeta, cache::Facts)>,
    cached: usize,
    hashes: HashMap<String, String>,
}

/// The key of a group's reconciliation: the inputs and its members'
/// (locale, path, SHA-256), in build order.
fn group_key<'a>(
    inputs: &str,
    members: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> String {
    let mut key = cache::Key::new("group");
    key.add(inputs.as_bytes());
    for (locale, path, sha256) in members {
        key.add(locale.as_bytes())
            .add(path.as_bytes())
            .add(sha256.as_bytes());
    }
    key.finish()
}

/// The build's analysis, group by group: a group (one file name across
/// locales) whose articles are all as the previous build found them keeps
/// its parts of rules.json; the others are analyzed (or read back from the
/// cache, article by article) and reconciled anew.
fn assemble(
    project: &Project,
    cache: Option<&Cache>,
    previous: Previous,
    inputs: &str,
    (hashes, stamps): (&HashMap<String, String>, &HashMap<String, cache::Stamp>),
    spill_dir: &Path,
    sources: LocaleSources,
) -> Result<Assembly, Diagnostics> {
    let source_locale = project.config.rulebook.source_locale.clone();
    let policy = project.config.rulebook.policy;
    let jobs = jobs(project);
    let positions: HashMap<String, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, (_, a))| (a.path.clone(), i))
        .collect();
    let mut by_slug: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, a)) in jobs.iter().enumerate() {
        by_slug.entry(a.slug.as_str()).or_default().push(i);
    }
    let Previous {
        files: old,
        cross: old_cross,
        groups: mut old_groups,
    } = previous;
    // Each group: its key, and whether the previous build's parts serve.
    let mut kept: Vec<&str> = Vec::new();
    let mut dirty: Vec<(&str, &[usize])> = Vec::new();
    for (slug, members) in &by_slug {
        let list: Vec<(&str, &load::Article)> = members.iter().map(|&i| jobs[i]).collect();
        // without a cache the hashes are not known yet (analysis finds them)
        let key = list
            .iter()
            .map(|(locale, a)| Some((*locale, a.path.as_str(), hashes.get(&a.path)?.as_str())))
            .collect::<Option<Vec<_>>>()
            .map(|members| group_key(inputs, members));
        let old_group = cache.filter(|_| old.is_some()).and_then(|c| {
            let g = old_groups.get(*slug)?;
            let key = key.as_ref()?;
            (g.key == *key
                && list.iter().all(|(_, a)| {
                    hashes
                        .get(&a.path)
                        .is_some_and(|h| c.article(&a.path, h).is_some())
                }))
            .then_some(g)
        });
        match old_group {
            Some(_) => kept.push(slug),
            None => dirty.push((slug, members)),
        }
    }
    let kept_groups: Vec<(&str, splice::GroupIndex)> = kept
        .into_iter()
        .filter_map(|slug| Some((slug, old_groups.remove(slug)?)))
        .collect();
    drop(old_groups);
    let kept_slugs: Vec<&str> = kept_groups.iter().map(|(slug, _)| *slug).collect();
    let needed: Vec<usize> = dirty.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    // Articles of changed groups: read back from the cache where they did
    // not change, else analyzed.
    let mut read_back: HashMap<usize, Analyzed> = needed
        .par_iter()
        .filter_map(|&i| {
            let (_, article) = jobs[i];
            let (c, sha256) = cache.zip(hashes.get(&article.path))?;
            let meta = c.article(&article.path, sha256)?;
            // its warnings are said again, as its analysis would
            let found = meta.warnings.clone();
            Some((i, (c.facts(meta)?, sha256.clone(), found, meta.stamp)))
        })
        .collect();
    // Locale data only for the locales of the articles to analyze, when
    // the previous build (which loaded all of it without fault) had the
    // same inputs; else all of it, so that a fault in any is reported.
    let locales: std::collections::HashSet<&str> = needed
        .iter()
        .filter(|i| !read_back.contains_key(i))
        .map(|&i| jobs[i].0)
        .collect();
    let load_context = || {
        let _phase = crate::timings::phase(|| "  load the locale data".into());
        if locales.is_empty() {
            Ok(None)
        } else if cache.is_some_and(|c| c.manifest.inputs == inputs) {
            Context::with(project, Some(&locales), sources).map(Some)
        } else {
            Context::with(project, None, sources).map(Some)
        }
    };
    let unwritable = |e: std::io::Error| {
        Diagnostics::from(
            Diagnostic::error(
                "unwritable",
                format!("cannot write the build's spill file: {e}"),
            )
            .at(Location::file(spill_dir.display().to_string()))
            .with_help("check the free space and permissions of the output's folder"),
        )
    };
    let mut spill = Spill::new(spill_dir).map_err(unwritable)?;

    // every article's sources entry, title, counts and cache entry
    let mut sources = Vec::with_capacity(jobs.len());
    let mut nav_titles = HashMap::with_capacity(jobs.len());
    let mut titles = Vec::with_capacity(jobs.len());
    let mut anchors = HashMap::with_capacity(jobs.len());
    let mut refs = HashMap::with_capacity(jobs.len());
    let mut summary: BTreeMap<String, LocaleSummary> = BTreeMap::new();
    let mut all_hashes = HashMap::with_capacity(jobs.len());
    let mut keep = Vec::with_capacity(jobs.len());
    let mut cached = 0;
    // the cached warnings of the unchanged groups' articles
    let mut kept_warnings: Vec<Diagnostic> = Vec::new();
    let mut add = |meta: &cache::ArticleMeta| {
        sources.push(SourceFile {
            locale: meta.locale.clone(),
            path: meta.path.clone(),
            date: meta.date.clone(),
            sha256: meta.sha256.clone(),
        });
        nav_titles.insert(meta.path.clone(), meta.nav_title.clone());
        titles.push(ArticleTitles {
            locale: meta.locale.clone(),
            article: meta.article.clone(),
            title: meta.nav_title.clone(),
            sections: meta.section_titles.clone(),
        });
        anchors.insert(meta.path.clone(), meta.anchors.clone());
        refs.insert(meta.path.clone(), meta.refs.clone());
        all_hashes.insert(meta.path.clone(), meta.sha256.clone());
        // the locale's entry, made once (not a new key string per article)
        let s = match summary.get_mut(&meta.locale) {
            Some(s) => s,
            None => summary.entry(meta.locale.clone()).or_default(),
        };
        s.articles += 1;
        s.segments += meta.segments;
        s.untranslated_segments += meta.untranslated;
    };
    // The unchanged groups taken from the cache while the locale data
    // loads: in a one-edit rebuild both take as long as the rest of the
    // analysis.
    let (context, mut groups) = rayon::join(load_context, || {
        let _phase = crate::timings::phase(|| "  the unchanged groups".into());
        // their parts, from the cache's index, beside their articles
        let (groups, ()) = rayon::join(
            || {
                kept_groups
                    .into_par_iter()
                    .map(|(slug, g)| splice::Group::old(slug, g))
                    .collect::<Vec<splice::Group>>()
            },
            || {
                // looked up and copied on all cores, then taken in order
                let metas: Vec<cache::ArticleMeta> = kept_slugs
                    .par_iter()
                    .flat_map_iter(|slug| {
                        by_slug.get(slug).into_iter().flatten().filter_map(|&i| {
                            let (_, article) = jobs[i];
                            let h = hashes.get(&article.path)?;
                            let mut meta = cache?.article(&article.path, h)?.clone();
                            if let Some(stamp) = stamps.get(&article.path) {
                                meta.stamp = Some(*stamp);
                            }
                            Some(meta)
                        })
                    })
                    .collect();
                for meta in metas {
                    kept_warnings.extend(meta.warnings.iter().cloned());
                    add(&meta);
                    cached += 1;
                    keep.push((meta, cache::Facts::Old));
                }
            },
        );
        groups
    });
    let context = context?;

    // The changed groups, a chunk at a time on all cores: each group's
    // members analyzed (or read back), reconciled, and its parts and fresh
    // analyses written to the spill file, so that memory holds one chunk's
    // analyses, never the project's. Once any article has an error the
    // build will fail: the rest is only analyzed, for its diagnostics.
    let phase = crate::timings::phase(|| "  the changed groups".into());
    let failed = std::sync::atomic::AtomicBool::new(false);
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(kept_warnings);
    let locales: Vec<String> = project.locales.iter().map(|l| l.id.clone()).collect();
    let work = GroupWork {
        jobs: &jobs,
        context: context.as_ref(),
        cache,
        inputs,
        stamps,
        policy,
        source_locale: &source_locale,
        locales: &locales,
        failed: &failed,
    };
    for chunk in dirty.chunks(GROUPS_PER_CHUNK) {
        let chunk: Vec<(&str, Vec<Member>)> = chunk
            .iter()
            .map(|(slug, members)| {
                let members = members.iter().map(|&i| (i, read_back.remove(&i))).collect();
                (*slug, members)
            })
            .collect();
        let done: Vec<GroupDone> = chunk
            .into_par_iter()
            .map(|(slug, members)| work.group(slug, members))
            .collect();
        for done in done {
            diagnostics.extend(done.diagnostics);
            let base = spill.append(&done.bytes).map_err(unwritable)?;
            for (meta, from_cache) in &done.metas {
                add(meta);
                cached += usize::from(*from_cache);
            }
            for (meta, facts) in done.keep {
                let facts = match facts {
                    cache::Facts::Spilled((start, end)) => {
                        cache::Facts::Spilled((start + base, end + base))
                    }
                    old => old,
                };
                keep.push((meta, facts));
            }
            if let Some(mut group) = done.group {
                group.shift(base);
                groups.push(group);
            }
        }
    }
    if diagnostics.has_errors() {
        diagnostics.sort();
        return Err(diagnostics);
    }
    drop(phase);
    // links and media are checked against every locale's pages, anchors
    // and files: after the analysis, before the data files are written
    let (site_findings, site_warnings) = {
        let _phase = crate::timings::phase(|| "  links and media".into());
        crate::site::checks::page_findings(project, &anchors, &refs)
    };
    diagnostics.extend(site_warnings);
    diagnostics.sort();
    let vocabulary = vocabulary(project, &groups, &titles)?;
    let _phase = crate::timings::phase(|| "  order the parts".into());
    let mut cross = None;
    let spilled = spill.finish().map_err(unwritable)?;
    // the three orders side by side; the next cache lists each locale's
    // articles in build order (each article's place looked up once)
    rayon::join(
        || groups.sort_by(|a, b| a.slug.cmp(&b.slug)),
        || {
            rayon::join(
                || sources.sort_by(|a, b| (&a.locale, &a.path).cmp(&(&b.locale, &b.path))),
                || {
                    keep.sort_by_cached_key(|(m, _)| {
                        positions.get(&m.path).copied().unwrap_or(usize::MAX)
                    })
                },
            )
        },
    );
    Ok(Assembly {
        assembled: Assembled::new(
            source_locale,
            policy,
            sources,
            groups,
            summary,
            positions,
            splice::Stores {
                // the old cross-article findings only with the report.json
                // they are in
                old: match old {
                    Some(files) => {
                        cross = old_cross;
                        files
                    }
                    None => Default::default(),
                },
                spilled,
            },
        )
        .with_old_cross(cross)
        .with_site_findings(site_findings)
        .with_vocabulary(vocabulary),
        nav_titles,
        anchors,
        refs,
        diagnostics,
        keep,
        cached,
        hashes: all_hashes,
    })
}

/// Changed groups reconciled together: enough to keep both cores busy
/// between the (serial) appends to the spill file, few enough that their
/// analyses are a small part of memory.
const GROUPS_PER_CHUNK: usize = 64;

/// A member of a changed group: its place in the build, and its analysis
/// when it was read back from the cache.
type Member = (usize, Option<Analyzed>);

/// What reconciling a changed group needs besides its members.
struct GroupWork<'a> {
    jobs: &'a [(&'a str, &'a load::Article)],
    context: Option<&'a Context<'a>>,
    cache: Option<&'a Cache>,
    inputs: &'a str,
    stamps: &'a HashMap<String, cache::Stamp>,
    policy: crate::load::config::Policy,
    source_locale: &'a str,
    /// Every locale the build reads, in project order.
    locales: &'a [String],
    failed: &'a std::sync::atomic::AtomicBool,
}

/// A changed group done: its parts and fresh analyses as bytes for the
/// spill file (spans from the start of `bytes`), its members' metas
/// (and whether each came from the cache), the cache entries of its
/// members without diagnostics, and what was found.
struct GroupDone {
    group: Option<splice::Group>,
    bytes: Vec<u8>,
    metas: Vec<(cache::ArticleMeta, bool)>,
    keep: Vec<(cache::ArticleMeta, cache::Facts)>,
    diagnostics: Vec<Diagnostic>,
}

impl GroupWork<'_> {
    fn group(&self, slug: &str, members: Vec<Member>) -> GroupDone {
        let results: Vec<Result<(Analyzed, bool), Diagnostic>> = members
            .into_par_iter()
            .map(|(i, back)| match back {
                Some(a) => Ok((a, true)),
                None => {
                    let (locale, article) = self.jobs[i];
                    match self.context {
                        Some(context) => context.analyze(locale, article).map(|a| (a, false)),
                        None => Err(Diagnostic::error("internal", "no locale data")),
                    }
                }
            })
            .collect();
        let mut diagnostics = Vec::new();
        let mut list = Vec::with_capacity(results.len());
        let mut metas = Vec::with_capacity(results.len());
        let mut all_clean = true;
        for r in results {
            let ((a, sha256, found, stamp), from_cache) = match r {
                Ok(done) => done,
                Err(d) => {
                    diagnostics.push(d);
                    all_clean = false;
                    continue;
                }
            };
            // an article with warnings is cached with them (and they are
            // said every build); one with an error fails the build
            let mut warnings = found;
            if !from_cache {
                warnings.extend(a.extraction.diagnostics.iter().cloned());
            }
            let clean = !warnings.iter().any(Diagnostic::is_error);
            diagnostics.extend(warnings.iter().cloned());
            // an analysis read back keeps its place in the old facts file
            let (span, facts_sum) = self
                .cache
                .filter(|_| from_cache)
                .and_then(|c| c.article(&a.path, &sha256))
                .map_or(((0, 0), String::new()), |m| (m.facts, m.facts_sum.clone()));
            let meta = cache::ArticleMeta {
                locale: a.locale.clone(),
                article: a.article.clone(),
                path: a.path.clone(),
                sha256,
                stamp: self.stamps.get(&a.path).copied().or(stamp),
                date: a.date.map(|d| d.to_string()),
                nav_title: a.nav_title.clone(),
                anchors: a.anchors.clone(),
                section_titles: a
                    .outline
                    .sections
                    .iter()
                    .map(|s| (s.anchor.clone(), s.title.clone()))
                    .collect(),
                refs: a.refs.clone(),
                warnings,
                segments: a.outline.segments,
                untranslated: a.outline.untranslated.len(),
                facts: span,
                facts_sum,
            };
            all_clean &= clean;
            metas.push((meta, clean, from_cache));
            list.push(a);
        }
        if diagnostics.iter().any(Diagnostic::is_error) {
            self.failed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let mut bytes = Vec::new();
        let mut group = None;
        let mut keep = Vec::new();
        if !self.failed.load(std::sync::atomic::Ordering::Relaxed) {
            // a group with diagnostics (or a member that failed) is
            // reconciled anew every build, as its articles are analyzed anew
            let key = all_clean.then(|| {
                group_key(
                    self.inputs,
                    metas
                        .iter()
                        .map(|(m, ..)| (m.locale.as_str(), m.path.as_str(), m.sha256.as_str())),
                )
            });
            let mut g = splice::Group::reconcile(
                slug,
                key,
                &list,
                self.policy,
                (self.source_locale, self.locales),
            );
            // writing into memory cannot fail; a value serde cannot write
            // would be a bug, reported rather than lost
            if let Err(e) = g.spill(&mut bytes) {
                diagnostics.push(Diagnostic::error("internal", e.to_string()));
            }
            group = Some(g);
            for (a, (meta, clean, from_cache)) in list.iter().zip(&metas) {
                if !*clean {
                    continue;
                }
                let facts = if *from_cache {
                    cache::Facts::Old
                } else {
                    let start = bytes.len() as u64;
                    if let Err(e) = serde_json::to_writer(&mut bytes, a) {
                        diagnostics.push(Diagnostic::error("internal", e.to_string()));
                    }
                    cache::Facts::Spilled((start, bytes.len() as u64))
                };
                keep.push((meta.clone(), facts));
            }
        }
        GroupDone {
            group,
            bytes,
            metas: metas.into_iter().map(|(m, _, c)| (m, c)).collect(),
            keep,
            diagnostics,
        }
    }
}

/// The language subtag of a locale id (`zh` of `zh-TW`).
fn language(locale: &str) -> &str {
    locale.split('-').next().unwrap_or(locale)
}

/// Pretty JSON with a final newline: stable bytes for stable input.
pub fn to_json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Build everything into `out`.
pub fn build(root: &Path, out: &Path, options: &BuildOptions) -> Result<BuildOutput, Diagnostics> {
    // book.toml's warnings (a deprecated table) on every build, a build
    // with nothing to do included
    let mut config_warnings = Vec::new();
    match build_project(root, out, options, &mut config_warnings) {
        Ok(mut built) => {
            built.diagnostics.extend(config_warnings);
            built.diagnostics.sort();
            Ok(built)
        }
        Err(mut diagnostics) => {
            diagnostics.extend(config_warnings);
            diagnostics.sort();
            Err(diagnostics)
        }
    }
}

fn build_project(
    root: &Path,
    out: &Path,
    options: &BuildOptions,
    config_warnings: &mut Vec<Diagnostic>,
) -> Result<BuildOutput, Diagnostics> {
    // mdBook joins a relative build folder to the book's root, which may
    // itself be relative: the output is named absolutely, once, so that
    // every stage writes where the staging folder is.
    let out = &std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    // before anything is read or written: a folder of inputs or of the
    // user's own is never replaced
    out_dir::check(root, out, &out.display().to_string())?;
    let _build = crate::timings::phase(|| "build (all phases)".into());
    let phase = crate::timings::phase(|| "load the project".into());
    let mut project = load::load_project(root)?;
    config_warnings.append(&mut project.config.warnings);
    drop(phase);
    if !options.locales.is_empty() {
        for wanted in &options.locales {
            if project.locale(wanted).is_none() {
                return Err(Diagnostic::error(
                    "missing-locale",
                    format!("there is no content/{wanted}/"),
                )
                .with_help(format!(
                    "known locales: {}",
                    project
                        .locales
                        .iter()
                        .map(|l| l.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
        }
        let source = project.config.rulebook.source_locale.clone();
        project
            .locales
            .retain(|l| options.locales.contains(&l.id) || l.id == source);
    }
    // The staging folder beside the output (and the lock) before the cache
    // is read: what this build keeps is what it looked at under the lock.
    let unwritable = |e: std::io::Error| {
        Diagnostics::from(
            Diagnostic::error("unwritable", format!("cannot write the output: {e}"))
                .at(Location::file(out.display().to_string()))
                .with_help(
                    "check the permissions and free space of the output folder and the folder \
                     holding it; the output was left as it was",
                ),
        )
    };
    let staging = Staging::new(out).map_err(unwritable)?;
    let articles: usize = project.locales.iter().map(|l| l.articles.len()).sum();
    let progress = if options.progress {
        let bar = indicatif::ProgressBar::new(2 * articles as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg:10} [{bar:30}] {pos}/{len} ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    progress.set_message("reading");
    let preload = Preload::start(&project);
    // Every article's hash first: with the cache, it says whether anything
    // changed at all, and which articles need reading again.
    let phase = crate::timings::phase(|| "read the cache, hash the articles".into());
    let inputs = inputs_key(&project, options);
    let p = crate::timings::phase(|| "  read the cache".into());
    let session = options.session.as_deref();
    let kept = session.and_then(|s| s.take_cache(out, &inputs));
    let cache_in_memory = kept.is_some();
    let mut cache = kept.or_else(|| Cache::load(out, &inputs));
    drop(p);
    // without a cache there is nothing to compare with: analysis hashes
    // what it reads
    // The previous rules.json is checked against its fingerprint (read
    // whole) on the other core meanwhile: a rebuild needs it, and an
    // up-to-date build is no slower for it.
    let ((hashes, stamps), old_files) = match &cache {
        Some(c) => rayon::join(
            || {
                let _p = crate::timings::phase(|| "  hash the articles".into());
                hash_articles(&project, c)
            },
            || {
                let _p = crate::timings::phase(|| "  check the previous data files".into());
                c.old_data()
            },
        ),
        None => Default::default(),
    };
    // A cache beside a rules.json other than the one it was committed with
    // (restored beside another output, or the output changed since) speaks
    // of files that are not there: none of it is used, not even the
    // hashes it gave for unchanged files.
    let (hashes, stamps) = if cache.is_some() && old_files.is_none() {
        cache = None;
        Default::default()
    } else {
        (hashes, stamps)
    };
    if let Some(c) = &cache
        && c.manifest.build.as_deref()
            == Some(
                build_key(
                    &inputs,
                    &hashes,
                    &crate::site::checks::media_key(&project, |p| c.refs(p)),
                )
                .as_str(),
            )
        && out.join("rules.json").is_file()
        && c.output_untouched()
    {
        progress.finish_and_clear();
        // the output is whole and current: what interrupted builds left
        // beside it (a commit killed after its manifest was in) goes
        staging.remove_stale();
        let counts = c.manifest.counts;
        let warnings = Diagnostics(c.manifest.warnings.clone());
        // the session keeps what it had: nothing was written
        if let (Some(s), Some(c)) = (session, cache.filter(|_| cache_in_memory)) {
            let trusted = c.trusted_data.clone();
            let (manifest, index) = c.into_parts();
            s.remember_cache(out, manifest, index, trusted);
        }
        return Ok(BuildOutput {
            counts,
            diagnostics: warnings,
            files: Vec::new(),
            stats: BuildStats {
                up_to_date: true,
                cache_in_memory,
                ..BuildStats::default()
            },
        });
    }
    drop(phase);
    let phase = crate::timings::phase(|| "analyze and reconcile".into());
    let previous = Previous {
        cross: cache.as_mut().and_then(|c| c.cross.take()),
        files: old_files,
        groups: cache
            .as_mut()
            .map(|c| std::mem::take(&mut c.groups))
            .unwrap_or_default(),
    };
    let Assembly {
        assembled,
        nav_titles,
        anchors,
        refs,
        mut diagnostics,
        keep,
        cached,
        hashes,
    } = assemble(
        &project,
        cache.as_ref(),
        previous,
        &inputs,
        (&hashes, &stamps),
        staging.dir(),
        LocaleSources {
            preload,
            session: session.map(|s| (s, inputs.as_str())),
        },
    )?;
    // before anything is written: a build never publishes rules that
    // `check` would refuse
    let unloadable = assembled.verify();
    if !unloadable.is_empty() {
        diagnostics.extend(unloadable);
        diagnostics.sort();
        return Err(diagnostics);
    }
    let cache_dir = staging.dir().join(cache::DIR);
    let mut stats = BuildStats {
        articles_cached: cached,
        articles_analyzed: articles - cached,
        cache_in_memory,
        ..BuildStats::default()
    };
    progress.inc(articles as u64);
    progress.set_message("rendering");
    drop(phase);
    let mut files: Vec<String> = cache::DATA_FILES.map(str::to_owned).to_vec();
    files.extend(
        schemas()
            .into_iter()
            .map(|(name, _)| format!("{SCHEMAS_DIR}/{name}")),
    );
    files.sort();
    let data_keys = crate::site::DataKeys::default();
    let site = crate::site::SiteInput {
        project: &project,
        data: &assembled,
        nav_titles: &nav_titles,
        anchors: &anchors,
        refs: &refs,
        progress: &progress,
        cache: cache.as_ref(),
        inputs: &inputs,
        hashes: &hashes,
        data_keys: &data_keys,
        staging: &staging,
    };
    // A rebuild writes the data files and the sites side by side: only the
    // rules and status pages need the data files' keys, and wait for them.
    // The writer is a thread of its own, not a rayon task: the pool's
    // workers may all be waiting for it. A build that analyzed everything
    // has both cores busy either way, and writes one after the other (side
    // by side it was slower: more threads than cores; BENCHMARKS.md, 'What
    // each optimisation buys').
    let overlap = stats.articles_cached > 0;
    let (written, built) = std::thread::scope(|scope| {
        let data = DataFiles {
            assembled: &assembled,
            staging: &staging,
            cache: cache.as_ref(),
            keys: &data_keys,
        };
        let writer = scope.spawn(move || {
            let _phase = crate::timings::phase(|| "write the data files".into());
            data.write(keep)
        });
        let sites = || {
            let _phase = crate::timings::phase(|| "build the sites".into());
            crate::site::build(&site, staging.dir())
        };
        if overlap {
            let built = sites();
            (writer.join(), Some(built))
        } else {
            let written = writer.join();
            let built = matches!(written, Ok(Ok(_))).then(sites);
            (written, built)
        }
    });
    let (index, index_sum) = written
        .map_err(|_| {
            Diagnostics::from(Diagnostic::error(
                "internal",
                "the data files' writer failed",
            ))
        })?
        .map_err(unwritable)?;
    let built = built.ok_or_else(|| {
        Diagnostics::from(Diagnostic::error("internal", "the sites were not built"))
    })??;
    let phase = crate::timings::phase(|| "commit the output".into());
    diagnostics.extend(built.diagnostics);
    stats.pages_reused = built.reused;
    stats.pages_rendered = built.rendered;
    let (rules, procedures, discrepancies) = assembled.counts();
    let counts = Counts {
        rules,
        procedures,
        discrepancies,
        sources: assembled.sources.len(),
    };
    let build_key = build_key(
        &inputs,
        &hashes,
        &crate::site::checks::media_key(&project, |p| refs.get(p)),
    );
    let mut manifest = cache::Manifest {
        format: String::new(),
        inputs,
        // a build that reached its commit has warnings at most
        build: (diagnostics.errors().next().is_none()).then_some(build_key),
        warnings: diagnostics.0.clone(),
        counts,
        pages: built.pages,
        data_files: index.data_files.clone(),
        index: index_sum,
    };
    cache::save_manifest(&cache_dir, &mut manifest).map_err(unwritable)?;
    staging.commit().map_err(unwritable)?;
    drop(phase);
    progress.finish_and_clear();
    // a session keeps the cache just written for its next build
    if let Some(s) = session {
        let written = cache::DATA_FILES
            .iter()
            .map(|name| cache::FileId::of(&out.join(name)))
            .collect();
        s.remember_cache(out, manifest, index, written);
    }
    Ok(BuildOutput {
        counts,
        diagnostics,
        files,
        stats,
    })
}

/// The folder of the output the JSON Schemas of the data files go in.
pub(crate) const SCHEMAS_DIR: &str = "schemas";

/// The schemas the build publishes, by file name.
fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    rulebook_rules::schemas()
}

/// Write the JSON Schemas of the data files and of the validator's
/// questions and decisions into `schemas/`.
fn write_schemas(staging: &Staging) -> std::io::Result<()> {
    for (name, schema) in schemas() {
        staging.write_file(format!("{SCHEMAS_DIR}/{name}"), &to_json_bytes(&schema))?;
    }
    Ok(())
}

/// What writing the data files (rules.json, procedures.json, report.json,
/// the schemas, the facts cache and its index) needs.
struct DataFiles<'a> {
    assembled: &'a Assembled,
    staging: &'a Staging,
    cache: Option<&'a Cache>,
    /// Set once rules.json and report.json are written (to `None` if they
    /// could not be), for the rules and status pages.
    keys: &'a crate::site::DataKeys,
}

impl DataFiles<'_> {
    /// Write the data files, then the cache index that says where each
    /// group's parts are in rules.json; `keep` are the articles the next
    /// build's cache lists.
    fn write(
        &self,
        keep: Vec<(cache::ArticleMeta, cache::Facts)>,
    ) -> std::io::Result<(cache::Index, String)> {
        // whatever happens here, the pages waiting for the keys wake
        struct Wake<'a>(&'a crate::site::DataKeys);
        impl Drop for Wake<'_> {
            fn drop(&mut self) {
                self.0.set(None);
            }
        }
        let _wake = Wake(self.keys);
        let (assembled, staging) = (self.assembled, self.staging);
        let cache_dir = staging.dir().join(cache::DIR);
        // Written straight to disk (a byte buffer of rules.json would be
        // the largest allocation of a big build), old groups' parts copied
        // from the previous rules.json, and fingerprinted on the way: the
        // site's rules and status pages are keyed by these fingerprints.
        // The four writes are independent: side by side, on threads of
        // their own (see the caller).
        let (saved, schemas, procedures_written, report_written, rules_written) =
            std::thread::scope(|scope| {
                let saved = scope.spawn(|| {
                    let _p = crate::timings::phase(|| "  facts cache".into());
                    cache::save_facts(
                        &cache_dir,
                        keep,
                        self.cache,
                        &assembled.stores.spilled,
                        &|rel| staging.keep(rel),
                    )
                });
                let report = scope.spawn(|| {
                    let _p = crate::timings::phase(|| "  report.json".into());
                    let mut index = assembled.empty_index();
                    staging
                        .write_with("report.json", |w| assembled.write_report(w, &mut index))
                        .map(|(cross, key)| (index, cross, key))
                });
                let procedures = scope.spawn(|| {
                    let _p = crate::timings::phase(|| "  procedures.json".into());
                    let mut index = assembled.empty_index();
                    staging
                        .write_with("procedures.json", |w| {
                            assembled.write_procedures(w, &mut index)
                        })
                        .map(|((), key)| (index, key))
                });
                let schemas = scope.spawn(|| write_schemas(staging));
                let rules = {
                    let _p = crate::timings::phase(|| "  rules.json".into());
                    let mut index = assembled.empty_index();
                    staging
                        .write_with("rules.json", |w| assembled.write_rules(w, &mut index))
                        .map(|(hash, key)| (index, hash, key))
                };
                fn gone<T>() -> std::io::Result<T> {
                    Err(std::io::Error::other("a data file's writer failed"))
                }
                (
                    saved.join().unwrap_or_else(|_| gone()),
                    schemas.join().unwrap_or_else(|_| gone()),
                    procedures.join().unwrap_or_else(|_| gone()),
                    report.join().unwrap_or_else(|_| gone()),
                    rules,
                )
            });
        let metas = saved?;
        schemas?;
        let (procedure_spans, procedures_key) = procedures_written?;
        let (report_spans, cross, report_key) = report_written?;
        let (rule_spans, rules_hash, rules_key_file) = rules_written?;
        let group_spans = assembled.merge_indexes(rule_spans, procedure_spans, report_spans);
        // The rules page shows the rules alone: it is keyed by them (hashed
        // as they were written), not by the sources list, which changes
        // with every edit.
        let rules_key = {
            let mut key = cache::Key::new("rules");
            key.add(assembled.canonical_locale.as_bytes())
                .add(&rules_hash.to_le_bytes());
            key.finish()
        };
        self.keys.set(Some(crate::site::DataKey {
            rules: rules_key,
            report: report_key.clone(),
        }));
        // only groups that may be reused go into the next cache
        let index = cache::Index {
            data_files: vec![rules_key_file, procedures_key, report_key],
            cross: Some(cross),
            articles: metas,
            groups: assembled
                .groups
                .iter()
                .zip(group_spans)
                .filter(|(g, _)| g.key.is_some())
                .map(|(g, spans)| (g.slug.clone(), spans))
                .collect(),
        };
        let _p = crate::timings::phase(|| "  cache index".into());
        let sum = cache::save_index(&cache_dir, &index)?;
        Ok((index, sum))
    }
}

/// The key of a whole build: its inputs, every article's hash and the
/// media the pages show ([`crate::site::checks::media_key`]).
fn build_key(inputs: &str, hashes: &HashMap<String, String>, media: &str) -> String {
    let mut key = cache::Key::new("build");
    key.add(inputs.as_bytes()).add(media.as_bytes());
    for (path, sha256) in hashes.iter().collect::<BTreeMap<_, _>>() {
        key.add(path.as_bytes()).add(sha256.as_bytes());
    }
    key.finish()
}

/// The SHA-256 of every article's text, by path, on all cores (a file whose
/// size and modification time the cache knows is not read). An article
/// that cannot be read is left out: analysis reads it and reports why.
/// Each file's stamp is taken before it is read, so a file changed while it
/// is read is hashed again next time.
fn hash_articles(
    project: &Project,
    cache: &Cache,
) -> (HashMap<String, String>, HashMap<String, cache::Stamp>) {
    let articles: Vec<&load::Article> = project
        .locales
        .iter()
        .flat_map(|l| l.articles.iter())
        .collect();
    // Each locale folder's files stamped as it is listed (a lookup of one
    // name in an open folder, not of the whole path: at thousands of
    // articles the path lookups were most of an unchanged tree's time).
    let listed: HashMap<PathBuf, cache::Stamp> = project
        .locales
        .par_iter()
        .flat_map_iter(|l| {
            std::fs::read_dir(&l.dir)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter_map(|e| {
                    // a link's own stamp is not its target's
                    let meta = e.metadata().ok().filter(|m| m.is_file())?;
                    Some((e.path(), cache::Stamp::from_metadata(&meta)?))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let found: Vec<(String, String, Option<cache::Stamp>)> = articles
        .par_iter()
        .filter_map(|a| {
            let stamp = listed
                .get(&a.file)
                .copied()
                .or_else(|| cache::Stamp::of(&a.file));
            if let Some(known) = stamp.and_then(|stamp| cache.known_hash(&a.path, stamp)) {
                return Some((a.path.clone(), known, stamp));
            }
            let bytes = a.bytes().ok()?;
            Some((a.path.clone(), load::sha256_hex(&bytes), stamp))
        })
        .collect();
    let mut hashes = HashMap::with_capacity(found.len());
    let mut stamps = HashMap::with_capacity(found.len());
    for (path, sha256, stamp) in found {
        if let Some(stamp) = stamp {
            stamps.insert(path.clone(), stamp);
        }
        hashes.insert(path, sha256);
    }
    (hashes, stamps)
}

/// Fingerprint of everything a build reads besides the articles: book.toml,
/// the locale data and templates, shared include folders, each locale's
/// SUMMARY.md, the locales built.
fn inputs_key(project: &Project, options: &BuildOptions) -> String {
    let root = &project.root;
    let mut key = cache::Key::new("inputs");
    let regular = |path: PathBuf| crate::load::confine::read_any(&path).unwrap_or_default();
    key.add(&regular(root.join("book.toml")));
    for name in ["locales", "templates"] {
        let dir = root.join(name);
        key.add_tree(root, &dir, &load::confine::real_roots([dir.as_path()]));
    }
    let content = root.join("content");
    let mut shared: Vec<PathBuf> = std::fs::read_dir(&content)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| load::is_shared_folder(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    shared.sort();
    for dir in shared {
        key.add_tree(root, &dir, project.content_root.as_slice());
    }
    for l in &project.locales {
        key.add(l.id.as_bytes());
        key.add(&regular(l.dir.join("SUMMARY.md")));
        key.add(&regular(l.dir.join(".openpublishing.redirection.json")));
        // the DocFX tables of contents are the navigation of every page
        for toc in l.tocs.iter().chain(&l.landings) {
            key.add(toc.path.as_bytes()).add(&regular(toc.file.clone()));
        }
    }
    for l in &options.locales {
        key.add(l.as_bytes());
    }
    // `[output.html] additional-css`: copied into every book (read
    // confined to the project, as the site reads them)
    let project_root = load::confine::real_roots([root.as_path()]);
    for css in &project.config.html.additional_css {
        key.add(css.as_bytes())
            .add(&load::confine::read(&root.join(css), &project_root).unwrap_or_default());
    }
    key.finish()
}
