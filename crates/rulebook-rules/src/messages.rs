//! The validator's words: Fluent messages (`locales/<locale>/validator.ftl`)
//! and CLDR market names (`locales/<locale>/regions.tsv`), chosen by locale
//! negotiation with English as the fallback. English is built into the
//! binary, so a validator embedded in a service speaks without data files.

use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_langneg::{LanguageIdentifier, NegotiationStrategy, negotiate_languages};

use crate::Value;
use crate::finding::{Answer, Finding};
use crate::market::{Market, RegionNames, english_regions, parse_regions};
use crate::question::{Question, REQUEST_FIELDS};
use crate::rules::Rules;

// Kept here for callers of its old path; the table is market.rs's.
pub use crate::market::is_region;

const EN_FTL: &str = include_str!("../../../locales/en/validator.ftl");
const EN_SITE_FTL: &str = include_str!("../../../locales/en/site.ftl");
/// CLDR language names in English and in themselves (scripts/gen-languages.py).
const EN_LANGUAGES: &str = include_str!("../../../locales/en/languages.tsv");
const FALLBACK: &str = "en";

/// Why the messages of a locale could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MessagesError {
    #[error("--lang {0:?} is not a BCP 47 language tag (e.g. ja-JP)")]
    /// The requested language is not a BCP 47 tag.
    BadTag(String),
    #[error("cannot read {path}: {source}")]
    /// A message or region file could not be read (or is too large).
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    /// A message file has Fluent syntax errors.
    Syntax {
        /// The file.
        path: String,
        /// The errors, one per line.
        message: String,
    },
}

/// Messages and market names of one locale, falling back to English.
pub struct Messages {
    locale: String,
    /// The chosen locale first, English last; a message missing from one
    /// is looked up in the next.
    bundles: Vec<FluentBundle<FluentResource>>,
    regions: RegionNames,
    /// Locale tag -> its CLDR autonym (`locales/<chosen>/languages.tsv`,
    /// else English's): the name of a language no `.ftl` file names.
    autonyms: std::collections::BTreeMap<String, String>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages")
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

impl Messages {
    /// The built-in English messages.
    pub fn english() -> Messages {
        let mut english = bundle(FALLBACK, resource(EN_FTL).unwrap_or_else(|r| r));
        let _ = english.add_resource(resource(EN_SITE_FTL).unwrap_or_else(|r| r));
        Messages {
            locale: FALLBACK.to_owned(),
            bundles: vec![english],
            regions: english_regions(),
            autonyms: autonyms(EN_LANGUAGES),
        }
    }

    /// The best of the locales in `locales_dir` (folders holding `.ftl`
    /// files) for `requested`, with English behind it; every `.ftl` file of
    /// the chosen folder is read (`validator.ftl`, `site.ftl`, …). A request
    /// no folder matches gets English.
    pub fn load(locales_dir: &Path, requested: &str) -> Result<Messages, MessagesError> {
        let wanted: LanguageIdentifier = requested
            .parse()
            .map_err(|_| MessagesError::BadTag(requested.to_owned()))?;
        let mut names: Vec<String> = std::fs::read_dir(locales_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| !ftl_files(&e.path()).is_empty())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .collect();
        names.sort();
        let available: Vec<(LanguageIdentifier, &str)> = names
            .iter()
            .filter_map(|n| n.parse().ok().map(|id| (id, n.as_str())))
            .collect();
        let ids: Vec<&LanguageIdentifier> = available.iter().map(|(id, _)| id).collect();
        let chosen = negotiate_languages(&[&wanted], &ids, None, NegotiationStrategy::Lookup)
            .first()
            .and_then(|id| available.iter().find(|(a, _)| a == **id))
            .map_or(FALLBACK, |(_, name)| *name);

        let mut messages = Messages::english();
        let dir = locales_dir.join(chosen);
        let files = ftl_files(&dir);
        if files.is_empty() {
            return Ok(messages);
        }
        let mut own: Option<FluentBundle<FluentResource>> = None;
        for ftl_path in files {
            let text = read(&ftl_path)?;
            let res = resource(&text).map_err(|_| MessagesError::Syntax {
                path: ftl_path.display().to_string(),
                message: syntax_errors(&text),
            })?;
            match own.as_mut() {
                Some(b) => {
                    let _ = b.add_resource(res);
                }
                None => own = Some(bundle(chosen, res)),
            }
        }
        let Some(own) = own else {
            return Ok(messages);
        };
        if chosen == FALLBACK {
            messages.bundles = vec![own];
        } else {
            messages.bundles.insert(0, own);
        }
        messages.locale = chosen.to_owned();
        let languages_path = dir.join("languages.tsv");
        if languages_path.is_file() {
            messages.autonyms.extend(autonyms(&read(&languages_path)?));
        }
        // Names missing from the locale's list keep their English name.
        let regions_path = dir.join("regions.tsv");
        if regions_path.is_file() {
            for (i, name) in parse_regions(&read(&regions_path)?).into_iter().enumerate() {
                if let (Some(name), Some(slot)) = (name, messages.regions.get_mut(i)) {
                    *slot = Some(name);
                }
            }
        }
        Ok(messages)
    }

    /// The name of locale `tag`'s language on these pages: the
    /// `language-<tag>` message where a `.ftl` file has one, else the
    /// language's own name from CLDR (a switcher lists each language in
    /// itself), else the tag.
    pub fn language_name(&self, tag: &str) -> String {
        let key = format!("language-{tag}");
        if self.bundles.iter().any(|b| b.has_message(&key)) {
            return self.format(&key, &FluentArgs::new());
        }
        self.autonym(tag).unwrap_or_else(|| tag.to_owned())
    }

    /// The name of locale `tag`'s language in itself, for the language
    /// picker: `language-self` when these messages are `tag`'s own, else
    /// CLDR's name (a locale without its own `site.ftl` gets English UI
    /// strings, and must not be called "English").
    pub fn own_language_name(&self, tag: &str) -> String {
        if self.locale == tag {
            return self.format("language-self", &FluentArgs::new());
        }
        self.autonym(tag).unwrap_or_else(|| tag.to_owned())
    }

    /// CLDR's autonym of `tag`, or of the one listed locale of its language
    /// (`fr` finds `fr-FR`; `pt` finds nothing, being `pt-BR` or `pt-PT`);
    /// its first letter capitalized, as a name standing alone in a menu
    /// (CLDR's `uiListOrMenu` context: "français" → "Français").
    fn autonym(&self, tag: &str) -> Option<String> {
        let found = self.autonyms.get(tag).or_else(|| {
            let language = tag.split('-').next().unwrap_or(tag);
            let mut same = self
                .autonyms
                .iter()
                .filter(|(t, _)| t.split('-').next() == Some(language));
            match (same.next(), same.next()) {
                (Some((_, name)), None) => Some(name),
                _ => None,
            }
        })?;
        let mut chars = found.chars();
        let first = chars.next()?;
        Some(first.to_uppercase().chain(chars).collect())
    }

    /// The negotiated locale.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The market's display name in this locale (its code if none).
    pub fn market_name(&self, market: Market) -> String {
        match self.regions.get(market.index()) {
            Some(Some(name)) => name.to_string(),
            _ => market.to_string(),
        }
    }

    /// "yes" / "no" in this locale.
    pub fn answer(&self, answer: Answer) -> String {
        self.format(&format!("answer-{}", answer.id()), &FluentArgs::new())
    }

    /// A display name: `prefix-id` from the .ftl files, else the id itself.
    pub fn name(&self, prefix: &str, id: &str) -> String {
        let key = format!("{prefix}-{id}");
        if self.bundles.iter().any(|b| b.has_message(&key)) {
            self.format(&key, &FluentArgs::new())
        } else {
            id.to_owned()
        }
    }

    /// Format message `id`; a missing message shows its id, so a gap in a
    /// translation is visible rather than fatal.
    pub fn format(&self, id: &str, args: &FluentArgs) -> String {
        for b in &self.bundles {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return b
                    .format_pattern(pattern, Some(args), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }

    fn list(&self, prefix: &str, ids: &[String]) -> String {
        let separator = self.format("list-separator", &FluentArgs::new());
        ids.iter()
            .map(|id| self.name(prefix, id))
            .collect::<Vec<_>>()
            .join(&separator)
    }

    /// Word one finding of the validator. In a `conflict` (rules of several
    /// articles answer the question differently) a rule's reason also names
    /// the article that states the rule (`conflict-reason`).
    pub fn render(
        &self,
        rules: &Rules,
        question: &Question,
        finding: &Finding,
        conflict: bool,
    ) -> String {
        let mut args = FluentArgs::new();
        let rule = finding.rule().and_then(|r| rules.rule(r));
        let value = rule.map(|r| &r.value);
        let market = |args: &mut FluentArgs, m: Market| {
            args.set("market", self.market_name(m));
            args.set("code", m.to_string());
        };
        let product = match (value, question) {
            (Some(Value::UnavailableMarkets(v)), _) => Some(v.product.as_str()),
            (_, Question::Purchase { product, .. }) => Some(product.as_str()),
            _ => None,
        };
        if let Some(product) = product {
            args.set("product", self.name("product", product));
        }
        let id = match *finding {
            Finding::Unavailable { market: m, .. } => {
                market(&mut args, m);
                "purchase-unavailable"
            }
            Finding::NotListed { market: m, .. } => {
                market(&mut args, m);
                if let Some(Value::UnavailableMarkets(v)) = value {
                    args.set("count", v.markets.len());
                }
                "purchase-not-listed"
            }
            Finding::NoMarketRule { market: m } => {
                market(&mut args, m);
                "purchase-no-rule"
            }
            Finding::TaxIncluded { market: m, .. } => {
                market(&mut args, m);
                "tax-included"
            }
            Finding::TaxExcluded { market: m, .. } => {
                market(&mut args, m);
                "tax-excluded"
            }
            Finding::NoTaxRule { market: m } => {
                market(&mut args, m);
                "tax-no-rule"
            }
            Finding::CancelWithin { elapsed, .. }
            | Finding::CancelPast { elapsed, .. }
            | Finding::NoCancelRule { elapsed } => {
                args.set("elapsed", elapsed);
                if let Some(Value::CancellationWindow(v)) = value {
                    args.set("days", v.days);
                }
                match finding {
                    Finding::CancelWithin { .. } => "cancel-within",
                    Finding::CancelPast { .. } => "cancel-past",
                    _ => "cancel-no-rule",
                }
            }
            Finding::LinkUsable { .. }
            | Finding::LinkExpired { .. }
            | Finding::LinkExhausted { .. } => {
                if let (
                    Some(Value::LinkLimits(v)),
                    Question::Link {
                        issued, downloads, ..
                    },
                ) = (value, question)
                {
                    // Past the end of chrono's calendar (an `issued` a
                    // library caller set near it) the expiry is shown as
                    // "after" the last instant it can write.
                    let expires = chrono::TimeDelta::try_days(i64::from(v.valid_days))
                        .and_then(|d| issued.checked_add_signed(d))
                        .map_or_else(
                            || {
                                format!(
                                    "> {}",
                                    chrono::DateTime::<chrono::Utc>::MAX_UTC.to_rfc3339()
                                )
                            },
                            |e| e.to_rfc3339(),
                        );
                    args.set("expires", expires);
                    args.set("days", v.valid_days);
                    args.set("downloads", *downloads);
                    args.set("max", v.max_downloads);
                }
                match finding {
                    Finding::LinkUsable { .. } => "link-usable",
                    Finding::LinkExpired { .. } => "link-expired",
                    _ => "link-exhausted",
                }
            }
            Finding::NoLinkRule => "link-no-rule",
            Finding::RoleGranted { role, .. } => {
                if let Some(role) = rules.role_id(role) {
                    args.set("role", self.name("role", role));
                }
                if let Some(Value::RoleRequirement(v)) = value {
                    args.set("action", self.name("action", &v.action));
                }
                "role-granted"
            }
            Finding::RoleDenied { .. } => {
                if let Some(Value::RoleRequirement(v)) = value {
                    args.set("required", self.list("role", &v.any_of_roles));
                }
                if let Question::Role { roles, .. } = question {
                    args.set("roles", self.list("role", roles));
                }
                "role-denied"
            }
            Finding::UnknownRole { role_at } => {
                if let Question::Role { roles, .. } = question
                    && let Some(role) = roles.get(usize::from(role_at))
                {
                    args.set("role", role.clone());
                }
                "role-unknown"
            }
            Finding::NoRoleRule => "role-no-rule",
            Finding::RequestComplete { .. } => {
                if let Some(Value::CancellationRequestFields(v)) = value {
                    args.set("fields", self.list("field", &v.fields));
                }
                "request-complete"
            }
            Finding::FieldMissing { field_at, .. }
            | Finding::FieldInvalid { field_at, .. }
            | Finding::FieldUnknown { field_at, .. } => {
                if let Some(Value::CancellationRequestFields(v)) = value
                    && let Some(field) = v.fields.get(usize::from(field_at))
                {
                    args.set("field", self.name("field", field));
                    let keys = REQUEST_FIELDS
                        .iter()
                        .find(|f| f.id == field)
                        .map_or(field.clone(), |f| f.keys.join(" | "));
                    args.set("keys", keys);
                }
                match finding {
                    Finding::FieldMissing { .. } => "request-missing",
                    Finding::FieldInvalid { .. } => "request-invalid",
                    _ => "request-unknown-field",
                }
            }
            Finding::NoRequestRule => "request-no-rule",
        };
        if let Question::Role { action, .. } = question
            && args.get("action").is_none()
        {
            args.set("action", self.name("action", action));
        }
        let reason = self.format(id, &args);
        match rule {
            Some(rule) if conflict => {
                let mut args = FluentArgs::new();
                args.set("reason", reason);
                args.set("article", rule.article.as_str());
                self.format("conflict-reason", &args)
            }
            _ => reason,
        }
    }
}

/// The `.ftl` files of a folder, sorted.
fn ftl_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl") && p.is_file())
        .collect();
    files.sort();
    files
}

/// The largest message or region file read (the real ones are a few
/// kilobytes): a file swapped for a huge one is refused, not read whole.
pub const MAX_MESSAGES_BYTES: u64 = 4 << 20;

fn read(path: &Path) -> Result<String, MessagesError> {
    let unreadable = |source| MessagesError::Unreadable {
        path: path.display().to_string(),
        source,
    };
    // never a FIFO or a device (ftl_files lists regular files only, but a
    // name may change between the listing and the read), never waiting
    let bytes = crate::fsread::open_nonblocking(path)
        .and_then(|f| crate::fsread::read_bounded(f, MAX_MESSAGES_BYTES))
        .map_err(unreadable)?
        .ok_or_else(|| {
            unreadable(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("larger than {MAX_MESSAGES_BYTES} bytes, the limit of a message file"),
            ))
        })?;
    String::from_utf8(bytes)
        .map_err(|e| unreadable(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// Parse a Fluent resource; on syntax errors the parsable part comes back
/// as the error value, for the built-in English to use anyway.
fn resource(text: &str) -> Result<FluentResource, FluentResource> {
    FluentResource::try_new(text.to_owned()).map_err(|(res, _)| res)
}

fn syntax_errors(text: &str) -> String {
    match FluentResource::try_new(text.to_owned()) {
        Ok(_) => String::new(),
        Err((_, errors)) => errors
            .iter()
            .map(|e| {
                let line = text[..e.pos.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {:?}", e.kind)
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn bundle(locale: &str, res: FluentResource) -> FluentBundle<FluentResource> {
    // fluent-bundle reads unic-langid tags; the tag is a folder name that
    // already parsed as BCP 47, so the fallback is never taken in practice.
    let langid = locale
        .parse::<unic_langid::LanguageIdentifier>()
        .unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks (U+2068/U+2069) protect bidi text in UIs, but show as
    // garbage in terminals and logs, where these messages go.
    bundle.set_use_isolating(false);
    // Duplicate ids keep the first; not worth failing over.
    let _ = bundle.add_resource(res);
    bundle
}

/// `TAG<TAB>NAME<TAB>AUTONYM` lines (`#` comments): tag -> autonym.
fn autonyms(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut fields = l.split('\t');
            let tag = fields.next()?.trim();
            let autonym = fields.nth(1)?.trim();
            (!tag.is_empty() && !autonym.is_empty()).then(|| (tag.to_owned(), autonym.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_file_over_the_limit_is_refused_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let ja = dir.path().join("ja-JP");
        std::fs::create_dir(&ja).unwrap();
        let mut text = String::from("answer-yes = はい\n");
        std::fs::write(ja.join("validator.ftl"), &text).unwrap();
        assert!(Messages::load(dir.path(), "ja").is_ok());
        text.push_str(&"# padding\n".repeat((MAX_MESSAGES_BYTES / 10) as usize + 1));
        std::fs::write(ja.join("validator.ftl"), &text).unwrap();
        match Messages::load(dir.path(), "ja") {
            Err(MessagesError::Unreadable { source, .. }) => {
                assert!(source.to_string().contains("larger than"), "{source}")
            }
            other => panic!("{:?}", other.err()),
        }
    }
}
