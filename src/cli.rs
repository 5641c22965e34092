//! The command line: argument parsing and dispatch to the library. No pipeline
//! logic lives here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::docfx::{self, Block, Document, SourceTextOptions};
use crate::load;

/// Exit codes (DESIGN.md): 0 success, 1 the input or the question says no,
/// 2 usage or unreadable input.
pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_INPUT: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;

/// The command line of `rulebook` (its help text is the `about` below and
/// the fields' doc comments).
#[derive(Debug, Parser)]
#[command(name = "rulebook", version, about = "Localized help articles in, a localized site and a rules file out", long_about = None)]
pub struct Cli {
    /// Project root holding book.toml, content/, locales/ and templates/.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub(crate) root: PathBuf,
    /// Print errors only.
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
    /// Worker threads for parsing and extraction [default: one per core].
    /// The output does not depend on it.
    #[arg(long, short = 'j', global = true, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the rules file, the translator report and the localized site.
    Build {
        /// Output folder.
        #[arg(long, default_value = "book", value_name = "DIR")]
        out: PathBuf,
        /// Build only these locales (repeatable).
        #[arg(long = "locale", value_name = "L")]
        locales: Vec<String>,
    },
    /// Report how the locales differ: facts, sections, segments, terms, steps.
    /// Exits 1 when a finding at or above --fail-on exists.
    Diff {
        /// Output form: text for people, JSON as report.json, SARIF for code
        /// scanning.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Lowest severity that makes the run fail.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Report only these locales (default: all).
        #[arg(value_name = "LOCALE")]
        locales: Vec<String>,
    },
    /// Print the parsed document model of one article.
    Inspect {
        /// The Markdown file (relative to the working directory).
        file: PathBuf,
        /// Output form: an outline for people, or the model as JSON.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Rebuild the source-language Markdown from a bilingual file, or from
    /// every bilingual article of a folder (a DocFX tree). Never overwrites
    /// a file that differs from what it would write, unless --force.
    SourceText {
        /// The bilingual Markdown file, or a folder (relative to the working
        /// directory): its articles are rebuilt at the same paths, its TOCs
        /// get the source titles, every other file is copied.
        #[arg(value_name = "FILE|DIR")]
        file: PathBuf,
        /// Write here instead of standard output (a folder, for a folder).
        #[arg(long, short, value_name = "OUT")]
        output: Option<PathBuf>,
        /// Overwrite files of the output that differ from what would be
        /// written (edits made there are lost).
        #[arg(long)]
        force: bool,
        /// Value for ms.contentlocale in the output.
        #[arg(long, default_value = "en-US", value_name = "TAG")]
        content_locale: String,
    },
    /// Answer a question from rules.json: exit 0 yes, 1 no, 2 error.
    Check(CheckArgs),
    /// Build, serve the output on http://127.0.0.1:3000/ and rebuild (and
    /// reload open pages) when the sources change.
    Serve(serve::ServeArgs),
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Valid ids: `rulebook check --list actions|roles|subjects|markets` lists them \
with their names in --lang's language; they come from rules.json (its rules and its `vocabulary`: \
every role of the project's locales/<locale>/roles.tsv, every action a rule names) and, for \
markets, ISO 3166-1 (names from locales/<locale>/regions.tsv). An id known nowhere is refused \
(exit 2) with the closest known ids."
)]
pub(crate) struct CheckArgs {
    /// Rules file [default: book/rules.json under --root].
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) rules: Option<PathBuf>,
    /// Language of the reasons (BCP 47, negotiated against locales/; falls back to en).
    #[arg(long, global = true, default_value = "en", value_name = "L")]
    pub(crate) lang: String,
    /// Output form: a sentence for people, or the decision as JSON.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Answer every question of a JSONL file (`-` for standard input), one
    /// decision per line, in order.
    #[arg(long, value_name = "FILE.jsonl")]
    pub(crate) batch: Option<PathBuf>,
    /// List the ids a question may name (with their names in --lang's
    /// language, else the source locale's) instead of asking one.
    #[arg(long, value_enum, value_name = "WHAT", conflicts_with = "batch")]
    pub(crate) list: Option<ListKind>,
    #[command(subcommand)]
    pub(crate) question: Option<QuestionArgs>,
}

/// The questions of `check` (DESIGN.md). Values are taken as text and checked
/// by the library, so that every bad value gets the same clear message.
#[derive(Debug, Subcommand)]
pub(crate) enum QuestionArgs {
    /// May PRODUCT be bought in MARKET?
    Purchase {
        /// Product id, as rules.json names it.
        #[arg(long, value_name = "P")]
        product: String,
        /// ISO 3166-1 alpha-2 code, any case.
        #[arg(long, value_name = "M")]
        market: String,
    },
    /// Do prices in MARKET include tax?
    Tax {
        /// ISO 3166-1 alpha-2 code, any case.
        #[arg(long, value_name = "M")]
        market: String,
    },
    /// May a purchase be cancelled on a day?
    Cancel {
        /// YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        purchased: String,
        /// YYYY-MM-DD [default: today, UTC]
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
    },
    /// Is a download link still usable?
    Link {
        /// RFC 3339
        #[arg(long, value_name = "DATETIME")]
        issued: String,
        /// RFC 3339 [default: now]
        #[arg(long, value_name = "DATETIME")]
        now: Option<String>,
        /// Downloads already made.
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        downloads: String,
    },
    /// May any of the roles do ACTION?
    Role {
        /// Action id, as rules.json names it.
        #[arg(long, value_name = "A")]
        action: String,
        /// A role the user holds (repeatable).
        #[arg(long = "role", value_name = "R", required = true)]
        roles: Vec<String>,
    },
    /// Does a cancellation request (a JSON file) carry every required field?
    CancelRequest {
        /// The request: a JSON object of field name → value.
        #[arg(long, value_name = "F.json")]
        file: PathBuf,
    },
}

/// What `check --list` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListKind {
    Actions,
    Roles,
    Subjects,
    Markets,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

/// How a command ended when it did not fail; [`exit_code`] turns it (or the
/// errors of a failed command) into the process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, or the question's answer is yes: exit 0.
    Done,
    /// The input or the question says no (a finding at `--fail-on`, the
    /// answer "no"), already printed: exit 1.
    No,
    /// Standard output could not be written (a closed pipe): exit 2, with
    /// nothing more to print, since there is nobody to read it.
    Unwritten,
}

/// What every command returns: its outcome, or the errors that stopped it
/// (printed, with any warnings among them, by [`exit_code`]).
pub type CommandResult = Result<Outcome, Diagnostics>;

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.jobs {
        None => dispatch(&cli),
        Some(jobs) => match rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(jobs))
            .build()
        {
            Ok(pool) => pool.install(|| dispatch(&cli)),
            Err(e) => Err(Diagnostic::error(
                "usage",
                format!("cannot start {jobs} worker threads: {e}"),
            )
            .with_help("give a smaller --jobs")
            .into()),
        },
    };
    ExitCode::from(exit_code(&cli, result))
}

/// The one place a command's result becomes an exit code, so that the same
/// mistake exits with the same code whichever command meets it.
fn exit_code(cli: &Cli, result: CommandResult) -> u8 {
    match result {
        Ok(Outcome::Done) => EXIT_OK,
        Ok(Outcome::No) => EXIT_INPUT,
        Ok(Outcome::Unwritten) => EXIT_USAGE,
        Err(diagnostics) => {
            report(&diagnostics, cli.quiet);
            match cli.command {
                // `check` exits 1 for the answer "no": any error is 2, so
                // that a script never takes a failure for an answer.
                Command::Check(_) => EXIT_USAGE,
                _ => failure_code(&diagnostics),
            }
        }
    }
}

fn dispatch(cli: &Cli) -> CommandResult {
    match cli.command {
        Command::Build {
            ref out,
            ref locales,
        } => build(cli, out, locales),
        Command::Inspect { ref file, format } => inspect(cli, file, format),
        Command::SourceText {
            ref file,
            ref output,
            force,
            ref content_locale,
        } => {
            let options = SourceTextOptions {
                content_locale: content_locale.to_owned(),
            };
            if file.is_dir() {
                source_text_tree(cli, file, output.as_deref(), &options, force)
            } else {
                source_text(cli, file, output.as_deref(), &options, force)
            }
        }
        Command::Check(ref args) => check::run(&cli.root, args),
        Command::Serve(ref args) => serve::run(cli, args),
        Command::Diff {
            format,
            fail_on,
            ref locales,
        } => diff(cli, format, fail_on, locales),
    }
}

mod check;
mod serve;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    Error,
    Warning,
    Never,
}

fn diff(cli: &Cli, format: DiffFormat, fail_on: FailOn, locales: &[String]) -> CommandResult {
    let project = load::load_project(&cli.root)?;
    known_locales(&project, locales)?;
    use crate::report::ReportExt as _;
    let (findings, diagnostics) = crate::emit::findings(&project)?;
    report(&diagnostics, cli.quiet);
    let findings = findings.only_locales(locales);
    let text = match format {
        DiffFormat::Text => {
            use std::io::IsTerminal;
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            findings.to_text(color)
        }
        DiffFormat::Json => {
            String::from_utf8(crate::emit::to_json_bytes(&findings)).unwrap_or_default()
        }
        DiffFormat::Sarif => String::from_utf8(crate::emit::to_json_bytes(
            &findings.to_sarif(env!("CARGO_PKG_VERSION")),
        ))
        .unwrap_or_default(),
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return Ok(Outcome::Unwritten);
    }
    use crate::reconcile::findings::Severity;
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    Ok(match (threshold, findings.worst()) {
        (Some(t), Some(w)) if w >= t => Outcome::No,
        _ => Outcome::Done,
    })
}

/// Refuses a locale named on the command line (`--locale L`, `diff L`) that
/// the project does not have: a usage error, exit 2 (see [`failure_code`]).
fn known_locales(project: &load::Project, wanted: &[String]) -> Result<(), Diagnostic> {
    match wanted.iter().find(|l| project.locale(l).is_none()) {
        None => Ok(()),
        Some(unknown) => {
            let known: Vec<&str> = project.locales.iter().map(|l| l.id.as_str()).collect();
            Err(
                Diagnostic::error("missing-locale", format!("there is no content/{unknown}/"))
                    .with_help(format!("known locales: {}", known.join(", "))),
            )
        }
    }
}

/// Print diagnostics to stderr in the contract form.
pub fn report(diagnostics: &Diagnostics, quiet: bool) {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics.iter().filter(|d| !quiet || d.is_error()) {
        let _ = writeln!(stderr, "{d}");
    }
}

/// The output folder `--out` names (relative to `--root`), or the refusal
/// when a build may not write it: see [`crate::output::out_dir::check`].
/// Every command that writes an output asks here first, so the refusal is
/// the same for all.
fn output_folder(cli: &Cli, out: &Path) -> Result<PathBuf, Diagnostic> {
    let folder = if out.is_absolute() {
        out.to_path_buf()
    } else {
        cli.root.join(out)
    };
    let named = format!("--out {}", out.display());
    crate::output::out_dir::check(&cli.root, &folder, &named)?;
    Ok(folder)
}

/// Exit code for a set of failing diagnostics: 2 when the command line
/// asks for what cannot be (a locale the project does not have, an output
/// folder that may not be replaced, an address that cannot be listened on),
/// a file could not be read or written at all, or there is no project where
/// `--root` points (as docs/diagnostics.md says); 1 when the input was read
/// and found wrong.
fn failure_code(diagnostics: &Diagnostics) -> u8 {
    const USAGE: [&str; 8] = [
        "usage",
        SOURCE_TEXT_OUTPUT,
        "unreadable",
        "unwritable",
        "no-content",
        "missing-locale",
        "unlistenable",
        crate::output::out_dir::CODE,
    ];
    if diagnostics.errors().any(|d| USAGE.contains(&d.code)) {
        EXIT_USAGE
    } else {
        EXIT_INPUT
    }
}

fn build(cli: &Cli, out: &Path, locales: &[String]) -> CommandResult {
    let out = output_folder(cli, out)?;
    let options = crate::emit::BuildOptions {
        locales: locales.to_vec(),
        progress: !cli.quiet,
        session: None,
    };
    let output = crate::emit::build(&cli.root, &out, &options)?;
    report(&output.diagnostics, cli.quiet);
    if !cli.quiet {
        let c = output.counts;
        let s = output.stats;
        if s.up_to_date {
            eprintln!("{} is up to date", out.display());
        } else {
            eprintln!(
                "wrote {} ({} rules, {} procedures, {} discrepancies from {} files; \
                         analyzed {} articles, {} from the cache; rendered {} pages, {} reused)",
                out.display(),
                c.rules,
                c.procedures,
                c.discrepancies,
                c.sources,
                s.articles_analyzed,
                s.articles_cached,
                s.pages_rendered,
                s.pages_reused,
            );
        }
        // said once at the end: the warnings themselves scroll by
        let broken = output
            .diagnostics
            .iter()
            .filter(|d| d.code == "broken-link")
            .count();
        if broken > 0 {
            eprintln!(
                "{broken} broken link{} (warning[broken-link] above)",
                if broken == 1 { "" } else { "s" }
            );
        }
    }
    Ok(Outcome::Done)
}

/// Read a file named on the command line (relative to the working directory,
/// as a user would expect; `--root` is for the project).
fn read_file(file: &Path) -> Result<(load::Article, String), Diagnostic> {
    let display = file.to_string_lossy().replace('\\', "/");
    load::read_article(file, &display)
}

fn inspect(cli: &Cli, file: &Path, format: Format) -> CommandResult {
    let (article, text) = read_file(file)?;
    let doc = docfx::parse_article(&article.path, &text)?;
    let mut stdout = std::io::stdout().lock();
    let written = match format {
        Format::Json => serde_json::to_writer_pretty(&mut stdout, &doc)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(stdout)),
        Format::Text => stdout.write_all(outline(&doc).as_bytes()),
    };
    if written.is_err() {
        return Ok(Outcome::Unwritten);
    }
    let diagnostics = Diagnostics(doc.diagnostics.clone());
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    report(&diagnostics, cli.quiet);
    Ok(Outcome::Done)
}

fn source_text(
    cli: &Cli,
    file: &Path,
    output: Option<&Path>,
    options: &SourceTextOptions,
    force: bool,
) -> CommandResult {
    let (article, text) = read_file(file)?;
    let rebuilt = docfx::source_text_titled(&article.path, &text, options)?;
    report(&Diagnostics(rebuilt.warnings), cli.quiet);
    let text = rebuilt.text;
    let Some(output) = output else {
        return match std::io::stdout().lock().write_all(text.as_bytes()) {
            Ok(()) => Ok(Outcome::Done),
            Err(_) => Ok(Outcome::Unwritten),
        };
    };
    let shown = display(output);
    // --force must not turn the bilingual file into its own source text
    if let (Ok(a), Ok(b)) = (file.canonicalize(), output.canonicalize())
        && a == b
    {
        return Err(Diagnostic::error(
            SOURCE_TEXT_OUTPUT,
            format!("`{shown}` is the bilingual file itself"),
        )
        .at(Location::file(&shown))
        .with_help("write the source text to another file, e.g. under content/en")
        .into());
    }
    let (Some(name), parent) = (output.file_name(), output.parent()) else {
        return Err(
            Diagnostic::error(SOURCE_TEXT_OUTPUT, format!("`{shown}` names no file"))
                .at(Location::file(&shown))
                .with_help("give -o the file to write")
                .into(),
        );
    };
    let parent = parent.filter(|p| !p.as_os_str().is_empty());
    let written = docfx::tree::Output {
        rel: PathBuf::from(name),
        bytes: text.into_bytes(),
        from: article.path,
    };
    docfx::tree::commit(
        parent.unwrap_or(Path::new(".")),
        &parent.map(display).unwrap_or_default(),
        std::slice::from_ref(&written),
        force,
    )?;
    Ok(Outcome::Done)
}

/// The code of a refused `source-text` output: usage, exit 2.
const SOURCE_TEXT_OUTPUT: &str = "source-text-output";

/// A path named on the command line as diagnostics show it.
fn display(path: &Path) -> String {
    let shown = path.to_string_lossy().replace('\\', "/");
    match shown.trim_end_matches('/') {
        "" => shown,
        trimmed => trimmed.to_owned(),
    }
}

/// `source-text DIR -o OUT`: every file of the tree, written only where it
/// changes, and only when no file of OUT holds edits (or with --force).
fn source_text_tree(
    cli: &Cli,
    src: &Path,
    output: Option<&Path>,
    options: &SourceTextOptions,
    force: bool,
) -> CommandResult {
    let src_shown = display(src);
    let Some(out) = output else {
        return Err(Diagnostic::error(
            "usage",
            format!("`{src_shown}` is a folder: source-text needs -o OUT, the folder to write"),
        )
        .at(Location::file(&src_shown))
        .with_help(format!(
            "e.g. rulebook source-text {src_shown} -o content/en"
        ))
        .into());
    };
    let out_shown = display(out);
    let refuse = |why: String| -> Diagnostics {
        Diagnostic::error(SOURCE_TEXT_OUTPUT, why)
            .at(Location::file(&out_shown))
            .with_help("write the source text to a folder beside the source, e.g. content/en")
            .into()
    };
    let real = |p: &Path| {
        docfx::tree::real_path(p).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(
                    "unreadable",
                    format!("cannot resolve `{}`: {e}", display(p)),
                )
                .at(Location::file(display(p)))
                .with_help("check that the folder exists and can be read"),
            )
        })
    };
    let (src_real, out_real, root_real) = (real(src)?, real(out)?, real(&cli.root)?);
    // Writing into the source would rebuild from its own output next time
    // (and, with --force, overwrite it); writing over a folder that holds
    // the source or the project would mix the two.
    if out_real.starts_with(&src_real) {
        return Err(refuse(format!(
            "`{out_shown}` is inside the source folder `{src_shown}`"
        )));
    }
    if src_real.starts_with(&out_real) {
        return Err(refuse(format!(
            "`{out_shown}` holds the source folder `{src_shown}`"
        )));
    }
    if root_real.starts_with(&out_real) {
        return Err(refuse(format!(
            "`{out_shown}` is the project (or holds it), not a folder for the source text"
        )));
    }
    let converted = docfx::tree::convert_tree(src, &src_shown, options)?;
    let committed = match docfx::tree::commit(out, &out_shown, &converted.outputs, force) {
        Ok(committed) => committed,
        Err(mut problems) => {
            problems.extend(converted.warnings.0);
            return Err(problems);
        }
    };
    report(&converted.warnings, cli.quiet);
    if !cli.quiet {
        eprintln!(
            "source-text: {} written, {} unchanged in {out_shown} ({} articles rebuilt, {} TOCs, {} files copied)",
            committed.written,
            committed.unchanged,
            converted.articles,
            converted.tocs,
            converted.copied
        );
    }
    Ok(Outcome::Done)
}

/// A readable outline of a document: one line per node, indented by depth.
pub fn outline(doc: &Document) -> String {
    let mut out = String::new();
    let untranslated = doc.segments.iter().filter(|s| s.is_untranslated()).count();
    out.push_str(&format!(
        "{}: {} sections, {} segments ({} untranslated), {} comments\n",
        doc.path,
        doc.sections.len(),
        doc.segments.len(),
        untranslated,
        doc.comments.len()
    ));
    let mut stack: Vec<(usize, &Block)> = doc.preamble.iter().rev().map(|b| (1, b)).collect();
    let mut sections = doc.sections.iter();
    loop {
        while let Some((depth, block)) = stack.pop() {
            outline_block(&mut out, depth, block, &mut stack);
        }
        let Some(section) = sections.next() else {
            break;
        };
        out.push_str(&format!(
            "{}:{} {} [{}] {}\n",
            section.pos.line,
            section.pos.col,
            "#".repeat(section.level as usize),
            section.anchor,
            section.title.text
        ));
        stack.extend(section.blocks.iter().rev().map(|b| (1, b)));
    }
    out
}

fn outline_block<'a>(
    out: &mut String,
    depth: usize,
    block: &'a Block,
    stack: &mut Vec<(usize, &'a Block)>,
) {
    let indent = "  ".repeat(depth);
    let pos = block.pos();
    let line = |what: String| format!("{}:{} {indent}{what}\n", pos.line, pos.col);
    match block {
        Block::Paragraph { text } => {
            out.push_str(&line(format!("paragraph: {}", short(&text.text))))
        }
        Block::Alert { kind, blocks, .. } => {
            out.push_str(&line(format!("alert {kind:?}")));
            stack.extend(blocks.iter().rev().map(|b| (depth + 1, b)));
        }
        Block::Quote { blocks, .. } => {
            out.push_str(&line("quote".to_owned()));
            stack.extend(blocks.iter().rev().map(|b| (depth + 1, b)));
        }
        Block::Procedure { steps: items, .. } | Block::List { items, .. } => {
            let kind = if matches!(block, Block::Procedure { .. }) {
                "procedure"
            } else {
                "list"
            };
            out.push_str(&line(format!("{kind} ({} items)", items.len())));
            for item in items {
                let labels: Vec<&str> = item.text.labels.iter().map(|l| l.text.as_str()).collect();
                let n = item
                    .n
                    .map(|n| format!("{n}. "))
                    .unwrap_or_else(|| "- ".to_owned());
                out.push_str(&format!(
                    "{}:{} {indent}  {n}{}{}\n",
                    item.pos.line,
                    item.pos.col,
                    short(&item.text.text),
                    if labels.is_empty() {
                        String::new()
                    } else {
                        format!("  [ui: {}]", labels.join(" | "))
                    }
                ));
                // nested blocks of items follow their item, one level deeper
                let mut nested: Vec<(usize, &Block)> =
                    item.blocks.iter().map(|b| (depth + 2, b)).collect();
                while let Some((d, b)) = nested.pop() {
                    let mut inner = Vec::new();
                    outline_block(out, d, b, &mut inner);
                    nested.extend(inner);
                }
            }
        }
        Block::Table { header, rows, .. } => out.push_str(&line(format!(
            "table ({} columns, {} rows)",
            header.len(),
            rows.len()
        ))),
        Block::Code { lang, .. } => {
            out.push_str(&line(format!("code {}", lang.as_deref().unwrap_or(""))))
        }
        Block::Include { path, .. } => out.push_str(&line(format!("include {path}"))),
        Block::Directive { text, .. } => out.push_str(&line(format!("directive {}", short(text)))),
        Block::Html { html, .. } => out.push_str(&line(format!("html {}", short(html)))),
    }
}

fn short(s: &str) -> String {
    const MAX: usize = 72;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
