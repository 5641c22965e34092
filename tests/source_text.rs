//! `source-text`: the English rebuilt from the bilingual zh-TW file.

mod common;

use common::*;

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef | 0x3000..=0x303f)
    })
}

#[test]
fn regenerating_content_en_gives_the_committed_bytes() {
    let out = rulebook(&["source-text", ZH_TW]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = std::fs::read(root().join(EN)).unwrap();
    assert!(
        out.stdout == committed,
        "content/en differs from `rulebook source-text {ZH_TW}`: regenerate it with\n  cargo run -- source-text {ZH_TW} -o {EN}"
    );
}

#[test]
fn source_text_is_english_only() {
    let text = String::from_utf8(rulebook(&["source-text", ZH_TW]).stdout).unwrap();
    assert!(!has_cjk(&text), "CJK left in source text");
    assert!(!text.contains("data-ttu-id"));
    assert!(!text.contains("sxs-lookup"));
    assert!(text.contains("ms.contentlocale: en-US\n"));
    assert!(!text.contains("ms.translationtype"));
    assert!(text.contains("select **Get keys and downloads** again"));
    // the rebuilt English parses into the same outline as the bilingual file
    let en = parse(EN);
    let zh = parse(ZH_TW);
    let anchors = |d: &rulebook::docfx::Document| {
        d.sections
            .iter()
            .map(|s| s.anchor.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(anchors(&en), anchors(&zh));
    assert_eq!(
        en.sections[0].title.text,
        zh.sections[0].title.source.clone().unwrap()
    );
}

#[test]
fn source_text_matches_the_corpus_reconstruction() {
    // The corpus rebuilt en--2019-11-06.md from the same sxs-lookup spans by
    // other means; the bodies must agree line for line (ignoring trailing space).
    let shared = shared();
    let theirs = read(shared.join("corpus/article/en--2019-11-06.md"));
    let ours = read(root().join(EN));
    let body = |s: &str| -> Vec<String> {
        let start = s.find("\n# ").unwrap();
        s[start..]
            .lines()
            .map(|l| l.trim_end().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let (a, b) = (body(&ours), body(&theirs));
    let differing: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
    assert!(differing.len() <= 2, "{differing:#?}");
}

#[test]
fn plain_translation_has_no_source_text() {
    let out = rulebook(&["source-text", JA_JP]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[not-bilingual]"), "{err}");
    assert!(err.contains("help:"), "{err}");
}
