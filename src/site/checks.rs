//! The site's findings about the articles: links that lead nowhere
//! (`broken-link`) and media that is not there (`missing-media`), made
//! after the analysis and before the data files are written, so that they
//! are findings of report.json (and `diff`, SARIF) as well as warnings.
//!
//! They depend on more than their article (every page and anchor of the
//! locale, the media files), so they are never cached: each build resolves
//! every article's recorded links and looks for its media again
//! ([`super::chapter::PageRefs`], which the analysis records and the cache
//! keeps with the article). That is in-memory work and one `stat` per
//! image: a page's warnings need not be made by rendering it, so a page
//! with warnings can be reused like any other.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::{Diagnostic, Location};
use crate::load::Project;
use crate::rules::{Discrepancy, Provenance};

use super::blocks;
use super::chapter::PageRefs;
use super::links::LinkIndex;

/// Every locale's `broken-link` and `missing-media` findings, sorted by
/// (locale, file, line, column), and the same as located warnings.
/// `anchors` and `refs` are by article path, as the analysis made them.
pub fn page_findings(
    project: &Project,
    anchors: &HashMap<String, Vec<String>>,
    refs: &HashMap<String, PageRefs>,
) -> (Vec<Discrepancy>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let source_locale = project.config.rulebook.source_locale.as_str();
    let mut found: Vec<(Discrepancy, Diagnostic)> = Vec::new();
    for locale in &project.locales {
        let index = LinkIndex::new(
            locale.articles.iter().map(|a| {
                (
                    a.slug.as_str(),
                    anchors.get(&a.path).map_or(&[][..], Vec::as_slice),
                )
            }),
            Some(project.config.rulebook.docs_base_url.as_str()),
        );
        let id: Arc<str> = locale.id.as_str().into();
        // one `stat` or more per image: on all cores, collected in order
        let per_article: Vec<Vec<(Discrepancy, Diagnostic)>> = locale
            .articles
            .par_iter()
            .map(|article| {
                let mut found = Vec::new();
                let Some(page) = refs.get(&article.path) else {
                    return found;
                };
                let path: Arc<str> = article.path.as_str().into();
                for (dest, what, help, line, col) in index.broken(&page.links, &article.slug) {
                    found.push(finding(
                        "broken-link",
                        &id,
                        &path,
                        (line, col),
                        (what, help),
                        serde_json::json!({ "href": dest }),
                    ));
                }
                for m in &page.media {
                    if let Err(why) =
                        blocks::probe_use(&project.root, m, source_locale, &locale.roots)
                    {
                        let file: Arc<str> = if m.file == article.path {
                            path.clone()
                        } else {
                            m.file.as_str().into()
                        };
                        found.push(finding(
                            "missing-media",
                            &id,
                            &file,
                            (m.line, m.col),
                            blocks::missing_media_words(&m.source, why),
                            serde_json::json!({ "source": m.source }),
                        ));
                    }
                }
                found
            })
            .collect();
        found.extend(per_article.into_iter().flatten());
    }
    found.sort_by(|a, b| {
        let key = |d: &Discrepancy| {
            let s = d.source.as_ref();
            (
                d.locale.clone(),
                s.map(|p| p.path.clone()),
                s.map_or(0, |p| p.line),
                s.and_then(|p| p.column),
                d.code.clone(),
                d.message.clone(),
            )
        };
        key(&a.0).cmp(&key(&b.0))
    });
    found.into_iter().unzip()
}

fn finding(
    code: &'static str,
    locale: &Arc<str>,
    path: &Arc<str>,
    (line, col): (u32, u32),
    (what, help): (String, String),
    value: serde_json::Value,
) -> (Discrepancy, Diagnostic) {
    let line = line.max(1);
    let diagnostic = Diagnostic::warning(code, what.clone())
        .at(Location::new(path.to_string(), line, col))
        .with_help(help);
    let discrepancy = Discrepancy {
        code: code.into(),
        severity: "warning".into(),
        locale: locale.clone(),
        rule: None,
        section: None,
        expected: serde_json::Value::Null,
        found: value,
        message: what,
        source: Some(Provenance {
            locale: locale.clone(),
            path: path.clone(),
            line,
            column: (col > 0).then_some(col),
            segment: None,
            section: None,
        }),
        canonical: None,
    };
    (discrepancy, diagnostic)
}

/// A fingerprint of the media every page shows: each file found (its
/// place, size and modification time) or not, and of the includes and
/// code snippets pages are made from. Part of the key of the whole build,
/// so that a media file added, changed or removed, or an include edited,
/// is never "up to date" (a page's own key takes the bytes).
pub fn media_key<'a>(
    project: &Project,
    refs: impl Fn(&str) -> Option<&'a PageRefs> + Sync,
) -> String {
    use rayon::prelude::*;
    let source_locale = project.config.rulebook.source_locale.as_str();
    let mut key = crate::cache::Key::new("media");
    for locale in &project.locales {
        // a `stat` or more per image: on all cores, fed in order
        let parts: Vec<Vec<u8>> = locale
            .articles
            .par_iter()
            .map(|article| {
                let mut part = Vec::new();
                let Some(page) = refs(&article.path) else {
                    return part;
                };
                for m in &page.media {
                    for text in [&m.file, &m.source] {
                        part.extend_from_slice(&(text.len() as u64).to_le_bytes());
                        part.extend_from_slice(text.as_bytes());
                    }
                    match blocks::probe_use(&project.root, m, source_locale, &locale.roots) {
                        Ok((rel, file)) => {
                            let stamp =
                                crate::cache::Stamp::of(&file).unwrap_or(crate::cache::Stamp(0, 0));
                            part.push(1);
                            part.extend_from_slice(&(rel.len() as u64).to_le_bytes());
                            part.extend_from_slice(rel.as_bytes());
                            part.extend_from_slice(&stamp.0.to_le_bytes());
                            part.extend_from_slice(&stamp.1.to_le_bytes());
                        }
                        Err(_) => part.push(0),
                    }
                }
                for read in &page.reads {
                    let stamp = crate::cache::Stamp::of(std::path::Path::new(read))
                        .unwrap_or(crate::cache::Stamp(0, 0));
                    part.extend_from_slice(&(read.len() as u64).to_le_bytes());
                    part.extend_from_slice(read.as_bytes());
                    part.extend_from_slice(&stamp.0.to_le_bytes());
                    part.extend_from_slice(&stamp.1.to_le_bytes());
                }
                part
            })
            .collect();
        for part in parts {
            key.add(&part);
        }
    }
    key.finish()
}
