//! The schemas against the documents they describe: what the writer and the
//! validator produce validates; a document that breaks a promise of the
//! contract does not, whichever field, kind or locale breaks it.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::batch::{DecisionWriter, decision_json};
use crate::{
    Discrepancy, LocaleSummary, Procedure, Provenance, Question, Rules, SAMPLE_RULES, Validator,
};

fn schema(file: &str) -> Value {
    schemas()
        .into_iter()
        .find(|(name, _)| *name == file)
        .map(|(_, schema)| schema)
        .unwrap_or_else(|| panic!("no {file}"))
}

fn validator(file: &str) -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

#[track_caller]
fn accepts(validator: &jsonschema::Validator, doc: &Value) {
    let errors = errors(validator, doc);
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
}

/// `break_it` must make a valid document invalid.
#[track_caller]
fn refuses(
    validator: &jsonschema::Validator,
    base: &Value,
    what: &str,
    break_it: impl FnOnce(&mut Value),
) {
    accepts(validator, base);
    let mut doc = base.clone();
    break_it(&mut doc);
    assert_ne!(&doc, base, "{what}: the edit changed nothing");
    assert!(!validator.is_valid(&doc), "{what} is accepted:\n{doc:#}");
}

fn sample() -> Value {
    serde_json::from_str(SAMPLE_RULES).unwrap()
}

/// The sample with every rule stated in `ja-JP` too (its own value), so the
/// locale values are exercised for every kind.
fn sample_with_locales() -> Value {
    let mut doc = sample();
    for rule in doc["rules"].as_array_mut().unwrap() {
        let fact = json!({
            "value": rule["value"].clone(),
            "source": {"locale": "ja-JP", "path": "content/ja-JP/a.md", "line": 3, "section": "s"},
            "agrees": true,
        });
        rule["by_locale"]["ja-JP"] = fact;
    }
    doc
}

#[test]
fn there_are_five_schemas_each_valid_2020_12_with_its_urn() {
    let names: Vec<&str> = schemas().iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "rules.schema.json",
            "procedures.schema.json",
            "report.schema.json",
            "question.schema.json",
            "decision.schema.json"
        ]
    );
    let ids = [
        "urn:rulebook:schema:rules@2",
        "urn:rulebook:schema:procedures@1",
        "urn:rulebook:schema:report@2",
        "urn:rulebook:schema:question@1",
        "urn:rulebook:schema:decision@1",
    ];
    for ((name, schema), id) in schemas().into_iter().zip(ids) {
        if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{name} is not a valid 2020-12 schema: {e}");
        }
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        assert_eq!(schema["$id"], id, "{name}");
        assert!(schema["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(schema["description"].as_str().is_some_and(|t| t.len() > 40));
        // every $ref resolves (compiling resolves them all)
        validator(name);
    }
    // the files' own `schema` values name their schemas
    assert_eq!(urn(SCHEMA_ID), ids[0]);
    assert_eq!(urn(PROCEDURES_SCHEMA_ID), ids[1]);
    assert_eq!(urn(REPORT_SCHEMA_ID), ids[2]);
    assert_eq!(urn(QUESTION_SCHEMA_ID), ids[3]);
    assert_eq!(urn(DECISION_SCHEMA_ID), ids[4]);
}

#[test]
fn schemas_are_deterministic() {
    let once = serde_json::to_string(&schemas()).unwrap();
    let twice = serde_json::to_string(&schemas()).unwrap();
    assert_eq!(once, twice);
}

#[test]
fn the_sample_rules_file_validates_and_loads() {
    let rules = validator("rules.schema.json");
    accepts(&rules, &sample());
    accepts(&rules, &sample_with_locales());
    assert!(Rules::from_json(&sample_with_locales().to_string()).is_ok());
}

#[test]
fn every_kind_has_a_branch_and_every_branch_a_kind() {
    let schema = schema("rules.schema.json");
    let branches = schema["$defs"]["Rule"]["oneOf"].as_array().unwrap();
    let consts: Vec<&str> = branches
        .iter()
        .map(|b| b["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    let doc = sample();
    let mut kinds: Vec<&str> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut sorted = consts.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, kinds, "the sample states every kind once at least");
    assert_eq!(consts.len(), 7);
}

/// A value of another kind's shape, canonical or in any locale, fails the
/// schema, and the validator refuses the same file: the schema says what
/// `check` enforces.
#[test]
fn a_value_of_another_kinds_shape_fails_everywhere() {
    let rules = validator("rules.schema.json");
    let base = sample_with_locales();
    let list = base["rules"].as_array().unwrap();
    // one value of each kind
    let mut examples: Vec<(String, Value)> = Vec::new();
    for rule in list {
        let kind = rule["kind"].as_str().unwrap().to_owned();
        if !examples.iter().any(|(k, _)| *k == kind) {
            examples.push((kind, rule["value"].clone()));
        }
    }
    let mut tried = 0;
    for (i, rule) in list.iter().enumerate() {
        for (kind, value) in &examples {
            if rule["kind"] == **kind {
                continue;
            }
            for at in ["/value", "/by_locale/ja-JP/value"] {
                let what = format!("rule {i} ({}) with a {kind} value at {at}", rule["kind"]);
                refuses(&rules, &base, &what, |doc| {
                    *doc["rules"][i].pointer_mut(at).unwrap() = value.clone();
                });
                let mut doc = base.clone();
                *doc["rules"][i].pointer_mut(at).unwrap() = value.clone();
                assert!(
                    Rules::from_json(&doc.to_string()).is_err(),
                    "check loads {what}"
                );
                tried += 1;
            }
        }
    }
    assert!(tried >= 7 * 6 * 2, "{tried}");
    // the issue's example
    refuses(&rules, &base, "link-limits with markets", |doc| {
        let rule = doc["rules"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["kind"] == "link-limits")
            .unwrap();
        rule["value"] = json!({"markets": ["BR"]});
    });
}

#[test]
fn markets_are_two_upper_case_letters_wherever_they_stand() {
    let rules = validator("rules.schema.json");
    let base = sample_with_locales();
    let market_lists = [
        "/rules/0/value/markets",
        "/rules/0/by_locale/ja-JP/value/markets",
        "/rules/1/value/markets",
        "/rules/1/by_locale/ja-JP/value/markets",
    ];
    for at in market_lists {
        assert!(base.pointer(at).unwrap().is_array(), "{at}");
        for bad in ["br", "Br", "BRA", "B1", "", "É1"] {
            refuses(&rules, &base, &format!("market {bad:?} at {at}"), |doc| {
                doc.pointer_mut(at).unwrap()[0] = json!(bad);
            });
        }
    }
}

#[test]
fn rule_ids_follow_the_grammar() {
    let rules = validator("rules.schema.json");
    let base = sample();
    for good in [
        "csp-software-subscriptions/download-software-role",
        "partner-center/activity-logs/view-role",
        "partner-center/activity-logs#sell-software/view-role",
        "a%23b/x",
        "100%25 sure/x2",
        "a#%E3%81%82%2Fb/x",
        "日本語の記事#セクション/role-1",
        "with space/x",
    ] {
        let mut doc = base.clone();
        doc["rules"][0]["id"] = json!(good);
        accepts(&rules, &doc);
    }
    for bad in [
        "download-software-role",
        "a/Download-role",
        "a/download_role",
        "a/",
        "/x",
        "a//x",
        "a/-x",
        "a/x-",
        "a#b#c/x",
        "a#/x",
        "a%zz/x",
        "a%/x",
        "a#b%/x",
        "a/x y",
        "a/x#y",
        "",
    ] {
        refuses(&rules, &base, &format!("id {bad:?}"), |doc| {
            doc["rules"][0]["id"] = json!(bad);
        });
    }
    for bad in ["", "/a", "a/", "a//b"] {
        refuses(&rules, &base, &format!("article {bad:?}"), |doc| {
            doc["rules"][0]["article"] = json!(bad);
        });
    }
}

#[test]
fn the_version_is_pinned_and_unknown_fields_fail() {
    let rules = validator("rules.schema.json");
    let base = sample_with_locales();
    for other in ["rulebook/rules@1", "rulebook/rules@3", "rules@2", ""] {
        refuses(&rules, &base, &format!("schema {other:?}"), |doc| {
            doc["schema"] = json!(other);
        });
    }
    for at in [
        "",
        "/sources/0",
        "/rules/0",
        "/rules/0/value",
        "/rules/3/value",
        "/rules/0/source",
        "/rules/0/by_locale/ja-JP",
        "/rules/0/by_locale/ja-JP/value",
        "/rules/0/by_locale/ja-JP/source",
    ] {
        refuses(
            &rules,
            &base,
            &format!("an unknown field at {at:?}"),
            |doc| {
                doc.pointer_mut(at).unwrap()["surprise"] = json!(1);
            },
        );
    }
    // rules@1 fields are gone
    refuses(&rules, &base, "procedures in rules.json", |doc| {
        doc["procedures"] = json!([]);
    });
    refuses(&rules, &base, "discrepancies in rules.json", |doc| {
        doc["discrepancies"] = json!([]);
    });
}

#[test]
fn locales_hashes_dates_and_durations_have_their_shapes() {
    let rules = validator("rules.schema.json");
    let base = sample_with_locales();
    for good in ["en", "zh-TW", "ja-JP", "zh-Hant-TW", "es-419", "de-CH-1996"] {
        let mut doc = base.clone();
        doc["canonical_locale"] = json!(good);
        doc["sources"][0]["locale"] = json!(good);
        accepts(&rules, &doc);
    }
    for bad in [
        "englishes",
        "engl1sh",
        "en_US",
        "e",
        "en-",
        "en US",
        "../en",
        "en-x-private",
    ] {
        refuses(&rules, &base, &format!("canonical_locale {bad:?}"), |doc| {
            doc["canonical_locale"] = json!(bad);
        });
        refuses(&rules, &base, &format!("source locale {bad:?}"), |doc| {
            doc["rules"][0]["source"]["locale"] = json!(bad);
        });
        refuses(&rules, &base, &format!("by_locale key {bad:?}"), |doc| {
            let fact = doc["rules"][0]["by_locale"]["ja-JP"].clone();
            doc["rules"][0]["by_locale"][bad] = fact;
        });
        refuses(
            &rules,
            &base,
            &format!("vocabulary locale {bad:?}"),
            |doc| {
                doc["vocabulary"] = json!({"roles": {"admin-agent": {bad: "Admin agent"}}});
            },
        );
    }
    let mut doc = base.clone();
    doc["vocabulary"] = json!({
        "roles": {"admin-agent": {"en": "Admin agent", "ja-JP": "管理エージェント"}},
        "actions": {"partner-center/billing#invoices": {"en": "Invoices"}, "get-keys": {}},
        "subjects": {}
    });
    accepts(&rules, &doc);
    // the shape of rules@2 before the vocabulary was typed (id → names)
    // and ids that are not ids are refused
    for (what, bad) in [
        (
            "untyped vocabulary",
            json!({"admin-agent": {"en": "Admin agent"}}),
        ),
        (
            "role id",
            json!({"roles": {"Admin Agent": {"en": "Admin agent"}}}),
        ),
        ("action", json!({"actions": {"a#b#c": {"en": "x"}}})),
        ("name", json!({"roles": {"admin-agent": {"en": 3}}})),
    ] {
        refuses(&rules, &base, what, |doc| doc["vocabulary"] = bad.clone());
    }
    for bad in ["00", &"A".repeat(64), &"0".repeat(63), &"g".repeat(64)] {
        refuses(&rules, &base, &format!("sha256 {bad:?}"), |doc| {
            doc["sources"][0]["sha256"] = json!(bad);
        });
    }
    for bad in ["2019-1-2", "20191120", "2019-11-20T00:00:00Z", "yesterday"] {
        refuses(&rules, &base, &format!("date {bad:?}"), |doc| {
            doc["sources"][0]["date"] = json!(bad);
        });
    }
    for (kind, field) in [
        ("link-limits", "valid_days"),
        ("cancellation-window", "days"),
    ] {
        let i = base["rules"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r["kind"] == kind)
            .unwrap();
        let mut doc = base.clone();
        doc["rules"][i]["value"][field] = json!(crate::MAX_DURATION_DAYS);
        accepts(&rules, &doc);
        for at in ["value", "by_locale/ja-JP/value"] {
            refuses(&rules, &base, &format!("{kind} {at} too long"), |doc| {
                doc["rules"][i].pointer_mut(&format!("/{at}")).unwrap()[field] =
                    json!(crate::MAX_DURATION_DAYS + 1);
            });
        }
    }
    refuses(&rules, &base, "line 0", |doc| {
        doc["rules"][0]["source"]["line"] = json!(0);
    });
}

fn provenance(locale: &str, line: u32) -> Provenance {
    Provenance {
        column: None,
        locale: locale.into(),
        path: format!("content/{locale}/a.md").into(),
        line,
        segment: None,
        section: Some("sell".into()),
    }
}

fn procedures_doc() -> Value {
    let mut by_locale = std::collections::BTreeMap::new();
    for locale in ["en", "zh-TW"] {
        by_locale.insert(
            locale.to_owned(),
            crate::LocaleProcedure {
                title: "Sell".to_owned(),
                path: format!("content/{locale}/partner-center/a.md"),
                steps: vec![crate::Step {
                    n: 1,
                    text: "Select **Sell**.".to_owned(),
                    ui: vec!["Sell".to_owned()],
                    line: 12,
                }],
            },
        );
    }
    serde_json::to_value(ProceduresFile {
        schema: PROCEDURES_SCHEMA_ID.to_owned(),
        canonical_locale: "en".to_owned(),
        procedures: vec![Procedure {
            article: "partner-center/a".to_owned(),
            section: "sell".to_owned(),
            requires_role: vec!["admin-agent".to_owned()],
            by_locale,
        }],
    })
    .unwrap()
}

#[test]
fn procedures_validate_and_break() {
    let procedures = validator("procedures.schema.json");
    let base = procedures_doc();
    refuses(&procedures, &base, "procedures@2", |doc| {
        doc["schema"] = json!("rulebook/procedures@2");
    });
    refuses(&procedures, &base, "an unknown step field", |doc| {
        doc["procedures"][0]["by_locale"]["en"]["steps"][0]["x"] = json!(1);
    });
    refuses(&procedures, &base, "a bad locale key", |doc| {
        let text = doc["procedures"][0]["by_locale"]["en"].clone();
        doc["procedures"][0]["by_locale"]["EN_us"] = text;
    });
    refuses(&procedures, &base, "an upper-case role", |doc| {
        doc["procedures"][0]["requires_role"][0] = json!("Admin Agent");
    });
}

fn report_doc() -> Value {
    let finding = Discrepancy {
        code: "fact-mismatch".into(),
        severity: "error".into(),
        locale: Arc::from("ja-JP"),
        rule: Some("partner-center/a#sell/azure-reservations-unavailable-markets".to_owned()),
        section: Some(Arc::from("sell")),
        expected: json!(["BR"]),
        found: json!(["BR", "IN"]),
        message: "markets differ".to_owned(),
        source: Some(provenance("ja-JP", 20)),
        canonical: Some(provenance("en", 24)),
    };
    let mut summary = std::collections::BTreeMap::new();
    summary.insert(
        "ja-JP".to_owned(),
        LocaleSummary {
            articles: 1,
            segments: 40,
            untranslated_segments: 2,
            errors: 1,
            warnings: 0,
            infos: 0,
        },
    );
    serde_json::to_value(ReportFile {
        schema: REPORT_SCHEMA_ID.to_owned(),
        canonical_locale: "en".to_owned(),
        summary,
        discrepancies: Arc::new(vec![finding]),
    })
    .unwrap()
}

#[test]
fn reports_validate_read_back_and_break() {
    let report = validator("report.schema.json");
    let base = report_doc();
    let back: ReportFile = serde_json::from_value(base.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), base);
    refuses(&report, &base, "report@1", |doc| {
        doc["schema"] = json!("rulebook/report@1");
    });
    refuses(&report, &base, "severity fatal", |doc| {
        doc["discrepancies"][0]["severity"] = json!("fatal");
    });
    refuses(&report, &base, "a bad rule id", |doc| {
        doc["discrepancies"][0]["rule"] = json!("no-article");
    });
    refuses(&report, &base, "a bad summary locale", |doc| {
        doc["summary"]["ja_JP"] = json!(doc["summary"]["ja-JP"].clone());
    });
    refuses(&report, &base, "a negative count", |doc| {
        doc["summary"]["ja-JP"]["errors"] = json!(-1);
    });
    refuses(&report, &base, "an unknown summary field", |doc| {
        doc["summary"]["ja-JP"]["fatal"] = json!(0);
    });
}

/// Questions `Question::from_json` reads, and what it refuses; the schema
/// and its serde mirror must agree with it on every one, except where the
/// schema cannot say it (listed in `BEYOND_A_SCHEMA`).
const QUESTIONS: &[&str] = &[
    r#"{"kind":"purchase","product":"azure-reservations","market":"BR"}"#,
    r#"{"kind":"purchase","product":"azure-reservations","market":"br"}"#,
    r#"{"kind":"purchase","product":"a--b","market":"JE"}"#,
    r#"{"kind":"purchase","product":"Azure","market":"BR"}"#,
    r#"{"kind":"purchase","product":"azure-reservations","market":"BRA"}"#,
    r#"{"kind":"purchase","product":"azure-reservations","market":"B1"}"#,
    r#"{"kind":"purchase","product":"azure-reservations"}"#,
    r#"{"kind":"purchase","product":null,"market":"BR"}"#,
    r#"{"kind":"purchase","product":"","market":"BR"}"#,
    r#"{"kind":"purchase","product":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","market":"BR"}"#,
    r#"{"kind":"purchase","product":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","market":"BR"}"#,
    r#"{"kind":"purchase","product":"x","market":"BR","extra":1}"#,
    r#"{"kind":"tax","market":"AU"}"#,
    r#"{"kind":"tax","market":"AU","product":"x"}"#,
    r#"{"kind":"tax","market":7}"#,
    r#"{"kind":"cancel","purchased":"2024-01-15","on":"2024-02-01"}"#,
    r#"{"kind":"cancel","purchased":"2024-01-15"}"#,
    r#"{"kind":"cancel","purchased":"2024-01-15","on":null}"#,
    r#"{"kind":"cancel","purchased":"2024-1-15","on":"2024-02-01"}"#,
    r#"{"kind":"cancel","purchased":"15/01/2024"}"#,
    r#"{"kind":"cancel","on":"2024-02-01"}"#,
    r#"{"kind":"cancel","purchased":"2023-02-29","on":"2023-03-01"}"#,
    r#"{"kind":"cancel","purchased":"2024-03-01","on":"2024-02-01"}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","now":"2024-01-20T09:30:00+09:00","downloads":3}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00.25Z","downloads":0}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","now":null,"downloads":4294967295}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","downloads":4294967296}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","downloads":-1}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","downloads":"3"}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","downloads":3.0}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","downloads":2.5}"#,
    r#"{"kind":"link","issued":"2024-01-15 09:30:00Z","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-01-15t09:30:00z","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00+0900","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30Z","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-13-45T29:30:00Z","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-01-15","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z"}"#,
    r#"{"kind":"link","issued":"2024-01-20T09:30:00Z","now":"2024-01-15T09:30:00Z","downloads":1}"#,
    r#"{"kind":"role","action":"download-software","roles":["admin-agent"]}"#,
    r#"{"kind":"role","action":"download-software","roles":["admin-agent","sales-agent"]}"#,
    r#"{"kind":"role","action":"download-software","roles":[]}"#,
    r#"{"kind":"role","action":"download-software","roles":["Admin Agent"]}"#,
    r#"{"kind":"role","action":"download-software","roles":"admin-agent"}"#,
    r#"{"kind":"role","action":"download-software"}"#,
    r#"{"kind":"cancel-request","request":{"tenant":"contoso.onmicrosoft.com"}}"#,
    r#"{"kind":"cancel-request","request":{}}"#,
    r#"{"kind":"cancel-request","request":[1]}"#,
    r#"{"kind":"cancel-request"}"#,
    r#"{"kind":"refund","product":"x"}"#,
    r#"{"product":"x","market":"BR"}"#,
    r#"{"kind":7}"#,
    r#"[]"#,
    r#""purchase""#,
];

/// Refused by the validator, accepted by any schema: the checks that need
/// a calendar, a table of regions or the other field, and a number's
/// spelling (JSON Schema reads `3.0` as the integer 3).
const BEYOND_A_SCHEMA: &[&str] = &[
    r#"{"kind":"cancel","purchased":"2023-02-29","on":"2023-03-01"}"#,
    r#"{"kind":"cancel","purchased":"2024-03-01","on":"2024-02-01"}"#,
    r#"{"kind":"link","issued":"2024-01-20T09:30:00Z","now":"2024-01-15T09:30:00Z","downloads":1}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","downloads":3.0}"#,
    r#"{"kind":"link","issued":"2024-13-45T29:30:00Z","downloads":1}"#,
];

#[test]
fn the_question_schema_and_its_mirror_agree_with_the_reader() {
    let schema = validator("question.schema.json");
    let mut answered = 0;
    for text in QUESTIONS {
        let doc: Value = serde_json::from_str(text).unwrap();
        let read = Question::from_json(text);
        let mirrored = serde_json::from_str::<QuestionJson>(text);
        let valid = schema.is_valid(&doc);
        if BEYOND_A_SCHEMA.contains(text) {
            assert!(read.is_err(), "{text} is read");
            assert!(valid, "{text}: {:?}", errors(&schema, &doc));
            continue;
        }
        assert_eq!(
            read.is_ok(),
            valid,
            "{text}: reader {read:?}, schema {:?}",
            errors(&schema, &doc)
        );
        // The mirror is serde's reading of the same shape (patterns and
        // bounds are the schema's alone): whatever the schema accepts, it
        // reads.
        if valid {
            assert!(mirrored.is_ok(), "{text}: mirror {:?}", mirrored.err());
        }
        if mirrored.is_err() {
            assert!(read.is_err(), "{text}: the reader takes what serde refuses");
        }
        if let Ok(question) = read {
            // and the normalised form the reader writes back validates too
            accepts(&schema, &serde_json::to_value(&question).unwrap());
            answered += 1;
        }
    }
    assert!(answered >= 12, "{answered}");
    // every kind the schema lists is one the reader knows, and back
    let question_schema = super::question();
    let kinds: Vec<&str> = question_schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "purchase",
            "tax",
            "cancel",
            "link",
            "role",
            "cancel-request"
        ]
    );
    for kind in kinds {
        let e = Question::from_json(&json!({"kind": kind}).to_string()).unwrap_err();
        assert!(!e.0.contains("unknown question kind"), "{kind}: {e}");
    }
}

fn sample_validator() -> Validator {
    Validator::new(Rules::from_json(SAMPLE_RULES).unwrap())
}

/// Decisions as the library serializes them, as `check --format json` and
/// batches write them, for every question of the examples the sample
/// answers.
#[test]
fn decisions_validate_in_every_form() {
    let decision = validator("decision.schema.json");
    let v = sample_validator();
    let mut seen = 0;
    for text in QUESTIONS {
        let Ok(question) = Question::from_json(text) else {
            continue;
        };
        let typed = serde_json::to_value(v.check(&question)).unwrap();
        accepts(&decision, &typed);
        accepts(&decision, &decision_json(&v, &question));
        let mut line = Vec::new();
        DecisionWriter::new(&v)
            .write_decision(&question, &mut line)
            .unwrap();
        accepts(&decision, &serde_json::from_slice(&line).unwrap());
        seen += 1;
    }
    assert!(seen >= 12);
    // every field a decision writes is in the schema and required
    let schema = schema("decision.schema.json");
    let typed =
        serde_json::to_value(v.check(&Question::purchase("azure-reservations", "BR").unwrap()))
            .unwrap();
    let mut written: Vec<&str> = typed.as_object().unwrap().keys().map(|k| &**k).collect();
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    written.sort_unstable();
    required.sort_unstable();
    assert_eq!(written, required);
}

#[test]
fn broken_decisions_fail() {
    let decision = validator("decision.schema.json");
    let v = sample_validator();
    let question = Question::purchase("azure-reservations", "BR").unwrap();
    let base = decision_json(&v, &question);
    assert!(base["reasons"][0]["rule"].is_string());
    refuses(&decision, &base, "answer maybe", |d| {
        d["answer"] = json!("maybe")
    });
    refuses(&decision, &base, "an unknown field", |d| {
        d["score"] = json!(1)
    });
    refuses(&decision, &base, "a reason's unknown field", |d| {
        d["reasons"][0]["why"] = json!("x")
    });
    refuses(&decision, &base, "a reason without message", |d| {
        d["reasons"][0].as_object_mut().unwrap().remove("message");
    });
    refuses(&decision, &base, "a reason without source", |d| {
        d["reasons"][0].as_object_mut().unwrap().remove("source");
    });
    refuses(&decision, &base, "a bad rule id", |d| {
        d["reasons"][0]["rule"] = json!("unavailable-markets")
    });
    refuses(&decision, &base, "a question of no kind", |d| {
        d["question"]["kind"] = json!("refund")
    });
    // a reason without a rule writes nulls, which are valid
    let mut none = base.clone();
    none["reasons"][0]["rule"] = Value::Null;
    none["reasons"][0]["source"] = Value::Null;
    accepts(&decision, &none);
}

/// The rules.json example of docs/rules-format.md is a file the schema
/// accepts and the validator loads; its id examples fit the grammar.
#[test]
fn the_format_docs_example_validates_and_loads() {
    let doc = include_str!("../../../../docs/rules-format.md");
    let example = doc
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap();
    let value: Value = serde_json::from_str(example).unwrap();
    accepts(&validator("rules.schema.json"), &value);
    assert!(Rules::from_json(example).is_ok());
    let rules = validator("rules.schema.json");
    for id in [
        "csp-software-subscriptions/download-software-role",
        "partner-center/activity-logs/view-activity-log-role",
        "partner-center/sell#azure-reservations/cancellation-window",
    ] {
        assert!(doc.contains(id), "{id}");
        let mut with = sample();
        with["rules"][0]["id"] = json!(id);
        accepts(&rules, &with);
    }
}
