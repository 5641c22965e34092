//! The conformance vectors (`tests/fixtures/validator-cases.jsonl`): every
//! question kind and boundary, with the expected answer and deciding rule.
//! Other implementations (the site's in-browser checker) must pass the same
//! file.

use std::path::PathBuf;

use rulebook::rules::batch::DecisionWriter;
use rulebook::rules::{Answer, Question, Rules, Validator};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rules the vectors are checked against. Until `rulebook build` writes
/// the real file this is the hand-written sample in the agreed shape; switch
/// it to the built rules.json when that lands.
/// The rules built from the bundled content by `rulebook build`, not a
/// hand-written file: the vectors check what the pipeline really produces.
fn rules_under_test() -> Rules {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("book");
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root())
        .args(["-q", "build", "--out"])
        .arg(&book)
        .output()
        .expect("rulebook runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    Rules::load(book.join("rules.json"))
        .unwrap_or_else(|e| panic!("cannot load the rules under test: {e}"))
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    question: serde_json::Value,
    /// The answer; absent for a question the validator refuses.
    #[serde(default)]
    answer: Option<Answer>,
    #[serde(default)]
    rule: Option<String>,
    /// The validator refuses the question (`Validator::admit`; `check`
    /// exits 2, a batch line gets an error line).
    #[serde(default)]
    refused: bool,
}

fn cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/validator-cases.jsonl")).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("case line {}: {e}", i + 1))
        })
        .collect()
}

#[test]
fn every_case_gets_its_answer_and_rule() {
    let validator = Validator::new(rules_under_test());
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let question = Question::from_json(&case.question.to_string())
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        if case.refused {
            assert!(
                validator.admit(&question).is_err(),
                "{} is refused",
                case.name
            );
            continue;
        }
        validator.admit(&question).unwrap();
        let decision = validator.check(&question);
        let rule = decision.reasons.first().and_then(|r| r.rule.clone());
        if Some(decision.answer) != case.answer || rule != case.rule {
            failures.push(format!(
                "{}: got {:?} by {:?}, want {:?} by {:?}",
                case.name, decision.answer, rule, case.answer, case.rule
            ));
        }
        // The allocation-free path must agree with the worded one.
        let verdict = validator.answer(&question);
        assert_eq!(verdict.answer, decision.answer, "{}", case.name);
        let fast_rule = verdict
            .rule
            .and_then(|r| validator.rules().rule(r))
            .map(|r| r.id.clone());
        assert_eq!(fast_rule, rule, "{}", case.name);
        // Every reason is worded and, when it cites a rule, points at a line.
        for reason in &decision.reasons {
            assert!(!reason.message.is_empty(), "{}", case.name);
            if reason.rule.is_some() {
                assert!(
                    reason.source.as_ref().is_some_and(|s| s.line > 0),
                    "{}",
                    case.name
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_vectors_cover_every_kind() {
    let kinds: std::collections::BTreeSet<String> = cases()
        .iter()
        .map(|c| c.question["kind"].as_str().unwrap().to_owned())
        .collect();
    let want = [
        "cancel",
        "cancel-request",
        "link",
        "purchase",
        "role",
        "tax",
    ];
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), want);
}

#[test]
fn a_market_no_rule_lists_names_the_rule_consulted() {
    let validator = Validator::new(rules_under_test());
    let q = Question::purchase("azure-reservations", "KR").unwrap();
    let d = validator.check(&q);
    assert_eq!(d.answer, Answer::Yes);
    assert_eq!(
        d.reasons[0].rule.as_deref(),
        Some("csp-software-subscriptions/azure-reservations-unavailable-markets")
    );
    assert!(
        d.reasons[0].message.contains("South Korea"),
        "{}",
        d.reasons[0].message
    );
}

#[test]
fn an_unknown_role_is_named_and_grants_nothing() {
    let validator = Validator::new(rules_under_test());
    let q = Question::role("get-keys", &["tenant-owner"]).unwrap();
    let d = validator.check(&q);
    assert_eq!(d.answer, Answer::No);
    assert!(
        d.reasons
            .iter()
            .any(|r| r.message.contains("\"tenant-owner\" is not a known role"))
    );
}

#[test]
fn a_cancel_request_lists_every_problem() {
    let validator = Validator::new(rules_under_test());
    let q = Question::cancel_request(serde_json::json!({
        "tenant": "no spaces allowed",
        "amount_requested": "-1"
    }))
    .unwrap();
    let d = validator.check(&q);
    assert_eq!(d.answer, Answer::No);
    let messages: Vec<&str> = d.reasons.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("not valid: customer tenant"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("missing: order ID or subscription ID"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("missing: refund reason"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("not valid: amount requested"))
    );
}

#[test]
fn the_batch_writer_answers_the_vectors_in_order() {
    let validator = Validator::new(rules_under_test());
    let cases = cases();
    let input: String = cases.iter().map(|c| format!("{}\n", c.question)).collect();
    let mut out = Vec::new();
    let stats = DecisionWriter::new(&validator)
        .run(&mut input.as_bytes(), &mut out)
        .unwrap();
    let refused = cases.iter().filter(|c| c.refused).count();
    assert_eq!(stats.decided as usize, cases.len() - refused);
    assert_eq!(stats.errors as usize, refused);
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (case, line) in cases.iter().zip(&lines) {
        if case.refused {
            assert!(line["error"].is_string(), "{}: {line}", case.name);
            continue;
        }
        assert_eq!(
            line["answer"],
            serde_json::to_value(case.answer).unwrap(),
            "{}",
            case.name
        );
        assert_eq!(
            line["reasons"][0]["rule"].as_str(),
            case.rule.as_deref(),
            "{}",
            case.name
        );
        assert_eq!(
            line["question"]["kind"], case.question["kind"],
            "{}",
            case.name
        );
    }
}
