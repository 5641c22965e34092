//! The bad-input catalogue (issues 9 and 17): one small project per case,
//! built in a temp dir from the bundled content with one thing broken. Each
//! case states the exit code and the diagnostic it must get; for `build`, an
//! output built before the input broke must survive a failing build byte for
//! byte, and for every case nothing outside the output folder may change (the
//! project sits in `<tmp>/project/` beside `<tmp>/outside/`, which stands for
//! the rest of the machine: it is snapshotted with the project).
//!
//! Cases of one area live in `tests/bad_input/<area>.rs`; the results table in
//! docs/robustness.md is generated from all of them:
//! `UPDATE_ROBUSTNESS=1 cargo test --test bad_input` rewrites it.

mod common;

#[path = "bad_input/code.rs"]
mod code;
#[path = "bad_input/config_html.rs"]
mod config_html;
#[path = "bad_input/hostile.rs"]
mod hostile;
#[path = "bad_input/links.rs"]
mod links;
#[path = "bad_input/media.rs"]
mod media;
#[path = "bad_input/output.rs"]
mod output;
#[path = "bad_input/redteam.rs"]
mod redteam;
#[path = "bad_input/render.rs"]
mod render;
#[path = "bad_input/roles.rs"]
mod roles;
#[path = "bad_input/serve.rs"]
mod serve;
#[path = "bad_input/validator.rs"]
mod validator;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) use common::rulebook_in as rulebook;
use common::{copy_tree, leftovers, root, snapshot};

/// The English version of the article most cases break (it states facts).
pub const EN: &str = "content/en/csp-software-subscriptions.md";
/// The same article in zh-TW, a bilingual file.
pub const ZH: &str = "content/zh-TW/csp-software-subscriptions.md";
/// The same article in ja-JP, a bilingual file.
pub const JA: &str = "content/ja-JP/csp-software-subscriptions.md";

/// What a custom case observed: an exit code (or, for a case that is not a
/// command, e.g. an HTTP request to `serve`, the number it is judged by) and
/// what was printed on standard error.
pub struct Observed {
    /// The exit code, or for a custom run the number the table shows (an HTTP
    /// status).
    pub exit: i32,
    /// Everything printed on standard error, where the diagnostic is looked
    /// for.
    pub stderr: String,
}

impl From<std::process::Output> for Observed {
    /// A command's exit code (-1 when a signal ended it) and its stderr.
    fn from(out: std::process::Output) -> Observed {
        Observed {
            exit: out.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Write `text` at `rel` in the project, making its folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An article with a fact-free body, under `name` in content/en.
pub fn plain_article(dir: &Path, name: &str) {
    write(
        dir,
        &format!("content/en/{name}"),
        "---\ntitle: A plain page\nms.date: 11/20/2019\n---\n# A plain page\n\nSome text.\n",
    );
}

/// What the case runs once the input is broken.
#[derive(Clone, Copy)]
pub enum Run {
    /// `build` in the project folder.
    Build,
    /// `inspect FILE --format json`
    InspectJson(&'static str),
    /// `source-text FILE`
    SourceText(&'static str),
    /// `check --rules book/rules.json tax --market DE`
    Check,
    /// `rulebook ARGS...` in the project folder; the label is the command
    /// column of the table.
    Args(&'static str, &'static [&'static str]),
    /// Anything else, run in the project folder (label, runner). The runner
    /// asserts what it must itself and reports what the table shows.
    Custom(&'static str, fn(&Path) -> Observed),
}

/// One row of the catalogue: how the project is broken, what is run, and what
/// must come out.
pub struct Case {
    /// What is wrong with the input, as the table in docs/robustness.md says
    /// it.
    pub name: &'static str,
    /// The command run on the broken project.
    pub run: Run,
    /// Breaks the copied project (for `Check`, the built rules.json).
    pub break_it: fn(&Path),
    /// The exit code it must end with (for `Run::Custom`, the number its runner
    /// reports).
    pub exit: i32,
    /// The diagnostic code that must be printed ("" when none is expected).
    pub code: &'static str,
    /// Whether that diagnostic must name a line.
    pub line: bool,
}

fn cases() -> Vec<Case> {
    let mut all = earlier_cases();
    all.extend(hostile::cases());
    all.extend(output::cases());
    all.extend(validator::cases());
    all.extend(render::cases());
    all.extend(serve::cases());
    all.extend(redteam::cases());
    all.extend(media::cases());
    all.extend(links::cases());
    all.extend(config_html::cases());
    all.extend(roles::cases());
    all.extend(code::cases());
    all
}

fn earlier_cases() -> Vec<Case> {
    vec![
        Case {
            name: "broken YAML frontmatter",
            run: Run::Build,
            break_it: |d| edit(d, EN, |t| t.replacen("title: Sell", "title: [Sell", 1)),
            exit: 1,
            code: "yaml-frontmatter",
            line: true,
        },
        Case {
            name: "a lexicon id that is not an id (rules.json could not hold it)",
            run: Run::Build,
            break_it: |d| {
                edit(d, "locales/en/lexicon.toml", |t| {
                    t.replacen(
                        "azure-reservations = [\"Azure reservations\"",
                        "Azure_Reservations = [\"Azure reservations\"",
                        1,
                    )
                })
            },
            exit: 1,
            code: "lexicon",
            line: true,
        },
        Case {
            name: "frontmatter never closed",
            run: Run::Build,
            break_it: |d| edit(d, EN, |t| t.replacen("---\n#", "\n#", 1)),
            exit: 1,
            code: "frontmatter-unclosed",
            line: true,
        },
        Case {
            name: "frontmatter nested 100,000 levels deep (refused before the YAML scanner, which is quadratic in it)",
            run: Run::Build,
            break_it: |d| {
                let deep = format!(
                    "ms.custom: {}{}\n---\n#",
                    "[".repeat(100_000),
                    "]".repeat(100_000)
                );
                edit(d, EN, |t| t.replacen("---\n#", &deep, 1))
            },
            exit: 1,
            code: "yaml-frontmatter",
            line: true,
        },
        Case {
            name: "no frontmatter (warning: the article is read, its date is unknown)",
            run: Run::Build,
            break_it: |d| {
                edit(d, JA, |t| {
                    let body = t.splitn(3, "---\n").nth(2).unwrap_or_default();
                    body.to_owned()
                })
            },
            exit: 0,
            code: "no-frontmatter",
            line: true,
        },
        Case {
            name: "a file that is not UTF-8",
            run: Run::Build,
            break_it: |d| {
                let path = d.join(EN);
                let mut bytes = std::fs::read(&path).unwrap();
                let at = find_line(&bytes, 20);
                bytes.splice(at..at, [b'c', b'a', b'f', 0xe9, b' ']);
                std::fs::write(path, bytes).unwrap();
            },
            exit: 1,
            code: "not-utf8",
            line: true,
        },
        Case {
            name: "an empty file (error: its facts would silently vanish)",
            run: Run::Build,
            break_it: |d| std::fs::write(d.join(EN), "").unwrap(),
            exit: 1,
            code: "empty-article",
            line: true,
        },
        Case {
            name: "a span opened and never closed",
            run: Run::Build,
            break_it: |d| append(d, ZH, "\n<span data-ttu-id=\"999\">never closed\n"),
            exit: 1,
            code: "unclosed-span",
            line: true,
        },
        Case {
            name: "a span opened and never closed (source-text)",
            run: Run::SourceText(ZH),
            break_it: |d| append(d, ZH, "\n<span data-ttu-id=\"999\">never closed\n"),
            exit: 1,
            code: "unclosed-span",
            line: true,
        },
        Case {
            name: "an sxs-lookup with no twin",
            run: Run::Build,
            break_it: |d| {
                append(
                    d,
                    ZH,
                    "\n<span class=\"sxs-lookup\"><span data-stu-id=\"998\">orphan</span></span>\n",
                )
            },
            exit: 1,
            code: "segment-without-twin",
            line: true,
        },
        Case {
            name: "a data-ttu-id used twice",
            run: Run::Build,
            break_it: |d| {
                let text = std::fs::read_to_string(d.join(ZH)).unwrap();
                let id = between(&text, "data-ttu-id=\"", "\"").to_owned();
                append(
                    d,
                    ZH,
                    &format!(
                        "\n<span data-ttu-id=\"{id}\">再次</span><span class=\"sxs-lookup\"><span data-stu-id=\"{id}\">Again</span></span>\n"
                    ),
                );
            },
            exit: 1,
            code: "duplicate-segment-id",
            line: true,
        },
        Case {
            name: "a heading anchor used twice (warning: the repeat gets `-1`, as in DocFX)",
            run: Run::Build,
            break_it: |d| {
                let text = std::fs::read_to_string(d.join(EN)).unwrap();
                let anchor = between(&text, "<a name=\"", "\"").to_owned();
                append(d, EN, &format!("\n## <a name=\"{anchor}\"></a>Again\n"));
            },
            exit: 0,
            code: "duplicate-anchor",
            line: true,
        },
        Case {
            name: "a locale folder that is not a BCP 47 tag",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir(d.join("content/english (US)")).unwrap();
                std::fs::copy(d.join(EN), d.join("content/english (US)/a.md")).unwrap();
            },
            exit: 1,
            code: "bad-locale",
            line: false,
        },
        Case {
            name: "an unknown market name",
            run: Run::Build,
            break_it: |d| edit(d, EN, |t| t.replacen("* Argentina", "* Atlantis", 1)),
            exit: 1,
            code: "unknown-market",
            line: true,
        },
        Case {
            name: "an [!INCLUDE] climbing out of content/ with `..`",
            run: Run::Build,
            break_it: |d| append(d, EN, "\n[!INCLUDE [secret](../../book.toml)]\n"),
            exit: 1,
            code: "include-outside-root",
            line: true,
        },
        Case {
            name: "an [!INCLUDE] of a symlink to a file outside content/",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir(d.join("content/en/includes")).unwrap();
                symlink(&d.join("book.toml"), &d.join("content/en/includes/link.md"));
                append(d, EN, "\n[!INCLUDE [link](includes/link.md)]\n");
            },
            exit: 1,
            code: "include-outside-root",
            line: true,
        },
        Case {
            name: "an [!INCLUDE] of a missing file",
            run: Run::Build,
            break_it: |d| append(d, EN, "\n[!INCLUDE [gone](includes/missing.md)]\n"),
            exit: 1,
            code: "include-missing",
            line: true,
        },
        Case {
            name: "20,000 nested blockquotes (warning: flattened below 32 levels)",
            run: Run::Build,
            break_it: |d| append(d, EN, &deep_quotes()),
            exit: 0,
            code: "deep-nesting",
            line: true,
        },
        Case {
            name: "20,000 nested blockquotes (inspect --format json)",
            run: Run::InspectJson(EN),
            break_it: |d| append(d, EN, &deep_quotes()),
            exit: 0,
            code: "deep-nesting",
            line: true,
        },
        Case {
            name: "5,000 nested lists (warning: flattened below 32 levels)",
            run: Run::Build,
            break_it: |d| append(d, EN, &deep_lists()),
            exit: 0,
            code: "deep-nesting",
            line: true,
        },
        Case {
            name: "5,000 nested lists (inspect --format json)",
            run: Run::InspectJson(EN),
            break_it: |d| append(d, EN, &deep_lists()),
            exit: 0,
            code: "deep-nesting",
            line: true,
        },
        Case {
            name: "a 5 MB article (builds)",
            run: Run::Build,
            break_it: |d| std::fs::write(d.join("content/en/big.md"), big_article()).unwrap(),
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "book.toml with an unknown key",
            run: Run::Build,
            break_it: |d| append(d, "book.toml", "colour = \"red\"\n"),
            exit: 1,
            code: "book-toml",
            line: true,
        },
        Case {
            name: "book.toml with a wrong type",
            run: Run::Build,
            break_it: |d| {
                edit(d, "book.toml", |t| {
                    t.replacen("policy = \"source-wins\"", "policy = 3", 1)
                })
            },
            exit: 1,
            code: "book-toml",
            line: true,
        },
        Case {
            name: "no content/ folder (unreadable input)",
            run: Run::Build,
            break_it: |d| std::fs::rename(d.join("content"), d.join("contents")).unwrap(),
            exit: 2,
            code: "no-content",
            line: false,
        },
        Case {
            name: "rules.json truncated (check)",
            run: Run::Check,
            break_it: |d| {
                let path = d.join("book/rules.json");
                let text = std::fs::read_to_string(&path).unwrap();
                let mut cut = text.len() / 2;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                std::fs::write(&path, &text[..cut]).unwrap();
            },
            exit: 2,
            code: "rules-file",
            line: true,
        },
        Case {
            name: "rules.json cut inside a character: not UTF-8 (check)",
            run: Run::Check,
            break_it: |d| {
                let path = d.join("book/rules.json");
                let mut bytes = std::fs::read(&path).unwrap();
                let at = find_line(&bytes, 3);
                bytes.splice(at..at, [0xe6, 0x97]);
                std::fs::write(&path, bytes).unwrap();
            },
            exit: 2,
            code: "rules-file",
            line: true,
        },
        Case {
            name: "rules.json of another schema version (check)",
            run: Run::Check,
            break_it: |d| {
                edit(d, "book/rules.json", |t| {
                    t.replacen("rulebook/rules@2", "rulebook/rules@3", 1)
                })
            },
            exit: 2,
            code: "rules-file",
            line: false,
        },
        Case {
            name: "rules.json with wrong types (check)",
            run: Run::Check,
            break_it: |d| {
                edit(d, "book/rules.json", |t| {
                    t.replacen("\"days\": 60", "\"days\": \"sixty\"", 1)
                })
            },
            exit: 2,
            code: "rules-file",
            line: true,
        },
        Case {
            // No size cap below what a build writes (4 GiB): the 100 MB are
            // read and refused for what they are, where they start.
            name: "rules.json padded with zero bytes to 100 MB (check; read whole: trailing characters, located)",
            run: Run::Check,
            break_it: |d| {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(d.join("book/rules.json"))
                    .unwrap();
                file.set_len(100 * 1024 * 1024).unwrap();
            },
            exit: 2,
            code: "rules-file",
            line: true,
        },
        Case {
            name: "rules.json of 100 MB of zero bytes (check; refused by its first byte, not read)",
            run: Run::Check,
            break_it: |d| {
                let file = std::fs::File::create(d.join("book/rules.json")).unwrap();
                file.set_len(100 * 1024 * 1024).unwrap();
            },
            exit: 2,
            code: "rules-file",
            line: true,
        },
    ]
}

// ---- fixtures ---------------------------------------------------------------

/// Rewrite `rel` in the project with `f`; fails the test when `f` changes
/// nothing, so a case never runs on unbroken input.
pub fn edit(dir: &Path, rel: &str, f: impl FnOnce(&str) -> String) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let new = f(&text);
    assert_ne!(new, text, "the edit of {rel} changed nothing");
    std::fs::write(path, new).unwrap();
}

/// Add `more` at the end of `rel` in the project.
pub fn append(dir: &Path, rel: &str, more: &str) {
    edit(dir, rel, |t| format!("{t}{more}"));
}

/// The text of `text` between the first `open` and the next `close`.
pub fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap() + open.len();
    let len = text[start..].find(close).unwrap();
    &text[start..start + len]
}

/// Byte offset of the start of 1-based line `n`.
pub fn find_line(bytes: &[u8], n: usize) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(n - 2)
        .unwrap()
        .0
        + 1
}

/// Make `link` a symbolic link to `target`.
#[cfg(unix)]
pub fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// 20,000 nested block quotes (`> > > … deep`).
pub fn deep_quotes() -> String {
    format!("\n{}deep\n", "> ".repeat(20_000))
}

/// 5,000 lists, each the only item of the one before (`- - - … x`).
pub fn deep_lists() -> String {
    format!("\n{}deep\n", "- ".repeat(5_000))
}

fn big_article() -> String {
    let mut out =
        String::from("---\ntitle: Big\nms.date: 11/20/2019\n---\n# <a name=\"big\"></a>Big\n\n");
    let mut n = 0;
    while out.len() < 5 * 1024 * 1024 {
        out.push_str(&format!(
            "Partners sell software subscriptions in many markets; filler paragraph {n} of a large article.\n\n"
        ));
        n += 1;
    }
    out
}

// ---- the catalogue ------------------------------------------------------------

struct Outcome {
    exit: i32,
    /// The first line of the expected diagnostic, as printed.
    diagnostic: String,
    help: bool,
    output: &'static str,
}

/// A temp folder standing for the machine: `project/` (a copy of the
/// bundled project) beside `outside/secret.txt`, which no case may read
/// into its output or change.
pub struct Sandbox {
    /// The temp folder; removed when the sandbox is dropped.
    pub tmp: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A fresh temp folder with the bundled project (content, locales,
    /// book.toml) and `outside/secret.txt`.
    // each call makes a fresh temp folder: not a default value
    pub fn new() -> Sandbox {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("project");
        for name in ["content", "locales"] {
            copy_tree(&root().join(name), &dir.join(name));
        }
        std::fs::copy(root().join("book.toml"), dir.join("book.toml")).unwrap();
        std::fs::create_dir(tmp.path().join("outside")).unwrap();
        std::fs::write(tmp.path().join("outside/secret.txt"), SECRET).unwrap();
        Sandbox { tmp }
    }

    /// The project folder, `<tmp>/project`.
    pub fn project(&self) -> PathBuf {
        self.tmp.path().join("project")
    }
}

/// What `outside/secret.txt` holds: no output may contain it.
pub const SECRET: &str = "SECRET-8d1f3c-never-published";

/// One entry of [`state`]: a file's bytes, a link's target, or another
/// kind of file (never read: it may be a FIFO or a device).
#[derive(Debug, PartialEq, Eq)]
pub enum Entry {
    /// A regular file and its bytes.
    File(Vec<u8>),
    /// A symbolic link and its target (not followed).
    Link(PathBuf),
    /// A folder (its entries are entries of their own).
    Dir,
    /// A FIFO, socket or device.
    Special,
}

/// Everything below `dir` except the paths `skip` names (relative), links
/// not followed, special files not read.
pub fn state(dir: &Path, skip: &[&str]) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap().to_path_buf();
            if skip.iter().any(|s| rel == Path::new(s)) {
                continue;
            }
            let kind = entry.file_type().unwrap();
            let value = if kind.is_symlink() {
                Entry::Link(std::fs::read_link(&path).unwrap())
            } else if kind.is_dir() {
                stack.push(path.clone());
                Entry::Dir
            } else if kind.is_file() {
                Entry::File(std::fs::read(&path).unwrap())
            } else {
                Entry::Special
            };
            out.insert(rel, value);
        }
    }
    out
}

fn run_case(case: &Case) -> Result<Outcome, String> {
    let sandbox = Sandbox::new();
    let dir = &sandbox.project();
    let built = rulebook(dir, &["build", "-q"]);
    if !built.status.success() {
        return Err(format!(
            "the unbroken project does not build: {}",
            String::from_utf8_lossy(&built.stderr)
        ));
    }
    let before = snapshot(&dir.join("book"));
    (case.break_it)(dir);
    // everything but the output folder, as the broken input left it
    let machine_before = state(sandbox.tmp.path(), &["project/book"]);
    let (exit, stderr) = match case.run {
        Run::Build => command(rulebook(dir, &["build"]))?,
        Run::InspectJson(file) => command(rulebook(dir, &["inspect", file, "--format", "json"]))?,
        Run::SourceText(file) => command(rulebook(dir, &["source-text", file]))?,
        Run::Check => command(rulebook(
            dir,
            &[
                "check",
                "--rules",
                "book/rules.json",
                "tax",
                "--market",
                "DE",
            ],
        ))?,
        Run::Args(_, args) => command(rulebook(dir, args))?,
        Run::Custom(_, run) => {
            let observed = run(dir);
            (observed.exit, observed.stderr)
        }
    };
    let lines: Vec<&str> = stderr.lines().collect();
    let (diagnostic, help) = if case.code.is_empty() {
        (String::new(), false)
    } else {
        let tag = format!("[{}]: ", case.code);
        let i = lines
            .iter()
            .position(|l| l.contains(&tag))
            .ok_or_else(|| format!("no {} diagnostic in:\n{stderr}", case.code))?;
        let help = lines
            .get(i + 1)
            .is_some_and(|l| l.starts_with("  = help: "));
        (lines[i].to_owned(), help)
    };
    if !leftovers(dir).is_empty() {
        return Err(format!("stray folders left: {:?}", leftovers(dir)));
    }
    let machine_after = state(sandbox.tmp.path(), &["project/book"]);
    if machine_after != machine_before {
        let changed: Vec<_> = machine_after
            .iter()
            .filter(|(k, v)| machine_before.get(*k) != Some(v))
            .map(|(k, _)| k.display().to_string())
            .chain(
                machine_before
                    .keys()
                    .filter(|k| !machine_after.contains_key(*k))
                    .map(|k| format!("{} (removed)", k.display())),
            )
            .collect();
        return Err(format!(
            "files outside the output folder changed: {changed:?}"
        ));
    }
    if let Some(leak) = published_secret(&dir.join("book")) {
        return Err(format!(
            "{leak} holds the content of a file outside the project"
        ));
    }
    let builds = matches!(
        case.run,
        Run::Build | Run::Args("build", _) | Run::Custom("build", _)
    );
    let output = match case.run {
        _ if builds && exit == 0 => "replaced (build succeeded)",
        _ if builds && snapshot(&dir.join("book")) == before => "kept byte for byte",
        _ if builds => return Err("a failed build changed book/".to_owned()),
        Run::InspectJson(_) | Run::SourceText(_) => "n/a (writes stdout)",
        Run::Check => "n/a (reads only)",
        Run::Build | Run::Args(..) | Run::Custom(..) => {
            if snapshot(&dir.join("book")) == before {
                "kept byte for byte"
            } else {
                "changed"
            }
        }
    };
    Ok(Outcome {
        exit,
        diagnostic,
        help,
        output,
    })
}

fn command(out: std::process::Output) -> Result<(i32, String), String> {
    let exit = out.status.code().ok_or("killed by a signal")?;
    Ok((exit, String::from_utf8_lossy(&out.stderr).into_owned()))
}

/// The first file under `book` (links not followed) that holds [`SECRET`].
fn published_secret(book: &Path) -> Option<String> {
    state(book, &[])
        .into_iter()
        .find_map(|(path, entry)| match entry {
            Entry::File(bytes) if bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()) => {
                Some(path.display().to_string())
            }
            _ => None,
        })
}

fn check(case: &Case, o: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    if o.exit != case.exit {
        problems.push(format!("exit {} (expected {})", o.exit, case.exit));
    }
    if !case.code.is_empty() {
        // `path:line:col: severity[code]` — a line is a number after the path
        let located = o.diagnostic.split(": ").next().is_some_and(|loc| {
            loc.split(':')
                .nth(1)
                .is_some_and(|l| l.parse::<u32>().is_ok_and(|n| n > 0))
        });
        if case.line && !located {
            problems.push(format!("no line in `{}`", o.diagnostic));
        }
        // a diagnostic names what it is about: a file of the project, the
        // output folder, or the flag or request that was refused
        let names_file = [
            "content",
            "book",
            "locales/",
            "templates/",
            "--",
            "GET ",
            "Host",
            "<",
        ]
        .iter()
        .any(|p| o.diagnostic.starts_with(p));
        if !names_file {
            problems.push(format!("no file in `{}`", o.diagnostic));
        }
        if !o.help {
            problems.push(format!("no `= help:` line after `{}`", o.diagnostic));
        }
    }
    problems
}

const BEGIN: &str = "<!-- catalogue: generated by tests/bad_input.rs; UPDATE_ROBUSTNESS=1 cargo test --test bad_input -->";
const END: &str = "<!-- end of catalogue -->";

fn table(rows: &[(Case, Outcome)]) -> String {
    let mut out = String::from(
        "| case | command | exit | diagnostic | help | previous output |\n|---|---|---|---|---|---|\n",
    );
    for (case, o) in rows {
        let command = match case.run {
            Run::Build => "build",
            Run::InspectJson(_) => "inspect --format json",
            Run::SourceText(_) => "source-text",
            Run::Check => "check",
            Run::Args(label, _) | Run::Custom(label, _) => label,
        };
        let diagnostic = if o.diagnostic.is_empty() {
            "—".to_owned()
        } else {
            format!("`` {} ``", o.diagnostic.replace('|', "\\|"))
        };
        out.push_str(&format!(
            "| {} | {command} | {} | {diagnostic} | {} | {} |\n",
            case.name.replace('|', "\\|"),
            o.exit,
            if o.help { "yes" } else { "—" },
            o.output
        ));
    }
    out
}

#[test]
fn catalogue() {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for case in cases() {
        match run_case(&case) {
            Ok(outcome) => {
                for p in check(&case, &outcome) {
                    failures.push(format!("{}: {p}", case.name));
                }
                rows.push((case, outcome));
            }
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let doc_path = root().join("docs/robustness.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_default();
    let generated = table(&rows);
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/robustness.md lacks the markers `{BEGIN}` … `{END}`");
    };
    let current = &doc[b + BEGIN.len()..e];
    let wanted = format!("\n{generated}");
    if current != wanted {
        if std::env::var_os("UPDATE_ROBUSTNESS").is_some() {
            let new = format!("{}{BEGIN}{wanted}{}", &doc[..b], &doc[e..]);
            std::fs::write(&doc_path, new).unwrap();
        } else {
            panic!(
                "docs/robustness.md is out of date with the catalogue; run\n  UPDATE_ROBUSTNESS=1 cargo test --test bad_input\nand commit the result. Generated table:\n{generated}"
            );
        }
    }
}

#[test]
fn includes_inside_content_are_accepted() {
    let sandbox = Sandbox::new();
    let dir = &sandbox.project();
    std::fs::create_dir(dir.join("content/en/includes")).unwrap();
    std::fs::write(dir.join("content/en/includes/part.md"), "Shared text.\n").unwrap();
    // `..` that stays inside content/, and the `(<path>)` form DocFX allows
    append(
        dir,
        EN,
        "\n[!INCLUDE [part](includes/part.md)]\n\n[!INCLUDE [part](<../en/includes/part.md>)]\n",
    );
    let out = rulebook(dir, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("include-"), "{stderr}");
}
