//! The properties of the fuzz targets (fuzz/fuzz_targets/*.rs) as proptest
//! tests, so that every `cargo test` exercises them: no input makes the
//! parser, `source-text`, extraction or rules loading panic, and deep input
//! does not overflow the stack.

mod common;

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use common::{EN, JA_JP, ZH_TW, read, root};
use proptest::prelude::*;
use rulebook::lexicon::{LocaleData, load_locale_data};
use rulebook::rules::{Question, Rules, Validator};

static DATA: LazyLock<Vec<LocaleData>> = LazyLock::new(|| {
    ["en", "zh-TW", "ja-JP"]
        .iter()
        .map(|l| load_locale_data(&root(), l).expect("bundled locale data loads"))
        .collect()
});

static SEEDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    [EN, ZH_TW, JA_JP]
        .iter()
        .map(|p| read(root().join(p)))
        .collect()
});

static SAMPLE_RULES: LazyLock<String> =
    LazyLock::new(|| read(root().join("tests/fixtures/sample-rules.json")));

/// One edit of a byte string: insert, delete or overwrite a few bytes.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Overwrite(usize, Vec<u8>),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..8),
        // the characters that make DocFX and JSON hard
        prop::sample::select(vec![
            b"<span data-ttu-id=\"1\">".to_vec(),
            b"</span>".to_vec(),
            b"\n> ".to_vec(),
            b"\n1. ".to_vec(),
            b"**".to_vec(),
            b"---\n".to_vec(),
            b"\"".to_vec(),
            b"{".to_vec(),
            b"]".to_vec(),
            "阿根廷".as_bytes().to_vec(),
            // numbers out of range or unreadable where a fact is read
            b" 99999999999 ".to_vec(),
            b" 13,600,000 weeks ".to_vec(),
            "１３６００００ 週間".as_bytes().to_vec(),
        ]),
    ];
    let edit = prop_oneof![
        (any::<usize>(), bytes.clone()).prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), bytes).prop_map(|(at, b)| Edit::Overwrite(at, b)),
    ];
    proptest::collection::vec(edit, 1..6)
}

fn apply(seed: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match edit {
            Edit::Insert(at, b) => {
                let at = at % len;
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Edit::Overwrite(at, b) => {
                let at = at % len;
                for (i, byte) in b.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = *byte;
                    }
                }
            }
        }
    }
    bytes
}

/// fuzz_targets/parse.rs
fn parse_property(data: &[u8]) {
    let Ok(text) = rulebook::load::decode(data.to_vec(), "f.md") else {
        return;
    };
    if let Ok(doc) = rulebook::docfx::parse_article("f.md", &text) {
        serde_json::to_vec(&doc).expect("the model serializes");
        let _ = rulebook::cli::outline(&doc);
        let _ = doc.blocks().count();
        for d in &doc.diagnostics {
            assert!(d.location.is_some(), "unlocated: {d}");
        }
    }
}

/// fuzz_targets/extract.rs
fn extract_property(which: usize, text: &str) {
    let Ok(doc) = rulebook::docfx::parse_article("f.md", text) else {
        return;
    };
    let own = &DATA[which % DATA.len()];
    let source = &DATA[0];
    let _ = rulebook::extract::extract(&doc, &own.locale, own, source);
    // the number diagnostics are located, whatever the text around them
    let x = rulebook::extract::extract_located(&doc, text, &own.locale, own, source);
    for d in &x.diagnostics {
        assert!(d.location.is_some(), "unlocated: {d}");
    }
    let _ = rulebook::reconcile::outline::outline(
        &doc,
        text,
        own.lexicon.as_ref(),
        source.lexicon.as_ref(),
        own.locale != "en",
    );
}

// ---- extreme values (issue 17, item 5) ---------------------------------------

/// The ends of `u32` and of the validator's duration bound, and anything.
fn extreme_u32() -> impl Strategy<Value = u32> {
    let max = rulebook::rules::MAX_DURATION_DAYS;
    prop_oneof![
        prop::sample::select(vec![0, 1, max - 1, max, max + 1, u32::MAX - 1, u32::MAX]),
        any::<u32>(),
        0..100u32,
    ]
}

/// Instants near the ends of chrono's calendar (and anywhere in it), at
/// any offset.
fn extreme_datetime() -> impl Strategy<Value = DateTime<FixedOffset>> {
    let (min, max) = (
        DateTime::<Utc>::MIN_UTC.timestamp(),
        DateTime::<Utc>::MAX_UTC.timestamp(),
    );
    let secs = prop_oneof![
        Just(min),
        Just(max),
        (0..86_400 * 400i64).prop_map(move |s| min + s),
        (0..86_400 * 400i64).prop_map(move |s| max - s),
        min..=max,
        -100_000_000_000i64..400_000_000_000,
    ];
    (secs, 0..1_000_000_000u32, -86_399..86_400i32).prop_map(|(secs, nanos, offset)| {
        let utc = DateTime::from_timestamp(secs, nanos).unwrap_or(DateTime::<Utc>::MAX_UTC);
        utc.with_timezone(&FixedOffset::east_opt(offset).unwrap())
    })
}

fn extreme_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
        (0..400i64).prop_map(|d| NaiveDate::MIN + chrono::Days::new(d as u64)),
        (0..400i64).prop_map(|d| NaiveDate::MAX - chrono::Days::new(d as u64)),
        (-100_000..3_000_000i32).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap()),
    ]
}

/// A rules file with extreme `valid_days`, `max_downloads` and `days`: it
/// loads only when its durations are within the bound (else a located
/// error), and then answers every question, built directly or from text,
/// exactly (link expiry as `now - issued < valid_days`, which no calendar
/// bound limits), never panicking.
fn extreme_property(
    [valid_days, max_downloads, days]: [u32; 3],
    issued: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
    downloads: u32,
    purchased: NaiveDate,
    on: NaiveDate,
) {
    use rulebook::rules::{Answer, MAX_DURATION_DAYS};
    let text = SAMPLE_RULES
        .replacen(
            "\"valid_days\": 14",
            &format!("\"valid_days\": {valid_days}"),
            1,
        )
        .replacen(
            "\"max_downloads\": 50",
            &format!("\"max_downloads\": {max_downloads}"),
            1,
        )
        .replacen("\"days\": 60", &format!("\"days\": {days}"), 1);
    let rules = Rules::from_json(&text);
    let fits = valid_days <= MAX_DURATION_DAYS && days <= MAX_DURATION_DAYS;
    assert_eq!(rules.is_ok(), fits, "{:?}", rules.as_ref().err());
    let Ok(rules) = rules else {
        let e = rulebook::rules::Rules::from_json(&text).unwrap_err();
        assert!(e.position().is_some(), "{e}");
        return;
    };
    let validator = Validator::new(rules);
    let link = Question::Link {
        issued,
        now,
        downloads,
    };
    let alive = now.signed_duration_since(issued) < chrono::TimeDelta::days(i64::from(valid_days));
    let expected = if alive && downloads < max_downloads {
        Answer::Yes
    } else {
        Answer::No
    };
    let decision = validator.check(&link);
    assert_eq!(decision.answer, expected, "{link:?}");
    assert_eq!(validator.answer(&link).answer, expected);
    let cancel = Question::Cancel { purchased, on };
    let elapsed = on.signed_duration_since(purchased).num_days();
    let expected = if elapsed <= i64::from(days) {
        Answer::Yes
    } else {
        Answer::No
    };
    assert_eq!(validator.check(&cancel).answer, expected, "{cancel:?}");
    // the same questions as text, where the text can say them (four-digit
    // years): refused or answered, never a panic
    for q in [&link, &cancel] {
        let json = serde_json::to_string(q).unwrap();
        if let Ok(q) = Question::from_json(&json) {
            let _ = validator.check(&q);
            let mut out = Vec::new();
            rulebook::rules::batch::DecisionWriter::new(&validator)
                .write_decision(&q, &mut out)
                .unwrap();
        }
    }
    let _ = Question::link(
        &issued.to_rfc3339(),
        Some(&now.to_rfc3339()),
        &downloads.to_string(),
    )
    .map(|q| validator.check(&q));
}

/// fuzz_targets/rules.rs
fn rules_property(text: &str) {
    let Ok(rules) = Rules::from_json(text) else {
        return;
    };
    let validator = Validator::new(rules);
    let questions = [
        Question::purchase("azure-reservations", "AR"),
        Question::tax("JP"),
        Question::cancel("2024-01-01", Some("2024-03-01")),
        Question::link("2024-01-01T00:00:00Z", Some("2024-01-20T00:00:00Z"), "2"),
        Question::link(
            "9999-12-31T23:59:59.999999999-23:59",
            Some("9999-12-31T23:59:59.999999999-23:59"),
            "4294967295",
        ),
        Question::link("0000-01-01T00:00:00+23:59", None, "0"),
        Question::cancel("0000-01-01", Some("9999-12-31")),
        Question::role("buy-software", &["admin-agent".to_owned()]),
    ];
    let end = DateTime::<Utc>::MAX_UTC.fixed_offset();
    let start = DateTime::<Utc>::MIN_UTC.fixed_offset();
    let built = [
        Question::Link {
            issued: end,
            now: end,
            downloads: u32::MAX,
        },
        Question::Link {
            issued: start,
            now: end,
            downloads: 0,
        },
        Question::Cancel {
            purchased: NaiveDate::MIN,
            on: NaiveDate::MAX,
        },
    ];
    for q in questions.into_iter().flatten().chain(built) {
        let _ = validator.check(&q);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_damaged_articles(seed in 0..3usize, e in edits()) {
        parse_property(&apply(&SEEDS[seed], &e));
    }

    #[test]
    fn parse_never_panics_on_any_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_property(&data);
    }

    #[test]
    fn source_text_never_panics_on_damaged_articles(seed in 0..3usize, e in edits()) {
        let bytes = apply(&SEEDS[seed], &e);
        let text = String::from_utf8_lossy(&bytes);
        let _ = rulebook::docfx::source_text("f.md", &text, &Default::default());
    }

    #[test]
    fn extraction_never_panics_on_damaged_articles(seed in 0..3usize, which in 0..3usize, e in edits()) {
        let bytes = apply(&SEEDS[seed], &e);
        extract_property(which, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn extreme_numbers_and_dates_are_answered_or_refused(
        valid_days in extreme_u32(),
        max_downloads in extreme_u32(),
        days in extreme_u32(),
        issued in extreme_datetime(),
        now in extreme_datetime(),
        downloads in extreme_u32(),
        purchased in extreme_date(),
        on in extreme_date(),
    ) {
        extreme_property([valid_days, max_downloads, days], issued, now, downloads, purchased, on);
    }

    #[test]
    fn rules_loading_never_panics_on_damaged_files(e in edits()) {
        let bytes = apply(&SAMPLE_RULES, &e);
        rules_property(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn the_seeds_hold_the_properties() {
    for (i, seed) in SEEDS.iter().enumerate() {
        parse_property(seed.as_bytes());
        extract_property(i, seed);
    }
    rules_property(&SAMPLE_RULES);
    assert!(Rules::from_json(&SAMPLE_RULES).is_ok());
}

// ---- deep input ---------------------------------------------------------------

/// Runs on the test thread's small stack (2 MiB by default), on purpose: a
/// recursion over the nesting would overflow here first.
fn deep(body: &str) {
    let text = format!("---\ntitle: deep\n---\n# Deep\n\n{body}\n");
    let doc = rulebook::docfx::parse_article("deep.md", &text).expect("parses");
    assert!(
        doc.diagnostics.iter().any(|d| d.code == "deep-nesting"),
        "{:?}",
        doc.diagnostics
    );
    let json = serde_json::to_string(&doc).expect("serializes");
    // the flattened model is shallow: JSON nesting stays near the bound
    let depth = json
        .bytes()
        .scan(0i32, |d, b| {
            *d += match b {
                b'{' | b'[' => 1,
                b'}' | b']' => -1,
                _ => 0,
            };
            Some(*d)
        })
        .max()
        .unwrap_or(0);
    assert!(
        depth < 4 * rulebook::docfx::MAX_NESTING as i32 + 16,
        "JSON depth {depth}"
    );
    let _ = rulebook::cli::outline(&doc);
    extract_property(0, &text);
    let _ = rulebook::docfx::source_text("deep.md", &text, &Default::default());
}

#[test]
fn twenty_thousand_nested_blockquotes() {
    deep(&format!("{}deep", "> ".repeat(20_000)));
}

#[test]
fn five_thousand_nested_lists() {
    deep(&format!("{}deep", "- ".repeat(5_000)));
}

#[test]
fn a_thousand_nested_ordered_lists_by_indentation() {
    let body: String = (0..1_000)
        .map(|i| format!("{}1. step\n", "   ".repeat(i)))
        .collect();
    deep(&body);
}

#[test]
fn deep_mixed_quotes_and_lists() {
    deep(&format!("{}deep", "> - 1. ".repeat(3_000)));
}
