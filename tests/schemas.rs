//! Every file a build writes validates against the schema the same build
//! writes into `book/schemas/`, picked by `$id` from the file's own `schema`
//! field; so do the decisions `rulebook check --format json` and batches
//! print, and the questions they read.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{project, root};
use serde_json::Value;

fn build(project: &Path, out: &Path) {
    let result = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(project)
        .args(["build", "--out"])
        .arg(out)
        .output()
        .expect("rulebook runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

fn json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `book/schemas/*`, by `$id`: exactly the five the crate generates, and
/// the rules@1 location is gone.
fn schemas(book: &Path) -> BTreeMap<String, Value> {
    let mut names: Vec<String> = std::fs::read_dir(book.join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "decision.schema.json",
            "procedures.schema.json",
            "question.schema.json",
            "report.schema.json",
            "rules.schema.json"
        ]
    );
    assert!(!book.join("rules.schema.json").exists());
    let mut by_id = BTreeMap::new();
    for (name, generated) in rulebook::rules::schemas() {
        let written = json(&book.join("schemas").join(name));
        assert_eq!(written, generated, "{name} is not what the crate generates");
        let id = written["$id"].as_str().unwrap().to_owned();
        by_id.insert(id, written);
    }
    by_id
}

#[track_caller]
fn validate(schemas: &BTreeMap<String, Value>, id: &str, doc: &Value, what: &str) {
    let schema = schemas
        .get(id)
        .unwrap_or_else(|| panic!("{what}: no schema with $id {id}"));
    let validator = jsonschema::draft202012::new(schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(20)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what} against {id}: {errors:#?}");
}

/// rules.json, procedures.json and report.json, each against the schema its
/// `schema` field names.
fn data_files_validate(book: &Path) {
    let schemas = schemas(book);
    for (file, schema) in [
        ("rules.json", "rulebook/rules@2"),
        ("procedures.json", "rulebook/procedures@1"),
        ("report.json", "rulebook/report@2"),
    ] {
        let doc = json(&book.join(file));
        assert_eq!(doc["schema"], schema, "{file}");
        let id = rulebook::rules::schema::urn(doc["schema"].as_str().unwrap());
        validate(&schemas, &id, &doc, file);
    }
}

#[test]
fn the_bundled_projects_files_validate_against_their_schemas() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("book");
    build(&root(), &book);
    data_files_validate(&book);
    let rules = json(&book.join("rules.json"));
    assert!(rules["rules"].as_array().is_some_and(|r| r.len() >= 7));
}

/// A second article with the same facts: more than one rule of a kind,
/// ids told apart by their article. (Articles in subfolders are issue 19's:
/// the crate's schema tests cover ids with `/` in the article path.)
#[test]
fn a_project_with_repeated_articles_validates() {
    let project = project();
    for locale in ["en", "ja-JP", "zh-TW"] {
        let dir = project.path().join("content").join(locale);
        std::fs::copy(
            dir.join("csp-software-subscriptions.md"),
            dir.join("software-copy.md"),
        )
        .unwrap();
    }
    let book = project.path().join("book");
    build(project.path(), &book);
    data_files_validate(&book);
    let rules = json(&book.join("rules.json"));
    assert!(
        rules["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["article"] == "software-copy"
                && r["id"].as_str().unwrap().starts_with("software-copy/")),
        "no rule of the second article"
    );
}

const QUESTIONS: &[&str] = &[
    r#"{"kind":"purchase","product":"azure-reservations","market":"br"}"#,
    r#"{"kind":"purchase","product":"azure-reservations","market":"FR"}"#,
    r#"{"kind":"tax","market":"AU"}"#,
    r#"{"kind":"tax","market":"US"}"#,
    r#"{"kind":"cancel","purchased":"2024-01-15","on":"2024-03-15"}"#,
    r#"{"kind":"cancel","purchased":"2024-01-15","on":"2024-01-20"}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","now":"2024-01-20T09:30:00Z","downloads":3}"#,
    r#"{"kind":"link","issued":"2024-01-15T09:30:00Z","now":"2024-03-20T09:30:00Z","downloads":3}"#,
    r#"{"kind":"role","action":"download-software","roles":["admin-agent"]}"#,
    r#"{"kind":"role","action":"download-software","roles":["global-admin"]}"#,
    r#"{"kind":"cancel-request","request":{"tenant":"contoso.onmicrosoft.com"}}"#,
];

#[test]
fn decisions_of_check_and_of_batches_validate() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("book");
    build(&root(), &book);
    let schemas = schemas(&book);
    let rules = book.join("rules.json");
    let check = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
            .arg("--root")
            .arg(root())
            .args(["check", "--rules"])
            .arg(&rules)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rulebook runs");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    };

    // one question at a time, as the command line asks it
    for (args, answer) in [
        (
            &[
                "purchase",
                "--product",
                "azure-reservations",
                "--market",
                "BR",
            ][..],
            "no",
        ),
        (&["tax", "--market", "AU"][..], "yes"),
        (
            &["cancel", "--purchased", "2024-01-15", "--on", "2024-03-15"][..],
            "yes",
        ),
        (
            &[
                "role",
                "--action",
                "download-software",
                "--role",
                "global-admin",
            ][..],
            "no",
        ),
    ] {
        let mut full = vec!["--format", "json"];
        full.extend_from_slice(args);
        let o = check(&full, None);
        let stdout = String::from_utf8_lossy(&o.stdout);
        let decision: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout:?}"));
        assert_eq!(decision["answer"], answer, "{args:?}");
        assert_eq!(o.status.code(), Some(if answer == "yes" { 0 } else { 1 }));
        validate(
            &schemas,
            "urn:rulebook:schema:decision@1",
            &decision,
            &format!("{args:?}"),
        );
        validate(
            &schemas,
            "urn:rulebook:schema:question@1",
            &decision["question"],
            &format!("{args:?}: the question written back"),
        );
    }

    // a batch: every question valid, every decision line valid
    for q in QUESTIONS {
        let doc: Value = serde_json::from_str(q).unwrap();
        validate(&schemas, "urn:rulebook:schema:question@1", &doc, q);
    }
    let input = QUESTIONS.join("\n") + "\n";
    let o = check(&["--batch", "-"], Some(&input));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), QUESTIONS.len(), "{stdout}");
    for (line, q) in lines.iter().zip(QUESTIONS) {
        let decision: Value = serde_json::from_str(line).unwrap();
        validate(&schemas, "urn:rulebook:schema:decision@1", &decision, q);
    }
}
