//! Validator throughput: in-process checks per second (purchase, tax,
//! cancel), batch JSONL lines per second, and rules load time.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};
use rulebook::rules::batch::DecisionWriter;
use rulebook::rules::{Question, Rules, Validator};

/// rules.json as `rulebook build` writes it for the bundled content (rules,
/// by_locale, procedures, sources), built in-process.
fn rules_text() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = rulebook::load::load_project(root).expect("bundled content loads");
    let (rules, _) = rulebook::emit::rules_for_project(&project).expect("bundled content builds");
    String::from_utf8(rulebook::emit::to_json_bytes(&rules)).expect("JSON is UTF-8")
}

fn checks(c: &mut Criterion) {
    let validator = Validator::new(Rules::from_json(&rules_text()).expect("rules"));
    let questions = [
        (
            "purchase",
            Question::purchase("azure-reservations", "KR").expect("q"),
        ),
        ("tax", Question::tax("BR").expect("q")),
        (
            "cancel",
            Question::cancel("2024-01-15", Some("2024-03-15")).expect("q"),
        ),
    ];
    let mut group = c.benchmark_group("validator/check");
    group.throughput(Throughput::Elements(1));
    for (name, q) in &questions {
        group.bench_function(*name, |b| b.iter(|| validator.answer(black_box(q))));
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let validator = Validator::new(Rules::from_json(&rules_text()).expect("rules"));
    let lines = [
        r#"{"kind":"purchase","product":"azure-reservations","market":"BR"}"#,
        r#"{"kind":"purchase","product":"azure-reservations","market":"KR"}"#,
        r#"{"kind":"tax","market":"AU"}"#,
        r#"{"kind":"tax","market":"JP"}"#,
        r#"{"kind":"cancel","purchased":"2024-01-15","on":"2024-03-15"}"#,
        r#"{"kind":"cancel","purchased":"2024-01-15","on":"2024-03-16"}"#,
        r#"{"kind":"purchase","product":"windows-server","market":"BR"}"#,
        r#"{"kind":"role","action":"get-keys","roles":["admin-agent"]}"#,
    ];
    let n = 10_000;
    let input: String = lines
        .iter()
        .cycle()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect();
    let mut group = c.benchmark_group("validator/batch");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("jsonl", |b| {
        let mut out = Vec::with_capacity(n * 300);
        b.iter(|| {
            out.clear();
            let mut writer = DecisionWriter::new(&validator);
            writer.run(&mut input.as_bytes(), &mut out).expect("batch");
            black_box(out.len())
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let text = rules_text();
    c.bench_function("validator/load", |b| {
        b.iter(|| Rules::from_json(black_box(&text)).expect("rules"))
    });
}

/// What `criterion_main!` runs (`criterion_group!` written out: its `pub fn`
/// takes no doc comment): every benchmark of this file, with criterion
/// configured from the command line.
fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    checks(&mut criterion);
    batch(&mut criterion);
    load(&mut criterion);
}
criterion_main!(benches);
