//! `source-text` on a folder (a DocFX tree), and the rule every form of the
//! command writes by: never erase a writer's edits.
//!
//! The tree is read whole and every file it would write is computed before
//! anything is written ([`convert_tree`]); [`commit`] then compares each with
//! what the output folder holds. A file that would be written identically is
//! left alone (its mtime stays), and a file that differs is a conflict that
//! stops the run before any file is written, unless `--force` says to
//! overwrite. Files of the output that the source does not have are never
//! touched.
//!
//! The source tree comes from contributors and translation vendors, so it
//! is read as the build reads content ([`crate::load::confine`]): nothing
//! through a link that leads out of the source folder, no FIFO or device
//! opened, no file over the input limit; folders whose names start with `.`
//! (`.git`) are not read, dot-files (`.openpublishing.redirection.json`)
//! are copied.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::load::confine::{self, Refusal};

use super::toc::{self, Titles};
use super::{SourceTextOptions, source_text_titled};

/// A file `source-text` would write.
#[derive(Debug)]
pub(crate) struct Output {
    /// Where, relative to the output folder.
    pub(crate) rel: PathBuf,
    /// Its bytes.
    pub(crate) bytes: Vec<u8>,
    /// The source file it comes from, as diagnostics show it.
    pub(crate) from: String,
}

/// Everything a tree gives: the files to write and what was noticed.
#[derive(Debug, Default)]
pub(crate) struct Converted {
    /// The files to write, in path order.
    pub(crate) outputs: Vec<Output>,
    /// Warnings: files copied because they are not bilingual, TOC entries
    /// that keep their names.
    pub(crate) warnings: Diagnostics,
    /// Bilingual articles rebuilt.
    pub(crate) articles: usize,
    /// TOCs rewritten.
    pub(crate) tocs: usize,
    /// Files copied as they are.
    pub(crate) copied: usize,
}

/// What [`commit`] did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Committed {
    /// Files written (new, or overwritten with `--force`).
    pub(crate) written: usize,
    /// Files left alone because they already hold what would be written.
    pub(crate) unchanged: usize,
}

/// `rel` shown under `display` (`/`-separated, whatever the platform).
fn shown(display: &str, rel: &Path) -> String {
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if display.is_empty() || display == "." {
        rel
    } else {
        format!("{}/{rel}", display.trim_end_matches('/'))
    }
}

/// The regular files of the tree at `src` (relative paths, sorted), or
/// every refusal: a link out of the tree, a special file, a file too large.
fn list(src: &Path, display: &str, roots: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostics> {
    let mut files = Vec::new();
    let mut refused = Diagnostics::default();
    let mut seen = HashSet::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = src.join(&rel);
        // a folder reached twice (a link inside the tree to a folder of
        // it) is listed once: a link cycle ends here
        match dir.canonicalize() {
            Ok(real) => {
                if !seen.insert(real) {
                    continue;
                }
            }
            Err(e) => {
                refused.push(Refusal::Io(e).diagnostic(&shown(display, &rel)));
                continue;
            }
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                refused.push(Refusal::Io(e).diagnostic(&shown(display, &rel)));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    refused.push(Refusal::Io(e).diagnostic(&shown(display, &rel)));
                    continue;
                }
            };
            let path = entry.path();
            let rel = rel.join(entry.file_name());
            let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
            if is_dir && entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let real = match path.canonicalize() {
                Ok(real) => real,
                Err(e) => {
                    refused.push(Refusal::Io(e).diagnostic(&shown(display, &rel)));
                    continue;
                }
            };
            if !roots.iter().any(|r| real.starts_with(r)) {
                refused.push(Refusal::Outside.diagnostic(&shown(display, &rel)));
            } else if is_dir {
                stack.push(rel);
            } else {
                match confine::check(&path, roots) {
                    Ok(_) => files.push(rel),
                    Err(refusal) => refused.push(refusal.diagnostic(&shown(display, &rel))),
                }
            }
        }
    }
    if refused.has_errors() {
        refused.sort();
        return Err(refused);
    }
    files.sort();
    Ok(files)
}

/// What a file of the tree is to `source-text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A `.md` file: rebuilt when bilingual, else copied.
    Markdown,
    /// `TOC.yml` or `TOC.md` (any case, as DocFX reads them).
    Toc { markdown: bool },
    /// Anything else: copied as it is.
    Other,
}

fn kind(rel: &Path) -> Kind {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match name.as_str() {
        "toc.yml" | "toc.yaml" => Kind::Toc { markdown: false },
        "toc.md" => Kind::Toc { markdown: true },
        _ if name.ends_with(".md") || name.ends_with(".markdown") => Kind::Markdown,
        _ => Kind::Other,
    }
}

/// One file of the tree, read and converted (TOCs wait for the titles).
enum Item {
    Article(Output, Option<String>, Vec<Diagnostic>),
    Copied(Output, Option<Diagnostic>),
    Toc(PathBuf, String, bool),
}

/// Read the tree at `src` (shown as `display`) and compute every file
/// `source-text` writes for it, without writing any. Fails with every
/// problem found: a refused file, a bilingual article that cannot be
/// rebuilt, a TOC that is not YAML.
pub(crate) fn convert_tree(
    src: &Path,
    display: &str,
    options: &SourceTextOptions,
) -> Result<Converted, Diagnostics> {
    let roots = confine::real_roots([src]);
    let files = list(src, display, &roots)?;
    let read = |rel: &PathBuf| -> Result<(String, Vec<u8>), Diagnostics> {
        let from = shown(display, rel);
        let bytes = confine::read(&src.join(rel), &roots).map_err(|r| r.diagnostic(&from))?;
        Ok((from, bytes))
    };
    let items: Vec<Result<Item, Diagnostics>> = files
        .par_iter()
        .map(|rel| {
            let (from, bytes) = read(rel)?;
            let kind = kind(rel);
            // no segment marker, no segment: a plain file is copied as is
            let bilingual = memchr::memmem::find(&bytes, b"data-ttu-id").is_some();
            match kind {
                Kind::Toc { markdown } => {
                    let text = crate::load::decode(bytes, &from)?;
                    Ok(Item::Toc(rel.clone(), text, markdown))
                }
                Kind::Markdown if bilingual => {
                    let text = crate::load::decode(bytes, &from)?;
                    let rebuilt = source_text_titled(&from, &text, options)?;
                    let output = Output {
                        rel: rel.clone(),
                        bytes: rebuilt.text.into_bytes(),
                        from,
                    };
                    Ok(Item::Article(output, rebuilt.title, rebuilt.warnings))
                }
                Kind::Markdown | Kind::Other => {
                    let note = (kind == Kind::Markdown).then(|| {
                        Diagnostic::warning(
                            "not-bilingual",
                            format!("`{from}` has no bilingual segments: copied as it is"),
                        )
                        .at(Location::file(&from))
                        .with_help(
                            "a plain translation has no source text to rebuild; the copy is in \
                             the translation's language",
                        )
                    });
                    let output = Output {
                        rel: rel.clone(),
                        bytes,
                        from,
                    };
                    Ok(Item::Copied(output, note))
                }
            }
        })
        .collect();
    let mut converted = Converted::default();
    let mut problems = Diagnostics::default();
    let mut titles = Titles::new();
    let mut tocs = Vec::new();
    for item in items {
        match item {
            Ok(Item::Article(output, title, warnings)) => {
                converted.warnings.extend(warnings);
                if let Some(title) = title {
                    titles.insert(output.rel.clone(), title);
                }
                converted.articles += 1;
                converted.outputs.push(output);
            }
            Ok(Item::Copied(output, note)) => {
                converted.warnings.extend(note);
                converted.copied += 1;
                converted.outputs.push(output);
            }
            Ok(Item::Toc(rel, text, markdown)) => tocs.push((rel, text, markdown)),
            Err(e) => problems.extend(e.0),
        }
    }
    for (rel, text, markdown) in tocs {
        let from = shown(display, &rel);
        let dir = rel.parent().unwrap_or(Path::new(""));
        match toc::rewrite(&from, dir, &text, markdown, &titles) {
            Ok(rewritten) => {
                converted.warnings.extend(rewritten.warnings);
                converted.tocs += 1;
                converted.outputs.push(Output {
                    rel,
                    bytes: rewritten.text.into_bytes(),
                    from,
                });
            }
            Err(e) => problems.push(e),
        }
    }
    if problems.has_errors() {
        problems.extend(converted.warnings.0);
        problems.sort();
        return Err(problems);
    }
    converted.outputs.sort_by(|a, b| a.rel.cmp(&b.rel));
    converted.warnings.sort();
    Ok(converted)
}

/// The real path `path` has, or will have once created: the canonical
/// form of its nearest existing ancestor and the rest resolved lexically.
pub(crate) fn real_path(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut rest = Vec::new();
    let mut at = absolute.as_path();
    loop {
        if std::fs::symlink_metadata(at).is_ok() {
            let mut real = at.canonicalize()?;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        real.pop();
                    }
                    Component::CurDir => {}
                    other => real.push(other.as_os_str()),
                }
            }
            return Ok(real);
        }
        let (Some(parent), Some(last)) = (at.parent(), at.components().next_back()) else {
            return Ok(absolute);
        };
        rest.push(last);
        at = parent;
    }
}

/// What to do with one output file.
enum Plan {
    Write,
    Unchanged,
}

/// Check one output file against what the output folder holds.
fn plan(
    out: &Path,
    out_real: &Path,
    display: &str,
    o: &Output,
    force: bool,
) -> Result<Plan, Diagnostic> {
    let target = out.join(&o.rel);
    let at = shown(display, &o.rel);
    // the folder it goes in must be (or become) a folder of the output:
    // a link there to a folder elsewhere would take the write outside
    let parent = target.parent().unwrap_or(out);
    let inside = real_path(parent).is_ok_and(|r| r.starts_with(out_real));
    if !inside {
        return Err(Diagnostic::error(
            "outside-root",
            format!("`{at}` would be written through a link that leads outside the output folder"),
        )
        .at(Location::file(&at))
        .with_help("replace the link in the output folder by a folder"));
    }
    let mut existing = parent;
    while std::fs::symlink_metadata(existing).is_err() {
        match existing.parent() {
            Some(up) => existing = up,
            None => break,
        }
    }
    if std::fs::metadata(existing).is_ok_and(|m| !m.is_dir()) {
        let folder = existing
            .strip_prefix(out)
            .map_or_else(|_| display.to_owned(), |r| shown(display, r));
        return Err(Diagnostic::error(
            "source-text-conflict",
            format!("`{at}` cannot be written: `{folder}` is a file where a folder is needed"),
        )
        .at(Location::file(&at))
        .with_help("move the file away; --force overwrites files only"));
    }
    let conflict = |what: String, line: Option<u32>| {
        let location = match line {
            Some(line) => Location::new(&at, line, 1),
            None => Location::file(&at),
        };
        Diagnostic::error(
            "source-text-conflict",
            format!(
                "`{at}` differs from the source text of `{}`: {what}",
                o.from
            ),
        )
        .at(location)
        .with_help(
            "--force to overwrite (the edits in this file are then lost); or carry them into \
             the source first",
        )
    };
    let meta = match std::fs::symlink_metadata(&target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Plan::Write),
        Err(e) => return Err(Refusal::Io(e).diagnostic(&at)),
    };
    if meta.file_type().is_symlink() {
        // written over, the link itself is replaced (never what it leads
        // to), but it is still a file the writer put there
        return if force {
            Ok(Plan::Write)
        } else {
            Err(conflict(
                "it is a link, which would be replaced by a file".into(),
                None,
            ))
        };
    }
    if !meta.is_file() {
        return Err(Diagnostic::error(
            "source-text-conflict",
            format!(
                "`{at}` is not a regular file, so the source text of `{}` cannot be written there",
                o.from
            ),
        )
        .at(Location::file(&at))
        .with_help("move it away; --force overwrites files only"));
    }
    let old = confine::read_any(&target).map_err(|r| r.diagnostic(&at))?;
    if old == o.bytes {
        return Ok(Plan::Unchanged);
    }
    if force {
        return Ok(Plan::Write);
    }
    let (what, line) = describe(&old, &o.bytes);
    Err(conflict(what, line))
}

/// What would change from `old` to `new`, and the first line that would.
fn describe(old: &[u8], new: &[u8]) -> (String, Option<u32>) {
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return (
            format!(
                "its {} bytes would be replaced by {} bytes",
                old.len(),
                new.len()
            ),
            None,
        );
    };
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len());
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let clip = |s: Option<&&str>| -> String {
        let s = s.copied().unwrap_or("");
        let mut out: String = s.chars().take(60).collect();
        if out.len() < s.len() {
            out.push('…');
        }
        format!("{out:?}")
    };
    let line = first + 1;
    (
        format!(
            "{differing} of its {} lines would change; line {line} reads {}, source-text writes {}",
            a.len(),
            clip(a.get(first)),
            clip(b.get(first))
        ),
        Some(line as u32),
    )
}

/// Write `outputs` under `out` (shown as `display`): nothing when any file
/// of the output differs from what would be written and `force` is off
/// (every such file is a `source-text-conflict`, with what would change);
/// else every file that is new or differs, each atomically.
pub(crate) fn commit(
    out: &Path,
    display: &str,
    outputs: &[Output],
    force: bool,
) -> Result<Committed, Diagnostics> {
    let out_real =
        real_path(out).map_err(|e| Diagnostics::from(Refusal::Io(e).diagnostic(display)))?;
    let plans: Vec<Result<Plan, Diagnostic>> = outputs
        .par_iter()
        .map(|o| plan(out, &out_real, display, o, force))
        .collect();
    let mut problems = Diagnostics::default();
    let mut committed = Committed::default();
    let mut writes = Vec::new();
    for (plan, output) in plans.into_iter().zip(outputs) {
        match plan {
            Ok(Plan::Write) => writes.push(output),
            Ok(Plan::Unchanged) => committed.unchanged += 1,
            Err(d) => problems.push(d),
        }
    }
    if problems.has_errors() {
        problems.sort();
        return Err(problems);
    }
    for output in writes {
        let at = shown(display, &output.rel);
        crate::fsutil::write_atomic(&out.join(&output.rel), &output.bytes).map_err(|e| {
            Diagnostic::error("unwritable", format!("cannot write `{at}`: {e}"))
                .at(Location::file(&at))
                .with_help("check that the output folder can be written")
        })?;
        committed.written += 1;
    }
    Ok(committed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_path_of_a_missing_path_resolves_its_existing_part() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().canonicalize().unwrap();
        assert_eq!(
            real_path(&tmp.path().join("a/b/../c")).unwrap(),
            real.join("a/c")
        );
        assert_eq!(real_path(tmp.path()).unwrap(), real);
    }

    #[test]
    fn a_difference_is_described_by_its_first_line() {
        let (what, line) = describe(b"a\nb\nc\n", b"a\nB\nc\nd\n");
        assert_eq!(line, Some(2));
        assert!(
            what.starts_with("2 of its 3 lines would change; line 2 reads \"b\""),
            "{what}"
        );
    }
}
