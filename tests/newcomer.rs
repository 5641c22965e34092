//! What a new user meets first: the same mistake exits with the same code in
//! every command, `no-content` run from a subfolder says which `--root` to
//! give, and the README's set-up, its tour and CI use one release build.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Exit code and stderr of `rulebook ARGS` run in `dir`. A command that has
/// not ended after a minute (a `serve` that started instead of refusing) is
/// killed and reported as `None`.
fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The help line that follows the first `error[code]` line.
fn help_of(stderr: &str, code: &str) -> String {
    let mut lines = stderr.lines();
    lines
        .find(|l| l.contains(&format!("error[{code}]")))
        .unwrap_or_else(|| panic!("no error[{code}] in {stderr}"));
    let help = lines.next().unwrap_or_default();
    assert!(help.starts_with("  = help: "), "{stderr}");
    help.to_owned()
}

#[test]
fn a_missing_locale_is_a_usage_error_in_every_command() {
    let project = project();
    let dir = project.path();
    // named on the command line
    for args in [
        &["build", "--locale", "xx-YY"][..],
        &["build", "--locale", "en", "--locale", "xx-YY"],
        &["diff", "xx-YY"],
        &["diff", "--format", "json", "ja-JP", "xx-YY"],
        &["serve", "--port", "0", "--locale", "xx-YY"],
    ] {
        let (code, err) = run_in(dir, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(help_of(&err, "missing-locale").contains("en, ja-JP, zh-TW"));
        assert!(!dir.join("book").exists(), "{args:?} wrote book/");
    }
    // named by book.toml
    let toml = dir.join("book.toml");
    let text = read(&toml).replace(
        "[output.rulebook]\n",
        "[output.rulebook]\nlocales = [\"en\", \"xx-YY\"]\n",
    );
    std::fs::write(&toml, text).unwrap();
    for args in [&["build"][..], &["diff"], &["build", "--locale", "en"]] {
        let (code, err) = run_in(dir, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("book.toml: error[missing-locale]"), "{err}");
        assert!(!dir.join("book").exists(), "{args:?} wrote book/");
    }
}

#[test]
fn check_lang_is_negotiated_not_a_locale_of_the_project() {
    let project = project();
    let dir = project.path();
    assert_eq!(run_in(dir, &["-q", "build"]).0, Some(0));
    let question = ["check", "tax", "--market", "JP"];
    let (english, _) = run_in(dir, &question);
    // a language with no messages falls back to English, as Accept-Language
    // does: the answer is the same, and so is the exit code
    let (fallback, err) = run_in(
        dir,
        &[&["--quiet"][..], &question, &["--lang", "xx-YY"]].concat(),
    );
    assert_eq!(fallback, english, "{err}");
    assert!(matches!(english, Some(0 | 1)));
    // what is not a language tag at all is a usage error
    let (code, err) = run_in(dir, &[&question[..], &["--lang", "not a tag"]].concat());
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn no_content_from_a_subfolder_names_the_project_to_give_as_root() {
    let project = project();
    let dir = std::fs::canonicalize(project.path()).unwrap();
    let shown = dir.display().to_string();

    // `cd content/en && rulebook build`
    let (code, err) = run_in(&dir.join("content/en"), &["build"]);
    assert_eq!(code, Some(2), "{err}");
    let help = help_of(&err, "no-content");
    assert!(
        help.contains(&format!("looked for {shown}/content/en/content")),
        "{help}"
    );
    assert!(
        help.contains(&format!("{shown} holds book.toml and content/")),
        "{help}"
    );
    assert!(help.contains("`--root ../..`"), "{help}");
    assert!(!dir.join("content/en/book").exists());

    // `--root` naming the subfolder: the project is named by its path
    let sub = dir.join("content").display().to_string();
    let (code, err) = run_in(&dir, &["--root", &sub, "diff"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        help_of(&err, "no-content").contains(&format!("`--root {shown}`")),
        "{err}"
    );

    // the hint follows the advice: it works
    let (code, err) = run_in(&dir.join("content/en"), &["-q", "--root", "../..", "build"]);
    assert_eq!(code, Some(0), "{err}");

    // no project above: where it looked, and what a project holds
    let empty = tempfile::tempdir().unwrap();
    let (code, err) = run_in(empty.path(), &["build"]);
    assert_eq!(code, Some(2), "{err}");
    let help = help_of(&err, "no-content");
    assert!(!help.contains("holds book.toml"), "{help}");
    assert!(help.contains("--root DIR"), "{help}");
}

/// The lines of the first ```sh block after `heading` in README.md.
fn readme_block(readme: &str, heading: &str) -> Vec<String> {
    let after = &readme[readme.find(heading).unwrap()..];
    let block = &after[after.find("```sh\n").unwrap() + 6..];
    block[..block.find("```").unwrap()]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn readme_setup_tour_and_ci_share_one_release_build() {
    let readme = read(root().join("README.md"));
    // one compile: the release build's dependencies are the tests' too,
    // as long as the test-only dependencies switch on no feature the build
    // lacks (resolver 1 unifies them; resolver 2 and 3 do not)
    let setup = readme_block(&readme, "## Set-up");
    assert_eq!(
        setup,
        ["cargo run --release -- build", "cargo test --release"]
    );
    let manifest = read(root().join("Cargo.toml"));
    assert!(
        manifest.lines().any(|l| l.trim() == "resolver = \"1\""),
        "without resolver 1 the two set-up commands compile the dependencies twice"
    );
    // the tour runs the binary the set-up built, never a debug build
    let tour = readme_block(&readme, "## A short tour");
    assert!(!tour.is_empty());
    for line in &tour {
        assert!(line.starts_with("target/release/rulebook "), "{line}");
    }
    // CI runs the README's test command
    let ci = read(root().join(".ci/run"));
    assert!(ci.lines().any(|l| l.trim() == setup[1]), "{ci}");
    assert!(!ci.lines().any(|l| l.trim() == "cargo test"), "{ci}");
}
