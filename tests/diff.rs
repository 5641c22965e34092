//! `rulebook diff` and book/report.json: the translator's findings on the
//! bundled content, on edited copies of it, and on real corpus versions.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn diff_in(project: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(project)
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn findings(project: &Path, locales: &[&str]) -> Vec<Value> {
    let mut args = vec!["--format", "json", "--fail-on", "never"];
    args.extend_from_slice(locales);
    let (code, out, err) = diff_in(project, &args);
    assert_eq!(code, Some(0), "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    report["discrepancies"].as_array().unwrap().clone()
}

fn of<'a>(all: &'a [Value], locale: &str, code: &str) -> Vec<&'a Value> {
    all.iter()
        .filter(|d| d["locale"] == locale && d["code"] == code)
        .collect()
}

#[test]
fn bundled_content_findings_with_both_locations() {
    let all = findings(&root(), &[]);
    let ja = "content/ja-JP/csp-software-subscriptions.md";
    let en = "content/en/csp-software-subscriptions.md";

    let mismatch = of(&all, "ja-JP", "fact-mismatch");
    assert_eq!(mismatch.len(), 1, "{mismatch:#?}");
    let m = mismatch[0];
    assert_eq!(
        m["rule"],
        "csp-software-subscriptions/azure-reservations-unavailable-markets"
    );
    assert_eq!(m["severity"], "error");
    assert_eq!(
        m["found"]["extra"],
        serde_json::json!(["AZ", "BY", "IN", "KR", "KZ", "TW", "UA"])
    );
    assert_eq!(m["found"]["missing"], serde_json::json!(["JE"]));
    assert_eq!(
        (m["source"]["path"].as_str(), m["source"]["line"].as_u64()),
        (Some(ja), Some(23))
    );
    assert_eq!(
        (
            m["canonical"]["path"].as_str(),
            m["canonical"]["line"].as_u64()
        ),
        (Some(en), Some(23))
    );

    let missing = of(&all, "ja-JP", "missing-fact");
    assert!(
        missing
            .iter()
            .any(|d| d["rule"] == "csp-software-subscriptions/tax-inclusive-markets"),
        "{missing:#?}"
    );
    let section = of(&all, "ja-JP", "missing-section");
    assert_eq!(section.len(), 1);
    assert_eq!(
        section[0]["section"],
        "view-activity-for-software-key-access-and-software-downloads"
    );
    assert_eq!(section[0]["severity"], "warning");
    assert_eq!(section[0]["canonical"]["line"], 60);

    let stale = of(&all, "ja-JP", "stale-translation");
    assert_eq!(stale.len(), 1);
    assert_eq!(
        (stale[0]["found"].as_str(), stale[0]["expected"].as_str()),
        (Some("2018-08-31"), Some("2019-11-20"))
    );
    assert!(stale[0]["source"]["line"].as_u64().unwrap() > 0);

    let drift = of(&all, "ja-JP", "term-drift");
    let names: Vec<&str> = drift.iter().map(|d| d["found"].as_str().unwrap()).collect();
    assert!(names.contains(&"Azure 予約インスタンス"), "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("Azure Reserved Instances")),
        "{names:?}"
    );
    assert!(drift.iter().all(|d| d["expected"] == "Azure reservations"));

    let untranslated = of(&all, "zh-TW", "untranslated-segment");
    assert_eq!(untranslated.len(), 25);
    let first = untranslated
        .iter()
        .find(|d| d["source"]["segment"] == "76e84-105")
        .unwrap();
    assert_eq!(first["source"]["line"], 22);
    assert_eq!(first["severity"], "info");

    for code in [
        "stale-translation",
        "fact-mismatch",
        "missing-fact",
        "number-mismatch",
    ] {
        assert!(of(&all, "zh-TW", code).is_empty(), "zh-TW has {code}");
    }
    assert!(
        all.iter().all(|d| d["locale"] != "en"),
        "the source is not diffed against itself"
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(diff_in(&root(), &[]).0, Some(1));
    assert_eq!(diff_in(&root(), &["--fail-on", "never"]).0, Some(0));
    // zh-TW has notes only
    assert_eq!(diff_in(&root(), &["zh-TW"]).0, Some(0));
    assert_eq!(
        diff_in(&root(), &["--fail-on", "warning", "zh-TW"]).0,
        Some(0)
    );
    assert_eq!(
        diff_in(&root(), &["--fail-on", "warning", "ja-JP"]).0,
        Some(1)
    );
    let (code, _, err) = diff_in(&root(), &["xx-YY"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("error[missing-locale]"), "{err}");
}

#[test]
fn text_output_is_grouped_and_located() {
    let (_, text, _) = diff_in(&root(), &["ja-JP"]);
    assert!(text.starts_with("ja-JP — 3 errors, 4 warnings"), "{text}");
    assert!(
        text.contains("  § sell-software-subscriptions-through-csp\n"),
        "{text}"
    );
    assert!(text.contains(
        "    content/ja-JP/csp-software-subscriptions.md:23: error[fact-mismatch]: csp-software-subscriptions/azure-reservations-unavailable-markets differs from the en source: lists 7 the source does not (AZ, BY, IN, KR, KZ, TW, UA) and lacks 1 (JE)\n      canonical: content/en/csp-software-subscriptions.md:23\n"
    ), "{text}");
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
}

/// Replace the target text of one segment in the zh-TW article.
fn set_zh_target(project: &Path, id: &str, target: &str) {
    let path = project.join("content/zh-TW/csp-software-subscriptions.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let open = format!("<span data-ttu-id=\"{id}\">");
    let start = text.find(&open).unwrap() + open.len();
    let end = start + text[start..].find("</span>").unwrap();
    let edited = format!("{}{}{}", &text[..start], target, &text[end..]);
    std::fs::write(&path, edited).unwrap();
}

#[test]
fn number_mismatch_inside_a_segment() {
    let project = project();
    // 76e84-149: "You can cancel a software purchase within 60 days of the purchase date."
    set_zh_target(
        project.path(),
        "76e84-149",
        "您可以在購買日期後 30 天內取消軟體購買。",
    );
    let all = findings(project.path(), &["zh-TW"]);
    let found = of(&all, "zh-TW", "number-mismatch");
    assert_eq!(found.len(), 1, "{all:#?}");
    assert_eq!(found[0]["source"]["segment"], "76e84-149");
    assert_eq!(found[0]["expected"]["numbers"], serde_json::json!([60]));
    assert_eq!(found[0]["found"]["numbers"], serde_json::json!([30]));
    assert_eq!(diff_in(project.path(), &["zh-TW"]).0, Some(1));

    set_zh_target(
        project.path(),
        "76e84-149",
        "您可以在購買日期後 60 天內取消軟體購買。",
    );
    let all = findings(project.path(), &["zh-TW"]);
    assert!(of(&all, "zh-TW", "number-mismatch").is_empty(), "{all:#?}");
    // number words count too: 兩個星期 = two weeks (76e84-137 says both)
    assert!(all.iter().all(|d| d["source"]["segment"] != "76e84-137"));
}

#[test]
fn step_count_mismatch() {
    let project = project();
    let path = project
        .path()
        .join("content/ja-JP/csp-software-subscriptions.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.find("\n\n9.  完了したら").unwrap();
    std::fs::write(&path, &text[..cut + 1]).unwrap();
    let all = findings(project.path(), &["ja-JP"]);
    let steps = of(&all, "ja-JP", "step-count-mismatch");
    assert_eq!(steps.len(), 1, "{all:#?}");
    assert_eq!(steps[0]["section"], "cancel-a-purchase");
    assert_eq!(
        (steps[0]["found"].as_u64(), steps[0]["expected"].as_u64()),
        (Some(8), Some(9))
    );
    assert!(steps[0]["source"]["line"].as_u64().unwrap() > 0);
}

/// The unavailable markets EXPECTED.tsv gives for a corpus file.
fn expected_markets(file: &str) -> Vec<String> {
    let text = read(shared().join("corpus/article/EXPECTED.tsv"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = header
        .iter()
        .position(|h| *h == "unavailable_markets")
        .unwrap();
    let row = lines.find(|l| l.split('\t').next() == Some(file)).unwrap();
    row.split('\t')
        .nth(col)
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect()
}

#[test]
fn two_real_versions_report_the_market_changes() {
    // en of 2019-12 (the 106-market table) against a ja-JP of 2019-11 (12 markets)
    let (en_file, ja_file) = ("en--2019-12-18.md", "ja-JP--2019-11-20.md");
    let project = tempfile::tempdir().unwrap();
    copy_tree(&root().join("locales"), &project.path().join("locales"));
    for (locale, file) in [("en", en_file), ("ja-JP", ja_file)] {
        let dir = project.path().join("content").join(locale);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            shared().join("corpus/article").join(file),
            dir.join("csp-software-subscriptions.md"),
        )
        .unwrap();
    }
    let all = findings(project.path(), &[]);
    let m = of(&all, "ja-JP", "fact-mismatch")
        .into_iter()
        .find(|d| d["rule"] == "csp-software-subscriptions/azure-reservations-unavailable-markets")
        .expect("the market lists differ");
    let (new, old) = (expected_markets(en_file), expected_markets(ja_file));
    let extra: Vec<&String> = old.iter().filter(|c| !new.contains(c)).collect();
    let missing: Vec<&String> = new.iter().filter(|c| !old.contains(c)).collect();
    assert_eq!(m["found"]["extra"], serde_json::json!(extra));
    assert_eq!(m["found"]["missing"], serde_json::json!(missing));
    assert!(!missing.is_empty() && !extra.is_empty());
    // the 2019-12 English has a section the older translation lacks
    assert!(!of(&all, "ja-JP", "missing-section").is_empty());
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let (_, out, _) = diff_in(&root(), &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let schema: Value =
        serde_json::from_str(&read(root().join("tests/fixtures/sarif-2.1.0-rtm.5.json"))).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let fact = results
        .iter()
        .find(|r| r["ruleId"] == "fact-mismatch")
        .unwrap();
    assert_eq!(fact["level"], "error");
    assert_eq!(
        fact["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "content/ja-JP/csp-software-subscriptions.md"
    );
    assert_eq!(
        fact["locations"][0]["physicalLocation"]["region"]["startLine"],
        23
    );
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "untranslated-segment" && r["level"] == "note")
    );
    // and a schema check that can fail: a result without a message is refused
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn every_build_writes_the_same_findings_to_report_json() {
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root())
        .args(["-q", "build", "--out"])
        .arg(out.path().join("book"))
        .status()
        .unwrap();
    assert!(status.success());
    let report: Value = serde_json::from_str(&read(out.path().join("book/report.json"))).unwrap();
    assert_eq!(report["schema"], "rulebook/report@2");
    assert_eq!(report["summary"]["zh-TW"]["untranslated_segments"], 25);
    assert_eq!(report["summary"]["zh-TW"]["segments"], 69);
    assert_eq!(
        report["discrepancies"],
        Value::Array(findings(&root(), &[]))
    );
}

/// An article only a translation has is an `extra-article` of that locale,
/// located at its file, and its facts are still read; one the source has
/// and a locale lacks is that locale's `missing-article`, placed at the
/// source; the bundled article, which every locale has, is neither.
#[test]
fn articles_a_locale_lacks_or_only_a_translation_has_are_findings() {
    let dir = project();
    let ja = dir.path().join("content/ja-JP");
    std::fs::copy(
        ja.join("csp-software-subscriptions.md"),
        ja.join("only-in-japanese.md"),
    )
    .unwrap();
    let en = dir.path().join("content/en");
    std::fs::copy(
        en.join("csp-software-subscriptions.md"),
        en.join("only-in-english.md"),
    )
    .unwrap();
    let all = findings(dir.path(), &[]);
    let extra = of(&all, "ja-JP", "extra-article");
    assert_eq!(extra.len(), 1, "{extra:#?}");
    assert_eq!(
        extra[0]["source"]["path"],
        "content/ja-JP/only-in-japanese.md"
    );
    for locale in ["ja-JP", "zh-TW"] {
        let missing = of(&all, locale, "missing-article");
        assert_eq!(missing.len(), 1, "{locale}: {missing:#?}");
        assert_eq!(missing[0]["expected"], "content/en/only-in-english.md");
        assert_eq!(
            missing[0]["canonical"]["path"],
            "content/en/only-in-english.md"
        );
    }
    assert!(of(&all, "en", "missing-article").is_empty());
}

/// A project of the bundled article's real en and ja-JP versions of
/// 2021-04-06 (both list Admin agent and Global admin under their roles
/// label), each text first passed through its edit.
fn real_pair(edit_en: fn(String) -> String, edit_ja: fn(String) -> String) -> tempfile::TempDir {
    let project = tempfile::tempdir().unwrap();
    copy_tree(&root().join("locales"), &project.path().join("locales"));
    for (locale, edit) in [("en", edit_en), ("ja-JP", edit_ja)] {
        let text = read(shared().join(format!("corpus/article/{locale}--2021-04-06.md")));
        let dir = project.path().join("content").join(locale);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("csp-software-subscriptions.md"), edit(text)).unwrap();
    }
    project
}

/// The real ja-JP text with one role dropped from its roles list (no real
/// version of the article drops one: every version the corpus holds lists
/// both) is a `role-mismatch` at the translation's roles line, with the
/// source's line beside it and both role sets named, and no generic
/// `fact-mismatch` besides; text and SARIF carry it too.
#[test]
fn a_translation_naming_other_roles_is_a_role_mismatch() {
    let drop_global = |t: String| {
        assert!(t.contains("\n- グローバル管理者\n"));
        t.replacen("\n- グローバル管理者\n", "\n", 1)
    };
    let project = real_pair(|t| t, drop_global);
    let all = findings(project.path(), &[]);
    let roles: Vec<&Value> = all
        .iter()
        .filter(|d| d["rule"] == "csp-software-subscriptions/roles")
        .collect();
    assert_eq!(roles.len(), 1, "{roles:#?}");
    let m = roles[0];
    assert_eq!(m["code"], "role-mismatch");
    assert_eq!(m["severity"], "error");
    assert_eq!(m["locale"], "ja-JP");
    assert_eq!(
        m["source"]["path"],
        "content/ja-JP/csp-software-subscriptions.md"
    );
    assert_eq!(m["source"]["line"], 21);
    assert_eq!(
        m["canonical"]["path"],
        "content/en/csp-software-subscriptions.md"
    );
    assert_eq!(m["canonical"]["line"], 14);
    assert_eq!(
        m["expected"]["any_of_roles"],
        serde_json::json!(["admin-agent", "global-admin"])
    );
    assert_eq!(
        m["found"]["value"]["any_of_roles"],
        serde_json::json!(["admin-agent"])
    );
    assert_eq!(m["found"]["missing"], serde_json::json!(["global-admin"]));
    assert_eq!(m["found"]["extra"], serde_json::json!([]));
    let message = m["message"].as_str().unwrap();
    assert!(
        message.contains("by admin-agent here and by admin-agent, global-admin in the source"),
        "{message}"
    );
    let (_, text, _) = diff_in(project.path(), &["--fail-on", "never"]);
    assert!(text.contains("role-mismatch"), "{text}");
    let (_, sarif, _) = diff_in(project.path(), &["--format", "sarif", "--fail-on", "never"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "role-mismatch")
        .expect("a SARIF result");
    assert_eq!(result["level"], "error");
}

/// Roles only the translation states (the real en text without its roles
/// list, the real ja-JP text with it) are an `extra-fact` at the ja-JP
/// line, related to the source article's top where the list would stand;
/// the source is not told it misses a fact a translation has.
#[test]
fn a_fact_only_a_translation_states_is_an_extra_fact() {
    let drop_roles = |t: String| {
        let block = "**Appropriate roles**\n\n- Admin agent\n- Global admin\n\n";
        assert!(t.contains(block));
        t.replacen(block, "", 1)
    };
    let project = real_pair(drop_roles, |t| t);
    let all = findings(project.path(), &[]);
    let extra = of(&all, "ja-JP", "extra-fact");
    let roles: Vec<&&Value> = extra
        .iter()
        .filter(|d| d["rule"] == "csp-software-subscriptions/roles")
        .collect();
    assert_eq!(roles.len(), 1, "{extra:#?}");
    let e = roles[0];
    assert_eq!(e["severity"], "warning");
    assert_eq!(
        e["source"]["path"],
        "content/ja-JP/csp-software-subscriptions.md"
    );
    assert_eq!(e["source"]["line"], 21);
    assert_eq!(
        e["canonical"]["path"],
        "content/en/csp-software-subscriptions.md"
    );
    assert_eq!(
        e["found"]["any_of_roles"],
        serde_json::json!(["admin-agent", "global-admin"])
    );
    assert!(
        !all.iter()
            .any(|d| d["rule"] == "csp-software-subscriptions/roles" && d["code"] != "extra-fact"),
        "{all:#?}"
    );
}

/// A section's own roles line that only the translation has (the real ja-JP
/// text given one under "Cancel a purchase") is an `extra-fact` of that
/// section, its related location the source's section of the same anchor;
/// the article's top roles, which both state alike, are no finding.
#[test]
fn a_section_fact_only_a_translation_states_points_at_the_source_section() {
    let add_roles = |t: String| {
        let heading = "## <a name=\"cancel-a-purchase\"></a>購入を取り消す\n";
        assert!(t.contains(heading));
        t.replacen(
            heading,
            &format!("{heading}\n**適切なロール**: 課金管理者\n"),
            1,
        )
    };
    let project = real_pair(|t| t, add_roles);
    let all = findings(project.path(), &[]);
    let extra = of(&all, "ja-JP", "extra-fact");
    assert_eq!(extra.len(), 1, "{extra:#?}");
    let e = extra[0];
    assert_eq!(e["section"], "cancel-a-purchase");
    assert_eq!(e["source"]["line"], 132);
    assert_eq!(
        e["found"]["any_of_roles"],
        serde_json::json!(["billing-admin"])
    );
    assert_eq!(
        e["found"]["action"],
        "csp-software-subscriptions#cancel-a-purchase"
    );
    assert_eq!(
        e["canonical"]["path"],
        "content/en/csp-software-subscriptions.md"
    );
    assert_eq!(e["canonical"]["line"], 123);
    assert_eq!(e["canonical"]["section"], "cancel-a-purchase");
    assert!(of(&all, "ja-JP", "role-mismatch").is_empty(), "{all:#?}");
}
