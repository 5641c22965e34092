//! The outputs: rules.json (+ its JSON Schema) and report.json, written into a
//! fresh folder that replaces the old output only when everything succeeded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::extract;
use crate::lexicon::{self, LocaleData};
use crate::load::{self, Project};
use crate::reconcile::{self, ArticleFacts, outline};
use crate::report::{LocaleSummary, Report};
use crate::rules::{self, RulesFile, SourceFile};

/// What a build produced, for the caller to report.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BuildOutput {
    pub rules: RulesFile,
    pub diagnostics: Diagnostics,
    /// The data files written (rules, report, schema), relative to the
    /// output folder.
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Build only these locales (empty: all).
    pub locales: Vec<String>,
    /// Show a progress bar on standard error (drawn only on a terminal).
    pub progress: bool,
}

/// Load, parse, extract and reconcile the project into a rules file. Errors
/// anywhere mean no rules file: a partial one would state wrong rules.
pub fn rules_for_project(project: &Project) -> Result<(RulesFile, Diagnostics), Diagnostics> {
    analyze(project).map(|a| (a.rules, a.diagnostics))
}

/// What a project says and where its locales differ.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Analysis {
    pub rules: RulesFile,
    /// Table-of-contents title of each article, by path.
    pub nav_titles: std::collections::HashMap<String, String>,
    pub report: Report,
    pub diagnostics: Diagnostics,
}

/// One article analyzed: its facts, the SHA-256 of its text, what was found.
type Analyzed = (ArticleFacts, String, Vec<Diagnostic>);

/// Load, parse, extract and reconcile: the rules file and the report.
pub fn analyze(project: &Project) -> Result<Analysis, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let source_locale = project.config.rulebook.source_locale.clone();
    let mut data: Vec<LocaleData> = Vec::new();
    for locale in project
        .locales
        .iter()
        .map(|l| l.id.as_str())
        .chain([source_locale.as_str(), "en"])
    {
        if data.iter().any(|d| d.locale == locale) {
            continue;
        }
        match lexicon::load_locale_data(&project.root, locale) {
            Ok(d) => data.push(d),
            Err(d) => diagnostics.push(d),
        }
    }
    if diagnostics.has_errors() {
        diagnostics.sort();
        return Err(diagnostics);
    }
    let find = |id: &str| data.iter().find(|d| d.locale == id);
    let Some(source_data) = find(&source_locale) else {
        return Err(Diagnostic::error(
            "missing-locale",
            format!("no data for source locale `{source_locale}`"),
        )
        .into());
    };
    // The source segments of side-by-side files are English whatever the
    // project's source locale: read them (and resolve market names as a last
    // resort) with English data where there is any.
    let english = find("en")
        .filter(|d| d.lexicon.is_some())
        .unwrap_or(source_data);
    let content_root = project.root.join("content").canonicalize().ok();

    // One pass per article, on all cores: parse, check, extract, outline,
    // and drop the document model (the site parses again, one locale at a
    // time), so a large build never holds every model at once.
    let jobs: Vec<(&str, &load::Article)> = project
        .locales
        .iter()
        .flat_map(|l| l.articles.iter().map(move |a| (l.id.as_str(), a)))
        .collect();
    let results: Vec<Result<Analyzed, Diagnostic>> = jobs
        .par_iter()
        .map(|(locale, article)| {
            let text = article.read()?;
            let sha256 = hex(&Sha256::digest(text.as_bytes()));
            let document = crate::docfx::parse_article(&article.path, &text)?;
            let mut found = document.diagnostics.clone();
            if let Some(root) = &content_root {
                found.extend(load::check_document_includes(
                    &project.root,
                    root,
                    &document,
                ));
            }
            let own = find(locale).unwrap_or(english);
            let extraction = extract::extract(&document, locale, own, english);
            let translated = language(locale) != language(&source_locale);
            // Number words count on both sides or on neither: a locale
            // without a lexicon is compared on digits only.
            let own_lexicon = own.lexicon.as_ref().filter(|_| own.locale == *locale);
            let source_lexicon = own_lexicon.and(english.lexicon.as_ref());
            let outline =
                outline::outline(&document, &text, own_lexicon, source_lexicon, translated);
            Ok((
                ArticleFacts {
                    outline,
                    locale: (*locale).to_owned(),
                    article: article.slug.clone(),
                    path: article.path.clone(),
                    date: document.frontmatter.effective_date(),
                    nav_title: crate::site::chapter::nav_title(&document, &article.slug),
                    extraction,
                },
                sha256,
                found,
            ))
        })
        .collect();
    let mut articles = Vec::with_capacity(results.len());
    let mut sources = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((a, sha256, found)) => {
                diagnostics.extend(found);
                sources.push(SourceFile {
                    locale: a.locale.clone(),
                    path: a.path.clone(),
                    date: a.date.map(|d| d.to_string()),
                    sha256,
                });
                articles.push(a);
            }
            Err(d) => diagnostics.push(d),
        }
    }
    for a in &articles {
        diagnostics.extend(a.extraction.diagnostics.iter().cloned());
    }
    diagnostics.sort();
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }

    let nav_titles = articles
        .iter()
        .map(|a| (a.path.clone(), a.nav_title.clone()))
        .collect();
    let policy = project.config.rulebook.policy;
    let reconciled = reconcile::reconcile(&articles, policy, &source_locale);
    let mut summary: BTreeMap<String, LocaleSummary> = BTreeMap::new();
    for a in &articles {
        let s = summary.entry(a.locale.clone()).or_default();
        s.articles += 1;
        s.segments += a.outline.segments;
        s.untranslated_segments += a.outline.untranslated.len();
    }
    // one list, shared by the report and the rules file (it is most of both)
    let discrepancies = std::sync::Arc::new(reconciled.discrepancies);
    let report = Report::new(&source_locale, summary, discrepancies.clone());
    sources.sort_by(|a, b| (&a.locale, &a.path).cmp(&(&b.locale, &b.path)));
    let mut rules = reconciled.rules;
    rules.sort_by(|a, b| (&a.id, &a.article).cmp(&(&b.id, &b.article)));
    let rules = RulesFile {
        schema: rules::SCHEMA_ID.to_owned(),
        canonical_locale: source_locale,
        policy,
        sources,
        rules,
        procedures: reconciled.procedures,
        discrepancies,
    };
    Ok(Analysis {
        rules,
        nav_titles,
        report,
        diagnostics,
    })
}

/// The language subtag of a locale id (`zh` of `zh-TW`).
fn language(locale: &str) -> &str {
    locale.split('-').next().unwrap_or(locale)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Pretty JSON with a final newline: stable bytes for stable input.
pub fn to_json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Build everything into `out`.
pub fn build(root: &Path, out: &Path, options: &BuildOptions) -> Result<BuildOutput, Diagnostics> {
    let mut project = load::load_project(root)?;
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
    // Staging first: it clears what interrupted builds left behind, so even
    // a build that then fails on bad input leaves no stray folders.
    let unwritable = |e: std::io::Error| {
        Diagnostics::from(
            Diagnostic::error("unwritable", format!("cannot write the output: {e}"))
                .at(Location::file(out.display().to_string())),
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
    let Analysis {
        rules,
        report,
        nav_titles,
        mut diagnostics,
    } = analyze(&project)?;
    progress.inc(articles as u64);
    progress.set_message("rendering");
    let site = crate::site::SiteInput {
        project: &project,
        rules: &rules,
        report: &report,
        nav_titles: &nav_titles,
        progress: &progress,
    };
    diagnostics.extend(crate::site::build(&site, staging.dir())?);
    // Written straight to the files: a byte buffer of rules.json would be
    // the largest allocation of a big build.
    staging
        .write_json("report.json", &report)
        .map_err(unwritable)?;
    staging
        .write_json("rules.json", &rules)
        .map_err(unwritable)?;
    staging
        .write_json("rules.schema.json", &rules::json_schema())
        .map_err(unwritable)?;
    let files = ["report.json", "rules.json", "rules.schema.json"]
        .map(str::to_owned)
        .to_vec();
    staging.commit().map_err(unwritable)?;
    progress.finish_and_clear();
    Ok(BuildOutput {
        rules,
        diagnostics,
        files,
    })
}

/// A new output folder being written beside `out`, swapped in by
/// [`Staging::commit`] only when everything succeeded: readers see the old
/// output or the new, never a mix. Dropped without a commit, it removes
/// itself; leftovers of an interrupted build are removed when the next one
/// starts.
#[derive(Debug)]
pub struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn new(out: &Path) -> std::io::Result<Self> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "book".to_owned());
        std::fs::create_dir_all(&parent)?;
        let (tmp_prefix, old_prefix) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
        for entry in std::fs::read_dir(&parent)?.filter_map(Result::ok) {
            let n = entry.file_name().to_string_lossy().into_owned();
            let pid = n
                .strip_prefix(&tmp_prefix)
                .or_else(|| n.strip_prefix(&old_prefix));
            // a folder of a build still running (e.g. `serve` beside a
            // `build`) is not a leftover
            if let Some(pid) = pid
                && !process_alive(pid)
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let tmp = parent.join(format!("{tmp_prefix}{}", std::process::id()));
        std::fs::create_dir_all(&tmp)?;
        Ok(Staging {
            tmp,
            out: out.to_path_buf(),
            committed: false,
        })
    }

    /// The folder to write the new output into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes)
    }

    /// Pretty JSON with a final newline, as [`to_json_bytes`] makes it,
    /// streamed into the file.
    pub fn write_json<T: serde::Serialize>(&self, rel: &str, value: &T) -> std::io::Result<()> {
        use std::io::Write;
        let file = std::fs::File::create(self.tmp.join(rel))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        serde_json::to_writer_pretty(&mut out, value)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// Swap the new output in for the old.
    pub fn commit(mut self) -> std::io::Result<()> {
        let parent = self.tmp.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = self
            .out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "book".to_owned());
        crate::fsutil::swap_dir(
            &self.tmp,
            &self.out,
            &parent.join(format!(".{name}.old-{}", std::process::id())),
        )?;
        self.committed = true;
        Ok(())
    }
}

/// Whether the process that named a staging folder is a rulebook still
/// running (Linux: `/proc/<pid>/comm` names the same program as ours; a
/// reused pid of another program, or any other system, counts as gone).
fn process_alive(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    let comm = |p: &str| std::fs::read_to_string(Path::new("/proc").join(p).join("comm")).ok();
    match (comm(&pid.to_string()), comm("self")) {
        (Some(theirs), Some(ours)) => theirs == ours,
        _ => false,
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}
