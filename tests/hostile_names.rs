//! The properties of the `outline` and `href` fuzz targets
//! (fuzz/fuzz_targets/) as proptests, and the same at the scale of a whole
//! build: whatever the article file names, titles and SUMMARY.md say, every
//! page is written inside the output folder, nothing outside the project
//! changes, and no href or src of any page is a script URL.

mod common;

use std::path::{Component, Path, PathBuf};

use proptest::prelude::*;

/// Pieces hostile names and summaries are made of.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_owned()),
        Just("/".to_owned()),
        Just("\\".to_owned()),
        Just("](".to_owned()),
        Just(")".to_owned()),
        Just("[".to_owned()),
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("javascript:".to_owned()),
        Just("data:".to_owned()),
        Just("#".to_owned()),
        Just("?".to_owned()),
        Just("%2e".to_owned()),
        Just("secret.txt".to_owned()),
        Just(".md".to_owned()),
        Just("\n- [".to_owned()),
        "[a-z販 ]{1,6}",
    ]
}

fn hostile(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..max).prop_map(|p| p.concat())
}

/// A file name (no `/`, no NUL, not `.` or `..`, not hidden) ending `.md`.
fn file_name(raw: &str) -> Option<String> {
    let name: String = raw
        .chars()
        .filter(|&c| c != '/' && c != '\0')
        .take(60)
        .collect();
    let name = name.trim().to_owned();
    (!name.is_empty() && !name.starts_with('.')).then(|| format!("{name}.md"))
}

fn inside(path: &Path) -> bool {
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The outline fuzz target: any SUMMARY.md, every chapter path stays
    /// inside the locale folder.
    #[test]
    fn summary_chapters_stay_inside(summary in hostile(12)) {
        let tmp = tempfile::tempdir().unwrap();
        let locale = tmp.path().join("content/en");
        std::fs::create_dir_all(&locale).unwrap();
        std::fs::write(locale.join("a.md"), "# A\n").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "s").unwrap();
        std::fs::write(locale.join("SUMMARY.md"), format!("# Summary\n\n- [{summary}\n")).unwrap();
        let articles = vec![rulebook::load::Article::new(&locale.join("a.md"), "content/en/a.md")];
        let roots = rulebook::load::content_roots(&tmp.path().join("content"), [locale.as_path()]);
        if let Ok(Some((book, _))) =
            rulebook::site::outline::from_summary_file(&locale, "en", &articles, &roots)
        {
            for path in rulebook::site::outline::chapter_paths(&book) {
                prop_assert!(inside(&path), "{}", path.display());
            }
        }
    }
}

proptest! {
    // each case is a whole (small) build
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_names_and_titles_build_inside_the_output(
        names in prop::collection::vec(hostile(6), 1..4),
        titles in prop::collection::vec(hostile(8), 4),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("project");
        let en = project.join("content/en");
        std::fs::create_dir_all(&en).unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "SECRET").unwrap();
        let mut written = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let Some(name) = file_name(raw) else { continue };
            let title = titles[i % titles.len()].replace('\n', " ");
            let text = format!(
                "---\ntitle: '{}'\nms.date: 11/20/2019\n---\n# {}\n\nText {i}.\n",
                title.replace('\'', "''"),
                title
            );
            if std::fs::write(en.join(&name), text).is_ok() {
                written.push(name);
            }
        }
        prop_assume!(!written.is_empty());
        let out = project.join("book");
        let before: Vec<PathBuf> = list(tmp.path(), &out);
        let result = rulebook::emit::build(&project, &out, &Default::default());
        // a reserved name is refused, anything else builds
        if let Err(e) = &result {
            prop_assert!(
                e.iter().all(|d| d.code == "reserved-page-name"),
                "{e}"
            );
        }
        prop_assert_eq!(list(tmp.path(), &out), before, "files outside the output changed");
        if result.is_ok() {
            for (path, text) in pages(&out) {
                prop_assert!(!text.contains("SECRET"), "{} holds the secret", path.display());
                for attr in ["href=\"", "src=\"", "\"url\":\""] {
                    for (at, _) in text.match_indices(attr) {
                        let value = text[at + attr.len()..].to_ascii_lowercase();
                        prop_assert!(
                            !value.starts_with("javascript:") && !value.starts_with("data:"),
                            "{}: {}", path.display(), &value[..value.len().min(60)]
                        );
                    }
                }
            }
        }
    }
}

/// Every path under `dir` except those under `skip`.
fn list(dir: &Path, skip: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let p = e.path();
            if p.starts_with(skip) {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Every text file of the output with its text.
fn pages(out: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for ext in ["html", "js"] {
        for p in common::files_with_extension(out, ext) {
            found.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
        }
    }
    found
}
