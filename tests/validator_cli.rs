//! `rulebook check` end to end: exit codes, languages, batch streaming, and
//! damaged rules files (which must give exit 2 and a message, never a panic).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use proptest::prelude::*;
use rulebook::rules::Rules;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> PathBuf {
    root().join("tests/fixtures/sample-rules.json")
}

fn check_with(rules: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root())
        .arg("check")
        .arg("--rules")
        .arg(rules)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn check(args: &[&str]) -> Output {
    check_with(&sample(), args, None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn exit_codes_say_yes_no_and_error() {
    let yes = check(&["purchase", "--product", "windows-server", "--market", "BR"]);
    assert_eq!(yes.status.code(), Some(0), "{}", stderr(&yes));
    let no = check(&[
        "purchase",
        "--product",
        "azure-reservations",
        "--market",
        "je",
    ]);
    assert_eq!(no.status.code(), Some(1));
    assert!(stdout(&no).contains("Jersey (JE)"), "{}", stdout(&no));
    for bad in [
        &[
            "purchase",
            "--product",
            "azure-reservations",
            "--market",
            "BRA",
        ][..],
        &[
            "purchase",
            "--product",
            "azure-reservation",
            "--market",
            "BR",
        ],
        &["tax", "--market", "Q1"],
        &["cancel", "--purchased", "2023-02-29", "--on", "2023-03-01"],
        &["cancel", "--purchased", "2024-03-01", "--on", "2024-02-01"],
        &[
            "link",
            "--issued",
            "2024-01-01T00:00:00Z",
            "--downloads",
            "-1",
        ],
        &["link", "--issued", "yesterday", "--downloads", "1"],
        &["role", "--action", "get-keys"],
    ] {
        let o = check(bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("error"), "{bad:?}: {}", stderr(&o));
    }
    let negative = check(&[
        "link",
        "--issued",
        "2024-01-01T00:00:00Z",
        "--downloads",
        "-1",
    ]);
    assert!(
        stderr(&negative).contains("negative"),
        "{}",
        stderr(&negative)
    );
    let impossible = check(&["cancel", "--purchased", "2023-02-29"]);
    assert!(stderr(&impossible).contains("2023-02-29 is not a day of the calendar"));
}

#[test]
fn json_format_is_the_decision_contract() {
    let o = check(&[
        "--format",
        "json",
        "cancel",
        "--purchased",
        "2024-01-15",
        "--on",
        "2024-03-15",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["question"],
        serde_json::json!({"kind": "cancel", "purchased": "2024-01-15", "on": "2024-03-15"})
    );
    assert_eq!(v["answer"], "yes");
    assert_eq!(
        v["reasons"][0]["rule"],
        "csp-software-subscriptions/cancellation-window"
    );
    assert_eq!(
        v["reasons"][0]["source"]["path"],
        "content/en/csp-software-subscriptions.md"
    );
    assert_eq!(v["reasons"][0]["source"]["line"], 78);
}

#[test]
fn japanese_answers_use_local_market_names() {
    let o = check(&[
        "--lang",
        "ja-JP",
        "purchase",
        "--product",
        "azure-reservations",
        "--market",
        "BR",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.starts_with("いいえ\n"), "{text}");
    assert!(text.contains("ブラジル (BR) では購入できません"), "{text}");
    // A bare language negotiates to the regional folder.
    let o = check(&["--lang", "ja", "tax", "--market", "AU"]);
    assert!(
        stdout(&o).contains("オーストラリア (AU) の価格は税込みです"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn chinese_answers_use_local_market_names() {
    let o = check(&[
        "--lang",
        "zh-TW",
        "purchase",
        "--product",
        "azure-reservations",
        "--market",
        "BR",
    ]);
    let text = stdout(&o);
    assert!(text.starts_with("否\n"), "{text}");
    assert!(text.contains("巴西 (BR)"), "{text}");
    let o = check(&[
        "--lang",
        "zh-TW",
        "role",
        "--action",
        "cancel-purchase",
        "--role",
        "admin-agent",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("系統管理代理人可以取消購買"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_unknown_language_falls_back_to_english() {
    let o = check(&["--lang", "sw-KE", "tax", "--market", "BR"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("Prices in Brazil (BR) include tax."),
        "{}",
        stdout(&o)
    );
    let bad = check(&["--lang", "not a tag!", "tax", "--market", "BR"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn cancel_request_reads_a_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, r#"{"tenant":"72f988bf-86f1-41af-91ab-2d7cd011db47","subscription_id":"s-1","refund_reason":"wrong edition","amount_requested":12.5}"#).unwrap();
    let o = check(&["cancel-request", "--file", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"tenant":"contoso","amount_requested":"12,5"}"#).unwrap();
    let o = check(&["cancel-request", "--file", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    for want in [
        "not valid: customer tenant",
        "missing: order ID",
        "missing: refund reason",
        "not valid: amount requested",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    let o = check(&[
        "cancel-request",
        "--file",
        dir.path().join("none.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn batch_keeps_order_reports_bad_lines_and_goes_on() {
    let input = [
        r#"{"kind":"purchase","product":"azure-reservations","market":"BR"}"#,
        r#"{"kind":"tax","market":"JP"}"#,
        r#"{"kind":"purchase","product":"azure-reservations","market":"B"}"#,
        "not json",
        "",
        r#"{"kind":"link","issued":"2024-01-01T00:00:00Z","now":"2024-01-02T00:00:00Z","downloads":-3}"#,
        r#"{"kind":"role","action":"view-activity-log","roles":["referral-admin"]}"#,
    ]
    .join("\n");
    let o = check_with(&sample(), &["--batch", "-"], Some(&input));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "{}", stdout(&o));
    assert_eq!(lines[0]["answer"], "no");
    assert_eq!(lines[1]["answer"], "no");
    assert_eq!(
        lines[1]["reasons"][0]["rule"],
        "csp-software-subscriptions/tax-inclusive-markets"
    );
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"].as_str().unwrap().contains("\"B\""));
    assert_eq!(lines[3]["line"], 4);
    assert_eq!(lines[4]["line"], 6);
    assert!(lines[4]["error"].as_str().unwrap().contains("negative"));
    assert_eq!(lines[5]["answer"], "yes");

    let missing = check(&["--batch", "/nonexistent/questions.jsonl"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn batch_reads_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.jsonl");
    std::fs::write(
        &path,
        "{\"kind\":\"tax\",\"market\":\"AU\"}\n{\"kind\":\"tax\",\"market\":\"AU\"}\n",
    )
    .unwrap();
    let o = check(&["--batch", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    // The second line's reason comes from the cache; it must be identical.
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], lines[1]);
}

fn damaged(text: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.json");
    std::fs::write(&path, text).unwrap();
    check_with(&path, &["tax", "--market", "BR"], None)
}

#[test]
fn damaged_rules_files_exit_2_with_a_message() {
    let good = std::fs::read_to_string(sample()).unwrap();
    let cases = [
        ("truncated", good[..good.len() / 2].to_owned(), "EOF"),
        (
            "wrong schema",
            good.replace("rulebook/rules@2", "rulebook/rules@9"),
            "unsupported schema \"rulebook/rules@9\"",
        ),
        (
            "wrong type",
            good.replace("\"valid_days\": 14", "\"valid_days\": \"14\""),
            "rule \"csp-software-subscriptions/download-link-limits\" (link-limits): value: invalid type: string \"14\"",
        ),
        (
            "kind and shape disagree",
            good.replace(
                "\"kind\": \"tax-inclusive-markets\"",
                "\"kind\": \"link-limits\"",
            ),
            "has the shape of tax-inclusive-markets",
        ),
        (
            "lower-case market",
            good.replace("\"AU\",\"BR\"", "\"au\",\"BR\""),
            "not two upper-case letters",
        ),
        ("empty", String::new(), "JSON object"),
        ("not an object", "[]".to_owned(), "JSON object"),
    ];
    for (what, text, want) in cases {
        let o = damaged(&text);
        assert_eq!(o.status.code(), Some(2), "{what}");
        let err = stderr(&o);
        assert!(
            err.contains("error[rules-file]") && err.contains(want),
            "{what}: {err}"
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
    let missing = check_with(
        Path::new("/nonexistent/rules.json"),
        &["tax", "--market", "BR"],
        None,
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read"));
}

#[test]
fn a_rules_file_past_the_old_16_mib_cap_is_answered_from() {
    // The sample with 100,000 more rules (savings claims of other
    // articles, as a big build writes them): ~20 MiB, over the 16 MiB
    // `check` used to refuse, and more rules than a u16 index holds.
    let good = std::fs::read_to_string(sample()).unwrap();
    let many: Vec<String> = (0..100_000)
        .map(|i| {
            format!(
                r#"{{"id": "article-{i:06}/savings", "kind": "savings-claim", "article": "article-{i:06}", "value": {{"program": "program-{i}", "max_percent": 10}}, "source": {{"locale": "en", "path": "content/en/article-{i:06}.md", "line": 12}}, "by_locale": {{}}}}"#
            )
        })
        .collect();
    let big = good.replacen(
        "\"rules\": [",
        &format!("\"rules\": [{},", many.join(",")),
        1,
    );
    assert!(big.len() > 17 << 20, "{} bytes", big.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.json");
    std::fs::write(&path, &big).unwrap();
    let no = check_with(
        &path,
        &[
            "purchase",
            "--product",
            "azure-reservations",
            "--market",
            "je",
        ],
        None,
    );
    assert_eq!(no.status.code(), Some(1), "{}", stderr(&no));
    assert!(stdout(&no).contains("Jersey (JE)"), "{}", stdout(&no));
}

#[test]
fn a_rules_file_over_4_gib_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.json");
    std::fs::write(&path, "{").unwrap();
    // sparse: takes no room, and reading it would take long
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len((4 << 30) + 1).unwrap();
    let o = check_with(&path, &["tax", "--market", "BR"], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("error[rules-file]") && err.contains("the limit is 4294967296 bytes"),
        "{err}"
    );
}

/// Ways to damage a rules file: cut it, overwrite a byte, drop a range, or
/// put a value of the wrong type where a value was.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(usize),
    Replace(usize, u8),
    Remove(usize, usize),
    Retype(usize, &'static str),
}

fn damage(good: &str, d: &Damage) -> String {
    let mut bytes = good.as_bytes().to_vec();
    let n = bytes.len();
    match *d {
        Damage::Truncate(at) => bytes.truncate(at % n),
        Damage::Replace(at, b) => bytes[at % n] = b,
        Damage::Remove(at, len) => {
            let at = at % n;
            bytes.drain(at..(at + len).min(n));
        }
        Damage::Retype(which, with) => {
            // Replace the which-th value after a colon by another JSON value.
            let colons: Vec<usize> = good.match_indices(": ").map(|(i, _)| i + 2).collect();
            if !colons.is_empty() {
                let start = colons[which % colons.len()];
                let end = good[start..].find([',', '}', ']']).map_or(n, |e| start + e);
                bytes.splice(start..end, with.bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn damage_strategy() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Damage::Replace(a, b)),
        (any::<usize>(), 1usize..64).prop_map(|(a, l)| Damage::Remove(a, l)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "null", "-1", "\"XX\"", "[]", "{}", "1e400", "true", "\"\""
            ])
        )
            .prop_map(|(w, s)| Damage::Retype(w, s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The library never panics on a damaged file; whatever it accepts is
    /// a file it can answer from.
    #[test]
    fn mutated_rules_never_panic(d in damage_strategy()) {
        let good = std::fs::read_to_string(sample()).unwrap();
        let text = damage(&good, &d);
        if let Ok(rules) = Rules::from_json(&text) {
            let v = rulebook::rules::Validator::new(rules);
            for q in [
                r#"{"kind":"purchase","product":"azure-reservations","market":"BR"}"#,
                r#"{"kind":"tax","market":"AU"}"#,
                r#"{"kind":"cancel","purchased":"2024-01-01","on":"2024-03-01"}"#,
                r#"{"kind":"link","issued":"2024-01-01T00:00:00Z","now":"2024-01-02T00:00:00Z","downloads":3}"#,
                r#"{"kind":"role","action":"get-keys","roles":["admin-agent","x"]}"#,
                r#"{"kind":"cancel-request","request":{"tenant":"a.com"}}"#,
            ] {
                let q = rulebook::rules::Question::from_json(q).unwrap();
                let _ = v.check(&q);
            }
        }
    }
}

proptest! {
    // Each case starts a process; a few dozen are enough to show the CLI
    // maps every library error to exit 2.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn mutated_rules_exit_0_1_or_2_never_panic(d in damage_strategy()) {
        let good = std::fs::read_to_string(sample()).unwrap();
        let o = damaged(&damage(&good, &d));
        let err = stderr(&o);
        prop_assert!(matches!(o.status.code(), Some(0..=2)), "{:?}: {}", o.status, err);
        prop_assert!(!err.contains("panicked"), "{}", err);
        if o.status.code() == Some(2) {
            prop_assert!(err.contains("error[rules-file]"), "{}", err);
        }
    }
}

// ---- extreme values and unbounded input (issue 17, items 5 and 10) ----------

#[test]
fn a_rules_duration_over_a_century_is_refused_at_its_number() {
    let good = std::fs::read_to_string(sample()).unwrap();
    for (from, to, number) in [
        (
            "\"valid_days\": 14",
            "\"valid_days\": 4294967295",
            "4294967295",
        ),
        ("\"valid_days\": 14", "\"valid_days\": 95200000", "95200000"),
        ("\"days\": 60", "\"days\": 36526", "36526"),
    ] {
        let text = good.replacen(from, to, 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.json");
        std::fs::write(&path, &text).unwrap();
        let at = text.find(to).unwrap() + to.find(number).unwrap();
        let line = text[..at].matches('\n').count() + 1;
        let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
        for question in [
            &[
                "link",
                "--issued",
                "2024-01-01T00:00:00Z",
                "--downloads",
                "0",
            ][..],
            &["cancel", "--purchased", "2024-01-01"][..],
        ] {
            let o = check_with(&path, question, None);
            assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
            let err = stderr(&o);
            assert!(
                err.contains(&format!("rules.json:{line}:{col}: error[rules-file]: ")),
                "{err}"
            );
            assert!(err.contains(number) && err.contains("36525"), "{err}");
            assert!(err.contains("  = help: "), "{err}");
        }
        // the library says the same
        let e = Rules::from_json(&text).unwrap_err();
        assert_eq!(e.position(), Some((line, col)));
    }
}

#[test]
fn extreme_questions_are_answered_or_refused_never_a_panic() {
    let rules = {
        let good = std::fs::read_to_string(sample()).unwrap();
        let text = good
            .replacen("\"valid_days\": 14", "\"valid_days\": 36525", 1)
            .replacen("\"max_downloads\": 50", "\"max_downloads\": 4294967295", 1)
            .replacen("\"days\": 60", "\"days\": 36525", 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    };
    let end = "9999-12-31T23:59:59.999999999-23:59";
    let start = "0000-01-01T00:00:00+23:59";
    for (args, exit) in [
        (
            &[
                "link",
                "--issued",
                end,
                "--now",
                end,
                "--downloads",
                "4294967294",
            ][..],
            0,
        ),
        (
            &[
                "link",
                "--issued",
                end,
                "--now",
                end,
                "--downloads",
                "4294967295",
            ][..],
            1,
        ),
        (
            &["link", "--issued", start, "--now", end, "--downloads", "0"][..],
            1,
        ),
        (
            &[
                "link",
                "--issued",
                end,
                "--now",
                end,
                "--downloads",
                "4294967296",
            ][..],
            2,
        ),
        (
            &[
                "link",
                "--issued",
                end,
                "--now",
                end,
                "--downloads",
                "99999999999999999999999",
            ][..],
            2,
        ),
        (
            &["cancel", "--purchased", "0000-01-01", "--on", "9999-12-31"][..],
            1,
        ),
        (
            &["cancel", "--purchased", "9999-12-31", "--on", "9999-12-31"][..],
            0,
        ),
    ] {
        let o = check_with(&rules.1, args, None);
        assert_eq!(o.status.code(), Some(exit), "{args:?}: {}", stderr(&o));
        if exit == 2 {
            assert!(
                stderr(&o).contains("error[bad-question]: downloads: "),
                "{}",
                stderr(&o)
            );
        }
    }
    // and in a batch, as JSON
    let batch = format!(
        "{{\"kind\":\"link\",\"issued\":\"{end}\",\"now\":\"{end}\",\"downloads\":4294967296}}\n\
         {{\"kind\":\"link\",\"issued\":\"{end}\",\"now\":\"{end}\",\"downloads\":0}}\n"
    );
    let o = check_with(&rules.1, &["--batch", "-"], Some(&batch));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("{\"line\":1,\"error\":\"downloads: 4294967296 is more than"),
        "{out}"
    );
    assert!(lines[1].contains("\"answer\":\"yes\""), "{out}");
}

#[test]
fn a_batch_line_over_the_limit_gets_an_error_line_and_the_rest_is_answered() {
    let tax = "{\"kind\":\"tax\",\"market\":\"AU\"}\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.jsonl");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(tax.as_bytes()).unwrap();
    // 8 MiB of one line, then more questions
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..8 {
        file.write_all(&chunk).unwrap();
    }
    file.write_all(b"\n").unwrap();
    file.write_all(tax.as_bytes()).unwrap();
    file.write_all(tax.trim_end().as_bytes()).unwrap();
    drop(file);
    let o = check(&["--batch", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].starts_with("{\"line\":2,\"error\":\"the line is longer than 1048576 bytes"));
    for l in [lines[0], lines[2], lines[3]] {
        assert!(l.contains("\"answer\":\"yes\""), "{l}");
    }
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:2:1: warning[line-too-long]: ", path.display())),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_batch_that_never_ends_a_line_stops_with_exit_2() {
    // /dev/zero is endless; a hang guard, not a timing: the read is bounded
    let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .args(["--root"])
        .arg(root())
        .args(["check", "--rules"])
        .arg(sample())
        .args(["--batch", "/dev/zero"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("check --batch /dev/zero did not stop");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stdout(&o).lines().collect::<Vec<_>>(),
        [
            "{\"line\":1,\"error\":\"the line runs on past 1074790400 bytes without a newline; the batch stops here\"}"
        ]
    );
    assert!(
        stderr(&o).contains("/dev/zero:1:1: error[line-too-long]: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_cancellation_request_file_is_read_up_to_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    // a valid request padded past 1 MiB with white space
    let request = format!(
        "{{\"tenant\":\"contoso.onmicrosoft.com\",\"order_id\":\"1\",\"refund_reason\":\"x\",\"amount_requested\":1}}{}",
        " ".repeat(1 << 20)
    );
    std::fs::write(&big, &request).unwrap();
    let mut files = vec![big.clone()];
    if cfg!(unix) {
        files.push(PathBuf::from("/dev/zero"));
    }
    for file in files {
        let o = check(&["cancel-request", "--file", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{}: error[request-too-large]: ", file.display())),
            "{err}"
        );
        assert!(err.contains("  = help: "), "{err}");
    }
    // the same request at the limit is read
    std::fs::write(&big, &request[..1 << 20]).unwrap();
    let o = check(&["cancel-request", "--file", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
