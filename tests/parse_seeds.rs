//! The parser on the two seed articles as they come, machine-translation damage included.

mod common;

use common::*;
use rulebook::docfx::{AlertKind, Block, Document};

fn alerts(doc: &Document) -> Vec<AlertKind> {
    doc.blocks()
        .filter_map(|b| match b {
            Block::Alert { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect()
}

fn procedures(doc: &Document) -> Vec<(String, usize)> {
    doc.sections
        .iter()
        .flat_map(|s| {
            s.walk().filter_map(|b| match b {
                Block::Procedure { steps, .. } => Some((s.anchor.clone(), steps.len())),
                _ => None,
            })
        })
        .collect()
}

#[test]
fn zh_tw_sections_and_anchors() {
    let doc = parse(ZH_TW);
    let outline: Vec<(u8, &str)> = doc
        .sections
        .iter()
        .map(|s| (s.level, s.anchor.as_str()))
        .collect();
    assert_eq!(
        outline,
        [
            (1, "sell-software-subscriptions-through-csp"),
            (2, "buy-software-subscriptions-on-behalf-of-customers"),
            (2, "activate-and-manage-software-subscriptions"),
            (
                2,
                "view-activity-for-software-key-access-and-software-downloads"
            ),
            (2, "cancel-a-purchase"),
        ]
    );
    assert!(doc.sections.iter().all(|s| s.anchor_given));
    assert_eq!(
        doc.sections[0].title.text,
        "透過雲端解決方案提供者銷售軟體訂閱"
    );
    assert_eq!(
        doc.sections[0].title.source.as_deref(),
        Some("Sell software subscriptions through CSP")
    );
    assert_eq!(doc.sections[0].pos.line, 20);
    assert!(doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
}

#[test]
fn zh_tw_alerts_segments_and_procedures() {
    let doc = parse(ZH_TW);
    assert_eq!(alerts(&doc), vec![AlertKind::Note; 5]);
    assert_eq!(doc.segments.len(), 69);
    let untranslated: Vec<&str> = doc
        .segments
        .iter()
        .filter(|s| s.is_untranslated())
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(untranslated.len(), 25);
    assert!(untranslated.contains(&"76e84-105"));
    assert!(!untranslated.contains(&"76e84-104"));
    let seg = doc.segment("76e84-111").unwrap();
    assert_eq!(
        (seg.target.as_str(), seg.source.as_deref()),
        ("阿根廷", Some("Argentina"))
    );
    assert_eq!(seg.pos.line, 30);

    assert_eq!(
        procedures(&doc),
        [
            ("activate-and-manage-software-subscriptions".to_owned(), 5),
            (
                "view-activity-for-software-key-access-and-software-downloads".to_owned(),
                3
            ),
            ("cancel-a-purchase".to_owned(), 9),
        ]
    );
    // the internal note is a comment, never content
    assert_eq!(doc.comments.len(), 1);
    assert!(doc.comments[0].text.starts_with("March 20, 2019"));
    assert!(
        doc.blocks()
            .all(|b| b.texts().iter().all(|t| !t.text.contains("FAREAST")))
    );
}

#[test]
fn zh_tw_step_labels_carry_their_source() {
    let doc = parse(ZH_TW);
    let section = doc
        .section("activate-and-manage-software-subscriptions")
        .unwrap();
    let steps = section
        .walk()
        .find_map(|b| match b {
            Block::Procedure { steps, .. } => Some(steps),
            _ => None,
        })
        .unwrap();
    let step4 = &steps[3];
    assert_eq!(step4.n, Some(4));
    assert_eq!(step4.pos.line, 60);
    assert_eq!(step4.text.labels.len(), 1);
    assert_eq!(step4.text.labels[0].text, "取得金鑰和下載項目");
    assert_eq!(
        step4.text.labels[0].source.as_deref(),
        Some("Get keys and downloads")
    );
    // several labels in one segment pair up in order
    let step2: Vec<(&str, Option<&str>)> = steps[1]
        .text
        .labels
        .iter()
        .map(|l| (l.text.as_str(), l.source.as_deref()))
        .collect();
    assert_eq!(
        step2,
        [
            ("選取產品", Some("Select product")),
            ("版本", Some("Version")),
            ("語言", Some("Language")),
            ("檔案類型/OS", Some("File type/OS")),
        ]
    );
}

#[test]
fn ja_jp_structure_as_translated() {
    let doc = parse(JA_JP);
    let anchors: Vec<&str> = doc.sections.iter().map(|s| s.anchor.as_str()).collect();
    assert_eq!(
        anchors,
        [
            "sell-software-subscriptions-through-csp",
            "buy-software-subscriptions-on-behalf-of-customers",
            "activate-and-manage-software-subscriptions",
            "cancel-a-purchase",
        ]
    );
    assert_eq!(doc.sections.iter().filter(|s| s.level == 2).count(), 3);
    assert_eq!(alerts(&doc), vec![AlertKind::Note; 5]);
    let counts: Vec<usize> = procedures(&doc).into_iter().map(|(_, n)| n).collect();
    assert_eq!(counts, [5, 9]);
    assert!(doc.segments.is_empty());

    // the market note: a paragraph and a list of 18 items
    let note = doc.sections[0]
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Alert { blocks, .. } => Some(blocks),
            _ => None,
        })
        .unwrap();
    let items = note
        .iter()
        .find_map(|b| match b {
            Block::List { items, .. } => Some(items),
            _ => None,
        })
        .unwrap();
    assert_eq!(items.len(), 18);
    assert_eq!(items[0].text.text, "アルゼンチン");
    assert_eq!(items[11].text.text, "ロシア連邦");
    assert_eq!(items[0].pos.line, 24);
}

#[test]
fn ja_jp_damaged_labels_are_read_as_they_come() {
    let doc = parse(JA_JP);
    let cancel = doc.section("cancel-a-purchase").unwrap();
    let steps = cancel
        .walk()
        .find_map(|b| match b {
            Block::Procedure { steps, .. } => Some(steps),
            _ => None,
        })
        .unwrap();
    // `[**詳細**の**問題の種類**のリストで、 **CSP …**を選択します。`
    let labels: Vec<&str> = steps[3]
        .text
        .labels
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(
        labels,
        ["詳細", "問題の種類", "CSP 顧客に代わって購入/払い戻し"]
    );
    // `**送信**を] を選びます。`
    assert_eq!(steps[8].text.labels[0].text, "送信");
    assert_eq!(steps[8].text.text, "完了したら、送信を] を選びます。");
}

#[test]
fn frontmatter_dates_are_real_dates() {
    let zh = parse(ZH_TW);
    assert_eq!(zh.frontmatter.date.unwrap().to_string(), "2019-11-20");
    assert_eq!(zh.frontmatter.content_locale.as_deref(), Some("zh-TW"));
    assert_eq!(zh.frontmatter.loc_file_id.as_deref(), Some("74253544"));
    assert!(zh.frontmatter.other.contains_key("ms.openlocfilehash"));
    let ja = parse(JA_JP);
    assert_eq!(ja.frontmatter.date, None);
    assert_eq!(
        ja.frontmatter.last_handoff.unwrap().to_string(),
        "2018-08-31"
    );
    assert_eq!(
        ja.frontmatter.effective_date().unwrap().to_string(),
        "2018-08-31"
    );
}

#[test]
fn the_seeds_are_bundled_byte_for_byte() {
    let shared = shared();
    assert_eq!(
        std::fs::read(root().join(ZH_TW)).unwrap(),
        std::fs::read(shared.join("seeds/000_a9edbd9111b1879c.txt")).unwrap()
    );
    assert_eq!(
        std::fs::read(root().join(JA_JP)).unwrap(),
        std::fs::read(shared.join("seeds/004_eff669ea21f00051.txt")).unwrap()
    );
}

#[test]
fn inspect_json_snapshots() {
    for (name, rel) in [("zh-TW", ZH_TW), ("ja-JP", JA_JP)] {
        let out = rulebook(&["inspect", rel, "--format", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        insta::assert_json_snapshot!(format!("inspect-{name}"), json);
    }
}

#[test]
fn inspect_text_outline() {
    let out = rulebook(&["inspect", ZH_TW]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("5 sections, 69 segments (25 untranslated)"),
        "{text}"
    );
    assert!(
        text.contains("60:1     4. 選取 [取得金鑰和下載項目] 。  [ui: 取得金鑰和下載項目]"),
        "{text}"
    );
}

#[test]
fn inspect_missing_file_is_a_usage_error() {
    let out = rulebook(&["inspect", "content/xx/none.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("content/xx/none.md: error[unreadable]"),
        "{err}"
    );
}
