//! Extraction and reconciliation: the rules of a generated corpus
//! (`../shared/bench/gen-corpus -n 200`, 600 articles in three locales),
//! parsed, read through the lexicons and reconciled into rules.json and the
//! report, in process.

use std::path::Path;
use std::process::Command;

use criterion::{Criterion, criterion_main};

fn corpus() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/bench-corpus-200");
    if !out.join("content").is_dir() {
        let status = Command::new(root.join("../shared/bench/gen-corpus"))
            .args(["-n", "200", "-q"])
            .arg(&out)
            .status()
            .expect("../shared/bench/gen-corpus runs (python3)");
        assert!(status.success());
    }
    // the corpus needs the project's locale data and book.toml
    let _ = std::fs::remove_dir_all(out.join("locales"));
    copy(&root.join("locales"), &out.join("locales"));
    std::fs::copy(root.join("book.toml"), out.join("book.toml")).unwrap();
    out
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().map(Result::unwrap) {
        if e.path().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = corpus();
    let project = rulebook::load::load_project(&dir).expect("the corpus loads");
    let mut group = c.benchmark_group("extract/gen-corpus-200");
    group.sample_size(10);
    group.bench_function("parse + extract + reconcile (rules.json and report)", |b| {
        b.iter(|| {
            let analysis = rulebook::emit::analyze(&project).expect("the corpus reads");
            analysis.rules.rules.len()
        })
    });
    group.finish();
}

/// What `criterion_main!` runs (`criterion_group!` written out: its `pub fn`
/// takes no doc comment): every benchmark of this file, with criterion
/// configured from the command line.
fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
}
criterion_main!(benches);
