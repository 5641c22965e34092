//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// a path of its own: this file is also compiled as a test crate (its own
// root), where a plain `mod tree;` would look for tests/tree.rs
#[path = "common/tree.rs"]
pub(crate) mod tree;

/// The project root (where Cargo.toml is).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the project. CI always has it; a local checkout
/// without it fails loudly rather than skipping the corpus tests.
pub(crate) fn shared() -> PathBuf {
    let shared = root().join("../shared");
    assert!(
        shared.join("corpus").is_dir(),
        "../shared/corpus is missing: the corpus tests need the shared folder beside the project"
    );
    shared
}

pub(crate) fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub(crate) const ZH_TW: &str = "content/zh-TW/csp-software-subscriptions.md";
pub(crate) const JA_JP: &str = "content/ja-JP/csp-software-subscriptions.md";
pub(crate) const EN: &str = "content/en/csp-software-subscriptions.md";

pub(crate) fn parse(rel: &str) -> rulebook::docfx::Document {
    rulebook::docfx::parse_article(rel, &read(root().join(rel))).expect("frontmatter parses")
}

/// Every Markdown file below a folder, sorted.
pub(crate) fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    files_with_extension(dir, "md")
}

/// Every file below a folder whose name ends in `.<ext>`, sorted.
pub(crate) fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Run the rulebook binary.
pub(crate) fn rulebook(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("rulebook runs")
}

/// A copy of the bundled project (book.toml, content/, locales/).
pub(crate) fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["content", "locales"] {
        copy_tree(&root().join(name), &dir.path().join(name));
    }
    std::fs::copy(root().join("book.toml"), dir.path().join("book.toml")).unwrap();
    dir
}

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file below `dir` with its bytes (symlinks read through).
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    out
}

/// Names in `dir` left by an interrupted or failed build.
pub(crate) fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".book.tmp-") || n.starts_with(".book.old-"))
        .collect()
}

/// Run the rulebook binary in `dir`.
pub(crate) fn rulebook_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("rulebook runs")
}
