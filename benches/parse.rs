//! Parse throughput: rulebook's DocFX parser against pulldown-cmark alone on
//! the same files (the parser should cost at most 1.5x pulldown-cmark).
//!
//! Corpus: the two seed articles, and `../shared/bench/gen-corpus -n 200`
//! written to target/bench-corpus-200 on first run.

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_main};
use pulldown_cmark::{Options, Parser};

fn gen_corpus(n: usize) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join(format!("target/bench-corpus-{n}"));
    if !out.join("content").is_dir() {
        let status = Command::new(root.join("../shared/bench/gen-corpus"))
            .args(["-n", &n.to_string(), "-q"])
            .arg(&out)
            .status()
            .expect("../shared/bench/gen-corpus runs (python3)");
        assert!(status.success());
    }
    read_tree(&out.join("content"))
}

fn read_tree(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

fn seeds() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "content/zh-TW/csp-software-subscriptions.md",
        "content/ja-JP/csp-software-subscriptions.md",
    ]
    .iter()
    .map(|p| {
        (
            p.to_string(),
            std::fs::read_to_string(root.join(p)).unwrap(),
        )
    })
    .collect()
}

fn pulldown_alone(files: &[(String, String)]) -> usize {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_GFM
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    files
        .iter()
        .map(|(_, text)| Parser::new_ext(text, options).into_offset_iter().count())
        .sum()
}

fn pulldown_html(files: &[(String, String)]) -> usize {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_GFM
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut html = String::new();
    for (_, text) in files {
        html.clear();
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(text, options));
    }
    html.len()
}

fn rulebook_parse(files: &[(String, String)]) -> usize {
    files
        .iter()
        .map(|(path, text)| {
            rulebook::docfx::parse_article(path, text).map_or(0, |d| d.sections.len())
        })
        .sum()
}

/// The body alone, frontmatter split off but not parsed: shows what the YAML costs.
fn rulebook_body(files: &[(String, String)]) -> usize {
    files
        .iter()
        .map(|(path, text)| {
            let body = rulebook::frontmatter::split(text).map_or(0, |s| s.body_start);
            rulebook::docfx::parse_body(path, &text[body..])
                .sections
                .len()
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    for (name, files) in [("seeds", seeds()), ("gen-corpus-200", gen_corpus(200))] {
        let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
        let mut group = c.benchmark_group(format!("parse/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("pulldown-cmark events", |b| {
            b.iter(|| pulldown_alone(&files))
        });
        group.bench_function("pulldown-cmark parse+html", |b| {
            b.iter(|| pulldown_html(&files))
        });
        group.bench_function("rulebook docfx model, body only", |b| {
            b.iter(|| rulebook_body(&files))
        });
        group.bench_function("rulebook docfx model", |b| {
            b.iter(|| rulebook_parse(&files))
        });
        group.finish();
    }
}

/// What `criterion_main!` runs (`criterion_group!` written out: its `pub fn`
/// takes no doc comment): every benchmark of this file, with criterion
/// configured from the command line.
fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
}
criterion_main!(benches);
