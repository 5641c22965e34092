//! The localized site: one mdBook per locale, built in-process.
//!
//! mdBook (the `mdbook-driver` library) loads each locale's book — its
//! `book.toml` settings, its `SUMMARY.md` or one made from the articles —
//! and runs rulebook's preprocessor, which swaps each raw DocFX article for
//! its chapter Markdown (`chapter`) and appends the generated pages. The HTML
//! step is rulebook's own [`Renderer`] (`html`, tera templates, a table of
//! contents built once per book, a CJK-aware search index), registered in
//! place of mdbook-html, whose per-page cost grows with the book.

pub mod blocks;
pub mod chapter;
pub mod checks;
mod fallback;
pub mod href;
pub mod html;
mod html_output;
pub(crate) mod landing;
pub mod links;
pub mod outline;
mod pages;
pub(crate) mod redirects;
pub mod search;
mod templates;
pub(crate) mod toc;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use fluent_bundle::FluentArgs;
use mdbook_driver::MDBook;
use mdbook_driver::book::{Book, BookItem, Chapter};
use mdbook_driver::config::Config;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use mdbook_renderer::{RenderContext, Renderer};
use rayon::prelude::*;
use serde::Serialize;

use crate::cache::{self, Cache};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::docfx::AlertKind;
use crate::load::{Article, Project};
use crate::rules::Messages;
use chapter::ChapterSource;

pub use templates::Templates;

/// What the site is made from.
pub struct SiteInput<'a> {
    /// The project being built.
    pub project: &'a Project,
    /// The rules and findings, in groups (read back in full only for the
    /// rules and status pages, when those must be made again).
    pub data: &'a crate::data_files::Assembled,
    /// Table-of-contents title of each article, by path (from the analysis:
    /// the book's outline is known before any page is rendered).
    pub nav_titles: &'a HashMap<String, String>,
    /// The section anchors of each article, by path: what links between
    /// pages are checked against.
    pub anchors: &'a HashMap<String, Vec<String>>,
    /// What each article's page links to and shows, by path (the media
    /// files' bytes are part of its page's key).
    pub refs: &'a HashMap<String, chapter::PageRefs>,
    /// Advanced by one per article page written.
    pub progress: &'a indicatif::ProgressBar,
    /// The previous build's cache: pages made from the same inputs are
    /// linked from its output instead of rendered.
    pub cache: Option<&'a Cache>,
    /// Fingerprint of the build's inputs besides the articles.
    pub inputs: &'a str,
    /// Article path → SHA-256 of its text.
    pub hashes: &'a HashMap<String, String>,
    /// Fingerprints of rules.json and report.json, known once they are
    /// written: the data files are written while the pages are made, and
    /// only the rules and status pages wait for them.
    pub data_keys: &'a DataKeys,
    /// The output being written: pages made from the same inputs as the
    /// previous build's are kept in place, not written again.
    pub staging: &'a crate::output::Staging,
}

/// The keys of the rules and status pages (rules.json's and report.json's
/// fingerprints), set by whoever writes the data files, waited for by the
/// pages made from them. Set to `None` when the data files could not be
/// written (or their writer is gone): the pages then fail, and the build
/// reports the writer's error.
#[derive(Debug, Default)]
pub struct DataKeys {
    keys: std::sync::Mutex<Option<Option<DataKey>>>,
    ready: std::sync::Condvar,
}

/// rules.json's key (the rules page) and report.json's (the status page).
#[derive(Debug, Clone)]
pub struct DataKey {
    /// rules.json's fingerprint: the rules page's key.
    pub rules: String,
    /// report.json's fingerprint: the status page's key.
    pub report: String,
}

impl DataKeys {
    /// Set the keys once (a later call changes nothing) and wake the
    /// pages waiting for them.
    pub fn set(&self, keys: Option<DataKey>) {
        let mut held = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if held.is_none() {
            *held = Some(keys);
        }
        self.ready.notify_all();
    }

    /// The keys, once set.
    pub fn wait(&self) -> Option<DataKey> {
        let mut held = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(keys) = &*held {
                return keys.clone();
            }
            held = self.ready.wait(held).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// What building the site did.
#[derive(Debug, Default)]
pub struct SiteBuilt {
    /// Problems met while making pages (an error fails the build).
    pub diagnostics: Diagnostics,
    /// Pages rendered anew.
    pub rendered: usize,
    /// Pages kept from the previous output.
    pub reused: usize,
    /// Page (`<locale>/<file>`) → key of what it was made from, for the
    /// next build's cache.
    pub pages: BTreeMap<String, String>,
}

/// The out-of-date notice of one translated page.
#[derive(Debug, Clone, Serialize)]
struct Banner {
    text: String,
    href: String,
    link: String,
}

/// Build every locale's site into `out/<locale>/` and the language picker
/// into `out/index.html`. Errors (bad includes, templates, mdBook) fail the
/// whole site.
///
/// Within a locale, each article is read, parsed and rendered when its page
/// is written, a chunk of pages at a time, and dropped right after: a large
/// build holds the locales' page lists and search indexes, never their
/// articles' text.
pub fn build(input: &SiteInput<'_>, out: &Path) -> Result<SiteBuilt, Diagnostics> {
    let root = &input.project.root;
    let templates = Arc::new(Templates::load(&root.join("templates"))?);
    let html_output = Arc::new(html_output::HtmlOutput::load(input.project)?);
    let locales: Vec<String> = input.project.locales.iter().map(|l| l.id.clone()).collect();
    let mut pages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut generated: HashMap<&str, Vec<GeneratedPage>> = HashMap::new();
    let clashes: Vec<Diagnostic> = input
        .project
        .locales
        .iter()
        .flat_map(|l| &l.articles)
        .filter_map(reserved_name)
        .chain(
            input
                .project
                .locales
                .iter()
                .flat_map(|l| case_clashes(&l.articles)),
        )
        .collect();
    if !clashes.is_empty() {
        return Err(Diagnostics(clashes));
    }
    // each locale's pages: its articles, and the source locale's it lacks
    let site_articles: HashMap<&str, Vec<Article>> = input
        .project
        .locales
        .iter()
        .map(|l| (l.id.as_str(), fallback::articles(input.project, &l.id)))
        .collect();
    // the progress bar counts their pages too
    let borrowed: usize = input
        .project
        .locales
        .iter()
        .map(|l| {
            site_articles
                .get(l.id.as_str())
                .map_or(0, |a| a.len().saturating_sub(l.articles.len()))
        })
        .sum();
    input.progress.inc_length(borrowed as u64);
    for l in &input.project.locales {
        let locale = &l.id;
        let articles = site_articles.get(locale.as_str()).unwrap_or(&l.articles);
        let list = generated_pages(input.data, locale, page_size(input.project));
        let set = pages.entry(locale.clone()).or_default();
        set.extend(articles.iter().map(|a| format!("{}.html", a.slug)));
        set.extend(list.iter().map(|g| {
            g.path()
                .with_extension("html")
                .to_string_lossy()
                .into_owned()
        }));
        set.insert("index.html".to_owned());
        generated.insert(locale, list);
    }
    let shared = Shared {
        input,
        templates: templates.clone(),
        locales: locales.clone(),
        pages: Arc::new(pages),
        html_output,
    };
    let mut built = SiteBuilt::default();
    let mut errors = Diagnostics::default();
    // Locales side by side: each has steps that run on one core (its rules
    // and status pages, its search index), which the other locales' pages
    // fill.
    let results: Vec<Result<LocaleBuilt, Diagnostics>> = input
        .project
        .locales
        .par_iter()
        .map(|l| {
            let list = generated.get(l.id.as_str()).cloned().unwrap_or_default();
            let articles = site_articles.get(l.id.as_str()).unwrap_or(&l.articles);
            build_locale(&shared, &l.id, articles, list, out)
        })
        .collect();
    for r in results {
        match r {
            Ok(locale) => {
                built.diagnostics.extend(locale.warnings);
                built.rendered += locale.rendered;
                built.reused += locale.reused;
                built.pages.extend(locale.pages);
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.has_errors() {
        errors.sort();
        return Err(errors);
    }
    write_picker(&shared)?;
    write_not_found(&shared)?;
    built.diagnostics.sort();
    Ok(built)
}

/// Whether a page named `<stem>.html` is one rulebook generates beside
/// the pages of a book: an article or summary entry whose page had the
/// name would overwrite it or be overwritten. Compared without case: a
/// site is often copied to or previewed on a file system that ignores it
/// (macOS, Windows), where `TOC.html` is `toc.html`. `index` is not among
/// them: an article named so is the book's home page.
pub(crate) fn reserved_stem(stem: &str) -> bool {
    let stem = stem.to_ascii_lowercase();
    let numbered = |base: &str| {
        stem.strip_prefix(base)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    ["toc", "rules", "status"].contains(&stem.as_str()) || numbered("rules") || numbered("status")
}

/// Whether a folder named `name` at the top of a locale's output would
/// take the place of a file rulebook writes there (compared without case,
/// as [`reserved_stem`]).
fn reserved_top_file(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let shard = name
        .strip_prefix("search-index-")
        .and_then(|n| n.strip_suffix(".js"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    [
        "index.html",
        "toc.js",
        "rulebook.css",
        "rulebook.js",
        "search-index.js",
    ]
    .contains(&name.as_str())
        || shard
        || name.strip_suffix(".html").is_some_and(reserved_stem)
}

fn reserved_name(article: &Article) -> Option<Diagnostic> {
    if let Some((folder, _)) = article.slug.split_once('/') {
        // a page in a folder takes no generated page's name; its folder
        // must not take a generated file's
        return reserved_top_file(folder).then(|| {
            Diagnostic::error(
                "reserved-page-name",
                format!("the folder `{folder}` of this article would take the place of `{folder}`, a file rulebook generates"),
            )
            .at(Location::new(&article.path, 1, 1))
            .with_help("rename the folder; rulebook writes index.html, toc.html, toc.js, rulebook.css, rulebook.js, search-index.js (and numbered shards), rules.html, status.html and their numbered pages at the top of each locale, whatever their case")
        });
    }
    let stem = article.slug.as_str();
    // `Index.md` would be the home page on a file system that ignores case
    // while `index.html` is the first page copied
    let reserved = reserved_stem(stem) || (stem != "index" && stem.eq_ignore_ascii_case("index"));
    reserved.then(|| {
        Diagnostic::error(
            "reserved-page-name",
            format!("the page of this article would be `{stem}.html`, a page rulebook generates"),
        )
        .at(Location::new(&article.path, 1, 1))
        .with_help(format!(
            "rename the file (e.g. `{stem}-overview.md`); rulebook writes index.html, toc.html, rules.html, status.html and their numbered pages (rules-2.html …) itself, whatever their case"
        ))
    })
}

/// Articles of one locale whose pages differ only in case: on a file
/// system that ignores case one page would overwrite the other.
fn case_clashes(articles: &[Article]) -> Vec<Diagnostic> {
    let mut seen: HashMap<String, &Article> = HashMap::new();
    let mut found = Vec::new();
    for a in articles {
        match seen.entry(a.slug.to_lowercase()) {
            std::collections::hash_map::Entry::Occupied(first) => found.push(
                Diagnostic::error(
                    "page-name-clash",
                    format!(
                        "the pages of `{}` and `{}` differ only in case; one would overwrite the other where case is ignored",
                        first.get().path,
                        a.path
                    ),
                )
                .at(Location::new(&a.path, 1, 1))
                .with_help("rename one of the two files"),
            ),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(a);
            }
        }
    }
    found
}

/// What building one locale's book did.
struct LocaleBuilt {
    warnings: Vec<Diagnostic>,
    rendered: usize,
    reused: usize,
    pages: Vec<(String, String)>,
}

struct Shared<'a> {
    input: &'a SiteInput<'a>,
    templates: Arc<Templates>,
    locales: Vec<String>,
    pages: Arc<BTreeMap<String, BTreeSet<String>>>,
    /// `[output.html]`'s settings the site honours.
    html_output: Arc<html_output::HtmlOutput>,
}

fn messages(root: &Path, locale: &str) -> Result<Messages, Diagnostics> {
    Messages::load(&root.join("locales"), locale).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error("messages", e.to_string())
                .at(Location::file(format!("locales/{locale}")))
                .with_help("fix the Fluent file (see https://projectfluent.org/ for the syntax)"),
        )
    })
}

fn mdbook_error(locale: &str, e: &anyhow::Error) -> Diagnostics {
    Diagnostic::error(
        "mdbook",
        format!("mdBook could not build the {locale} book: {e:#}"),
    )
    .at(Location::file(format!("content/{locale}")))
    .with_help("check content/<locale>/SUMMARY.md and the [book] table of book.toml")
    .into()
}

fn build_locale(
    shared: &Shared<'_>,
    locale: &str,
    articles: &[Article],
    generated: Vec<GeneratedPage>,
    out: &Path,
) -> Result<LocaleBuilt, Diagnostics> {
    let input = shared.input;
    let root = &input.project.root;
    let messages = messages(root, locale)?;
    let content_root = root.join("content");

    let site_title = book_title(root);
    // the previous index says what a reused page holds; a shard of it is
    // read only when some page of that shard is made anew
    let old_shards = input
        .cache
        .and_then(|c| search::OldShards::open(c.out.join(locale)));
    let banners = banners(
        &messages,
        &input.data.banner_facts(locale),
        &input.data.canonical_locale,
    );

    let mut config = mdbook_config(root).map_err(|e| mdbook_error(locale, &e))?;
    config.book.src = PathBuf::from("content").join(locale);
    config.book.language = Some(locale.to_owned());
    config.build.create_missing = false;
    config.build.use_default_preprocessors = false;
    config.build.build_dir = out.join(locale);
    // The outline is data: SUMMARY.md's links, each checked, or the
    // articles in order; never Markdown made from titles (a title that
    // escapes the link syntax would name any file as a chapter).
    let src_dir = content_root.join(locale);
    let roots = input
        .project
        .locale(locale)
        .map(|l| l.roots.clone())
        .unwrap_or_default();
    let nav_title = |a: &Article| input.nav_titles.get(&a.path).unwrap_or(&a.slug).clone();
    // SUMMARY.md, else the DocFX TOCs (the locale's own, or the source
    // locale's with this locale's titles), else the articles by folder
    let tocs = |id: &str| {
        input.project.locale(id).map(|l| toc::TocFiles {
            locale: l.id.as_str(),
            tocs: &l.tocs,
            roots: &l.roots,
        })
    };
    let own_tocs = tocs(locale);
    let source_tocs = tocs(&input.project.config.rulebook.source_locale);
    let (outline, outline_warnings) =
        match outline::from_summary_file(&src_dir, locale, articles, &roots)? {
            Some(found) => found,
            None => match own_tocs
                .as_ref()
                .map(|own| toc::from_tocs(own, source_tocs.as_ref(), articles, nav_title))
                .transpose()?
                .flatten()
            {
                Some(found) => found,
                None => (outline::from_articles(articles, nav_title), Vec::new()),
            },
        };
    let mut book = MDBook::load_with_config_and_summary(root, config, Default::default())
        .map_err(|e| mdbook_error(locale, &e))?;
    book.book = outline;
    let titles = |g: &GeneratedPage| {
        let title = messages.format(
            match g.list {
                List::Rules => "nav-rules",
                List::Status => "nav-status",
            },
            &FluentArgs::new(),
        );
        if g.page == 1 {
            return title;
        }
        let mut args = FluentArgs::new();
        args.set("title", title);
        args.set("page", g.page);
        args.set("pages", g.pages);
        messages.format("nav-page", &args)
    };
    book.with_preprocessor(GeneratedPages {
        chapters: generated.iter().map(|g| (titles(g), g.clone())).collect(),
    });
    // every page's switcher and every page key name the languages: named
    // once, not once per page
    let language_names = shared
        .locales
        .iter()
        .map(|l| messages.language_name(l))
        .collect();
    // what links between the pages resolve against: the locale's articles
    // and their sections' anchors (from the analysis)
    let links = links::LinkIndex::new(
        articles.iter().map(|a| {
            (
                a.slug.as_str(),
                input.anchors.get(&a.path).map_or(&[][..], Vec::as_slice),
            )
        }),
        Some(input.project.config.rulebook.docs_base_url.as_str()),
    );
    let links_key = links.fingerprint();
    let fallback = fallback::Fallback::new(input.project, locale, &messages);
    let renderer = SiteRenderer {
        fallback,
        html_output: shared.html_output.clone(),
        links,
        links_key,
        locale: locale.to_owned(),
        source_locale: input.data.canonical_locale.clone(),
        locales: shared.locales.clone(),
        language_names,
        pages: shared.pages.clone(),
        templates: shared.templates.clone(),
        messages,
        site_title,
        articles: articles
            .iter()
            .map(|a| (PathBuf::from(format!("{}.md", a.slug)), a.clone()))
            .collect(),
        src_dir,
        content_root,
        landings: input
            .project
            .locale(locale)
            .map(|l| l.landings.clone())
            .unwrap_or_default(),
        content_roots: roots,
        diagnostics: std::sync::Mutex::new(Vec::new()),
        cache: input.cache,
        staging: input.staging,
        inputs: input.inputs,
        hashes: input.hashes,
        refs: input.refs,
        keys: std::sync::Mutex::new(Vec::new()),
        old_shards,
        data_keys: input.data_keys,
        rendered: std::sync::atomic::AtomicUsize::new(0),
        reused: std::sync::atomic::AtomicUsize::new(0),
        generated: generated.into_iter().map(|g| (g.path(), g)).collect(),
        data: input.data,
        summary: input.data.summary(),
        page_size: page_size(input.project),
        banners,
        progress: input.progress.clone(),
    };
    book.execute_build_process(&renderer)
        .map_err(|e| mdbook_error(locale, &e))?;
    let mut found = renderer
        .diagnostics
        .into_inner()
        .map_err(|_| Diagnostics::from(Diagnostic::error("internal", "diagnostics poisoned")))?;
    found.extend(outline_warnings);
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        found.into_iter().partition(Diagnostic::is_error);
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let mut pages = renderer.keys.into_inner().unwrap_or_default();
    pages.sort();
    Ok(LocaleBuilt {
        warnings,
        rendered: renderer.rendered.into_inner(),
        reused: renderer.reused.into_inner(),
        pages,
    })
}

/// mdBook's view of book.toml: every table but rulebook's settings
/// (`[output.rulebook]`, or the deprecated `[rulebook]`, which mdBook 0.5
/// would refuse as unknown).
fn mdbook_config(root: &Path) -> anyhow::Result<Config> {
    let Ok(text) = std::fs::read_to_string(root.join("book.toml")) else {
        return Ok(Config::default());
    };
    let mut table: toml::Table = toml::from_str(&text)?;
    table.remove("rulebook");
    // rulebook's settings are not a renderer for mdBook here: given
    // `[output.rulebook]`, mdBook would run an `mdbook-rulebook` command
    if let Some(toml::Value::Table(output)) = table.get_mut("output") {
        output.remove("rulebook");
    }
    Config::from_str(&toml::to_string(&table)?)
}

fn book_title(root: &Path) -> String {
    mdbook_config(root)
        .ok()
        .and_then(|c| c.book.title)
        .unwrap_or_else(|| "rulebook".to_owned())
}

/// The banner of each translated article that is older than its source or
/// states other facts, from the report's findings.
/// The out-of-date notices of one locale's pages, by article, from what
/// its findings say: a stale translation (its source's date) and the kinds
/// of facts it misses or states differently.
fn banners(
    messages: &Messages,
    facts: &BTreeMap<String, (Option<String>, BTreeSet<String>)>,
    source_locale: &str,
) -> HashMap<String, Banner> {
    let language = messages.language_name(source_locale);
    facts
        .iter()
        .map(|(slug, (stale, kinds))| {
            let mut args = FluentArgs::new();
            args.set("language", language.clone());
            let id = match (stale, (!kinds.is_empty()).then_some(kinds)) {
                (date, Some(kinds)) => {
                    let names: Vec<String> = kinds
                        .iter()
                        .map(|k| messages.format(&format!("kind-{k}"), &FluentArgs::new()))
                        .collect();
                    args.set(
                        "facts",
                        names.join(&messages.format("list-separator", &FluentArgs::new())),
                    );
                    match date {
                        Some(date) => {
                            args.set("date", date.clone());
                            "banner-stale-and-facts"
                        }
                        None => "banner-facts",
                    }
                }
                (Some(date), None) => {
                    args.set("date", date.clone());
                    "banner-stale"
                }
                (None, None) => "banner-stale",
            };
            let mut link_args = FluentArgs::new();
            link_args.set("language", language.clone());
            (
                slug.clone(),
                Banner {
                    text: messages.format(id, &args),
                    href: href::in_locale(source_locale, &format!("{slug}.html")),
                    link: messages.format("banner-link", &link_args),
                },
            )
        })
        .collect()
}

/// Which generated list a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Rules,
    Status,
}

/// One page of a generated list: the rules page and the locale's status
/// page, each split into pages of `[output.rulebook] page-size` rules or findings
/// (one page of tens of megabytes serves no reader, and would be held
/// whole while it is made, as a static site generator paginates a long
/// section).
#[derive(Debug, Clone)]
struct GeneratedPage {
    list: List,
    /// 1-based, of `pages`.
    page: usize,
    pages: usize,
}

impl GeneratedPage {
    fn stem(&self) -> &'static str {
        match self.list {
            List::Rules => "rules",
            List::Status => "status",
        }
    }

    /// Its chapter file: `rules.md`, `rules-2.md` …
    fn path(&self) -> PathBuf {
        PathBuf::from(pages::page_file(self.stem(), self.page))
    }

    /// Its items: where they start in their list, and how many at most.
    fn items(&self, per_page: usize) -> std::ops::Range<usize> {
        let start = (self.page - 1) * per_page;
        start..start + per_page
    }
}

/// The generated pages of `locale`, in book order.
fn generated_pages(
    data: &crate::data_files::Assembled,
    locale: &str,
    per_page: usize,
) -> Vec<GeneratedPage> {
    let mut out = Vec::new();
    for (list, items) in [
        (List::Rules, data.rule_count()),
        (List::Status, data.finding_count(locale)),
    ] {
        let pages = pages::page_count(items, per_page);
        out.extend((1..=pages).map(|page| GeneratedPage { list, page, pages }));
    }
    out
}

fn page_size(project: &Project) -> usize {
    project.config.rulebook.page_size.get()
}

/// The preprocessor: appends the generated pages (rules, status) to the
/// book, so they take their place in its table of contents: a list's
/// first page as a chapter, its further pages inside it (listed by the
/// first page's pager, not by the table of contents). Their content is
/// made by the renderer, one page at a time.
struct GeneratedPages {
    chapters: Vec<(String, GeneratedPage)>,
}

impl Preprocessor for GeneratedPages {
    fn name(&self) -> &str {
        "rulebook-pages"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        let mut first: Option<Chapter> = None;
        for (name, g) in &self.chapters {
            let chapter = Chapter::new(name, String::new(), g.path(), Vec::new());
            if g.page == 1 {
                if let Some(done) = first.take() {
                    book.push_item(done);
                }
                first = Some(chapter);
            } else if let Some(list) = first.as_mut() {
                list.sub_items.push(BookItem::Chapter(chapter));
            }
        }
        if let Some(done) = first {
            book.push_item(done);
        }
        Ok(book)
    }
}

struct SiteRenderer<'a> {
    /// What each article's page shows, by path (its media).
    refs: &'a HashMap<String, chapter::PageRefs>,
    locale: String,
    /// How the articles this locale lacks are shown (the source's text
    /// under a notice).
    fallback: fallback::Fallback,
    /// `[output.html]`'s settings: style sheets, redirects, the site's URL.
    html_output: Arc<html_output::HtmlOutput>,
    source_locale: String,
    locales: Vec<String>,
    /// Each of `locales` named in this locale's language.
    language_names: Vec<String>,
    pages: Arc<BTreeMap<String, BTreeSet<String>>>,
    templates: Arc<Templates>,
    messages: Messages,
    site_title: String,
    /// The book's articles by chapter path, read when their page is made.
    articles: HashMap<PathBuf, Article>,
    src_dir: PathBuf,
    content_root: PathBuf,
    /// Where this locale's content may be read from
    /// ([`crate::load::LocaleContent::roots`]).
    content_roots: Vec<PathBuf>,
    /// The locale's DocFX landing pages (`index.yml`).
    landings: Vec<Article>,
    /// What rendering the pages found (bad includes and the like).
    diagnostics: std::sync::Mutex<Vec<Diagnostic>>,
    cache: Option<&'a Cache>,
    staging: &'a crate::output::Staging,
    inputs: &'a str,
    /// Article path → SHA-256 of its text.
    hashes: &'a HashMap<String, String>,
    /// Page (`<locale>/<file>`) → key, of the pages a later build may reuse.
    keys: std::sync::Mutex<Vec<(String, String)>>,
    /// The previous build's search index (what reused pages hold), its
    /// shards read when first needed.
    old_shards: Option<search::OldShards>,
    /// Where the keys of the generated pages (rules, status) come from.
    data_keys: &'a DataKeys,
    rendered: std::sync::atomic::AtomicUsize,
    reused: std::sync::atomic::AtomicUsize,
    /// The generated pages by chapter path, made from `data` when written.
    generated: HashMap<PathBuf, GeneratedPage>,
    data: &'a crate::data_files::Assembled,
    summary: BTreeMap<String, crate::report::LocaleSummary>,
    page_size: usize,
    /// The locale's pages and anchors, which links resolve against.
    links: links::LinkIndex,
    /// [`links::LinkIndex::fingerprint`]: part of every article page's key.
    links_key: String,
    banners: HashMap<String, Banner>,
    progress: indicatif::ProgressBar,
}

impl html::AlertTitles for Messages {
    fn title(&self, kind: AlertKind) -> String {
        self.format(&format!("alert-{}", kind.id()), &FluentArgs::new())
    }
}

#[derive(Serialize)]
struct LanguageLink {
    locale: String,
    name: String,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    href: String,
}

/// What the search index takes of a page: its text, or (a page reused from
/// the previous build) what the previous index held of it.
enum PageText {
    Text(String),
    Reused,
}

/// The previous build's copy of a page (`file` of `locale`) when it was made
/// from the same `key` and there is a previous search index (which holds
/// every page the previous build kept a key of).
fn reusable_page(
    cache: Option<&Cache>,
    has_old_index: bool,
    locale: &str,
    file: &str,
    key: &str,
) -> Option<PathBuf> {
    cache?
        .page(&format!("{locale}/{file}"), key)
        .filter(|_| has_old_index)
}

/// Pages rendered (and their text held for the search index) at once,
/// and the pages of one shard of the search index.
const PAGE_CHUNK: usize = 64;

impl SiteRenderer<'_> {
    /// Where an article's includes and media may be read from: its
    /// locale's folders (the source locale's for a borrowed article).
    fn roots_of(&self, article: &Article) -> &[PathBuf] {
        if self.fallback.is_borrowed(article) {
            &self.fallback.source_roots
        } else {
            &self.content_roots
        }
    }

    /// The content of an article's page: as rendered, or, for an article
    /// this locale lacks, under the notice saying so. What rendering a
    /// borrowed article finds, the source locale's page of the same
    /// article finds too (the same file, includes and media): it is that
    /// page's to report, located in the source's file, said once.
    fn borrowed(&self, article: &Article, html: String, found: &mut Vec<Diagnostic>) -> String {
        if !self.fallback.is_borrowed(article) {
            return html;
        }
        found.clear();
        match self.fallback.wrap(&self.templates, &self.locale, &html) {
            Ok(wrapped) => wrapped,
            Err(e) => {
                found.push(
                    Diagnostic::error(
                        "template",
                        format!("template fallback.html does not render: {e}"),
                    )
                    .at(Location::file("templates/fallback.html"))
                    .with_help("fix the template, or delete the file to use the built-in default"),
                );
                html
            }
        }
    }

    /// A file of this locale's book, relative to the output folder.
    fn rel(&self, file: &str) -> PathBuf {
        Path::new(&self.locale).join(file)
    }

    /// The key of an article's page: a hash of everything it is made from
    /// (its article, banner and language links, the build's inputs).
    /// The media an article's page shows, as its key takes them: each
    /// file's path in the book and bytes (`None`: not found, the page shows
    /// its alt text). A media file added, changed or removed changes the
    /// key; a reused page keeps the copies it shows.
    fn page_media(&self, article: &Article) -> Vec<(String, Option<cache::Stamp>)> {
        let Some(refs) = self.refs.get(&article.path) else {
            return Vec::new();
        };
        let project = self.content_root.parent().unwrap_or(&self.content_root);
        let mut media: Vec<(String, Option<cache::Stamp>)> = refs
            .media
            .iter()
            .map(|m| {
                match blocks::probe_use(project, m, &self.source_locale, &self.content_roots) {
                    // its size and modification time, as an article's text is
                    // known by them: a rebuild does not read every image
                    Ok((rel, file)) => (rel, cache::Stamp::of(&file)),
                    Err(_) => (m.source.clone(), None),
                }
            })
            .collect();
        media.sort();
        media.dedup();
        media
    }

    fn page_key(
        &self,
        article: &Article,
        file: &str,
        title: &str,
        media: &[(String, Option<cache::Stamp>)],
    ) -> Option<String> {
        let sha256 = self.hashes.get(&article.path)?;
        let banner = (self.locale != self.source_locale)
            .then(|| self.banners.get(&article.slug))
            .flatten();
        let banner = match banner {
            Some(b) => serde_json::to_vec(b).ok()?,
            None => Vec::new(),
        };
        let mut key = cache::Key::new("page");
        key.add(self.inputs.as_bytes())
            .add(self.locale.as_bytes())
            .add(file.as_bytes())
            .add(title.as_bytes())
            .add(sha256.as_bytes())
            .add(self.links_key.as_bytes())
            .add(&banner)
            .add(self.site_title.as_bytes())
            // an article borrowed from the source locale (its path is the
            // source's) and the notice it shows
            .add(article.path.as_bytes())
            .add(self.fallback.key_part(article).as_bytes());
        // the includes, code snippets and media it shows, as they are now
        let reads = self.refs.get(&article.path).map_or(&[][..], |r| &r.reads);
        let reads = reads
            .iter()
            .map(|read| (read.as_str(), cache::Stamp::of(Path::new(read))));
        let media = media.iter().map(|(path, stamp)| (path.as_str(), *stamp));
        for (path, stamp) in reads.chain(media) {
            key.add(path.as_bytes());
            match stamp {
                Some(s) => key
                    .add(&[1])
                    .add(&s.0.to_le_bytes())
                    .add(&s.1.to_le_bytes()),
                None => key.add(&[0]),
            };
        }
        // what the language links are made of (`language_links`): the
        // locales, their names and which of them have this page; fed as
        // they are, not as the links' JSON (made for every reused page of a
        // rebuild, i.e. nearly all of them)
        key.add(self.source_locale.as_bytes());
        for (l, name) in self.locales.iter().zip(&self.language_names) {
            let has = self.pages.get(l).is_some_and(|p| p.contains(file));
            key.add(l.as_bytes())
                .add(name.as_bytes())
                .add(&[u8::from(has)]);
        }
        Some(key.finish())
    }

    /// The key of a rules or status page. These pages are made from the
    /// whole rules file and report: keyed by their hashes, they are reused
    /// while those stay the same (most edits change some text and no
    /// fact). The hashes are taken as the data files are written, beside
    /// the article pages: this waits for them. Each page is made when the
    /// renderer writes it, from the rules and findings it shows, read back
    /// from disk.
    fn generated_key(&self, g: &GeneratedPage) -> anyhow::Result<String> {
        let Some(keys) = self.data_keys.wait() else {
            anyhow::bail!("the data files were not written");
        };
        let data = match g.list {
            List::Rules => keys.rules,
            List::Status => keys.report,
        };
        let mut key = cache::Key::new("generated");
        key.add(self.inputs.as_bytes())
            .add(self.locale.as_bytes())
            .add(data.as_bytes())
            .add(self.locales.join(",").as_bytes())
            .add(&(g.page as u64).to_le_bytes())
            .add(&(g.pages as u64).to_le_bytes());
        Ok(key.finish())
    }

    /// Render and write one page: (file, title, what the search index takes
    /// of it). A page whose key matches the previous build's is linked from
    /// the old output, and its search tokens taken from the old index.
    fn page(
        &self,
        ctx: &RenderContext,
        chapter: &Chapter,
        path: &Path,
        ui: &BTreeMap<&'static str, String>,
        reuse: bool,
    ) -> anyhow::Result<(String, String, PageText)> {
        let file = path.with_extension("html").to_string_lossy().into_owned();
        let article = (!self.generated.contains_key(path))
            .then(|| self.articles.get(path))
            .flatten();
        let media = article.map(|a| self.page_media(a)).unwrap_or_default();
        let key = match article {
            Some(a) => self.page_key(a, &file, &chapter.name, &media),
            None => match self.generated.get(path) {
                Some(g) => Some(self.generated_key(g)?),
                None => None,
            },
        };
        if let Some(key) = &key
            && reuse
            && let Some(old) = reusable_page(
                self.cache,
                self.old_shards.is_some(),
                &self.locale,
                &file,
                key,
            )
        {
            // kept where it is: the commit leaves it untouched, and the
            // copies of the media it shows (their bytes are in its key)
            self.staging.keep(
                old.strip_prefix(self.staging.live())
                    .unwrap_or(&old)
                    .to_path_buf(),
            );
            for (path, stamp) in &media {
                if stamp.is_some() {
                    self.staging.keep(self.rel(path));
                }
            }
            if article.is_some() {
                self.progress.inc(1);
            }
            self.reused
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if let Ok(mut keys) = self.keys.lock() {
                keys.push((format!("{}/{file}", self.locale), key.clone()));
            }
            return Ok((file, chapter.name.clone(), PageText::Reused));
        }
        let (content, title, description) = if let Some(g) = self.generated.get(path) {
            // a template that fails is reported as the build's diagnostic
            let html = self.generate(g).unwrap_or_else(|found| {
                if let Ok(mut all) = self.diagnostics.lock() {
                    all.extend(found.0);
                }
                String::new()
            });
            if let Some(key) = &key
                && let Ok(mut keys) = self.keys.lock()
            {
                keys.push((format!("{}/{file}", self.locale), key.clone()));
            }
            (Cow::Owned(html), chapter.name.clone(), None)
        } else if let Some(article) = article {
            let parsed = article
                .read()
                .and_then(|text| Ok((crate::docfx::parse_article(&article.path, &text)?, text)));
            let (source, mut found, headings) = match parsed {
                Ok((document, text)) => {
                    let (source, found) = chapter::prepare_in(
                        &document,
                        &text,
                        &self.content_root,
                        self.roots_of(article),
                        &article.slug,
                        Some(&self.source_locale),
                    );
                    let headings = document
                        .sections
                        .iter()
                        .map(|s| (s.pos.line, s.anchor.clone()))
                        .collect();
                    (source, found, headings)
                }
                Err(d) => (ChapterSource::empty(&article.slug), vec![d], HashMap::new()),
            };
            // the media the page shows, beside it in the book (paths made
            // under the locale folder by `blocks`, never outside it)
            for m in &source.media {
                let destination = ctx.destination.join(&m.path);
                if let Some(parent) = destination.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(destination, &m.bytes)?;
            }
            // rendered and checked in one pass: what the page changes in
            // the article's raw HTML is said at the article's lines
            let (html, checked) = html::render_page(
                &source.markdown,
                &source.line_map,
                &self.messages,
                &article.path,
                Some(&links::PageLinks {
                    index: &self.links,
                    slug: &article.slug,
                    headings,
                }),
            );
            found.extend(checked);
            let html = self.borrowed(article, html, &mut found);
            // links and media were checked before the data files were
            // written (`checks`), with every page's anchors: said from
            // there every build, whether this page is made or reused
            found.retain(|d| !matches!(d.code, "broken-link" | "missing-media"));
            let clean = found.is_empty();
            if !clean && let Ok(mut all) = self.diagnostics.lock() {
                all.extend(found);
            }
            // a page with diagnostics is made anew each build, so that they
            // are reported each build
            if clean
                && let Some(key) = &key
                && let Ok(mut keys) = self.keys.lock()
            {
                keys.push((format!("{}/{file}", self.locale), key.clone()));
            }
            self.progress.inc(1);
            (Cow::Owned(html), source.title, source.description)
        } else {
            // a summary entry that is not an article: plain Markdown
            // checked when the outline was made; read as any input is
            let file = self.src_dir.join(path);
            let display = format!("content/{}/{}", self.locale, path.display());
            let bytes = crate::load::confine::read(&file, &self.content_roots)
                .map_err(|r| anyhow::anyhow!("{}", r.diagnostic(&display)))?;
            let text = crate::load::decode(bytes, &display)?;
            let (html, found) = html::render_checked(&text, &[], &self.messages, &display);
            if !found.is_empty()
                && let Ok(mut all) = self.diagnostics.lock()
            {
                all.extend(found);
            }
            (Cow::Owned(html), chapter.name.clone(), None)
        };
        self.rendered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (languages, alternates) = self.language_links(&file);
        let slug = path.with_extension("").to_string_lossy().into_owned();
        // a page in a folder reaches the rest of the site through `../`
        let base = href::base(&file);
        let banner = (self.locale != self.source_locale)
            .then(|| self.banners.get(&slug))
            .flatten()
            .map(|b| Banner {
                href: format!("{base}{}", b.href),
                ..b.clone()
            });
        let mut context = tera::Context::new();
        context.insert("base", &base);
        context.insert("lang", &self.locale);
        context.insert("title", &title);
        context.insert("description", &description);
        context.insert("site_title", &self.site_title);
        context.insert("content", &content);
        context.insert("languages", &languages);
        context.insert("alternates", &alternates);
        context.insert("banner", &banner);
        context.insert("ui", ui);
        context.insert("additional_css", &self.html_output.css_hrefs());
        let page = self.templates.render("page.html", &context)?;
        // the status page of a big project is tens of megabytes: its copies
        // go before its text is taken for the index
        drop(context);
        // a summary entry may name a file in a subfolder of the locale
        // (its path was checked to stay inside when the outline was made)
        let destination = ctx.destination.join(&file);
        if let Some(parent) = destination.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(destination, &page)?;
        drop(page);
        Ok((
            file,
            chapter.name.clone(),
            PageText::Text(search::html_text(&content)),
        ))
    }

    /// The content of one page of a generated list.
    fn generate(&self, g: &GeneratedPage) -> Result<String, Diagnostics> {
        let pager = pages::Pager::new(&self.messages, g.stem(), g.page, g.pages);
        match g.list {
            List::Rules => pages::rules_page(
                &self.templates,
                &self.messages,
                |f| self.data.for_each_rule(g.items(self.page_size), f),
                &self.source_locale,
                &self.locale,
                &pager,
            ),
            List::Status => pages::status_page(
                &self.templates,
                &self.messages,
                &self.summary,
                |f| {
                    self.data
                        .for_each_finding(&self.locale, g.items(self.page_size), f)
                },
                &self.locales,
                &pager,
            ),
        }
    }

    /// Add a page to shard `shard` of the search index: its text, or what
    /// the previous index held of it; a reused page the previous index
    /// lacks after all (a damaged output) is made anew.
    #[allow(clippy::too_many_arguments)]
    fn add_to_index(
        &self,
        ctx: &RenderContext,
        ui: &BTreeMap<&'static str, String>,
        index: &mut search::SearchIndex,
        shard: usize,
        file: String,
        title: String,
        text: PageText,
        chapter: &Chapter,
        path: &Path,
    ) -> anyhow::Result<()> {
        // the index holds each page's href, as the results link it
        let file = href::path(&file);
        match text {
            PageText::Text(text) => index.add(&file, &title, &text),
            PageText::Reused => {
                let found = self
                    .old_shards
                    .as_ref()
                    .is_some_and(|old| old.add_to(index, shard, &file, &title));
                if !found {
                    // kept already: replaced by a page made anew (the
                    // staged file is the one the commit moves in)
                    match self.page(ctx, chapter, path, ui, false)? {
                        (file, title, PageText::Text(text)) => {
                            index.add(&href::path(&file), &title, &text)
                        }
                        (file, ..) => {
                            anyhow::bail!("{file} is missing from the previous search index")
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn ui(&self) -> BTreeMap<&'static str, String> {
        let f = |id: &str| self.messages.format(id, &FluentArgs::new());
        BTreeMap::from([
            ("search_placeholder", f("search-placeholder")),
            ("search_none", f("search-none")),
            ("languages", f("nav-languages")),
            ("contents", f("nav-contents")),
        ])
    }

    /// An `hreflang` alternate: absolute under `[output.html] site-url`
    /// when there is one (search engines want them so), else `relative`.
    fn alternate_href(&self, locale: &str, file: &str, relative: &str) -> String {
        match &self.html_output.site_url {
            Some(url) => format!("{url}{}", href::path(&format!("{locale}/{file}"))),
            None => relative.to_owned(),
        }
    }

    fn language_links(&self, file: &str) -> (Vec<LanguageLink>, Vec<Alternate>) {
        let mut links = Vec::new();
        let mut alternates = Vec::new();
        let base = href::base(file);
        for (l, name) in self.locales.iter().zip(&self.language_names) {
            let has = self.pages.get(l).is_some_and(|p| p.contains(file));
            let target = if has { file } else { "index.html" };
            let href = format!("{base}{}", href::in_locale(l, target));
            links.push(LanguageLink {
                locale: l.clone(),
                name: name.clone(),
                href: href.clone(),
                current: *l == self.locale,
            });
            if has {
                alternates.push(Alternate {
                    hreflang: l.clone(),
                    href: self.alternate_href(l, file, &href),
                });
            }
        }
        if self
            .pages
            .get(&self.source_locale)
            .is_some_and(|p| p.contains(file))
        {
            let relative = format!("{base}{}", href::in_locale(&self.source_locale, file));
            alternates.push(Alternate {
                hreflang: "x-default".to_owned(),
                href: self.alternate_href(&self.source_locale, file, &relative),
            });
        }
        (links, alternates)
    }
}

impl Renderer for SiteRenderer<'_> {
    fn name(&self) -> &str {
        "rulebook-html"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<()> {
        let chapters: Vec<&Chapter> = ctx
            .book
            .iter()
            .filter_map(|item| match item {
                BookItem::Chapter(c) if c.path.is_some() => Some(c),
                _ => None,
            })
            .collect();
        // The table of contents, once per book (not once per page); a
        // generated list's further pages are reached through its pager. A
        // chapter without a page (a folder of articles) is a heading of
        // the chapters nested in it.
        let entries: Vec<TocEntry> = ctx
            .book
            .iter()
            .filter_map(|item| match item {
                BookItem::Chapter(c) => Some(c),
                _ => None,
            })
            .filter(|c| {
                c.path
                    .as_ref()
                    .and_then(|p| self.generated.get(p))
                    .is_none_or(|g| g.page == 1)
            })
            .map(|c| TocEntry {
                depth: c.parent_names.len(),
                title: c.name.clone(),
                href: c
                    .path
                    .as_ref()
                    .map(|p| href::path(&p.with_extension("html").to_string_lossy())),
            })
            .collect();
        std::fs::create_dir_all(&ctx.destination)?;
        let _render = crate::timings::phase(|| format!("  {}: render the pages", self.locale));
        let ui = self.ui();
        let pages: Vec<(&Chapter, &PathBuf)> = chapters
            .iter()
            .filter_map(|chapter| chapter.path.as_ref().map(|path| (*chapter, path)))
            .collect();
        let mut first_file = None;

        // Pages are independent: render and write them on all cores, a chunk
        // at a time, then feed the chunk's shard of the search index in book
        // order (its bytes must not depend on which worker finished first).
        // A chunk bounds the page text held at once. A shard whose pages
        // are all the previous build's, in the same places with the same
        // titles, is the previous shard, and stays as it is: an edit
        // rewrites one shard, whatever the size of the book.
        let mut shards = 0;
        for (n, chunk) in pages.chunks(PAGE_CHUNK).enumerate() {
            let rendered: Vec<(String, String, PageText)> = chunk
                .par_iter()
                .map(|(chapter, path)| self.page(ctx, chapter, path, &ui, true))
                .collect::<anyhow::Result<_>>()?;
            if first_file.is_none() {
                first_file = rendered
                    .first()
                    .map(|(file, title, _)| (file.clone(), title.clone()));
            }
            let file = search::shard_file(n);
            let key = {
                let mut key = cache::Key::new("search-shard");
                key.add(self.inputs.as_bytes()).add(file.as_bytes());
                for (chapter, path) in chunk {
                    key.add(path.to_string_lossy().as_bytes())
                        .add(chapter.name.as_bytes());
                }
                key.finish()
            };
            let all_reused = rendered
                .iter()
                .all(|(.., text)| matches!(text, PageText::Reused));
            let previous = self
                .cache
                .filter(|_| all_reused)
                .and_then(|c| c.page(&format!("{}/{file}", self.locale), &key));
            if previous.is_some() {
                self.staging.keep(self.rel(&file));
            } else {
                let mut index = search::SearchIndex::default();
                for ((page, title, text), (chapter, path)) in rendered.into_iter().zip(chunk) {
                    self.add_to_index(ctx, &ui, &mut index, n, page, title, text, chapter, path)?;
                }
                std::fs::write(ctx.destination.join(&file), index.to_shard_script(n))?;
            }
            if let Ok(mut keys) = self.keys.lock() {
                keys.push((format!("{}/{file}", self.locale), key));
            }
            shards += 1;
        }
        self.staging.write_file(
            self.rel("search-index.js"),
            search::loader_script(shards).as_bytes(),
        )?;
        // The files below are made every build and are small: each is
        // kept in place when it comes out the same.
        let first_page = first_file
            .as_ref()
            .map(|(file, _)| self.staging.read(self.rel(file)))
            .transpose()?;
        // an article named `index` is the home page itself; otherwise the
        // first page is copied there
        let has_index = pages
            .iter()
            .any(|(_, path)| path.as_path() == Path::new("index.md"));
        // the pages of the locale, which landing pages and redirects never
        // replace and may lead to
        let mut known: HashSet<String> = self
            .articles
            .keys()
            .chain(self.generated.keys())
            .map(|p| {
                p.with_extension("html")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        known.insert("index.html".to_owned());
        let landings = match landing::pages(
            &self.landings,
            &self.locale,
            &self.content_roots,
            &known,
            "rulebook.css",
        ) {
            Ok((landings, warnings)) => {
                if let Ok(mut all) = self.diagnostics.lock() {
                    all.extend(warnings);
                }
                landings
            }
            Err(d) => {
                if let Ok(mut all) = self.diagnostics.lock() {
                    all.push(d);
                }
                Vec::new()
            }
        };
        for l in &landings {
            self.staging.write_file(self.rel(&l.page), &l.html)?;
            known.insert(l.page.clone());
        }
        if !has_index && !landings.is_empty() {
            // the locale's home leads to its docsets' landing pages
            let list: Vec<(String, String)> = landings
                .iter()
                .map(|l| (href::path(&l.page), l.title.clone()))
                .collect();
            self.staging.write_file(
                self.rel("index.html"),
                &docsets_page(
                    &self.locale,
                    &list,
                    &self.site_title,
                    &self.messages.format("nav-contents", &FluentArgs::new()),
                ),
            )?;
        } else if let Some(page) = first_page.filter(|_| !has_index) {
            let home = match &first_file {
                // a page in a folder reaches the site through `../`: at the
                // top it would lead nowhere, so the home page leads to it
                Some((file, title)) if file.contains('/') => {
                    home_page(&self.locale, &href::path(file), title, &self.site_title)
                }
                _ => page,
            };
            self.staging.write_file(self.rel("index.html"), &home)?;
        }
        // the tree's redirects: a page at each moved article's old path
        match redirects::pages(&self.src_dir, &self.locale, &self.content_roots, &known) {
            Ok((pages, warnings)) => {
                for (page, html) in pages {
                    self.staging.write_file(self.rel(&page), &html)?;
                }
                if let Ok(mut all) = self.diagnostics.lock() {
                    all.extend(warnings);
                }
            }
            Err(d) => {
                if let Ok(mut all) = self.diagnostics.lock() {
                    all.push(d);
                }
            }
        }
        // book.toml's redirects ([output.html.redirect]) and style sheets
        match self.html_output.redirect_pages(&self.locale, &known) {
            Ok(pages) => {
                for (page, html) in pages {
                    self.staging.write_file(self.rel(&page), &html)?;
                }
            }
            Err(d) => {
                if let Ok(mut all) = self.diagnostics.lock() {
                    all.push(d);
                }
            }
        }
        for (path, bytes) in &self.html_output.css {
            self.staging.write_file(self.rel(path), bytes)?;
        }
        let (toc_js, toc_html) = toc_files(&entries, &self.messages);
        self.staging
            .write_file(self.rel("toc.js"), toc_js.as_bytes())?;
        self.staging
            .write_file(self.rel("toc.html"), toc_html.as_bytes())?;
        self.staging.write_file(
            self.rel("rulebook.css"),
            self.templates.asset("rulebook.css").as_bytes(),
        )?;
        self.staging.write_file(
            self.rel("rulebook.js"),
            self.templates.asset("rulebook.js").as_bytes(),
        )?;
        Ok(())
    }
}

/// One line of the table of contents: a page, or (no `href`) the heading
/// of the chapters nested under it, `depth` levels down.
struct TocEntry {
    depth: usize,
    title: String,
    href: Option<String>,
}

/// The table of contents, written once per book: `toc.js` fills every
/// page's sidebar and marks the current page (a sidebar inlined in each page
/// would make the site grow with the square of its pages); `toc.html` is the
/// same list for readers without JavaScript. Its hrefs are relative to the
/// locale's folder; a book with pages in folders gets a `toc.js` that
/// prefixes them with the `../` the page loaded it through.
fn toc_files(entries: &[TocEntry], messages: &Messages) -> (String, String) {
    let mut list = String::from("<ol>");
    let nested = entries.iter().any(|e| e.depth > 0 || e.href.is_none());
    for (i, entry) in entries.iter().enumerate() {
        match &entry.href {
            Some(href) => list.push_str(&format!(
                "<li><a href=\"{}\">{}</a>",
                html::escape(href),
                html::escape(&entry.title)
            )),
            None => list.push_str(&format!("<li><span>{}</span>", html::escape(&entry.title))),
        }
        let next = entries.get(i + 1).map_or(0, |e| e.depth);
        if next > entry.depth {
            // a folder's chapters are one level below it
            list.push_str(&"<ol><li>".repeat(next - entry.depth - 1));
            list.push_str("<ol>");
        } else {
            list.push_str("</li>");
            list.push_str(&"</ol></li>".repeat(entry.depth - next));
        }
    }
    list.push_str("</ol>");
    let js = if nested {
        format!(
            "(function () {{\n  var nav = document.getElementById(\"rulebook-toc\");\n  if (!nav) return;\n  nav.innerHTML = {};\n  var plain = function (h) {{ try {{ return decodeURIComponent(h); }} catch (e) {{ return h; }} }};\n  // a page in a folder loads this script through `../`, once a level\n  var me = document.currentScript;\n  var base = me ? (me.getAttribute(\"src\") || \"\").replace(/[^\\/]*$/, \"\") : \"\";\n  var depth = base.split(\"../\").length - 1;\n  var parts = location.pathname.split(\"/\");\n  var last = parts.pop() || \"index.html\";\n  var here = plain(parts.slice(parts.length - depth).concat([last]).join(\"/\"));\n  nav.querySelectorAll(\"a\").forEach(function (a) {{\n    var href = a.getAttribute(\"href\");\n    if (plain(href) === here) {{ a.className = \"rulebook-active\"; a.setAttribute(\"aria-current\", \"page\"); }}\n    a.setAttribute(\"href\", base + href);\n  }});\n}})();\n",
            serde_json::Value::String(list.clone())
        )
    } else {
        format!(
            "(function () {{\n  var nav = document.getElementById(\"rulebook-toc\");\n  if (!nav) return;\n  nav.innerHTML = {};\n  var plain = function (h) {{ try {{ return decodeURIComponent(h); }} catch (e) {{ return h; }} }};\n  var here = plain(location.pathname.split(\"/\").pop() || \"index.html\");\n  nav.querySelectorAll(\"a\").forEach(function (a) {{\n    if (plain(a.getAttribute(\"href\")) === here) {{ a.className = \"rulebook-active\"; a.setAttribute(\"aria-current\", \"page\"); }}\n  }});\n}})();\n",
            serde_json::Value::String(list.clone())
        )
    };
    let title = html::escape(&messages.format("nav-contents", &FluentArgs::new()));
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title><link rel=\"stylesheet\" href=\"rulebook.css\"></head>\n<body><main class=\"rulebook-content\"><h1>{title}</h1>{list}</main></body></html>\n"
    );
    (js, page)
}

/// A locale's home page when its tree has landing pages: a link to each
/// (`(href, title)`, hrefs relative to the locale's folder), and to the
/// table of contents.
fn docsets_page(
    locale: &str,
    landings: &[(String, String)],
    site_title: &str,
    contents: &str,
) -> Vec<u8> {
    let items: String = landings
        .iter()
        .map(|(href, title)| {
            format!(
                "<li><a href=\"{}\">{}</a></li>",
                html::escape(href),
                html::escape(title)
            )
        })
        .collect();
    let title = html::escape(site_title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"rulebook.css\"></head>\n<body><main class=\"rulebook-content\"><h1>{title}</h1><ul>{items}</ul><p><a href=\"toc.html\">{}</a></p></main></body></html>\n",
        html::escape(locale),
        html::escape(contents)
    )
    .into_bytes()
}

/// A locale's home page when its first page lies in a folder: a link to
/// that page (`href`, relative to the locale's folder, its title `page`),
/// followed at once.
fn home_page(locale: &str, href: &str, page: &str, site_title: &str) -> Vec<u8> {
    let (href, title, page) = (
        html::escape(href),
        html::escape(site_title),
        html::escape(page),
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url={href}\"><title>{title}</title><link rel=\"stylesheet\" href=\"rulebook.css\"></head>\n<body><main class=\"rulebook-content\"><h1>{title}</h1><p><a href=\"{href}\">{page}</a></p></main></body></html>\n",
        html::escape(locale)
    )
    .into_bytes()
}

#[derive(Serialize)]
struct PickerLocale {
    locale: String,
    name: String,
    href: String,
}

/// `404.html` at the top when `[output.html] site-url` says where the
/// site lives (mdBook's 404 page): in the source locale's language, with a
/// link to each locale's home.
fn write_not_found(shared: &Shared<'_>) -> Result<(), Diagnostics> {
    let Some(url) = &shared.html_output.site_url else {
        return Ok(());
    };
    let root = &shared.input.project.root;
    let source = messages(root, &shared.input.data.canonical_locale)?;
    let mut locales = Vec::new();
    for l in &shared.locales {
        locales.push((l.clone(), messages(root, l)?.own_language_name(l)));
    }
    let page = html_output::not_found_page(
        &shared.input.data.canonical_locale,
        url,
        &source.format("not-found-title", &FluentArgs::new()),
        &source.format("not-found-text", &FluentArgs::new()),
        &locales,
    );
    shared
        .input
        .staging
        .write_file("404.html", &page)
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "unwritable",
                format!("cannot write 404.html: {e}"),
            ))
        })
}

/// `index.html` at the top: a plain list of languages that also works
/// without JavaScript, and a script that follows the reader's languages.
fn write_picker(shared: &Shared<'_>) -> Result<(), Diagnostics> {
    let root = &shared.input.project.root;
    let mut locales = Vec::new();
    for l in &shared.locales {
        // each language named in itself
        let own = messages(root, l)?;
        locales.push(PickerLocale {
            locale: l.clone(),
            name: own.own_language_name(l),
            href: format!("{l}/index.html"),
        });
    }
    let mut context = tera::Context::new();
    context.insert("site_title", &book_title(root));
    context.insert("default_lang", &shared.input.data.canonical_locale);
    context.insert("locales", &locales);
    let html = shared
        .templates
        .render("picker.html", &context)
        .map_err(|e| Diagnostics::from(Diagnostic::error("template", e.to_string())))?;
    shared
        .input
        .staging
        .write_file("index.html", html.as_bytes())
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "unwritable",
                format!("cannot write index.html: {e}"),
            ))
        })
}
