//! Rules of one kind and subject stated by several articles: every question
//! weighs all of them, the stricter answer wins, the deciding reason comes
//! first, every rule consulted gives a reason, and `conflict` says whether
//! they disagree. The fast path (`answer`, `check_into`) agrees with
//! `check` on every question here.

mod common;

use common::{rule, tax_au, tax_au_br, validator};
use rulebook_rules::batch::DecisionWriter;
use rulebook_rules::{Answer, Decision, Messages, Question, Validator};
use serde_json::json;

/// `check`, after asserting that `answer` and `check_into` say the same.
fn ask(v: &Validator, q: &Question) -> Decision {
    let decision = v.check(q);
    let fast = v.answer(q);
    let mut findings = Vec::new();
    let into = v.check_into(q, &mut findings);
    assert_eq!(fast, into, "{q:?}");
    assert_eq!(findings.len(), decision.reasons.len(), "{q:?}");
    assert_eq!(fast.answer, decision.answer, "{q:?}");
    assert_eq!(fast.conflict, decision.conflict, "{q:?}");
    assert_eq!(
        fast.rule
            .and_then(|r| v.rules().rule(r))
            .map(|r| r.id.as_str()),
        decision.reasons[0].rule.as_deref(),
        "{q:?}"
    );
    // the JSON form always carries the flag
    let json = serde_json::to_value(&decision).unwrap();
    assert_eq!(json["conflict"], json!(decision.conflict), "{json}");
    decision
}

/// The rule ids of the reasons, in order.
fn rules_of(d: &Decision) -> Vec<&str> {
    d.reasons
        .iter()
        .map(|r| r.rule.as_deref().unwrap_or("-"))
        .collect()
}

fn markets(product: &str, codes: &[&str]) -> serde_json::Value {
    json!({"product": product, "markets": codes})
}

#[test]
fn purchase_two_articles_that_agree_and_that_disagree() {
    let product = "azure-reservations";
    let agree = validator(vec![
        rule(
            "a",
            "ur",
            "unavailable-markets",
            markets(product, &["BR"]),
            3,
        ),
        rule(
            "b",
            "ur",
            "unavailable-markets",
            markets(product, &["BR"]),
            9,
        ),
    ]);
    let d = ask(&agree, &Question::purchase(product, "br").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::No, false));
    assert_eq!(rules_of(&d), ["a/ur", "b/ur"]);
    assert_eq!(d.reasons[1].source.as_ref().unwrap().line, 9);
    let d = ask(&agree, &Question::purchase(product, "jp").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
    assert_eq!(rules_of(&d), ["a/ur", "b/ur"]);

    // the article that lists the market comes second in the file, and
    // decides: its reason comes first
    let disagree = validator(vec![
        rule(
            "a",
            "ur",
            "unavailable-markets",
            markets(product, &["JE"]),
            3,
        ),
        rule(
            "b",
            "ur",
            "unavailable-markets",
            markets(product, &["BR", "JE"]),
            9,
        ),
        // another product's rule is not consulted
        rule(
            "c",
            "ur",
            "unavailable-markets",
            markets("sql-server", &["BR"]),
            1,
        ),
    ]);
    let d = ask(&disagree, &Question::purchase(product, "BR").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::No, true));
    assert_eq!(rules_of(&d), ["b/ur", "a/ur"]);
    // where both agree on this market there is no conflict
    let d = ask(&disagree, &Question::purchase(product, "JE").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::No, false));
    let d = ask(&disagree, &Question::purchase(product, "MX").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
    let d = ask(&disagree, &Question::purchase("sql-server", "BR").unwrap());
    assert_eq!((rules_of(&d), d.conflict), (vec!["c/ur"], false));
}

#[test]
fn tax_includes_only_where_every_rule_lists_the_market() {
    let v = validator(vec![tax_au_br("a", 4), tax_au("b", 5)]);
    let d = ask(&v, &Question::tax("BR").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::No, true));
    assert_eq!(rules_of(&d), ["b/tax", "a/tax"]);
    let d = ask(&v, &Question::tax("AU").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
    assert_eq!(rules_of(&d), ["a/tax", "b/tax"]);
    let d = ask(&v, &Question::tax("JP").unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::No, false));
}

#[test]
fn cancel_within_the_shortest_window_only() {
    let window = |days: u32| json!({"days": days, "early_termination_fee": false});
    let v = validator(vec![
        rule(
            "a",
            "cancellation-window",
            "cancellation-window",
            window(60),
            7,
        ),
        rule(
            "b",
            "cancellation-window",
            "cancellation-window",
            window(30),
            8,
        ),
    ]);
    let on = |day: &str| Question::cancel("2024-01-01", Some(day)).unwrap();
    // day 45: a says yes, b says no
    let d = ask(&v, &on("2024-02-15"));
    assert_eq!((d.answer, d.conflict), (Answer::No, true));
    assert_eq!(
        rules_of(&d),
        ["b/cancellation-window", "a/cancellation-window"]
    );
    assert!(d.reasons[0].message.contains("30-day"), "{d:?}");
    // day 20: both yes; day 90: both no
    let d = ask(&v, &on("2024-01-21"));
    assert_eq!(
        (d.answer, d.conflict, d.reasons.len()),
        (Answer::Yes, false, 2)
    );
    let d = ask(&v, &on("2024-03-31"));
    assert_eq!(
        (d.answer, d.conflict, d.reasons.len()),
        (Answer::No, false, 2)
    );
}

#[test]
fn link_usable_only_within_every_rule_s_limits() {
    let limits =
        |days: u32, max: u32| json!({"valid_days": days, "max_downloads": max, "renewable": true});
    let v = validator(vec![
        rule(
            "a",
            "download-link-limits",
            "link-limits",
            limits(14, 50),
            1,
        ),
        rule("b", "download-link-limits", "link-limits", limits(7, 60), 2),
    ]);
    let link = |now: &str, downloads: &str| {
        Question::link("2024-01-01T00:00:00Z", Some(now), downloads).unwrap()
    };
    // day 10: b's link expired, a's is open
    let d = ask(&v, &link("2024-01-11T00:00:00Z", "3"));
    assert_eq!((d.answer, d.conflict), (Answer::No, true));
    assert_eq!(
        rules_of(&d),
        ["b/download-link-limits", "a/download-link-limits"]
    );
    // 55 downloads on day 2: a's count is spent, b's is not
    let d = ask(&v, &link("2024-01-03T00:00:00Z", "55"));
    assert_eq!((d.answer, d.conflict), (Answer::No, true));
    assert_eq!(
        rules_of(&d),
        ["a/download-link-limits", "b/download-link-limits"]
    );
    // day 20 and 70 downloads: both rules say no, each with both limits
    let d = ask(&v, &link("2024-01-21T00:00:00Z", "70"));
    assert_eq!((d.answer, d.conflict), (Answer::No, false));
    assert_eq!(d.reasons.len(), 4, "{d:?}");
    let d = ask(&v, &link("2024-01-02T00:00:00Z", "1"));
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
}

#[test]
fn role_allowed_only_when_every_rule_for_the_action_admits_a_role() {
    let roles = |any: &[&str]| json!({"action": "get-keys", "any_of_roles": any});
    let v = validator(vec![
        rule(
            "a",
            "get-keys-role",
            "role-requirement",
            roles(&["admin-agent", "global-admin"]),
            1,
        ),
        rule(
            "b",
            "get-keys-role",
            "role-requirement",
            roles(&["admin-agent"]),
            2,
        ),
        rule(
            "c",
            "other-role",
            "role-requirement",
            json!({"action": "download-software", "any_of_roles": ["global-admin"]}),
            3,
        ),
    ]);
    let d = ask(&v, &Question::role("get-keys", &["global-admin"]).unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::No, true));
    assert_eq!(rules_of(&d), ["b/get-keys-role", "a/get-keys-role"]);
    let d = ask(
        &v,
        &Question::role("get-keys", &["global-admin", "admin-agent"]).unwrap(),
    );
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
    assert_eq!(rules_of(&d), ["a/get-keys-role", "b/get-keys-role"]);
    // an unknown role still gets its reason, after every rule's
    let d = ask(&v, &Question::role("get-keys", &["nobody"]).unwrap());
    assert_eq!((d.answer, d.conflict), (Answer::No, false));
    assert_eq!(rules_of(&d), ["a/get-keys-role", "b/get-keys-role", "-"]);
}

#[test]
fn a_request_needs_the_union_of_the_fields_every_rule_requires() {
    let fields = |f: &[&str]| json!({"fields": f});
    let v = validator(vec![
        rule(
            "a",
            "crf",
            "cancellation-request-fields",
            fields(&["tenant", "refund-reason"]),
            1,
        ),
        rule(
            "b",
            "crf",
            "cancellation-request-fields",
            fields(&["tenant", "amount-requested"]),
            2,
        ),
    ]);
    let request = |r: serde_json::Value| Question::cancel_request(r).unwrap();
    let d = ask(
        &v,
        &request(json!({"tenant": "contoso.com", "refund_reason": "x"})),
    );
    assert_eq!((d.answer, d.conflict), (Answer::No, true));
    assert_eq!(rules_of(&d), ["b/crf", "a/crf"]);
    assert!(d.reasons[0].message.contains("amount requested"), "{d:?}");
    let d = ask(
        &v,
        &request(json!({"tenant": "contoso.com", "refund_reason": "x", "amount_requested": 3})),
    );
    assert_eq!((d.answer, d.conflict), (Answer::Yes, false));
    assert_eq!(rules_of(&d), ["a/crf", "b/crf"]);
    // tenant missing: both rules say no, each for its own fields
    let d = ask(&v, &request(json!({})));
    assert_eq!((d.answer, d.conflict), (Answer::No, false));
    assert_eq!(rules_of(&d), ["a/crf", "a/crf", "b/crf", "b/crf"]);
}

#[test]
fn one_rule_alone_is_never_a_conflict() {
    let v = validator(vec![rule(
        "a",
        "tax",
        "tax-inclusive-markets",
        json!({"markets": ["AU"]}),
        1,
    )]);
    for market in ["AU", "JP"] {
        let d = ask(&v, &Question::tax(market).unwrap());
        assert!(!d.conflict);
        assert_eq!(d.reasons.len(), 1);
    }
    // and no rule at all: the fail-closed answer, no conflict
    let v = validator(vec![]);
    let d = ask(&v, &Question::tax("AU").unwrap());
    assert_eq!(
        (d.answer, d.conflict, d.reasons[0].rule.clone()),
        (Answer::No, false, None)
    );
}

#[test]
fn a_conflict_s_reasons_name_their_articles_in_every_locale_with_messages() {
    let rules = vec![
        rule(
            "partner-center/cancel",
            "w",
            "cancellation-window",
            json!({"days": 60, "early_termination_fee": false}),
            7,
        ),
        rule(
            "billing/refunds",
            "w",
            "cancellation-window",
            json!({"days": 30, "early_termination_fee": false}),
            8,
        ),
    ];
    let locales = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../locales"));
    let conflict = Question::cancel("2024-01-01", Some("2024-02-15")).unwrap();
    let agreed = Question::cancel("2024-01-01", Some("2024-01-05")).unwrap();
    for locale in ["en", "ja-JP", "zh-TW"] {
        let messages = Messages::load(locales, locale).unwrap();
        assert_eq!(messages.locale(), locale);
        let v = Validator::with_messages(
            rulebook_rules::Rules::from_json(&common::file(rules.clone())).unwrap(),
            messages,
        );
        let d = ask(&v, &conflict);
        assert!(d.conflict);
        assert!(
            d.reasons[0].message.contains("billing/refunds"),
            "{locale}: {d:?}"
        );
        assert!(
            d.reasons[1].message.contains("partner-center/cancel"),
            "{locale}: {d:?}"
        );
        // the template is the locale's own, not the English fallback
        assert_eq!(
            locale == "en",
            d.reasons[0]
                .message
                .contains("other articles say otherwise"),
            "{locale}: {d:?}"
        );
        // the line the command line prints under a conflicting answer
        let note = v
            .messages()
            .format("decision-conflict", &Default::default());
        assert_ne!(note, "decision-conflict", "{locale}");
        assert_eq!(
            locale == "en",
            note.contains("stricter"),
            "{locale}: {note}"
        );
        let d = ask(&v, &agreed);
        assert!(!d.conflict);
        assert!(
            d.reasons
                .iter()
                .all(|r| !r.message.contains("partner-center/cancel")
                    && !r.message.contains("billing/refunds")),
            "{locale}: {d:?}"
        );
    }
}

#[test]
fn a_batch_line_carries_conflict() {
    let v = validator(vec![tax_au_br("a", 4), tax_au("b", 5)]);
    // the same finding worded with and without the article: the reason
    // cache keeps them apart
    let input = "{\"kind\":\"tax\",\"market\":\"BR\"}\n{\"kind\":\"tax\",\"market\":\"AU\"}\n{\"kind\":\"tax\",\"market\":\"BR\"}\n";
    let mut out = Vec::new();
    DecisionWriter::new(&v)
        .run(&mut input.as_bytes(), &mut out)
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for (line, q) in lines.iter().zip(["BR", "AU", "BR"]) {
        let d = v.check(&Question::tax(q).unwrap());
        assert_eq!(line["conflict"], json!(d.conflict), "{line}");
        assert_eq!(
            line["reasons"],
            serde_json::to_value(&d.reasons).unwrap(),
            "{line}"
        );
    }
    assert_eq!(lines[0]["conflict"], json!(true));
    assert_eq!(lines[1]["conflict"], json!(false));
    assert!(
        lines[0]["reasons"][1]["message"]
            .as_str()
            .unwrap()
            .contains("article a")
    );
    assert!(
        !lines[1]["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("article a")
    );
    // decision_json agrees
    let q = Question::tax("BR").unwrap();
    assert_eq!(
        rulebook_rules::batch::decision_json(&v, &q)["conflict"],
        json!(true)
    );
}
