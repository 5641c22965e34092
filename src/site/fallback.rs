//! Pages for the articles a locale lacks (issue 19 item 5): each article of
//! the source locale that a translation does not have still gets a page in
//! that translation's site, at the same path, showing the source text under
//! a notice in the translation's language. Navigation, links, the language
//! switcher and the search index then treat it as one of the locale's
//! pages, so nothing of the locale leads to a 404; `report.json` still
//! says `missing-article` (the analysis is not changed: only the site
//! borrows the article).

use std::collections::HashSet;
use std::path::PathBuf;

use fluent_bundle::FluentArgs;
use serde::Serialize;

use crate::load::{Article, Project};
use crate::rules::Messages;

use super::Templates;

/// The articles of `locale`'s site: its own, and those of the source
/// locale it lacks (their `path` stays the source's: they are read, their
/// includes and media found, where the source's are). In the order of
/// their paths under their locale folders, the order of a locale's own
/// articles.
pub(crate) fn articles(project: &Project, locale: &str) -> Vec<Article> {
    let source = project.config.rulebook.source_locale.as_str();
    let Some(own) = project.locale(locale) else {
        return Vec::new();
    };
    let mut all = own.articles.clone();
    if locale == source {
        return all;
    }
    let Some(source) = project.locale(source) else {
        return all;
    };
    // compared without case: a page that differs from one of the locale's
    // own only in case would overwrite it where case is ignored
    let taken: HashSet<String> = own.articles.iter().map(|a| a.slug.to_lowercase()).collect();
    let before = all.len();
    all.extend(
        source
            .articles
            .iter()
            .filter(|a| !taken.contains(&a.slug.to_lowercase()))
            .cloned(),
    );
    if all.len() > before {
        all.sort_by(|a, b| in_locale(&a.path).cmp(in_locale(&b.path)));
    }
    all
}

/// An article's path under its locale folder (`content/<locale>/a/b.md` →
/// `a/b.md`).
pub(crate) fn in_locale(path: &str) -> &str {
    path.splitn(3, '/').nth(2).unwrap_or(path)
}

/// What a locale's site needs to show a borrowed article.
pub(crate) struct Fallback {
    /// `content/<locale>/`: an article whose path does not start so is
    /// borrowed.
    own_prefix: String,
    /// Where the source locale's articles, includes and media may be read
    /// from ([`crate::load::LocaleContent::roots`]).
    pub(crate) source_roots: Vec<PathBuf>,
    /// The notice, in the locale's language.
    notice: String,
    /// The source locale (the borrowed text's `lang`).
    source_locale: String,
}

#[derive(Serialize)]
struct Notice<'a> {
    text: &'a str,
    lang: &'a str,
    source_lang: &'a str,
    content: &'a str,
}

impl Fallback {
    /// The fallback of `locale`'s site, its notice in `messages` (the
    /// locale's UI strings, or the source locale's where it has none).
    pub(crate) fn new(project: &Project, locale: &str, messages: &Messages) -> Fallback {
        let source_locale = project.config.rulebook.source_locale.clone();
        let mut args = FluentArgs::new();
        args.set("language", messages.language_name(locale));
        args.set("source", messages.language_name(&source_locale));
        Fallback {
            own_prefix: format!("content/{locale}/"),
            source_roots: project
                .locale(&source_locale)
                .map(|l| l.roots.clone())
                .unwrap_or_default(),
            notice: messages.format("fallback-notice", &args),
            source_locale,
        }
    }

    /// Whether `article` is borrowed from the source locale.
    pub(crate) fn is_borrowed(&self, article: &Article) -> bool {
        !article.path.starts_with(&self.own_prefix)
    }

    /// What a borrowed page's key adds: the notice it shows.
    pub(crate) fn key_part(&self, article: &Article) -> &str {
        if self.is_borrowed(article) {
            &self.notice
        } else {
            ""
        }
    }

    /// A borrowed page's content: the notice (in the locale's language),
    /// then the source text marked with its language. Made by the
    /// `fallback.html` template, which escapes the notice.
    pub(crate) fn wrap(
        &self,
        templates: &Templates,
        locale: &str,
        content: &str,
    ) -> Result<String, tera::Error> {
        let context = tera::Context::from_serialize(&Notice {
            text: &self.notice,
            lang: locale,
            source_lang: &self.source_locale,
            content,
        })?;
        templates.render("fallback.html", &context)
    }
}
