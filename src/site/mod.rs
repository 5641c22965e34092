//! The localized site: one mdBook per locale, built in-process.
//!
//! mdBook (the `mdbook-driver` library) loads each locale's book — its
//! `book.toml` settings, its `SUMMARY.md` or one made from the articles —
//! and runs rulebook's preprocessor, which swaps each raw DocFX article for
//! its chapter Markdown (`chapter`) and appends the generated pages. The HTML
//! step is rulebook's own [`Renderer`] (`html`, tera templates, a table of
//! contents built once per book, a CJK-aware search index), registered in
//! place of mdbook-html, whose per-page cost grows with the book.

pub mod chapter;
pub mod html;
mod pages;
pub mod search;
mod templates;

use std::collections::{BTreeMap, BTreeSet, HashMap};
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

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::docfx::AlertKind;
use crate::load::{Article, Project};
use crate::report::Report;
use crate::rules::{Messages, RulesFile};
use chapter::ChapterSource;

pub use templates::Templates;

/// What the site is made from.
pub struct SiteInput<'a> {
    pub project: &'a Project,
    pub rules: &'a RulesFile,
    pub report: &'a Report,
    /// Advanced by one per article page written.
    pub progress: &'a indicatif::ProgressBar,
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
/// Each article is parsed again here, one locale at a time, and its model
/// dropped as soon as its chapter is made: a large build never holds every
/// document model at once.
pub fn build(input: &SiteInput<'_>, out: &Path) -> Result<Diagnostics, Diagnostics> {
    let root = &input.project.root;
    let templates = Arc::new(Templates::load(&root.join("templates"))?);
    let locales: Vec<String> = input.project.locales.iter().map(|l| l.id.clone()).collect();
    let mut pages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for l in &input.project.locales {
        let (locale, articles) = (&l.id, &l.articles);
        let set = pages.entry(locale.clone()).or_default();
        set.extend(articles.iter().map(|a| format!("{}.html", a.slug)));
        set.extend([
            "rules.html".to_owned(),
            "status.html".to_owned(),
            "index.html".to_owned(),
        ]);
    }
    let shared = Shared {
        input,
        templates: templates.clone(),
        locales: locales.clone(),
        pages: Arc::new(pages),
    };
    let results: Vec<Result<Vec<Diagnostic>, Diagnostics>> = input
        .project
        .locales
        .par_iter()
        .map(|l| build_locale(&shared, &l.id, &l.articles, out))
        .collect();
    let mut warnings = Diagnostics::default();
    let mut errors = Diagnostics::default();
    for r in results {
        match r {
            Ok(w) => warnings.extend(w),
            Err(e) => errors.extend(e),
        }
    }
    if errors.has_errors() {
        errors.sort();
        return Err(errors);
    }
    write_picker(&shared, out)?;
    warnings.sort();
    Ok(warnings)
}

struct Shared<'a> {
    input: &'a SiteInput<'a>,
    templates: Arc<Templates>,
    locales: Vec<String>,
    pages: Arc<BTreeMap<String, BTreeSet<String>>>,
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
    out: &Path,
) -> Result<Vec<Diagnostic>, Diagnostics> {
    let input = shared.input;
    let root = &input.project.root;
    let messages = messages(root, locale)?;
    let content_root = root.join("content");
    let prepared: Vec<(ChapterSource, Vec<Diagnostic>)> = articles
        .par_iter()
        .map(|a| match crate::docfx::parse_article(&a.path, &a.text) {
            Ok(document) => chapter::prepare(&document, &a.text, &content_root, &a.slug),
            Err(d) => (ChapterSource::empty(&a.slug), vec![d]),
        })
        .collect();
    let mut warnings = Vec::new();
    let mut errors = Diagnostics::default();
    let mut chapters = Vec::with_capacity(prepared.len());
    for (chapter, diagnostics) in prepared {
        for d in diagnostics {
            if d.is_error() {
                errors.push(d);
            } else {
                warnings.push(d);
            }
        }
        chapters.push(chapter);
    }
    if errors.has_errors() {
        return Err(errors);
    }

    let site_title = book_title(root);
    let generated = vec![
        (
            messages.format("nav-rules", &FluentArgs::new()),
            "rules.md".to_owned(),
            pages::rules_page(&shared.templates, &messages, input.rules, locale)?,
        ),
        (
            messages.format("nav-status", &FluentArgs::new()),
            "status.md".to_owned(),
            pages::status_page(
                &shared.templates,
                &messages,
                input.report,
                &shared.locales,
                locale,
            )?,
        ),
    ];
    let banners = banners(&messages, input.report, input.rules, locale);

    let mut config = mdbook_config(root).map_err(|e| mdbook_error(locale, &e))?;
    config.book.src = PathBuf::from("content").join(locale);
    config.book.language = Some(locale.to_owned());
    config.build.create_missing = false;
    config.build.use_default_preprocessors = false;
    config.build.build_dir = out.join(locale);
    let summary_text = match std::fs::read_to_string(content_root.join(locale).join("SUMMARY.md")) {
        Ok(text) => text,
        Err(_) => {
            let mut s = String::from("# Summary\n\n");
            for c in &chapters {
                s.push_str(&format!(
                    "- [{}](<{}.md>)\n",
                    c.nav_title.replace('[', "\\[").replace(']', "\\]"),
                    c.slug
                ));
            }
            s
        }
    };
    let summary =
        mdbook_summary::parse_summary(&summary_text).map_err(|e| mdbook_error(locale, &e))?;
    let mut book = MDBook::load_with_config_and_summary(root, config, summary)
        .map_err(|e| mdbook_error(locale, &e))?;

    let line_maps: HashMap<PathBuf, Vec<u32>> = chapters
        .iter()
        .map(|c| (PathBuf::from(format!("{}.md", c.slug)), c.line_map.clone()))
        .collect();
    let page_titles: HashMap<PathBuf, (String, Option<String>)> = chapters
        .iter()
        .map(|c| {
            (
                PathBuf::from(format!("{}.md", c.slug)),
                (c.title.clone(), c.description.clone()),
            )
        })
        .collect();
    book.with_preprocessor(DocfxChapters {
        chapters: std::sync::Mutex::new(
            chapters
                .into_iter()
                .map(|c| (PathBuf::from(format!("{}.md", c.slug)), c.markdown))
                .collect(),
        ),
        generated: generated.clone(),
    });
    let renderer = SiteRenderer {
        locale: locale.to_owned(),
        source_locale: input.rules.canonical_locale.clone(),
        locales: shared.locales.clone(),
        pages: shared.pages.clone(),
        templates: shared.templates.clone(),
        messages,
        site_title,
        line_maps,
        page_titles,
        generated: generated
            .into_iter()
            .map(|(_, path, _)| PathBuf::from(path))
            .collect(),
        banners,
        progress: input.progress.clone(),
    };
    book.execute_build_process(&renderer)
        .map_err(|e| mdbook_error(locale, &e))?;
    Ok(warnings)
}

/// mdBook's view of book.toml: every table but `[rulebook]`, which mdBook
/// 0.5 would refuse as unknown.
fn mdbook_config(root: &Path) -> anyhow::Result<Config> {
    let Ok(text) = std::fs::read_to_string(root.join("book.toml")) else {
        return Ok(Config::default());
    };
    let mut table: toml::Table = toml::from_str(&text)?;
    table.remove("rulebook");
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
fn banners(
    messages: &Messages,
    report: &Report,
    rules: &RulesFile,
    locale: &str,
) -> HashMap<String, Banner> {
    let mut stale: HashMap<String, String> = HashMap::new();
    let mut facts: HashMap<String, BTreeSet<String>> = HashMap::new();
    let kind_of = |rule: &str| {
        rules
            .rules
            .iter()
            .find(|r| r.id == rule)
            .map(|r| r.kind.id().to_owned())
    };
    for d in report.discrepancies.iter().filter(|d| d.locale == locale) {
        let Some(source) = &d.source else { continue };
        let slug = slug_of(&source.path);
        match d.code.as_str() {
            "stale-translation" => {
                stale.insert(slug, d.expected.as_str().unwrap_or_default().to_owned());
            }
            "fact-mismatch" | "missing-fact" => {
                if let Some(kind) = d.rule.as_deref().and_then(kind_of) {
                    facts.entry(slug).or_default().insert(kind);
                }
            }
            _ => {}
        }
    }
    let source_locale = &rules.canonical_locale;
    let language = messages.format(&format!("language-{source_locale}"), &FluentArgs::new());
    let slugs: BTreeSet<&String> = stale.keys().chain(facts.keys()).collect();
    slugs
        .into_iter()
        .map(|slug| {
            let mut args = FluentArgs::new();
            args.set("language", language.clone());
            let id = match (stale.get(slug), facts.get(slug)) {
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
                    href: format!("../{source_locale}/{slug}.html"),
                    link: messages.format("banner-link", &link_args),
                },
            )
        })
        .collect()
}

fn slug_of(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The preprocessor: raw DocFX files out, chapter Markdown and generated
/// pages in.
struct DocfxChapters {
    /// Taken out as chapters are filled (the Markdown is moved, not copied).
    chapters: std::sync::Mutex<HashMap<PathBuf, String>>,
    generated: Vec<(String, String, String)>,
}

impl Preprocessor for DocfxChapters {
    fn name(&self) -> &str {
        "rulebook-docfx"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        let mut chapters = self
            .chapters
            .lock()
            .map_err(|_| anyhow::anyhow!("chapter table poisoned"))?;
        book.for_each_chapter_mut(|chapter| {
            if let Some(markdown) = chapter
                .source_path
                .as_ref()
                .and_then(|p| chapters.remove(p))
            {
                chapter.content = markdown;
            }
        });
        for (name, path, html) in &self.generated {
            book.push_item(Chapter::new(name, html.clone(), path, Vec::new()));
        }
        Ok(book)
    }
}

struct SiteRenderer {
    locale: String,
    source_locale: String,
    locales: Vec<String>,
    pages: Arc<BTreeMap<String, BTreeSet<String>>>,
    templates: Arc<Templates>,
    messages: Messages,
    site_title: String,
    line_maps: HashMap<PathBuf, Vec<u32>>,
    page_titles: HashMap<PathBuf, (String, Option<String>)>,
    generated: BTreeSet<PathBuf>,
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

impl SiteRenderer {
    fn ui(&self) -> BTreeMap<&'static str, String> {
        let f = |id: &str| self.messages.format(id, &FluentArgs::new());
        BTreeMap::from([
            ("search_placeholder", f("search-placeholder")),
            ("search_none", f("search-none")),
            ("languages", f("nav-languages")),
            ("contents", f("nav-contents")),
        ])
    }

    fn language_links(&self, file: &str) -> (Vec<LanguageLink>, Vec<Alternate>) {
        let mut links = Vec::new();
        let mut alternates = Vec::new();
        for l in &self.locales {
            let has = self.pages.get(l).is_some_and(|p| p.contains(file));
            let target = if has { file } else { "index.html" };
            let href = format!("../{l}/{target}");
            links.push(LanguageLink {
                locale: l.clone(),
                name: self
                    .messages
                    .format(&format!("language-{l}"), &FluentArgs::new()),
                href: href.clone(),
                current: *l == self.locale,
            });
            if has {
                alternates.push(Alternate {
                    hreflang: l.clone(),
                    href: href.clone(),
                });
            }
        }
        if self
            .pages
            .get(&self.source_locale)
            .is_some_and(|p| p.contains(file))
        {
            alternates.push(Alternate {
                hreflang: "x-default".to_owned(),
                href: format!("../{}/{file}", self.source_locale),
            });
        }
        (links, alternates)
    }
}

impl Renderer for SiteRenderer {
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
        // The table of contents, once per book (not once per page).
        let entries: Vec<(String, String)> = chapters
            .iter()
            .filter_map(|c| {
                c.path.as_ref().map(|p| {
                    (
                        c.name.clone(),
                        p.with_extension("html").to_string_lossy().into_owned(),
                    )
                })
            })
            .collect();
        std::fs::create_dir_all(&ctx.destination)?;
        let ui = self.ui();
        let mut index = search::SearchIndex::default();
        // Pages are independent: render and write them on all cores, then
        // feed the search index in book order (its bytes must not depend on
        // which worker finished first).
        let rendered: Vec<(String, String, String, bool)> = chapters
            .par_iter()
            .filter_map(|chapter| chapter.path.as_ref().map(|path| (chapter, path)))
            .map(
                |(chapter, path)| -> anyhow::Result<(String, String, String, bool)> {
                    let file = path.with_extension("html").to_string_lossy().into_owned();
                    let generated = self.generated.contains(path);
                    let content = if generated {
                        chapter.content.clone()
                    } else {
                        let map = self.line_maps.get(path).map_or(&[][..], Vec::as_slice);
                        html::render(&chapter.content, map, &self.messages)
                    };
                    let (title, description) = self
                        .page_titles
                        .get(path)
                        .cloned()
                        .unwrap_or_else(|| (chapter.name.clone(), None));
                    let (languages, alternates) = self.language_links(&file);
                    let slug = path.with_extension("").to_string_lossy().into_owned();
                    let banner = (self.locale != self.source_locale)
                        .then(|| self.banners.get(&slug))
                        .flatten();
                    let mut context = tera::Context::new();
                    context.insert("lang", &self.locale);
                    context.insert("title", &title);
                    context.insert("description", &description);
                    context.insert("site_title", &self.site_title);
                    context.insert("content", &content);
                    context.insert("languages", &languages);
                    context.insert("alternates", &alternates);
                    context.insert("banner", &banner);
                    context.insert("ui", &ui);
                    let page = self.templates.render("page.html", &context)?;
                    std::fs::write(ctx.destination.join(&file), &page)?;
                    if !generated {
                        self.progress.inc(1);
                    }
                    Ok((
                        file,
                        chapter.name.clone(),
                        search::html_text(&content),
                        generated,
                    ))
                },
            )
            .collect::<anyhow::Result<_>>()?;
        for (file, title, text, _) in &rendered {
            index.add(file, title, text);
        }
        let first_page = rendered
            .first()
            .map(|(file, ..)| std::fs::read(ctx.destination.join(file)))
            .transpose()?;
        if let Some(page) = first_page {
            std::fs::write(ctx.destination.join("index.html"), page)?;
        }
        std::fs::write(ctx.destination.join("search-index.js"), index.to_script())?;
        let (toc_js, toc_html) = toc_files(&entries, &self.messages);
        std::fs::write(ctx.destination.join("toc.js"), toc_js)?;
        std::fs::write(ctx.destination.join("toc.html"), toc_html)?;
        std::fs::write(
            ctx.destination.join("rulebook.css"),
            self.templates.asset("rulebook.css"),
        )?;
        std::fs::write(
            ctx.destination.join("rulebook.js"),
            self.templates.asset("rulebook.js"),
        )?;
        Ok(())
    }
}

/// The table of contents, written once per book: `toc.js` fills every
/// page's sidebar and marks the current page (a sidebar inlined in each page
/// would make the site grow with the square of its pages); `toc.html` is the
/// same list for readers without JavaScript.
fn toc_files(entries: &[(String, String)], messages: &Messages) -> (String, String) {
    let mut list = String::from("<ol>");
    for (title, href) in entries {
        list.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            html::escape(href),
            html::escape(title)
        ));
    }
    list.push_str("</ol>");
    let js = format!(
        "(function () {{\n  var nav = document.getElementById(\"rulebook-toc\");\n  if (!nav) return;\n  nav.innerHTML = {};\n  var here = location.pathname.split(\"/\").pop() || \"index.html\";\n  nav.querySelectorAll(\"a\").forEach(function (a) {{\n    if (a.getAttribute(\"href\") === here) {{ a.className = \"active\"; a.setAttribute(\"aria-current\", \"page\"); }}\n  }});\n}})();\n",
        serde_json::Value::String(list.clone())
    );
    let title = html::escape(&messages.format("nav-contents", &FluentArgs::new()));
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title><link rel=\"stylesheet\" href=\"rulebook.css\"></head>\n<body><main class=\"rulebook-content\"><h1>{title}</h1>{list}</main></body></html>\n"
    );
    (js, page)
}

#[derive(Serialize)]
struct PickerLocale {
    locale: String,
    name: String,
    href: String,
}

/// `index.html` at the top: a plain list of languages that also works
/// without JavaScript, and a script that follows the reader's languages.
fn write_picker(shared: &Shared<'_>, out: &Path) -> Result<(), Diagnostics> {
    let root = &shared.input.project.root;
    let mut locales = Vec::new();
    for l in &shared.locales {
        // each language named in itself
        let own = messages(root, l)?;
        locales.push(PickerLocale {
            locale: l.clone(),
            name: own.format("language-self", &FluentArgs::new()),
            href: format!("{l}/index.html"),
        });
    }
    let mut context = tera::Context::new();
    context.insert("site_title", &book_title(root));
    context.insert("default_lang", &shared.input.rules.canonical_locale);
    context.insert("locales", &locales);
    let html = shared
        .templates
        .render("picker.html", &context)
        .map_err(|e| Diagnostics::from(Diagnostic::error("template", e.to_string())))?;
    std::fs::write(out.join("index.html"), html).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "unwritable",
            format!("cannot write index.html: {e}"),
        ))
    })
}
