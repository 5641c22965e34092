//! rules.json from the bundled content: the facts, their provenance, the
//! schema, determinism, and what happens on bad input.

mod common;

use std::path::Path;

use common::*;
use rulebook::rules::{RulesFile, Value};

fn build_into(root: &Path, out: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .args(["--root"])
        .arg(root)
        .args(["build", "--out"])
        .arg(out)
        .output()
        .expect("rulebook runs")
}

fn built_rules() -> (RulesFile, Vec<u8>) {
    let out = tempfile::tempdir().unwrap();
    let result = build_into(&root(), &out.path().join("book"));
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let bytes = std::fs::read(out.path().join("book/rules.json")).unwrap();
    (serde_json::from_slice(&bytes).unwrap(), bytes)
}

/// The bundled article's rule of local id `id` (rules@2 ids are
/// `<article>/<local id>`).
fn rule<'a>(rules: &'a RulesFile, id: &str) -> &'a rulebook::rules::Rule {
    let id = format!("csp-software-subscriptions/{id}");
    rules
        .rules
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

fn markets(v: &Value) -> Vec<&str> {
    match v {
        Value::UnavailableMarkets(m) => m.markets.iter().map(String::as_str).collect(),
        Value::TaxInclusiveMarkets(m) => m.markets.iter().map(String::as_str).collect(),
        other => panic!("not a market list: {other:?}"),
    }
}

#[test]
fn unavailable_markets_canonical_and_by_locale() {
    let (rules, _) = built_rules();
    assert_eq!(rules.schema, "rulebook/rules@2");
    assert_eq!(rules.canonical_locale, "en");
    let r = rule(&rules, "azure-reservations-unavailable-markets");
    assert_eq!(
        markets(&r.value),
        [
            "AR", "BR", "CN", "ID", "JE", "LI", "MX", "MY", "RU", "SA", "TR", "ZA"
        ]
    );
    assert_eq!(&*r.source.locale, "en");
    assert_eq!(&*r.source.path, "content/en/csp-software-subscriptions.md");
    let zh = &r.by_locale["zh-TW"];
    assert!(zh.agrees);
    assert_eq!(markets(&zh.value), markets(&r.value));
    // read through the English segments: the provenance names the segment
    assert_eq!(zh.source.segment.as_deref(), Some("76e84-110"));
    assert_eq!(zh.source.line, 29);
    let ja = &r.by_locale["ja-JP"];
    assert!(!ja.agrees);
    let ja_markets = markets(&ja.value);
    assert_eq!(ja_markets.len(), 18);
    for code in ["AZ", "BY", "IN", "KR", "KZ", "TW", "UA"] {
        assert!(ja_markets.contains(&code), "ja-JP lacks {code}");
    }
    assert!(!ja_markets.contains(&"JE"));
    assert_eq!(
        &*ja.source.path,
        "content/ja-JP/csp-software-subscriptions.md"
    );
}

#[test]
fn the_other_facts_of_the_article() {
    let (rules, _) = built_rules();
    let tax = rule(&rules, "tax-inclusive-markets");
    assert_eq!(markets(&tax.value), ["AU", "BR"]);
    assert!(
        !tax.by_locale.contains_key("ja-JP"),
        "ja-JP states no tax sentence"
    );

    let link = rule(&rules, "download-link-limits");
    let cancel = rule(&rules, "cancellation-window");
    for locale in ["en", "zh-TW", "ja-JP"] {
        assert_eq!(
            link.by_locale.get(locale).map(|f| &f.value),
            Some(&Value::LinkLimits(rulebook::rules::LinkLimits {
                valid_days: 14,
                max_downloads: 50,
                renewable: true
            })),
            "link limits in {locale}"
        );
        assert_eq!(
            cancel.by_locale.get(locale).map(|f| &f.value),
            Some(&Value::CancellationWindow(
                rulebook::rules::CancellationWindow {
                    days: 60,
                    early_termination_fee: false
                }
            )),
            "cancellation window in {locale}"
        );
    }

    let roles: Vec<(String, Vec<String>)> = rules
        .rules
        .iter()
        .filter_map(|r| match &r.value {
            Value::RoleRequirement(v) => Some((v.action.clone(), v.any_of_roles.clone())),
            _ => None,
        })
        .collect();
    let admin = vec!["admin-agent".to_owned()];
    assert_eq!(
        roles,
        [
            ("cancel-purchase".to_owned(), admin.clone()),
            ("download-software".to_owned(), admin.clone()),
            ("get-keys".to_owned(), admin),
            (
                "view-activity-log".to_owned(),
                [
                    "account-admin",
                    "global-admin",
                    "marketing-content-admin",
                    "referral-admin"
                ]
                .map(String::from)
                .to_vec()
            ),
        ]
    );

    let fields = rule(&rules, "cancellation-request-fields");
    assert_eq!(
        fields.value,
        Value::CancellationRequestFields(rulebook::rules::FieldList {
            fields: [
                "amount-requested",
                "order-or-subscription-id",
                "refund-reason",
                "tenant"
            ]
            .map(String::from)
            .to_vec()
        })
    );
    let savings = rule(&rules, "azure-hybrid-benefit-savings");
    assert_eq!(
        savings.value,
        Value::SavingsClaim(rulebook::rules::SavingsClaim {
            program: "azure-hybrid-benefit".to_owned(),
            max_percent: 40
        })
    );
}

/// The procedures.json of a build of the bundled project.
fn built_procedures() -> rulebook::rules::ProceduresFile {
    let out = tempfile::tempdir().unwrap();
    let result = build_into(&root(), &out.path().join("book"));
    assert!(result.status.success());
    let bytes = std::fs::read(out.path().join("book/procedures.json")).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn procedures_per_section_and_locale() {
    let file = built_procedures();
    assert_eq!(file.schema, rulebook::rules::PROCEDURES_SCHEMA_ID);
    let activate = file
        .procedures
        .iter()
        .find(|p| p.section == "activate-and-manage-software-subscriptions")
        .unwrap();
    assert_eq!(activate.requires_role, ["admin-agent"]);
    let zh = &activate.by_locale["zh-TW"];
    assert_eq!(zh.steps.len(), 5);
    assert_eq!(zh.steps[3].ui, ["取得金鑰和下載項目"]);
    assert_eq!(zh.steps[3].line, 60);
    assert_eq!(
        activate.by_locale["en"].steps[3].ui,
        ["Get keys and downloads"]
    );
    let cancel = file
        .procedures
        .iter()
        .find(|p| p.section == "cancel-a-purchase")
        .unwrap();
    assert_eq!(cancel.by_locale["ja-JP"].steps.len(), 9);
    assert_eq!(cancel.by_locale["ja-JP"].steps[8].ui, ["送信"]);
}

#[test]
fn sources_carry_dates_and_hashes() {
    let (rules, _) = built_rules();
    let dates: Vec<(&str, Option<&str>)> = rules
        .sources
        .iter()
        .map(|s| (s.locale.as_str(), s.date.as_deref()))
        .collect();
    assert_eq!(
        dates,
        [
            ("en", Some("2019-11-20")),
            ("ja-JP", Some("2018-08-31")),
            ("zh-TW", Some("2019-11-20"))
        ]
    );
    assert!(rules.sources.iter().all(|s| s.sha256.len() == 64));
}

#[test]
fn rules_json_validates_against_its_schema_and_builds_are_identical() {
    let (_, first) = built_rules();
    let (_, second) = built_rules();
    assert!(first == second, "two builds gave different rules.json");
    let out = tempfile::tempdir().unwrap();
    assert!(build_into(&root(), &out.path().join("b")).status.success());
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.path().join("b/schemas/rules.schema.json")).unwrap(),
    )
    .unwrap();
    let instance: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // and the schema rejects another version
    let mut other = instance.clone();
    other["schema"] = "rulebook/rules@1".into();
    assert!(!validator.is_valid(&other));
}

#[test]
fn an_unknown_market_is_a_located_error_and_the_old_output_stays() {
    let project = project();
    let out = project.path().join("book");
    assert!(build_into(project.path(), &out).status.success());
    let before = std::fs::read(out.join("rules.json")).unwrap();

    let path = project
        .path()
        .join("content/en/csp-software-subscriptions.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("> * Jersey\n", "> * Atlantis\n");
    std::fs::write(&path, text).unwrap();
    let result = build_into(project.path(), &out);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    let line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .position(|l| l == "> * Atlantis")
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "content/en/csp-software-subscriptions.md:{line}:5: error[unknown-market]: `Atlantis`"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("help:"), "{stderr}");
    assert_eq!(
        std::fs::read(out.join("rules.json")).unwrap(),
        before,
        "a failed build changed the output"
    );
}

#[test]
fn a_bilingual_file_in_a_locale_without_lexicon_yields_its_facts() {
    // The corpus's side-by-side files are zh-TW and ja-JP, which have
    // lexicons; filed under ko-KR, which has no locale data at all, the 2018
    // one must still be read through its English source segments.
    let project = project();
    let locale = "ko-KR";
    assert!(!project.path().join("locales").join(locale).exists());
    let dir = project.path().join("content").join(locale);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        shared().join("corpus/article/ja-JP--2018-08-31.sxs.md"),
        dir.join("csp-software-subscriptions.md"),
    )
    .unwrap();
    let out = project.path().join("book");
    let result = build_into(project.path(), &out);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let rules: RulesFile =
        serde_json::from_slice(&std::fs::read(out.join("rules.json")).unwrap()).unwrap();
    let r = rule(&rules, "azure-reservations-unavailable-markets");
    let fact = r
        .by_locale
        .get(locale)
        .expect("ko-KR states the market list");
    assert_eq!(
        markets(&fact.value).len(),
        18,
        "the 2018 list has 18 markets"
    );
    assert!(!fact.agrees);
    assert!(
        fact.source.segment.is_some(),
        "provenance names the segment"
    );
    let link = &rule(&rules, "download-link-limits").by_locale[locale];
    assert!(link.agrees);
}

#[test]
fn newest_wins_policy_lets_a_fresher_translation_state_the_canonical_fact() {
    let project = project();
    let book = project.path().join("book.toml");
    let config = std::fs::read_to_string(&book)
        .unwrap()
        .replace("policy = \"source-wins\"", "policy = \"newest-wins\"");
    std::fs::write(&book, config).unwrap();
    // make the ja-JP article the newest
    let ja = project
        .path()
        .join("content/ja-JP/csp-software-subscriptions.md");
    let text = std::fs::read_to_string(&ja)
        .unwrap()
        .replace("ms.lasthandoff: 08/31/2018", "ms.lasthandoff: 01/15/2021");
    std::fs::write(&ja, text).unwrap();
    let out = project.path().join("book");
    let result = build_into(project.path(), &out);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let rules: RulesFile =
        serde_json::from_slice(&std::fs::read(out.join("rules.json")).unwrap()).unwrap();
    assert_eq!(rules.policy, rulebook::load::config::Policy::NewestWins);
    let r = rule(&rules, "azure-reservations-unavailable-markets");
    assert_eq!(&*r.source.locale, "ja-JP");
    assert_eq!(markets(&r.value).len(), 18);
    assert!(r.by_locale["ja-JP"].agrees);
    assert!(!r.by_locale["en"].agrees);
    // a fact ja-JP does not state still comes from the newest locale that does
    assert_eq!(&*rule(&rules, "tax-inclusive-markets").source.locale, "en");
}
