//! A build is deterministic (the same bytes every time, with any number of
//! worker threads) and all or nothing (a build killed at any moment leaves
//! the old output or the new one, never a mix, and nothing the next build
//! trips on).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{leftovers, project, rulebook_in, shared, snapshot};

/// The bundled project plus a generated tree of `n` articles per locale
/// (`../shared/bench/gen-corpus`, the benchmark generator).
fn generated_project(n: usize) -> tempfile::TempDir {
    let dir = project();
    let status = Command::new(shared().join("bench/gen-corpus"))
        .args(["-q", "-n", &n.to_string()])
        .arg(dir.path())
        .status()
        .expect("gen-corpus runs");
    assert!(status.success());
    dir
}

fn build(dir: &Path, args: &[&str]) {
    let mut all = vec!["build", "-q"];
    all.extend_from_slice(args);
    let out = rulebook_in(dir, &all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_builds_write_the_same_bytes() {
    let project = project();
    let dir = project.path();
    build(dir, &["--out", "one"]);
    build(dir, &["--out", "two"]);
    let (one, two) = (snapshot(&dir.join("one")), snapshot(&dir.join("two")));
    assert!(one.len() >= 3, "{:?}", one.keys());
    assert_eq!(one, two);
}

#[test]
fn one_worker_and_every_core_write_the_same_bytes() {
    let project = generated_project(40);
    let dir = project.path();
    build(dir, &["--jobs", "1", "--out", "serial"]);
    build(dir, &["--out", "parallel"]);
    build(dir, &["--jobs", "7", "--out", "seven"]);
    let serial = snapshot(&dir.join("serial"));
    assert_eq!(serial, snapshot(&dir.join("parallel")));
    assert_eq!(serial, snapshot(&dir.join("seven")));

    let diff = |jobs: &str| {
        rulebook_in(
            dir,
            &[
                "diff",
                "--jobs",
                jobs,
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
        )
    };
    let (a, b) = (diff("1"), diff("4"));
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn jobs_must_be_positive() {
    let project = project();
    let out = rulebook_in(project.path(), &["build", "--jobs", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Kill `rulebook build` with SIGKILL at several moments: after a delay, and
/// the moment its temporary output folder appears (the swap is near). After
/// each kill `book/` is exactly the old output or exactly the new one, and
/// the next build leaves no `.book.tmp-*` / `.book.old-*` behind.
#[test]
fn a_killed_build_leaves_the_old_output_or_the_new() {
    let project = generated_project(120);
    let dir = project.path();
    build(dir, &[]);
    let old = snapshot(&dir.join("book"));
    // change the input so that the new output differs from the old
    let toml = std::fs::read_to_string(dir.join("book.toml")).unwrap();
    let changed = toml.replace("policy = \"source-wins\"", "policy = \"newest-wins\"");
    assert_ne!(toml, changed);
    std::fs::write(dir.join("book.toml"), changed).unwrap();
    build(dir, &["--out", "expected"]);
    let new = snapshot(&dir.join("expected"));
    assert_ne!(old, new);
    std::fs::remove_dir_all(dir.join("expected")).unwrap();

    let mut outcomes = Vec::new();
    let delays = [0u64, 10, 50, 200, 500, 1000, 2000];
    let moments = delays
        .iter()
        .map(|&ms| Moment::After(Duration::from_millis(ms)))
        .chain([Moment::TempFolder, Moment::TempFolder, Moment::TempFolder]);
    for moment in moments {
        let status = build_killed_at(dir, moment);
        let book = snapshot(&dir.join("book"));
        let state = if book == old {
            "old"
        } else if book == new {
            "new"
        } else {
            panic!(
                "after a kill ({moment:?}, {status}) book/ is neither the old output nor the new: {:?}",
                book.keys()
            );
        };
        outcomes.push(format!("{moment:?}: {state}, {status}"));
        // the next build starts from whatever the kill left
        if state == "new" {
            std::fs::remove_dir_all(dir.join("book")).unwrap();
            copy_snapshot(&old, &dir.join("book"));
        }
    }
    build(dir, &[]);
    assert_eq!(snapshot(&dir.join("book")), new, "{outcomes:#?}");
    assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
    eprintln!("{outcomes:#?}");
}

/// The same for a rebuild after one article changed, whose commit moves a
/// few files into `book/` in place: a kill before the commit leaves the old
/// output, and a kill during it leaves a journal and no cache manifest (so
/// nothing of the output is trusted). A build that then fails changes
/// nothing (the cut commit is not carried out); the next build that
/// succeeds writes the new output whole and removes what the kill left.
#[test]
fn a_killed_rebuild_leaves_the_old_output_or_the_new_or_an_untrusted_mix_the_next_good_build_rewrites()
 {
    let project = generated_project(120);
    let dir = project.path();
    build(dir, &[]);
    let old = snapshot(&dir.join("book"));
    let article = dir.join(common::JA_JP);
    let mut text = std::fs::read_to_string(&article).unwrap();
    text.push_str("\n追加の段落です。\n");
    std::fs::write(&article, text).unwrap();
    build(dir, &[]);
    let new = snapshot(&dir.join("book"));
    assert_ne!(old, new);
    let book_inode = |dir: &Path| {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(dir.join("book")).unwrap())
    };
    let restore = |dir: &Path| {
        std::fs::remove_dir_all(dir.join("book")).unwrap();
        copy_snapshot(&old, &dir.join("book"));
    };
    restore(dir);

    let mut outcomes = Vec::new();
    let moments = [0u64, 20, 100, 300]
        .iter()
        .map(|&ms| Moment::After(Duration::from_millis(ms)))
        .chain([
            Moment::Journal,
            Moment::Journal,
            Moment::Journal,
            Moment::Journal,
        ]);
    for moment in moments {
        let inode = book_inode(dir);
        let status = build_killed_at(dir, moment);
        let book = snapshot(&dir.join("book"));
        let journals: Vec<String> = leftovers(dir)
            .into_iter()
            .filter(|n| dir.join(n).join(".commit").exists())
            .collect();
        let state = if book == old {
            "old"
        } else if book == new {
            "new"
        } else {
            assert!(
                !journals.is_empty(),
                "after a kill ({moment:?}, {status}) book/ is neither the old output nor the new, and no commit is pending: {:?}",
                book.keys()
            );
            assert!(
                !book.contains_key(Path::new(".rulebook/manifest.json")),
                "a commit cut short leaves no manifest"
            );
            "mid-commit"
        };
        // the rebuild changed files in place: book/ is the same folder
        assert_eq!(book_inode(dir), inode);
        outcomes.push(format!("{moment:?}: {state}, {status}"));
        // a build that fails on bad input changes nothing, a cut commit
        // included
        let zh = dir.join(common::ZH_TW);
        let good = std::fs::read_to_string(&zh).unwrap();
        // put back with its time too: the cache records it
        let stamp = std::fs::metadata(&zh).unwrap().modified().unwrap();
        std::fs::write(&zh, good.replacen("title: ", "title: [", 1)).unwrap();
        let failing = rulebook_in(dir, &["build", "-q"]);
        assert_eq!(failing.status.code(), Some(1));
        assert_eq!(
            snapshot(&dir.join("book")),
            book,
            "a failing build changed book/"
        );
        std::fs::write(&zh, good).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&zh)
            .unwrap()
            .set_modified(stamp)
            .unwrap();
        // whatever the kill left, the next build ends with the new output
        build(dir, &[]);
        assert_eq!(snapshot(&dir.join("book")), new, "{outcomes:#?}");
        assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
        restore(dir);
    }
    eprintln!("{outcomes:#?}");
}

/// A build in `dir`, killed (SIGKILL) at `moment`; how it ended.
fn build_killed_at(dir: &Path, moment: Moment) -> std::process::ExitStatus {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .args(["build", "-q"])
        .current_dir(dir)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let tmp = dir.join(format!(".book.tmp-{}", child.id()));
    let awaited = match moment {
        Moment::After(delay) => {
            std::thread::sleep(delay);
            None
        }
        Moment::Journal => Some(tmp.join(".commit")),
        Moment::TempFolder => Some(tmp),
    };
    if let Some(path) = awaited {
        while !path.exists()
            && started.elapsed() < Duration::from_secs(120)
            && child.try_wait().unwrap().is_none()
        {
            std::hint::spin_loop();
        }
    }
    child.kill().unwrap();
    child.wait().unwrap()
}

#[derive(Debug, Clone, Copy)]
enum Moment {
    /// As soon as the commit journal of `.book.tmp-<pid>` exists.
    Journal,
    After(Duration),
    /// As soon as `.book.tmp-<pid>` exists.
    TempFolder,
}

fn copy_snapshot(files: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>, to: &Path) {
    for (rel, bytes) in files {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    // as its build left it: the manifest committed last (a build reuses
    // only files no newer than the manifest; the copy above wrote it in
    // path order, before the pages)
    let manifest = to.join(".rulebook/manifest.json");
    if manifest.exists() {
        std::fs::File::options()
            .append(true)
            .open(&manifest)
            .unwrap()
            .set_modified(std::time::SystemTime::now())
            .unwrap();
    }
}

/// Leftovers of a killed build are removed by the next build, even when
/// they are many and the output folder itself is missing.
#[test]
fn leftovers_of_killed_builds_are_cleaned() {
    let project = project();
    let dir = project.path();
    for name in [".book.tmp-1", ".book.tmp-99999", ".book.old-7"] {
        std::fs::create_dir_all(dir.join(name).join("sub")).unwrap();
        std::fs::write(dir.join(name).join("sub/rules.json"), "half").unwrap();
    }
    // a file of another tool beside it is not touched
    std::fs::write(dir.join(".bookmarks"), "keep").unwrap();
    build(dir, &[]);
    assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
    assert!(dir.join("book/rules.json").is_file());
    assert!(dir.join(".bookmarks").is_file());
}

/// Make a rebuild's commit fail half way, whoever runs it (root too): the
/// page the edit changes is replaced, in the output, by an empty folder (a
/// rename cannot put a file over a folder). The commit then fails after it
/// took the manifest out and moved other files in. Returns the page's
/// bytes, to put back.
fn break_the_next_commit(dir: &Path) -> Vec<u8> {
    let article = dir.join(common::EN);
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, format!("{text}\nOne more paragraph.\n")).unwrap();
    let page = dir.join("book/en/csp-software-subscriptions.html");
    let bytes = std::fs::read(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    std::fs::create_dir(&page).unwrap();
    bytes
}

/// Issue 17 item 11: a build that exits non-zero never changes `book/`,
/// neither the build whose commit failed nor a later one that fails on
/// bad input (before, the commit's journal was left behind and the next
/// build carried it out first, whatever became of that build); the next
/// build that succeeds writes what a fresh build writes.
#[test]
fn a_failed_commit_and_a_later_failing_build_leave_the_output_as_it_was() {
    let project = project();
    let dir = project.path();
    build(dir, &[]);
    let before = snapshot(&dir.join("book"));
    let page = break_the_next_commit(dir);
    let failed = rulebook_in(dir, &["build", "-q"]);
    assert_eq!(
        failed.status.code(),
        Some(2),
        "the commit must fail (unwritable)"
    );
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("error[unwritable]"), "{stderr}");
    // snapshot() does not see an empty folder: put the page back to compare
    let page_path = dir.join("book/en/csp-software-subscriptions.html");
    assert!(page_path.is_dir(), "the failed commit was undone");
    std::fs::remove_dir(&page_path).unwrap();
    std::fs::write(&page_path, &page).unwrap();
    assert_eq!(
        snapshot(&dir.join("book")),
        before,
        "the failed commit changed book/"
    );

    // a build that fails on an input error after that
    let zh = dir.join(common::ZH_TW);
    let good = std::fs::read_to_string(&zh).unwrap();
    std::fs::write(&zh, good.replacen("title:", "title: [", 1)).unwrap();
    let failing = rulebook_in(dir, &["build", "-q"]);
    assert_eq!(failing.status.code(), Some(1));
    assert_eq!(
        snapshot(&dir.join("book")),
        before,
        "the failing build changed book/"
    );

    // the next good build: what a fresh build writes, nothing left beside
    std::fs::write(&zh, good).unwrap();
    build(dir, &[]);
    build(dir, &["--out", "fresh"]);
    assert_eq!(snapshot(&dir.join("book")), snapshot(&dir.join("fresh")));
    assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
}
