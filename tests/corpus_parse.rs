//! Every real article in ../shared/corpus parses without a panic, and every
//! diagnostic it gets names its file and line.

mod common;

use common::*;
use proptest::prelude::*;

#[test]
fn every_corpus_article_parses_with_located_diagnostics() {
    let shared = shared();
    let files = markdown_files(&shared.join("corpus"));
    assert!(
        files.len() >= 160,
        "expected the whole corpus, found {}",
        files.len()
    );
    let mut sections = 0;
    let mut segments = 0;
    for file in &files {
        let rel = file
            .strip_prefix(&shared)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (_, text) = rulebook::load::read_article(file, &rel).expect("corpus files are UTF-8");
        match rulebook::docfx::parse_article(&rel, &text) {
            Ok(doc) => {
                assert!(!doc.sections.is_empty(), "{rel}: no sections");
                for d in &doc.diagnostics {
                    let loc = d
                        .location
                        .as_ref()
                        .unwrap_or_else(|| panic!("{rel}: unlocated {d}"));
                    assert!(loc.line > 0, "{rel}: no line in {d}");
                }
                sections += doc.sections.len();
                segments += doc.segments.len();
            }
            Err(d) => {
                let loc = d
                    .location
                    .as_ref()
                    .unwrap_or_else(|| panic!("{rel}: unlocated {d}"));
                assert!(loc.line > 0, "{rel}: {d}");
            }
        }
    }
    assert!(
        sections > 1000 && segments > 1000,
        "{sections} sections, {segments} segments"
    );
}

#[test]
fn bilingual_corpus_files_have_complete_segments() {
    let shared = shared();
    for file in markdown_files(&shared.join("corpus")) {
        let name = file.to_string_lossy();
        if !name.ends_with(".sxs.md") {
            continue;
        }
        let doc = rulebook::docfx::parse_article(&name, &read(&file)).unwrap();
        assert!(doc.is_bilingual(), "{name}");
        let broken: Vec<_> = doc
            .segments
            .iter()
            .filter(|s| s.source.is_none())
            .map(|s| &s.id)
            .collect();
        assert!(broken.is_empty(), "{name}: {broken:?}");
        // and their source text rebuilds
        rulebook::docfx::source_text(&name, &read(&file), &Default::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn corpus_alerts_include_tables_in_important() {
    // 2019-12 and later versions list markets in a table inside an IMPORTANT alert
    let shared = shared();
    let doc = parse_shared(&shared, "corpus/article/en--2019-12-18.md");
    let table = doc.blocks().find_map(|b| match b {
        rulebook::docfx::Block::Alert {
            kind: rulebook::docfx::AlertKind::Important,
            blocks,
            ..
        } => blocks.iter().find_map(|b| match b {
            rulebook::docfx::Block::Table { header, rows, .. } => Some((header.len(), rows.len())),
            _ => None,
        }),
        _ => None,
    });
    assert_eq!(table, Some((3, 37)));
}

fn parse_shared(shared: &std::path::Path, rel: &str) -> rulebook::docfx::Document {
    rulebook::docfx::parse_article(rel, &read(shared.join(rel))).unwrap()
}

/// Strings built from the pieces that make DocFX hard, in any order.
fn docfx_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<span data-ttu-id=\"a-1\">".to_owned()),
        Just("<span class=\"sxs-lookup\">".to_owned()),
        Just("<span data-stu-id=\"a-1\">".to_owned()),
        Just("</span>".to_owned()),
        Just("> [!NOTE]\n".to_owned()),
        Just(">".to_owned()),
        Just("\n".to_owned()),
        Just("1. ".to_owned()),
        Just("- ".to_owned()),
        Just("**".to_owned()),
        Just("\\[".to_owned()),
        Just("| a | b |\n|---|---|\n".to_owned()),
        Just("# <a name=\"x\"></a>".to_owned()),
        Just("---\n".to_owned()),
        Just("<!--".to_owned()),
        Just("[!INCLUDE[t](../x.md)]".to_owned()),
        Just("::: zone pivot=\"a\"".to_owned()),
        "[a-z 阿根廷]{0,8}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics_on_any_string(s in "\\PC*") {
        let _ = rulebook::docfx::parse_article("p.md", &s);
    }

    #[test]
    fn parser_never_panics_on_docfx_soup(s in docfx_soup()) {
        if let Ok(doc) = rulebook::docfx::parse_article("p.md", &s) {
            for d in &doc.diagnostics {
                prop_assert!(d.location.is_some());
            }
        }
        let _ = rulebook::docfx::source_text("p.md", &s, &Default::default());
    }
}
