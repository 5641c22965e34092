//! rules.json's `vocabulary` and `rulebook check --list` (issue 20, item
//! 5): what a question may name, with its names per locale, on the bundled
//! project and on a slice of the real tree.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::tree::tree_project;
use common::{project, read, rulebook_in};
use serde_json::Value;

fn build(dir: &Path) -> Value {
    let out = rulebook_in(dir, &["-q", "build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&read(dir.join("book/rules.json"))).unwrap()
}

fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let out = rulebook_in(dir, &all);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Each id of a roles.tsv with the first name the file lists for it, read
/// here independently of the build.
fn first_names(tsv: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in tsv.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (name, id) = line.split_once('\t').unwrap();
        out.entry(id.trim().to_owned())
            .or_insert_with(|| name.trim().to_owned());
    }
    out
}

/// The `action` of every role-requirement rule.
fn rule_actions(rules: &Value) -> BTreeSet<String> {
    rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "role-requirement")
        .map(|r| r["value"]["action"].as_str().unwrap().to_owned())
        .collect()
}

fn text_list(out: &str) -> BTreeMap<String, String> {
    out.lines()
        .map(|l| {
            let (id, name) = l.split_once('\t').unwrap();
            (id.to_owned(), name.to_owned())
        })
        .collect()
}

#[test]
fn the_bundled_project_lists_its_roles_and_actions_with_their_names() {
    let dir = project();
    // a section of its own with a roles line: an `article#section` action,
    // named by the section's heading
    let article = dir.path().join("content/en/csp-software-subscriptions.md");
    let mut text = read(&article);
    text.push_str("\n## <a name=\"refunds\"></a>Refunds\n\n**Appropriate roles**: Billing admin\n\nRefunds are paid to the original payment method.\n");
    std::fs::write(&article, text).unwrap();
    let rules = build(dir.path());
    let vocabulary = &rules["vocabulary"];

    // every role of each locale's roles.tsv, named by its first name there
    for locale in ["en", "ja-JP", "zh-TW"] {
        let names = first_names(&read(
            dir.path().join(format!("locales/{locale}/roles.tsv")),
        ));
        assert!(names.len() > 20, "{locale}: {}", names.len());
        for (id, name) in &names {
            assert_eq!(
                vocabulary["roles"][id][locale], *name,
                "{locale} name of {id}"
            );
        }
    }
    assert_eq!(
        vocabulary["roles"]["admin-agent"]["ja-JP"],
        "管理エージェント"
    );
    // every action a rule names, no other
    let actions: BTreeSet<String> = vocabulary["actions"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(actions, rule_actions(&rules));
    assert_eq!(
        vocabulary["actions"]["csp-software-subscriptions#refunds"],
        serde_json::json!({"en": "Refunds"})
    );
    assert_eq!(vocabulary["subjects"], Value::Null, "empty: left out");

    // --list: text in the asked language, JSON with --format json
    let (code, out, err) = check(dir.path(), &["--list", "roles", "--lang", "ja"]);
    assert_eq!(code, Some(0), "{err}");
    let roles = text_list(&out);
    assert_eq!(roles["sales-agent"], "販売代理店");
    assert_eq!(roles["global-admin"], "グローバル管理者");
    let (code, out, _) = check(
        dir.path(),
        &["--list", "actions", "--format", "json", "--lang", "fr-FR"],
    );
    assert_eq!(code, Some(0));
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list["list"], "actions");
    let items = list["items"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    for action in &actions {
        assert!(ids.contains(&action.as_str()), "{action} not listed");
    }
    // a language without names falls back to the source locale's
    let refunds = items
        .iter()
        .find(|i| i["id"] == "csp-software-subscriptions#refunds")
        .unwrap();
    assert_eq!(refunds["name"], "Refunds");
    let (_, out, _) = check(dir.path(), &["--list", "markets", "--lang", "ja-JP"]);
    let markets = text_list(&out);
    assert_eq!(markets["KR"], "韓国");
    assert!(markets.len() > 240, "{}", markets.len());
    let (_, out, _) = check(dir.path(), &["--list", "subjects"]);
    assert!(text_list(&out).contains_key("azure-reservations"), "{out}");
    // --list replaces a question
    let (code, _, err) = check(dir.path(), &["--list", "roles", "tax", "--market", "AU"]);
    assert_eq!(code, Some(2), "{err}");

    // a role of roles.tsv no rule names is a "no" with a reason; an id
    // known nowhere is a usage error naming the closest ids
    let (code, out, err) = check(
        dir.path(),
        &[
            "role",
            "--action",
            "cancel-purchase",
            "--role",
            "sales-agent",
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        out.contains("csp-software-subscriptions/cancel-purchase-role"),
        "{out}"
    );
    let (code, _, err) = check(
        dir.path(),
        &[
            "role",
            "--action",
            "cancel-purchase",
            "--role",
            "salse-agent",
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("sales-agent"), "{err}");

    // --help says where the ids come from
    let (_, help, _) = check(dir.path(), &["--help"]);
    assert!(help.contains("--list"), "{help}");
    assert!(help.contains("vocabulary"), "{help}");
    assert!(help.contains("roles.tsv"), "{help}");
}

/// The H1 of an article file, without its `<a name>`; of a bilingual
/// file, its translation (the first segment's text).
fn h1(path: &Path) -> String {
    let text = read(path);
    let line = text.lines().find(|l| l.starts_with("# ")).unwrap();
    let mut title = line.trim_start_matches("# ");
    if let Some(end) = title.find("</a>") {
        title = &title[end + 4..];
    }
    if title.contains("data-ttu-id") {
        let start = title.find("\">").unwrap() + 2;
        let end = title.find("</span>").unwrap();
        title = &title[start..end];
    }
    title.trim().to_owned()
}

#[test]
fn the_tree_names_each_roles_line_action_by_its_article_title_per_locale() {
    let dir = tree_project();
    let rules = build(dir.path());
    let actions = &rules["vocabulary"]["actions"];
    let used = rule_actions(&rules);
    let articles: Vec<&str> = common::tree::ARTICLES
        .iter()
        .copied()
        .filter(|a| used.contains(*a))
        .collect();
    assert!(articles.len() >= 10, "{articles:?}");
    for article in &articles {
        for locale in ["zh-TW", "ja-JP"] {
            let file = dir.path().join(format!("content/{locale}/{article}.md"));
            assert_eq!(actions[article][locale], h1(&file), "{locale} {article}");
        }
    }
    let (code, out, err) = check(dir.path(), &["--list", "actions", "--lang", "ja-JP"]);
    assert_eq!(code, Some(0), "{err}");
    let listed = text_list(&out);
    let file = dir
        .path()
        .join("content/ja-JP/partner-center/activity-logs.md");
    assert_eq!(listed["partner-center/activity-logs"], h1(&file));
    assert!(h1(&file).contains("アクティビティログ"));
    // a role of the vocabulary the article does not name: "no", answered
    let rule = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "partner-center/activity-logs/roles")
        .unwrap();
    let granted = rule["value"]["any_of_roles"].as_array().unwrap();
    let other = rules["vocabulary"]["roles"]
        .as_object()
        .unwrap()
        .keys()
        .find(|r| !granted.iter().any(|g| g == *r))
        .unwrap();
    let (code, out, err) = check(
        dir.path(),
        &[
            "--lang",
            "ja-JP",
            "role",
            "--action",
            "partner-center/activity-logs",
            "--role",
            other,
        ],
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("partner-center/activity-logs/roles"), "{out}");
}
