//! `rulebook check`: turns arguments into a question, asks the validator,
//! prints the decision. The deciding is all in the validator crate
//! (`rulebook_rules`, crates/rulebook-rules), which a service links alike.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use super::{CheckArgs, CommandResult, Format, ListKind, Outcome, QuestionArgs, report};
use crate::diag::{Diagnostic, Location};
use rulebook_rules::batch::{DecisionWriter, MAX_LINE_BYTES, MAX_SKIP_BYTES};
use rulebook_rules::market::Market;
use rulebook_rules::question::MAX_REQUEST_BYTES;
use rulebook_rules::{Answer, Messages, Question, QuestionError, Rules, Validator, Vocabulary};

/// Any error here exits 2 ([`super::exit_code`]): 1 is the answer "no".
pub(super) fn run(root: &Path, args: &CheckArgs) -> CommandResult {
    // Check the question before loading anything, so a typo is reported as
    // such even when the rules file is missing too.
    if let Some(kind) = args.list {
        if args.question.is_some() {
            return Err(Diagnostic::error(
                "usage",
                "--list replaces the question; give one or the other",
            )
            .into());
        }
        return Ok(list(
            &validator(root, args)?,
            kind,
            &args.lang,
            args.format,
        )?);
    }
    let question = match &args.question {
        Some(_) if args.batch.is_some() => {
            return Err(Diagnostic::error(
                "usage",
                "--batch replaces the question; give one or the other",
            )
            .into());
        }
        Some(q) => Some(question(q)?),
        None if args.batch.is_some() => None,
        None => {
            return Err(Diagnostic::error("usage", "no question to answer")
                .with_help("give a question (purchase, tax, cancel, link, role, cancel-request) or --batch FILE.jsonl")
                .into());
        }
    };
    let validator = validator(root, args)?;
    match (question, &args.batch) {
        (Some(q), _) => Ok(answer(&validator, &q, args.format)?),
        (None, Some(batch)) => Ok(run_batch(&validator, batch)?),
        (None, None) => Err(Diagnostic::error("usage", "no question to answer").into()),
    }
}

fn validator(root: &Path, args: &CheckArgs) -> Result<Validator, Diagnostic> {
    let path = args
        .rules
        .clone()
        .unwrap_or_else(|| root.join("book").join("rules.json"));
    let display = path.display().to_string();
    let rules = Rules::load(&path).map_err(|e| {
        let location = match e.position() {
            Some((line, col)) => Location::new(&display, line as u32, col as u32),
            None => Location::file(&display),
        };
        Diagnostic::error("rules-file", e.detail())
            .at(location)
            .with_help("rebuild it with `rulebook build`, or name another with --rules FILE")
    })?;
    let messages = Messages::load(&root.join("locales"), &args.lang).map_err(|e| {
        Diagnostic::error("messages", e.to_string())
            .with_help("--lang takes a tag such as en, ja-JP or zh-TW")
    })?;
    Ok(Validator::with_messages(rules, messages))
}

/// `check --list`: the ids a question may name, sorted, each with its name
/// in `lang` (rules.json's vocabulary, else validator.ftl's display name,
/// else the id); text `id<TAB>name` lines, or one JSON object.
fn list(
    validator: &Validator,
    kind: ListKind,
    lang: &str,
    format: Format,
) -> Result<Outcome, Diagnostic> {
    let rules = validator.rules();
    let file = rules.file();
    let vocabulary = &file.vocabulary;
    let messages = validator.messages();
    let locale = vocabulary_locale(file, lang);
    let named = |names: &rulebook_rules::Names, prefix: &str, id: &str| {
        Vocabulary::name(names, id, &locale, &file.canonical_locale)
            .map_or_else(|| messages.name(prefix, id), str::to_owned)
    };
    let items: Vec<(String, String)> = match kind {
        ListKind::Roles => rules
            .known_roles()
            .into_iter()
            .map(|id| (id.to_owned(), named(&vocabulary.roles, "role", id)))
            .collect(),
        ListKind::Actions => rules
            .known_actions()
            .into_iter()
            .map(|id| (id.to_owned(), named(&vocabulary.actions, "action", id)))
            .collect(),
        ListKind::Subjects => rules
            .known_subjects()
            .into_iter()
            .map(|id| (id.to_owned(), named(&vocabulary.subjects, "product", id)))
            .collect(),
        ListKind::Markets => (b'A'..=b'Z')
            .flat_map(|a| (b'A'..=b'Z').map(move |b| [a, b]))
            .filter_map(|code| Market::from_code(std::str::from_utf8(&code).ok()?))
            .filter(|m| rulebook_rules::market::is_region(*m))
            .map(|m| (m.to_string(), messages.market_name(m)))
            .collect(),
    };
    let text = match format {
        Format::Text => items
            .iter()
            .map(|(id, name)| format!("{id}\t{name}\n"))
            .collect::<String>(),
        Format::Json => {
            let items: Vec<serde_json::Value> = items
                .iter()
                .map(|(id, name)| serde_json::json!({"id": id, "name": name}))
                .collect();
            let list = match kind {
                ListKind::Actions => "actions",
                ListKind::Roles => "roles",
                ListKind::Subjects => "subjects",
                ListKind::Markets => "markets",
            };
            format!(
                "{}\n",
                serde_json::json!({"list": list, "locale": locale, "items": items})
            )
        }
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Diagnostic::error("unwritable", format!("cannot write the list: {e}")))?;
    Ok(Outcome::Done)
}

/// The locale of rules.json's vocabulary names `lang` asks for: the tag
/// itself, else the first locale of its language (`ja` → `ja-JP`), else the
/// canonical locale (the names' fallback).
fn vocabulary_locale(file: &rulebook_rules::RulesFile, lang: &str) -> String {
    let vocabulary = &file.vocabulary;
    let mut locales: Vec<&str> = [&vocabulary.roles, &vocabulary.actions, &vocabulary.subjects]
        .into_iter()
        .flat_map(|names| names.values().flat_map(|by| by.keys().map(String::as_str)))
        .collect();
    locales.sort_unstable();
    locales.dedup();
    let language = |tag: &str| tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    locales
        .iter()
        .find(|l| l.eq_ignore_ascii_case(lang))
        .or_else(|| locales.iter().find(|l| language(l) == language(lang)))
        .map_or_else(|| file.canonical_locale.clone(), |l| (*l).to_owned())
}

fn question(args: &QuestionArgs) -> Result<Question, Diagnostic> {
    let bad = |e: QuestionError| {
        Diagnostic::error("bad-question", e.0)
            .with_help("see `rulebook check --help` and docs/validator.md")
    };
    match args {
        QuestionArgs::Purchase { product, market } => Question::purchase(product, market),
        QuestionArgs::Tax { market } => Question::tax(market),
        QuestionArgs::Cancel { purchased, on } => Question::cancel(purchased, on.as_deref()),
        QuestionArgs::Link {
            issued,
            now,
            downloads,
        } => Question::link(issued, now.as_deref(), downloads),
        QuestionArgs::Role { action, roles } => Question::role(action, roles),
        QuestionArgs::CancelRequest { file } => {
            let text = read_request(file)?;
            let display = file.display().to_string();
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Diagnostic::error("bad-question", e.to_string()).at(Location::new(
                    &display,
                    e.line() as u32,
                    e.column() as u32,
                ))
            })?;
            Question::cancel_request(value)
        }
    }
    .map_err(bad)
}

/// The request file, read up to one byte past [`MAX_REQUEST_BYTES`]: a
/// wrong path (a log, `/dev/zero`) is refused, never read whole.
fn read_request(file: &Path) -> Result<String, Diagnostic> {
    use std::io::Read;
    let display = file.display().to_string();
    let unreadable = |e: std::io::Error| {
        Diagnostic::error("unreadable", format!("cannot read {display}: {e}"))
            .at(Location::file(&display))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .map_err(unreadable)?
        .take(MAX_REQUEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_REQUEST_BYTES {
        return Err(Diagnostic::error(
            "request-too-large",
            format!("the request file is larger than {MAX_REQUEST_BYTES} bytes, the limit of a cancellation request"),
        )
        .at(Location::file(&display))
        .with_help("a request is one JSON object of a few hundred bytes: check the path given to --file"));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, col) = crate::position::LineIndex::new(prefix).line_col(prefix, valid);
        Diagnostic::error(
            "bad-question",
            format!("the request file is not UTF-8 (byte {valid})"),
        )
        .at(Location::new(&display, line, col))
        .with_help("save the request as UTF-8 JSON")
    })
}

fn answer(
    validator: &Validator,
    question: &Question,
    format: Format,
) -> Result<Outcome, Diagnostic> {
    validator.admit(question).map_err(|e| {
        Diagnostic::error("bad-question", e.0).with_help("see docs/validator.md for the ids")
    })?;
    let mut out = std::io::stdout().lock();
    let decision = validator.check(question);
    let written = match format {
        Format::Json => DecisionWriter::new(validator).write_decision(question, &mut out),
        Format::Text => {
            let messages = validator.messages();
            let mut text = format!("{}\n", messages.answer(decision.answer));
            if decision.conflict {
                text.push_str(&format!(
                    "{}\n",
                    messages.format("decision-conflict", &fluent_bundle::FluentArgs::new())
                ));
            }
            for r in &decision.reasons {
                text.push_str(&format!("  - {}\n", r.message));
                match (&r.rule, &r.source) {
                    (Some(rule), Some(s)) => {
                        text.push_str(&format!("    [{rule}] {}:{}\n", s.path, s.line));
                    }
                    (Some(rule), None) => text.push_str(&format!("    [{rule}]\n")),
                    _ => {}
                }
            }
            out.write_all(text.as_bytes())
        }
    };
    written
        .map_err(|e| Diagnostic::error("unwritable", format!("cannot write the answer: {e}")))?;
    Ok(match decision.answer {
        Answer::Yes => Outcome::Done,
        Answer::No => Outcome::No,
    })
}

fn run_batch(validator: &Validator, batch: &Path) -> Result<Outcome, Diagnostic> {
    let display = batch.display().to_string();
    let unreadable = |e: std::io::Error| {
        Diagnostic::error("unreadable", format!("cannot read {display}: {e}"))
            .at(Location::file(&display))
    };
    let mut input: Box<dyn BufRead> = if display == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(batch).map_err(unreadable)?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let stats = DecisionWriter::new(validator)
        .run(&mut input, &mut out)
        .map_err(unreadable)?;
    if let Some(first) = stats.first_too_long {
        report(
            &Diagnostic::warning(
                "line-too-long",
                format!(
                    "{} line(s) longer than {MAX_LINE_BYTES} bytes were skipped, each with an error line (the first: line {first})",
                    stats.too_long
                ),
            )
            .at(Location::new(&display, saturate(first), 1))
            .with_help("a batch holds one question (a JSON object) per line")
            .into(),
            false,
        );
    }
    if let Some(line) = stats.unended {
        // The line may never end (a device): the answers so far stand, but
        // the batch was not read to its end.
        return Err(Diagnostic::error(
            "line-too-long",
            format!(
                "line {line} runs on past {} bytes without a newline; the batch stopped there",
                MAX_LINE_BYTES as u64 + MAX_SKIP_BYTES
            ),
        )
        .at(Location::new(&display, saturate(line), 1))
        .with_help("give a JSONL file: one question (a JSON object) per line"));
    }
    Ok(Outcome::Done)
}

/// A line number for a diagnostic (which holds a `u32`).
fn saturate(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}
