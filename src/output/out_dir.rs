//! Which folders a build may write its output into. A build replaces its
//! output folder whole (or deletes every file of it the new output does
//! not have), and writes its staging folder beside it: an output folder
//! that is, holds or lies inside the project's inputs, or a folder of the
//! user's own, would be deleted. As mdBook and Zola do, such a folder is
//! refused before anything is written (no staging folder, no lock taken).

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::cache;
use crate::diag::{Diagnostic, Location};

/// The code of every refusal (the command line exits 2 for it: a usage
/// error, nothing was read or written).
pub(crate) const CODE: &str = "output-folder";

/// Whether `out` may be written by a build of the project at `root`;
/// `named` is how the user named it (`--out book`), for the diagnostic.
/// Symbolic links are resolved for the parts of each path that exist, so a
/// link (or a locale folder that is a link to elsewhere) is judged by where
/// it leads.
pub(crate) fn check(root: &Path, out: &Path, named: &str) -> Result<(), Diagnostic> {
    // the message names folders as the project knows them (never the
    // resolved path: where the project lies is not the point)
    let refuse = |why: String, help: &str| {
        Diagnostic::error(CODE, format!("refusing to write the output here: {why}"))
            .at(Location::file(named.to_owned()))
            .with_help(format!(
                "{help}; the output folder is replaced by every build (default: book/)"
            ))
    };
    let root = resolve(root);
    let real = resolve(out);
    if root.starts_with(&real) {
        return Err(refuse(
            "the folder is the project or holds it".to_owned(),
            "name a folder of its own, inside the project (e.g. --out book) or elsewhere",
        ));
    }
    for (input, via) in inputs(&root) {
        if real.starts_with(&input) {
            return Err(refuse(
                format!("the folder is, or lies inside, the input {via} (links followed)"),
                "name a folder outside content/, locales/ and templates/ (e.g. --out book)",
            ));
        }
        if input.starts_with(&real) {
            return Err(refuse(
                format!("the folder holds the input {via} (links followed)"),
                "name a folder that holds none of the project's inputs (e.g. --out book)",
            ));
        }
    }
    match std::fs::symlink_metadata(&real) {
        Ok(meta) if !meta.is_dir() => Err(refuse(
            "it is a file, not a folder".to_owned(),
            "name a folder, or move the file away",
        )),
        Ok(_) if !is_output(&real) => Err(refuse(
            format!(
                "the folder is not empty and was not written by rulebook (it has no {}/)",
                cache::DIR
            ),
            "name a new or empty folder, or empty this one yourself if its files may go",
        )),
        _ => Ok(()),
    }
}

/// An empty folder, or one a build wrote (it has the cache folder; an
/// unreadable one counts as not ours).
fn is_output(dir: &Path) -> bool {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.next().is_none()
        || std::fs::symlink_metadata(dir.join(cache::DIR)).is_ok_and(|m| m.is_dir())
}

/// `path` made absolute with every symbolic link resolved, as far as it
/// exists: each component is resolved in turn, `..` taken after the link
/// before it is followed (as the kernel does), and the part that does not
/// exist yet kept as it is.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut real = PathBuf::new();
    let mut exists = true;
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                real.pop();
            }
            Component::CurDir => {}
            other => {
                real.push(other);
                if exists {
                    match real.canonicalize() {
                        Ok(r) => real = r,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    real
}

/// The project's inputs, resolved, each with the name the project knows
/// it by: book.toml, content/, locales/, templates/, and wherever a link
/// inside them leads (a locale folder or an article that is a link to
/// elsewhere is read from there). Folders are walked once each (a link
/// loop ends); listing reads directory entries only, no file is opened.
fn inputs(root: &Path) -> Vec<(PathBuf, String)> {
    let mut found = vec![(resolve(&root.join("book.toml")), "book.toml".to_owned())];
    let mut seen = HashSet::new();
    let mut stack: Vec<(PathBuf, String)> = ["content", "locales", "templates"]
        .iter()
        .map(|d| (resolve(&root.join(d)), format!("{d}/")))
        .collect();
    found.extend(stack.iter().cloned());
    while let Some((dir, via)) = stack.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = format!("{via}{}", entry.file_name().to_string_lossy());
            if kind.is_dir() {
                stack.push((entry.path(), format!("{name}/")));
            } else if kind.is_symlink()
                && let Ok(target) = entry.path().canonicalize()
            {
                // named by the link: the message says where the input
                // is read from, not where this machine keeps it
                if target.is_dir() {
                    stack.push((target.clone(), format!("{name}/")));
                }
                found.push((target, name));
            }
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir_all(root.join("content/en")).unwrap();
        std::fs::create_dir_all(root.join("locales/en")).unwrap();
        std::fs::write(root.join("book.toml"), "[book]\n").unwrap();
        std::fs::write(root.join("content/en/a.md"), "# A\n").unwrap();
        dir
    }

    fn refused(root: &Path, out: &Path) -> bool {
        check(root, out, "--out x").is_err()
    }

    #[test]
    fn inputs_the_project_and_what_holds_it_are_refused() {
        let dir = project();
        let root = dir.path().join("project");
        for out in [
            "content",
            "content/en",
            "content/en/new",
            "locales",
            "templates/theme",
            "book.toml",
            ".",
            "..",
            "content/../locales",
        ] {
            assert!(refused(&root, &root.join(out)), "{out}");
        }
        assert!(refused(&root, Path::new("/")));
        for out in ["book", "site/en", "../elsewhere", "content/../book"] {
            assert!(!refused(&root, &root.join(out)), "{out}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_are_judged_by_where_they_lead() {
        let dir = project();
        let root = dir.path().join("project");
        // a locale folder kept elsewhere
        let ja = dir.path().join("translations/ja");
        std::fs::create_dir_all(&ja).unwrap();
        std::os::unix::fs::symlink(&ja, root.join("content/ja")).unwrap();
        // an output named through a link to content/
        std::os::unix::fs::symlink(root.join("content"), root.join("site")).unwrap();
        for out in [
            ja.clone(),
            ja.join("sub"),
            dir.path().join("translations"),
            root.join("site"),
            root.join("site/en"),
        ] {
            assert!(refused(&root, &out), "{}", out.display());
        }
    }

    #[test]
    fn a_users_folder_or_a_file_is_refused_an_empty_or_rulebook_folder_is_not() {
        let dir = project();
        let root = dir.path().join("project");
        let out = root.join("book");
        std::fs::create_dir_all(&out).unwrap();
        assert!(!refused(&root, &out), "empty");
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(refused(&root, &out), "a user's file");
        std::fs::create_dir(out.join(cache::DIR)).unwrap();
        assert!(!refused(&root, &out), "a rulebook output");
        let file = root.join("out.txt");
        std::fs::write(&file, "x").unwrap();
        assert!(refused(&root, &file), "a file");
        let d = check(&root, &file, "--out out.txt").unwrap_err();
        assert!(
            d.to_string()
                .starts_with("--out out.txt: error[output-folder]"),
            "{d}"
        );
        assert!(d.help.is_some());
    }
}
