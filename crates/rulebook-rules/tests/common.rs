//! Rules files built in the test, rule by rule.

#![allow(dead_code)]

use rulebook_rules::{Rules, Validator};
use serde_json::{Value, json};

/// One rule of `article`, stated at `line` of its English file.
pub(crate) fn rule(article: &str, local: &str, kind: &str, value: Value, line: u32) -> Value {
    json!({
        "id": format!("{article}/{local}"),
        "kind": kind,
        "article": article,
        "value": value,
        "source": {"locale": "en", "path": format!("content/en/{article}.md"), "line": line},
        "by_locale": {}
    })
}

/// A rules@2 file holding `rules`, as text.
pub(crate) fn file(rules: Vec<Value>) -> String {
    json!({
        "schema": "rulebook/rules@2",
        "canonical_locale": "en",
        "policy": "source-wins",
        "sources": [],
        "rules": rules
    })
    .to_string()
}

/// A validator (English) over `rules`.
pub(crate) fn validator(rules: Vec<Value>) -> Validator {
    Validator::new(Rules::from_json(&file(rules)).expect("the rules load"))
}

/// Article `article`'s tax rule listing AU and BR, at `line`.
pub(crate) fn tax_au_br(article: &str, line: u32) -> Value {
    rule(
        article,
        "tax",
        "tax-inclusive-markets",
        serde_json::json!({"markets": ["AU", "BR"]}),
        line,
    )
}

/// Article `article`'s tax rule listing AU alone, at `line`: it disagrees
/// with [`tax_au_br`] on BR.
pub(crate) fn tax_au(article: &str, line: u32) -> Value {
    rule(
        article,
        "tax",
        "tax-inclusive-markets",
        serde_json::json!({"markets": ["AU"]}),
        line,
    )
}
