//! What a big build writes loads and answers: more rules than a u16 can
//! index (a 5,000-articles-per-locale build writes about 85,000) and more
//! distinct roles than a 64-bit set holds. No timing here: the load time
//! is measured in BENCHMARKS.md.

mod common;

use common::{file, rule};
use rulebook_rules::{Answer, LoadError, Question, Rules, Validator};
use serde_json::json;

const RULES: usize = 72_000;
const ROLES: usize = 150;

#[test]
fn a_file_of_72_000_rules_and_150_roles_loads_and_answers() {
    let mut rules = Vec::with_capacity(RULES);
    for i in 0..RULES - 2 {
        let article = format!("gen/a{i:05}");
        rules.push(match i % 6 {
            0 => rule(&article, "ur", "unavailable-markets", json!({"product": format!("p{}", i % 700), "markets": ["JE"]}), 3),
            1 => rule(&article, "role", "role-requirement", json!({"action": format!("act{}", i % 500), "any_of_roles": [format!("role{}", i % ROLES)]}), 4),
            2 => rule(&article, "tax", "tax-inclusive-markets", json!({"markets": ["AU"]}), 5),
            3 => rule(&article, "w", "cancellation-window", json!({"days": 60, "early_termination_fee": false}), 6),
            4 => rule(&article, "l", "link-limits", json!({"valid_days": 14, "max_downloads": 50, "renewable": true}), 7),
            _ => rule(&article, "s", "savings-claim", json!({"program": format!("prog{}", i % 50), "max_percent": 40}), 8),
        });
    }
    // two rules past index 65,535: one product of two articles that
    // disagree, the stricter one last; one action every role may do
    let all_roles: Vec<String> = (0..ROLES).map(|r| format!("role{r}")).collect();
    rules.push(rule(
        "zz/late",
        "ur",
        "unavailable-markets",
        json!({"product": "p0", "markets": ["BR", "JE"]}),
        9,
    ));
    rules.push(rule(
        "zz/late",
        "role",
        "role-requirement",
        json!({"action": "act-any", "any_of_roles": all_roles}),
        10,
    ));
    assert_eq!(rules.len(), RULES);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.json");
    std::fs::write(&path, file(rules)).unwrap();
    let v = Validator::new(Rules::load(&path).unwrap());
    assert_eq!(v.rules().file().rules.len(), RULES);

    // the deciding rule is the last but one, found and named
    let q = Question::purchase("p0", "BR").unwrap();
    let verdict = v.answer(&q);
    assert_eq!((verdict.answer, verdict.conflict), (Answer::No, true));
    assert_eq!(verdict.rule.map(|r| r.0 as usize), Some(RULES - 2));
    let d = v.check(&q);
    assert_eq!(d.reasons[0].rule.as_deref(), Some("zz/late/ur"));
    // p0 has every 700th product rule of kind 0 (i % 6 == 0, i % 700 == 0)
    let p0_rules = (0..RULES - 2)
        .filter(|i| i % 6 == 0 && i % 700 == 0)
        .count();
    assert_eq!(d.reasons.len(), p0_rules + 1);
    assert!(!v.answer(&Question::purchase("p0", "JE").unwrap()).conflict);

    // every one of 150 roles is told apart, the last ones included
    for r in [0, 63, 64, 65, ROLES - 1] {
        let role = format!("role{r}");
        assert!(v.rules().knows_role(&role));
        let d = v.check(&Question::role("act-any", &[&role]).unwrap());
        assert_eq!(d.answer, Answer::Yes, "{role}: {d:?}");
        assert!(d.reasons[0].message.starts_with(&role), "{d:?}");
    }
    // act7's rules (i % 500 == 7, i % 6 == 1) each name one role
    let q = Question::role("act7", &["role7"]).unwrap();
    let admitting: Vec<usize> = (0..RULES - 2)
        .filter(|i| i % 6 == 1 && i % 500 == 7)
        .collect();
    let d = v.check(&q);
    let expect_yes = admitting.iter().all(|i| i % ROLES == 7);
    assert_eq!(d.answer == Answer::Yes, expect_yes, "{d:?}");
    assert_eq!(d.reasons.len(), admitting.len());

    // the kinds with one subject per project weigh all their rules
    let d = v.check(&Question::tax("AU").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
    assert_eq!(
        d.reasons.len(),
        (0..RULES - 2).filter(|i| i % 6 == 2).count()
    );
    let d = v.check(&Question::cancel("2024-01-01", Some("2024-01-31")).unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
}

#[test]
fn a_rules_1_file_is_told_to_rebuild() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/sample-rules-v1.json"
    );
    let e = Rules::load(path).unwrap_err();
    assert!(
        matches!(&e, LoadError::Schema { found } if found == "rulebook/rules@1"),
        "{e:?}"
    );
    let message = e.to_string();
    for part in [
        "this is rules@1 (written by an older rulebook)",
        "rebuild with `rulebook build`",
        "docs/rules-format.md#from-rules1",
    ] {
        assert!(message.contains(part), "{message}");
    }
    // however it arrives: a file of the new shape labelled @1, typed
    let text = file(vec![]).replace("rulebook/rules@2", "rulebook/rules@1");
    let e = Rules::from_json(&text).unwrap_err();
    assert!(e.to_string().contains("rulebook build"), "{e}");
    let typed: rulebook_rules::RulesFile = serde_json::from_str(&text).unwrap();
    let e = Rules::from_file(typed).unwrap_err();
    assert!(e.to_string().contains("rulebook build"), "{e}");
    // another version is named as unsupported, not told to rebuild
    let e = Rules::from_json(&text.replace("@1", "@3")).unwrap_err();
    assert!(e.to_string().contains("unsupported schema"), "{e}");
    assert!(!e.to_string().contains("rulebook build"), "{e}");
}
