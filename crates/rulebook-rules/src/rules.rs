//! A rules file read, checked and compiled once ([`Rules`]): the loader
//! (bounded, never blocking, every error located and explained as a
//! [`LoadError`]) and the compiled form the validator answers from, where
//! the rules of one question are found by kind and subject ([`subject`])
//! without parsing or hashing.

use std::collections::HashSet;
use std::path::Path;

use crate::finding::RuleRef;
use crate::market::{Market, MarketSet};
use crate::question::{FieldCheck, REQUEST_FIELDS};
use crate::{
    CancellationWindow, Kind, LinkLimits, MAX_DURATION_DAYS, MarketList, Rule, RulesFile,
    SCHEMA_ID, UnavailableMarkets, Value,
};

/// Largest rules file read: 4 GiB. It bounds nothing a build writes (the
/// rules.json of a big build is far smaller, since rules@2 holds rules
/// alone: BENCHMARKS.md); it only makes a wrong path (a disk image,
/// `/dev/zero`) end with an error instead of filling memory.
pub const MAX_RULES_BYTES: u64 = 4 << 30;

/// Why a rules file could not be used. Every variant says what to fix; none
/// comes from a panic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    /// The file could not be opened or read.
    Unreadable {
        /// The file as named.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    #[error("the rules file is {size} bytes; the limit is {limit} bytes")]
    /// The file is larger than the validator reads.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit ([`MAX_RULES_BYTES`]).
        limit: u64,
    },
    #[error("line {line}, column {column}: {message}")]
    /// The text is not JSON, or not a rules file's shape.
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    #[error("{}", schema_message(found))]
    /// The file is of another version of the contract (a rules@1 file is
    /// told to rebuild).
    Schema {
        /// Its `schema` value.
        found: String,
    },
    #[error("{message}")]
    /// The file parses but breaks a rule of the contract (an id used twice, a value of another kind's shape, …).
    Invalid {
        /// What is wrong.
        message: String,
    },
}

/// The `schema` of the files rulebook wrote before rules@2.
const SCHEMA_V1: &str = "rulebook/rules@1";

fn schema_message(found: &str) -> String {
    if found == SCHEMA_V1 {
        // The build that wrote it is older than this reader: the fix is a
        // rebuild, not an edit of the file.
        format!(
            "this is rules@1 (written by an older rulebook): rebuild with `rulebook build`, \
             see docs/rules-format.md#from-rules1 (this rulebook reads {SCHEMA_ID})"
        )
    } else {
        format!("unsupported schema {found:?}: this rulebook reads {SCHEMA_ID}")
    }
}

impl LoadError {
    /// 1-based line and column of a JSON syntax or type error, when known.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            LoadError::Json { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }

    /// The message without the position (for callers that print the
    /// position themselves, as `path:line:col:`).
    pub fn detail(&self) -> String {
        match self {
            LoadError::Json { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        LoadError::Invalid {
            message: message.into(),
        }
    }
}

/// Roles known to DESIGN.md; rules may name more.
const KNOWN_ROLES: &[&str] = &[
    "account-admin",
    "admin-agent",
    "global-admin",
    "marketing-content-admin",
    "referral-admin",
];
/// Products and actions of DESIGN.md's vocabulary; questions naming others
/// (and not named by any rule) are refused as typos.
pub const KNOWN_PRODUCTS: &[&str] = &["azure-reservations", "sql-server", "windows-server"];
/// Actions of DESIGN.md's vocabulary (see [`KNOWN_PRODUCTS`]).
pub const KNOWN_ACTIONS: &[&str] = &[
    "buy-software",
    "cancel-purchase",
    "download-software",
    "get-keys",
    "view-activity-log",
];

/// What a rule speaks of: its kind and, for the kinds that name one, the
/// product (`unavailable-markets`), action (`role-requirement`) or program
/// (`savings-claim`). Rules of one kind and subject, from whichever
/// articles, are consulted together: every question weighs them all
/// (docs/validator.md, "Rules from several articles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject<'a> {
    /// The rule's kind.
    pub kind: Kind,
    /// The product, action or program; None for the kinds that have one
    /// subject per project (tax, link limits, cancellation window and
    /// request fields).
    pub id: Option<&'a str>,
}

/// The subject of a rule: its kind and [`Value::subject`], the one place
/// that says which rules speak of the same thing (until rules carry a
/// `subject` of their own, the value's product, action or program, else
/// the kind alone). The build's `cross-article-conflict` finding groups
/// rules by it too.
pub fn subject(rule: &Rule) -> Subject<'_> {
    Subject {
        kind: rule.kind,
        id: rule.value.subject(),
    }
}

/// A rule stating a set of markets (unavailable-markets, tax-inclusive-markets).
#[derive(Debug, Clone)]
pub(crate) struct MarketRule {
    /// The subject's id (the product), empty for tax.
    pub(crate) subject: Box<str>,
    pub(crate) markets: MarketSet,
    pub(crate) rule: RuleRef,
}

#[derive(Debug, Clone)]
pub(crate) struct ActionRule {
    /// The subject's id (the action).
    pub(crate) subject: Box<str>,
    /// The roles that may do it, as sorted indices into `Compiled::roles`:
    /// no bound on how many distinct roles a project names.
    pub(crate) roles: Box<[u32]>,
    pub(crate) rule: RuleRef,
}

#[derive(Debug, Clone)]
pub(crate) struct RequestRule {
    /// Per required field: its check, or None when the id is unknown here.
    pub(crate) fields: Box<[Option<&'static FieldCheck>]>,
    pub(crate) rule: RuleRef,
}

/// The compiled form: everything a question needs, found without parsing,
/// hashing or allocating. Rules with a subject id are sorted by it (then by
/// file order), so a question's rules are one slice found by binary search.
#[derive(Debug, Clone, Default)]
pub(crate) struct Compiled {
    pub(crate) products: Vec<MarketRule>,
    pub(crate) tax: Vec<MarketRule>,
    /// (days, rule)
    pub(crate) windows: Vec<(u32, RuleRef)>,
    /// (valid_days, max_downloads, rule)
    pub(crate) links: Vec<(u32, u32, RuleRef)>,
    /// Role ids, sorted and unique: DESIGN.md's and every rule's.
    pub(crate) roles: Vec<Box<str>>,
    pub(crate) actions: Vec<ActionRule>,
    pub(crate) requests: Vec<RequestRule>,
}

/// The run of `sorted` (sorted by `key`) whose key is `id`.
fn run<'a, T>(sorted: &'a [T], key: impl Fn(&T) -> &str, id: &str) -> &'a [T] {
    let start = sorted.partition_point(|t| key(t) < id);
    let len = sorted[start..].partition_point(|t| key(t) == id);
    &sorted[start..start + len]
}

impl Compiled {
    /// The unavailable-markets rules of `product`, in file order.
    pub(crate) fn products_of(&self, product: &str) -> &[MarketRule] {
        run(&self.products, |p| &p.subject, product)
    }

    /// The role-requirement rules of `action`, in file order.
    pub(crate) fn actions_of(&self, action: &str) -> &[ActionRule] {
        run(&self.actions, |a| &a.subject, action)
    }

    /// The index of a role id in the role table.
    pub(crate) fn role_index(&self, role: &str) -> Option<u32> {
        let at = self.roles.binary_search_by(|r| (**r).cmp(role)).ok()?;
        u32::try_from(at).ok()
    }
}

/// A checked, compiled rules file.
#[derive(Debug, Clone)]
pub struct Rules {
    file: RulesFile,
    compiled: Compiled,
}

impl Rules {
    /// Read and compile a rules file (at most [`MAX_RULES_BYTES`]).
    ///
    /// The file is opened without blocking (a FIFO or a kernel file never
    /// hangs the caller), refused by its first bytes when it cannot be a
    /// JSON object (a disk image, zeros: nothing more is read), then read
    /// whole, bounded, and parsed from memory: serde_json's own documentation
    /// says its reader is usually slower than reading the file into memory
    /// and parsing that (not measured here), and a file that does not parse
    /// is explained from its text. Loading holds the text and the parsed file
    /// at once (peak memory: BENCHMARKS.md, 'Validator').
    pub fn load(path: impl AsRef<Path>) -> Result<Rules, LoadError> {
        use std::io::{BufRead, Read};
        let path = path.as_ref();
        let unreadable = |source| LoadError::Unreadable {
            path: path.display().to_string(),
            source,
        };
        let file = crate::fsread::open_nonblocking(path).map_err(unreadable)?;
        // A regular file's size refuses a file too large before reading it;
        // otherwise it is a hint for the buffer only (a pipe or a growing
        // file does not report it truthfully): the bound is the read's.
        let size = file
            .metadata()
            .map_or(0, |m| if m.is_file() { m.len() } else { 0 });
        if size > MAX_RULES_BYTES {
            return Err(LoadError::TooLarge {
                size,
                limit: MAX_RULES_BYTES,
            });
        }
        let hint = size;
        let mut reader = std::io::BufReader::with_capacity(64 << 10, file);
        let head = reader.fill_buf().map_err(unreadable)?;
        let head = &head[..head.len().min(4096)];
        if let Some(at) = head.iter().position(|b| !b.is_ascii_whitespace())
            && head[at] != b'{'
        {
            // with the character there whole (up to four bytes)
            let upto = head.len().min(at + 4);
            return Err(not_an_object(&String::from_utf8_lossy(&head[..upto])));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        reader
            .take(MAX_RULES_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > MAX_RULES_BYTES {
            return Err(LoadError::TooLarge {
                size: std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len()),
                limit: MAX_RULES_BYTES,
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            // Locate the bad byte: the prefix before it is valid UTF-8.
            let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
            LoadError::Json {
                line: prefix.matches('\n').count() + 1,
                column: prefix[line_start..].chars().count() + 1,
                message: format!(
                    "the file is not valid UTF-8 (byte 0x{:02x} at offset {valid})",
                    bytes.get(valid).copied().unwrap_or_default()
                ),
            }
        })?;
        Rules::from_json(&text)
    }

    /// Parse, check and compile rules.json text.
    pub fn from_json(text: &str) -> Result<Rules, LoadError> {
        if text.len() as u64 > MAX_RULES_BYTES {
            return Err(LoadError::TooLarge {
                size: text.len() as u64,
                limit: MAX_RULES_BYTES,
            });
        }
        // serde would take an array for the struct and complain about its
        // length; say what the file should be instead.
        if !text.trim_start().starts_with('{') {
            return Err(not_an_object(text));
        }
        let file: RulesFile = match serde_json::from_str(text) {
            Ok(file) => file,
            Err(e) => return Err(explain_parse_error(text, e)),
        };
        if file.schema == SCHEMA_ID
            && let Some(long) = too_long(&file)
        {
            // The typed file has no positions: find the number in the text.
            return Err(match locate_too_long(text) {
                Some((line, column)) => LoadError::Json {
                    line,
                    column,
                    message: long.to_string(),
                },
                None => LoadError::invalid(long.to_string()),
            });
        }
        Rules::from_file(file)
    }

    /// Check and compile an already parsed rules file.
    pub fn from_file(file: RulesFile) -> Result<Rules, LoadError> {
        if file.schema != SCHEMA_ID {
            return Err(LoadError::Schema {
                found: file.schema.clone(),
            });
        }
        if let Some(long) = too_long(&file) {
            return Err(LoadError::invalid(long.to_string()));
        }
        let compiled = compile(&file)?;
        Ok(Rules { file, compiled })
    }

    /// The rules file as read.
    pub fn file(&self) -> &RulesFile {
        &self.file
    }

    /// The compiled form the validator answers from.
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// The rule a finding points at.
    pub fn rule(&self, r: RuleRef) -> Option<&Rule> {
        self.file.rules.get(usize::try_from(r.0).ok()?)
    }

    /// Whether a product id is known (DESIGN.md's vocabulary or a rule's).
    pub fn knows_product(&self, product: &str) -> bool {
        KNOWN_PRODUCTS.contains(&product) || !self.compiled.products_of(product).is_empty()
    }

    /// Whether an action id is known (DESIGN.md's vocabulary or a rule's).
    pub fn knows_action(&self, action: &str) -> bool {
        KNOWN_ACTIONS.contains(&action) || !self.compiled.actions_of(action).is_empty()
    }

    /// Every action a question may name (DESIGN.md's vocabulary, the
    /// file's `vocabulary.actions` and the rules'), sorted, once each:
    /// what `rulebook check --list actions` shows.
    pub fn known_actions(&self) -> Vec<&str> {
        let mut all: Vec<&str> = KNOWN_ACTIONS.to_vec();
        all.extend(self.file.vocabulary.actions.keys().map(String::as_str));
        all.extend(self.rule_actions());
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Every role id a question may name, sorted, once each.
    pub fn known_roles(&self) -> Vec<&str> {
        self.role_ids().collect()
    }

    /// Every product (a question's subject today) and subject of the
    /// file's `vocabulary.subjects`, sorted, once each.
    pub fn known_subjects(&self) -> Vec<&str> {
        let mut all: Vec<&str> = KNOWN_PRODUCTS.to_vec();
        all.extend(self.file.vocabulary.subjects.keys().map(String::as_str));
        all.extend(self.rule_products());
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The product ids the rules name, sorted (with repeats).
    pub(crate) fn rule_products(&self) -> impl Iterator<Item = &str> {
        self.compiled.products.iter().map(|p| &*p.subject)
    }

    /// The action ids the rules name, sorted (with repeats).
    pub(crate) fn rule_actions(&self) -> impl Iterator<Item = &str> {
        self.compiled.actions.iter().map(|a| &*a.subject)
    }

    /// The role id at `index` of the role table
    /// ([`Finding::RoleGranted`](crate::finding::Finding::RoleGranted)).
    pub fn role_id(&self, index: u32) -> Option<&str> {
        let index = usize::try_from(index).ok()?;
        self.compiled.roles.get(index).map(|r| &**r)
    }

    /// Every role id known (DESIGN.md's vocabulary, the file's and the
    /// rules'), sorted.
    pub(crate) fn role_ids(&self) -> impl Iterator<Item = &str> {
        self.compiled.roles.iter().map(|r| &**r)
    }

    /// Whether a role id is known (DESIGN.md's vocabulary, the file's
    /// `vocabulary.roles` or a rule's).
    pub fn knows_role(&self, role: &str) -> bool {
        self.compiled.role_index(role).is_some()
    }
}

/// A canonical duration longer than [`MAX_DURATION_DAYS`]: rulebook never
/// writes one (extraction refuses it), so the file was edited or damaged.
/// Refused at load, so no question meets it: `issued + valid_days` could
/// otherwise leave chrono's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TooLong<'a> {
    rule: &'a str,
    field: &'static str,
    days: u32,
}

impl std::fmt::Display for TooLong<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rule {:?}: value.{} is {} days, more than the {MAX_DURATION_DAYS} days (100 years) rulebook reads",
            self.rule, self.field, self.days
        )
    }
}

/// The first rule (in file order) whose canonical value states a duration
/// longer than [`MAX_DURATION_DAYS`]. Only canonical values are used to
/// answer, so only they are checked.
fn too_long(file: &RulesFile) -> Option<TooLong<'_>> {
    file.rules.iter().find_map(|rule| {
        let (field, days) = match &rule.value {
            Value::LinkLimits(v) => ("valid_days", v.valid_days),
            Value::CancellationWindow(v) => ("days", v.days),
            _ => return None,
        };
        (days > MAX_DURATION_DAYS).then_some(TooLong {
            rule: &rule.id,
            field,
            days,
        })
    })
}

/// 1-based line and column (in characters) of the first canonical
/// `valid_days` or `days` number longer than [`MAX_DURATION_DAYS`], the one
/// [`too_long`] names: a second, partial read of the text whose only error
/// is that number, so serde_json says where it stopped.
fn locate_too_long(text: &str) -> Option<(usize, usize)> {
    use serde::Deserialize;
    // read only for the error the numbers raise
    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        rules: Vec<Rule>,
    }
    // read only for the error the numbers raise
    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Rule {
        #[serde(default)]
        value: Option<Durations>,
    }
    // read only for the error the numbers raise
    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct Durations {
        #[serde(default)]
        valid_days: Option<Days>,
        #[serde(default)]
        days: Option<Days>,
    }
    struct Days;
    impl<'de> Deserialize<'de> for Days {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Days, D::Error> {
            match u64::deserialize(d)? {
                n if n > u64::from(MAX_DURATION_DAYS) => Err(serde::de::Error::custom("too long")),
                _ => Ok(Days),
            }
        }
    }
    // Every value of a valid rules file is an object, so the partial read
    // fails only at the number.
    let e = serde_json::from_str::<File>(text).err()?;
    if !e.is_data() || e.line() == 0 {
        return None;
    }
    // serde_json stops after the number, past any white space and a `}`
    // closing the value (its column counts bytes): step back over those to
    // the number's last digit, then over its digits.
    let bytes = text.as_bytes();
    let line_start = match e.line() {
        1 => 0,
        line => memchr::memchr_iter(b'\n', bytes).nth(line - 2)? + 1,
    };
    let mut end = (line_start + e.column()).min(bytes.len());
    while end > 0 && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n' | b'}' | b',') {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    if start == end {
        return None;
    }
    let (line, column) = crate::position::line_col(text, start);
    Some((line as usize, column as usize))
}

/// The error for a text that is not a JSON object, at its first character
/// that is not white space, saying what that is.
fn not_an_object(text: &str) -> LoadError {
    let trimmed = text.trim_start();
    let found = match trimmed.chars().next() {
        None => "the file is empty".to_owned(),
        Some(c) if c.is_control() => format!("the file starts with byte 0x{:02x}", u32::from(c)),
        Some(c) => format!("the file starts with {c:?}"),
    };
    let (line, column) = crate::position::line_col(text, text.len() - trimmed.len());
    LoadError::Json {
        line: line as usize,
        column: column as usize,
        message: format!(
            "{found}, not `{{`: a rules file is a JSON object ({{\"schema\": \"{SCHEMA_ID}\", …}})"
        ),
    }
}

/// Turn a serde error into a message that says what is wrong with the file;
/// a wrong `schema` is reported as such even when the rest does not parse
/// (a future version's fields would otherwise be blamed instead).
fn explain_parse_error(text: &str, e: serde_json::Error) -> LoadError {
    #[derive(serde::Deserialize)]
    struct SchemaOnly {
        schema: Option<serde_json::Value>,
    }
    if let Ok(SchemaOnly {
        schema: Some(schema),
    }) = serde_json::from_str::<SchemaOnly>(text)
        && schema.as_str() != Some(SCHEMA_ID)
    {
        let found = match schema {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        return LoadError::Schema { found };
    }
    // serde_json appends " at line L column C"; the position is kept apart.
    let mut message = e.to_string();
    if message.contains("untagged enum Value")
        && let Some(better) = explain_value(text)
    {
        message = better;
    }
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    };
    LoadError::Json {
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// The untagged `Value` can only say that no shape matched; find the rule
/// whose value does not fit its `kind` and say what is wrong with it.
fn explain_value(text: &str) -> Option<String> {
    use crate::{
        CancellationWindow, FieldList, LinkLimits, MarketList, RoleRequirement, SavingsClaim,
        UnavailableMarkets,
    };
    fn fits<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Result<(), String> {
        T::deserialize(v).map(|_| ()).map_err(|e| e.to_string())
    }
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let rules = doc.get("rules")?.as_array()?;
    for rule in rules {
        let id = rule.get("id").and_then(|v| v.as_str()).unwrap_or("?");
        let kind = rule.get("kind").and_then(|v| v.as_str()).unwrap_or("?");
        let values = std::iter::once(("value".to_owned(), rule.get("value"))).chain(
            rule.get("by_locale")
                .and_then(|b| b.as_object())
                .into_iter()
                .flatten()
                .map(|(l, f)| (format!("by_locale.{l}.value"), f.get("value"))),
        );
        for (at, value) in values {
            let Some(value) = value else { continue };
            let result = match kind {
                "unavailable-markets" => fits::<UnavailableMarkets>(value),
                "tax-inclusive-markets" => fits::<MarketList>(value),
                "role-requirement" => fits::<RoleRequirement>(value),
                "link-limits" => fits::<LinkLimits>(value),
                "cancellation-window" => fits::<CancellationWindow>(value),
                "cancellation-request-fields" => fits::<FieldList>(value),
                "savings-claim" => fits::<SavingsClaim>(value),
                _ => Ok(()),
            };
            if let Err(e) = result {
                return Some(format!("rule {id:?} ({kind}): {at}: {e}"));
            }
        }
    }
    None
}

/// What loading requires of one rule besides the file's JSON shape and ids
/// used once: every value (canonical and per locale) has the shape of the
/// rule's kind, a canonical duration is at most [`MAX_DURATION_DAYS`],
/// market codes are two upper-case letters, a request lists at most 255
/// fields. [`Rules`] checks it for every rule it loads; a build checks every
/// rule it writes with it, so it never publishes a file `check` refuses.
pub fn check_rule(rule: &Rule) -> Result<(), LoadError> {
    let bad = |what: String| LoadError::invalid(format!("rule {:?}: {what}", rule.id));
    for (locale, fact) in std::iter::once(("canonical", &rule.value))
        .chain(rule.by_locale.iter().map(|(l, f)| (l.as_str(), &f.value)))
    {
        if fact.kind() != rule.kind {
            return Err(bad(format!(
                "kind is {} but the {locale} value has the shape of {}",
                rule.kind.id(),
                fact.kind().id()
            )));
        }
    }
    match &rule.value {
        Value::UnavailableMarkets(UnavailableMarkets { markets, .. })
        | Value::TaxInclusiveMarkets(MarketList { markets }) => {
            market_set(markets).map_err(bad)?;
        }
        Value::LinkLimits(LinkLimits {
            valid_days: days, ..
        })
        | Value::CancellationWindow(CancellationWindow { days, .. })
            if *days > MAX_DURATION_DAYS =>
        {
            return Err(bad(format!(
                "{days} days, more than the {MAX_DURATION_DAYS} days (100 years) rulebook reads"
            )));
        }
        Value::CancellationRequestFields(v) if v.fields.len() > usize::from(u8::MAX) => {
            return Err(bad("too many fields".to_owned()));
        }
        _ => {}
    }
    Ok(())
}

fn compile(file: &RulesFile) -> Result<Compiled, LoadError> {
    if u32::try_from(file.rules.len()).is_err() {
        return Err(LoadError::invalid(format!(
            "{} rules; the validator handles at most {}",
            file.rules.len(),
            u32::MAX
        )));
    }
    // The role table first, sorted: a role's index is then its rank, the
    // same whatever order the rules come in.
    // The vocabulary's roles are known too: a role of the project's
    // roles.tsv that no rule names (`sales-agent`) grants nothing here,
    // which is a "no" with a reason, not a typo to refuse.
    let mut roles: Vec<&str> = KNOWN_ROLES.to_vec();
    roles.extend(file.vocabulary.roles.keys().map(String::as_str));
    for rule in &file.rules {
        if let Value::RoleRequirement(v) = &rule.value {
            roles.extend(v.any_of_roles.iter().map(String::as_str));
        }
    }
    roles.sort_unstable();
    roles.dedup();
    let mut c = Compiled {
        roles: roles.iter().map(|r| Box::from(*r)).collect(),
        ..Compiled::default()
    };
    let mut ids = HashSet::new();
    for (i, rule) in file.rules.iter().enumerate() {
        // In range: the count is checked above.
        let at = RuleRef(i as u32);
        let bad = |what: String| LoadError::invalid(format!("rule {:?}: {what}", rule.id));
        if !ids.insert(rule.id.as_str()) {
            return Err(bad("the id is used twice".to_owned()));
        }
        check_rule(rule)?;
        let subject: Box<str> = subject(rule).id.unwrap_or_default().into();
        match &rule.value {
            Value::UnavailableMarkets(v) => c.products.push(MarketRule {
                subject,
                markets: market_set(&v.markets).map_err(bad)?,
                rule: at,
            }),
            Value::TaxInclusiveMarkets(v) => c.tax.push(MarketRule {
                subject,
                markets: market_set(&v.markets).map_err(bad)?,
                rule: at,
            }),
            Value::CancellationWindow(v) => c.windows.push((v.days, at)),
            Value::LinkLimits(v) => c.links.push((v.valid_days, v.max_downloads, at)),
            Value::RoleRequirement(v) => {
                let mut allowed: Vec<u32> = v
                    .any_of_roles
                    .iter()
                    .filter_map(|role| c.role_index(role))
                    .collect();
                allowed.sort_unstable();
                allowed.dedup();
                c.actions.push(ActionRule {
                    subject,
                    roles: allowed.into(),
                    rule: at,
                });
            }
            Value::CancellationRequestFields(v) => {
                let fields = v
                    .fields
                    .iter()
                    .map(|id| REQUEST_FIELDS.iter().find(|f| f.id == id))
                    .collect();
                c.requests.push(RequestRule { fields, rule: at });
            }
            Value::SavingsClaim(_) => {}
        }
    }
    // Stable: within one subject the rules stay in file order.
    c.products.sort_by(|a, b| a.subject.cmp(&b.subject));
    c.actions.sort_by(|a, b| a.subject.cmp(&b.subject));
    Ok(c)
}

fn market_set(codes: &[String]) -> Result<MarketSet, String> {
    let mut set = MarketSet::default();
    for code in codes {
        // Rules files hold canonical upper-case codes; lower case here means
        // the writer is broken, which should not be papered over.
        let market = Market::from_code(code)
            .filter(|_| code.bytes().all(|b| b.is_ascii_uppercase()))
            .ok_or_else(|| format!("market {code:?} is not two upper-case letters"))?;
        set.insert(market);
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Rules {
        Rules::from_json(crate::SAMPLE_RULES).unwrap()
    }

    #[test]
    fn wrong_schema_is_named() {
        let text = crate::SAMPLE_RULES
            .to_owned()
            .replace("rulebook/rules@2", "rulebook/rules@3");
        let e = Rules::from_json(&text).unwrap_err();
        assert!(e.to_string().contains("rulebook/rules@2"), "{e}");
    }

    fn sample_text() -> String {
        crate::SAMPLE_RULES.to_owned()
    }

    /// The 1-based line and column of the first `needle` in `text`.
    fn position_of(text: &str, needle: &str) -> (usize, usize) {
        let at = text.find(needle).unwrap();
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        (
            text[..at].matches('\n').count() + 1,
            text[line_start..at].chars().count() + 1,
        )
    }

    #[test]
    fn durations_over_a_century_are_refused_where_they_stand() {
        let max = MAX_DURATION_DAYS;
        // on one line and with the number last in its object, pretty
        // printed: serde_json stops at different places after the number
        let layouts = [
            (
                "\"valid_days\": 14,",
                format!("\"valid_days\": {},", u32::MAX),
                u32::MAX,
            ),
            (
                "\"days\": 60, \"early_termination_fee\": false}",
                format!(
                    "\"early_termination_fee\": false, \"days\":\n    {}\n   }}",
                    max + 1
                ),
                max + 1,
            ),
            (
                "\"valid_days\": 14, \"max_downloads\": 50, \"renewable\": true}",
                "\"max_downloads\": 50, \"renewable\": true, \"valid_days\": 4000000000 }"
                    .to_owned(),
                4_000_000_000,
            ),
        ];
        for (from, to, number) in layouts {
            let text = sample_text().replacen(from, &to, 1);
            assert_ne!(text, sample_text());
            let number = number.to_string();
            let e = Rules::from_json(&text).unwrap_err();
            // the number itself, not its rule
            assert_eq!(e.position(), Some(position_of(&text, &number)), "{e}");
            assert!(e.detail().contains(&number), "{e}");
            assert!(e.detail().contains(&max.to_string()), "{e}");
            // from_file refuses it too, without a position
            let file: RulesFile = serde_json::from_str(&text).unwrap();
            assert!(matches!(
                Rules::from_file(file),
                Err(LoadError::Invalid { .. })
            ));
        }
        // the bound itself is read
        let text =
            sample_text().replacen("\"valid_days\": 14", &format!("\"valid_days\": {max}"), 1);
        assert!(Rules::from_json(&text).is_ok());
    }

    /// Write `bytes` to a file of a fresh temporary folder and load it.
    fn load_bytes(bytes: &[u8]) -> Result<Rules, LoadError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.json");
        std::fs::write(&path, bytes).unwrap();
        Rules::load(&path)
    }

    #[test]
    fn a_rules_file_past_the_old_16_mib_cap_loads() {
        // a valid file of 20 MiB: the sample followed by white space
        let mut bytes = crate::SAMPLE_RULES.as_bytes().to_vec();
        bytes.resize(20 << 20, b' ');
        let rules = load_bytes(&bytes).unwrap();
        assert_eq!(rules.file().rules.len(), sample().file().rules.len());
    }

    #[test]
    fn zeros_are_refused_as_not_json_by_their_first_byte() {
        let e = load_bytes(&vec![0u8; 1 << 20]).unwrap_err();
        assert_eq!(e.position(), Some((1, 1)), "{e}");
        assert!(e.detail().contains("byte 0x00"), "{e}");
        // after white space: located where the zeros start
        let e = load_bytes(b"\n\n  \0\0").unwrap_err();
        assert_eq!(e.position(), Some((3, 3)), "{e}");
        let e = load_bytes(b"").unwrap_err();
        assert!(e.detail().contains("empty"), "{e}");
        let e = load_bytes(b"[1, 2]").unwrap_err();
        assert!(e.detail().contains("starts with '['"), "{e}");
    }

    #[test]
    fn a_rules_file_padded_with_zeros_is_refused_where_the_zeros_start() {
        let text = sample_text();
        let end = text.trim_end();
        let mut bytes = end.as_bytes().to_vec();
        bytes.resize(bytes.len() + (1 << 20), 0);
        let e = load_bytes(&bytes).unwrap_err();
        // the first zero stands just past the end of the text
        let (line, column) = crate::position::line_col(end, end.len());
        assert_eq!(e.position(), Some((line as usize, column as usize)), "{e}");
        assert!(e.detail().contains("trailing characters"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(Rules::load(&path).map(|_| ())));
        // a hang guard, not a speed claim: the load used to block for good
        let result = receive
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("loading a FIFO with no writer blocked");
        assert!(result.is_err());
    }

    #[test]
    fn a_file_over_the_bound_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.json");
        std::fs::write(&path, "{").unwrap();
        // sparse: 4 GiB + 1 bytes that take no room and would take long to read
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(MAX_RULES_BYTES + 1).unwrap();
        let e = Rules::load(&path).unwrap_err();
        assert!(
            matches!(e, LoadError::TooLarge { size, limit: MAX_RULES_BYTES } if size == MAX_RULES_BYTES + 1),
            "{e}"
        );
    }
}
