//! The bundled book.toml is a valid mdBook 0.5 configuration: the mdBook
//! CLI builds a book with it, skipping rulebook's renderer (`optional =
//! true`). Needs the mdBook 0.5.4 CLI at `target/bench-tools/bin/mdbook`
//! (the benchmarks install it there) or named by `$MDBOOK`; CI has
//! neither, and the test then says so and passes without checking.

mod common;

use std::path::PathBuf;

use common::*;

fn mdbook() -> Option<PathBuf> {
    let path = std::env::var_os("MDBOOK")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/bench-tools/bin/mdbook"));
    path.is_file().then_some(path)
}

#[test]
fn mdbook_builds_with_the_bundled_book_toml_and_skips_rulebooks_renderer() {
    let Some(mdbook) = mdbook() else {
        eprintln!(
            "SKIPPED: no mdBook CLI at target/bench-tools/bin/mdbook and no $MDBOOK; \
             the bundled book.toml was not checked against mdBook"
        );
        return;
    };
    let version = std::process::Command::new(&mdbook)
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).contains("v0.5."));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("book.toml"), dir.path().join("book.toml")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/SUMMARY.md"),
        "# Summary\n\n- [A](a.md)\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("src/a.md"), "# A\n").unwrap();
    let run = |dir: &std::path::Path| {
        std::process::Command::new(&mdbook)
            .arg("build")
            .current_dir(dir)
            .env("PATH", "/usr/bin:/bin") // no mdbook-rulebook anywhere
            .output()
            .unwrap()
    };
    let built = run(dir.path());
    let log = String::from_utf8_lossy(&built.stderr).into_owned()
        + &String::from_utf8_lossy(&built.stdout);
    assert!(built.status.success(), "{log}");
    assert!(dir.path().join("book/html/a.html").is_file(), "{log}");
    assert!(log.contains("marked as optional"), "{log}");

    // the old top-level table is what mdBook refuses (the reason for the move)
    let old = read(root().join("book.toml")).replace("[output.rulebook]", "[rulebook]");
    std::fs::write(dir.path().join("book.toml"), old).unwrap();
    let refused = run(dir.path());
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("unknown field `rulebook`"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn rulebook_reads_the_old_table_with_a_located_warning_and_refuses_both() {
    let dir = project();
    let toml = dir.path().join("book.toml");
    let new = read(&toml);
    std::fs::write(
        &toml,
        new.replace("[output.rulebook]\noptional = true\n", "[rulebook]\n"),
    )
    .unwrap();
    let build = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
            .arg("--root")
            .arg(dir.path())
            .arg("build")
            .output()
            .unwrap()
    };
    let built = build();
    let stderr = String::from_utf8_lossy(&built.stderr).into_owned();
    assert!(built.status.success(), "{stderr}");
    let line = 1 + new.lines().position(|l| l == "[output.rulebook]").unwrap();
    assert!(
        stderr.contains(&format!("book.toml:{line}:1: warning[deprecated-config]")),
        "{stderr}"
    );
    // the warning is repeated by a build with nothing to do
    let again = String::from_utf8_lossy(&build().stderr).into_owned();
    assert!(again.contains("warning[deprecated-config]"), "{again}");

    std::fs::write(
        &toml,
        format!("{new}\n[rulebook]\npolicy = \"newest-wins\"\n"),
    )
    .unwrap();
    let both = build();
    assert_eq!(both.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&both.stderr);
    assert!(stderr.contains("error[book-toml]"), "{stderr}");
    assert!(stderr.contains("  = help: move the settings"), "{stderr}");
}
