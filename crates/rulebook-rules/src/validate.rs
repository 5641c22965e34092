//! The embedded validator: loads a rules.json once, compiles it into a small
//! fast form, and answers the questions of DESIGN.md (purchase, tax, cancel,
//! link, role, cancel-request) with the rules that decided them.
//!
//! Evaluation and wording are separate on purpose. [`Validator::answer`] and
//! [`Validator::check_into`] produce [`Finding`]s (plain `Copy` values that
//! point at rules by index) without allocating, so a service can ask millions
//! of questions a second; [`Validator::check`] turns findings into a
//! [`Decision`] whose reasons are worded by [`Messages`] (Fluent) only when
//! someone will read them.
//!
//! ```
//! use rulebook_rules::{Answer, Question, Rules, Validator};
//!
//! let json = r#"{
//!   "schema": "rulebook/rules@2", "canonical_locale": "en", "policy": "source-wins",
//!   "sources": [],
//!   "rules": [{
//!     "id": "x/azure-reservations-unavailable-markets", "kind": "unavailable-markets",
//!     "article": "x", "by_locale": {},
//!     "value": {"product": "azure-reservations", "markets": ["BR", "JE"]},
//!     "source": {"locale": "en", "path": "content/en/x.md", "line": 24}
//!   }]
//! }"#;
//! let validator = Validator::new(Rules::from_json(json)?);
//! let question = Question::from_json(r#"{"kind":"purchase","product":"azure-reservations","market":"br"}"#)?;
//! let decision = validator.check(&question);
//! assert_eq!(decision.answer, Answer::No);
//! assert_eq!(decision.reasons[0].rule.as_deref(), Some("x/azure-reservations-unavailable-markets"));
//! assert_eq!(decision.reasons[0].source.as_ref().map(|s| s.line), Some(24));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::path::Path;

use super::messages::Messages;
use super::question::{FieldCheck, Question, REQUEST_FIELDS};
use super::{MAX_DURATION_DAYS, Provenance, RulesFile, SCHEMA_ID, Value};

pub use super::question::{Market, QuestionError};

/// Largest rules file read: 4 GiB. It bounds nothing a build writes (a
/// build of 5,000 articles per locale writes about 250 MB of rules.json,
/// most of it procedures and discrepancies); it only makes a wrong path
/// (a disk image, `/dev/zero`) end with an error instead of filling memory.
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
    #[error("unsupported schema {found:?}: this rulebook reads {SCHEMA_ID}")]
    /// The file is of another version of the contract.
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

/// The answer to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(schemars::JsonSchema)]
pub enum Answer {
    /// The question is answered yes (allowed, included, usable, complete).
    Yes,
    /// The question is answered no.
    No,
}

impl Answer {
    /// `yes` or `no`, as the JSON form writes it.
    pub fn id(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
        }
    }
}

/// Index of a rule in [`Rules::file`]`.rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef(pub u16);

/// One thing the validator found while answering, in a form that costs
/// nothing to produce. Indices point into the rules (`rule`), the question's
/// role list (`role_at`) or the rule's field list (`field_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Finding {
    /// The product's rule lists the market.
    Unavailable {
        /// The rule consulted.
        rule: RuleRef,
        /// The question's market.
        market: Market,
    },
    /// The product's rule was consulted and does not list the market.
    NotListed {
        /// The rule consulted.
        rule: RuleRef,
        /// The question's market.
        market: Market,
    },
    /// No unavailable-markets rule names the product.
    NoMarketRule {
        /// The question's market.
        market: Market,
    },
    /// The tax rule lists the market.
    TaxIncluded {
        /// The rule consulted.
        rule: RuleRef,
        /// The question's market.
        market: Market,
    },
    /// A tax rule was consulted and does not list the market.
    TaxExcluded {
        /// The rule consulted.
        rule: RuleRef,
        /// The question's market.
        market: Market,
    },
    /// No tax-inclusive-markets rule exists.
    NoTaxRule {
        /// The question's market.
        market: Market,
    },
    /// `elapsed` = on - purchased, in days.
    CancelWithin {
        /// The rule consulted.
        rule: RuleRef,
        /// Days from purchase to the day asked about.
        elapsed: i64,
    },
    /// `elapsed` is past the rule's window.
    CancelPast {
        /// The rule consulted.
        rule: RuleRef,
        /// Days from purchase to the day asked about.
        elapsed: i64,
    },
    /// No cancellation-window rule exists.
    NoCancelRule {
        /// Days from purchase to the day asked about.
        elapsed: i64,
    },
    /// The link is within its days and downloads.
    LinkUsable {
        /// The rule consulted.
        rule: RuleRef,
    },
    /// The link is past its valid days.
    LinkExpired {
        /// The rule consulted.
        rule: RuleRef,
    },
    /// The link has no downloads left.
    LinkExhausted {
        /// The rule consulted.
        rule: RuleRef,
    },
    /// No link-limits rule exists.
    NoLinkRule,
    /// A role of the question may do the rule's action; `role` indexes the
    /// rules' role table ([`Rules::role_id`]), so the wording depends on the
    /// finding alone.
    RoleGranted {
        /// The rule consulted.
        rule: RuleRef,
        /// The granting role's index in the rules' role table.
        role: u8,
    },
    /// None of the question's roles is in the rule's list.
    RoleDenied {
        /// The rule consulted.
        rule: RuleRef,
    },
    /// The role at `role_at` is not a known role id; it grants nothing.
    UnknownRole {
        /// Index of the role in the question's role list.
        role_at: u8,
    },
    /// No role-requirement rule names the action.
    NoRoleRule,
    /// Every field the rule requires is present and valid.
    RequestComplete {
        /// The rule consulted.
        rule: RuleRef,
    },
    /// A required field is missing.
    FieldMissing {
        /// The rule consulted.
        rule: RuleRef,
        /// Index of the field in the rule's field list.
        field_at: u8,
    },
    /// A required field is present but not valid.
    FieldInvalid {
        /// The rule consulted.
        rule: RuleRef,
        /// Index of the field in the rule's field list.
        field_at: u8,
    },
    /// The rule requires a field this validator has no check for.
    FieldUnknown {
        /// The rule consulted.
        rule: RuleRef,
        /// Index of the field in the rule's field list.
        field_at: u8,
    },
    /// No cancellation-request-fields rule exists.
    NoRequestRule,
}

impl Finding {
    /// The rule this finding cites, if any.
    pub fn rule(&self) -> Option<RuleRef> {
        use Finding::*;
        match *self {
            Unavailable { rule, .. }
            | NotListed { rule, .. }
            | TaxIncluded { rule, .. }
            | TaxExcluded { rule, .. }
            | CancelWithin { rule, .. }
            | CancelPast { rule, .. }
            | LinkUsable { rule }
            | LinkExpired { rule }
            | LinkExhausted { rule }
            | RoleGranted { rule, .. }
            | RoleDenied { rule }
            | RequestComplete { rule }
            | FieldMissing { rule, .. }
            | FieldInvalid { rule, .. }
            | FieldUnknown { rule, .. } => Some(rule),
            NoMarketRule { .. }
            | NoTaxRule { .. }
            | NoCancelRule { .. }
            | NoLinkRule
            | UnknownRole { .. }
            | NoRoleRule
            | NoRequestRule => None,
        }
    }

    /// Whether the worded message depends on this finding and the rules
    /// alone (not on the rest of the question), so it may be cached.
    pub fn is_self_contained(&self) -> bool {
        use Finding::*;
        matches!(
            self,
            Unavailable { .. }
                | NotListed { .. }
                | TaxIncluded { .. }
                | TaxExcluded { .. }
                | NoTaxRule { .. }
                | CancelWithin { .. }
                | CancelPast { .. }
                | NoCancelRule { .. }
                | RoleGranted { .. }
        )
    }
}

/// The cheap result of [`Validator::answer`]: the answer and the rule that
/// decided it (None when no rule covers the question).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The answer.
    pub answer: Answer,
    /// The deciding rule.
    pub rule: Option<RuleRef>,
}

/// A worded answer with its reasons, the first of which is the deciding one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Decision {
    /// The answer.
    pub answer: Answer,
    /// Why: the deciding reason first, then the others consulted.
    pub reasons: Vec<Reason>,
}

/// One reason: the rule (None when no rule covers the question), a message
/// in the validator's language, and the sentence the rule was read from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Reason {
    /// The id of the rule, None when no rule covers the question.
    #[schemars(pattern(crate::schema::RULE_ID_PATTERN))]
    pub rule: Option<String>,
    /// The reason in words, in the validator's language.
    pub message: String,
    /// Where the rule is stated (canonical locale), when there is a rule.
    pub source: Option<Provenance>,
}

/// 26 x 26 bits, one per possible two-letter code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MarketSet([u64; 11]);

impl MarketSet {
    fn insert(&mut self, m: Market) {
        let i = m.index();
        self.0[i / 64] |= 1 << (i % 64);
    }

    #[inline]
    fn contains(&self, m: Market) -> bool {
        let i = m.index();
        self.0[i / 64] & (1 << (i % 64)) != 0
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

#[derive(Debug, Clone)]
struct ProductRule {
    product: Box<str>,
    markets: MarketSet,
    rule: RuleRef,
}

#[derive(Debug, Clone)]
struct ActionRule {
    action: Box<str>,
    /// Bit i set = role `roles[i]` may do the action.
    allowed: u64,
    rule: RuleRef,
}

#[derive(Debug, Clone)]
struct RequestRule {
    /// Per required field: its check, or None when the id is unknown here.
    fields: Vec<Option<&'static FieldCheck>>,
    rule: RuleRef,
}

/// The compiled form: everything a question needs, found without parsing or
/// hashing.
#[derive(Debug, Clone, Default)]
struct Compiled {
    products: Vec<ProductRule>,
    tax: Vec<(MarketSet, RuleRef)>,
    window: Option<(u32, RuleRef)>,
    link: Option<(u32, u32, RuleRef)>,
    /// Role ids, index = bit in `ActionRule::allowed`.
    roles: Vec<Box<str>>,
    actions: Vec<ActionRule>,
    request: Option<RequestRule>,
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
    /// at once (a 44 MB rules.json: 125 MB peak in a debug build).
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

    /// The rule a finding points at.
    pub fn rule(&self, r: RuleRef) -> Option<&super::Rule> {
        self.file.rules.get(usize::from(r.0))
    }

    /// Whether a product id is known (DESIGN.md's vocabulary or a rule's).
    pub fn knows_product(&self, product: &str) -> bool {
        KNOWN_PRODUCTS.contains(&product)
            || self
                .compiled
                .products
                .iter()
                .any(|p| &*p.product == product)
    }

    /// Whether an action id is known (DESIGN.md's vocabulary or a rule's).
    pub fn knows_action(&self, action: &str) -> bool {
        KNOWN_ACTIONS.contains(&action)
            || self.compiled.actions.iter().any(|a| &*a.action == action)
    }

    /// The role id at `index` of the role table ([`Finding::RoleGranted`]).
    pub fn role_id(&self, index: u8) -> Option<&str> {
        self.compiled.roles.get(usize::from(index)).map(|r| &**r)
    }

    /// Whether a role id is known (DESIGN.md's vocabulary or a rule's).
    pub fn knows_role(&self, role: &str) -> bool {
        self.compiled.roles.iter().any(|r| &**r == role)
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
    use super::{
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

fn compile(file: &RulesFile) -> Result<Compiled, LoadError> {
    if file.rules.len() > usize::from(u16::MAX) {
        return Err(LoadError::invalid(format!(
            "{} rules; the validator handles at most {}",
            file.rules.len(),
            u16::MAX
        )));
    }
    let mut c = Compiled {
        roles: KNOWN_ROLES.iter().map(|r| Box::from(*r)).collect(),
        ..Compiled::default()
    };
    let mut ids = HashSet::new();
    for (i, rule) in file.rules.iter().enumerate() {
        let at = RuleRef(i as u16);
        let bad = |what: String| LoadError::invalid(format!("rule {:?}: {what}", rule.id));
        if !ids.insert(rule.id.as_str()) {
            return Err(bad("the id is used twice".to_owned()));
        }
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
            Value::UnavailableMarkets(v) => c.products.push(ProductRule {
                product: v.product.as_str().into(),
                markets: market_set(&v.markets).map_err(bad)?,
                rule: at,
            }),
            Value::TaxInclusiveMarkets(v) => c.tax.push((market_set(&v.markets).map_err(bad)?, at)),
            Value::CancellationWindow(v) => {
                if c.window.replace((v.days, at)).is_some() {
                    return Err(bad("a second cancellation-window rule".to_owned()));
                }
            }
            Value::LinkLimits(v) => {
                if c.link
                    .replace((v.valid_days, v.max_downloads, at))
                    .is_some()
                {
                    return Err(bad("a second link-limits rule".to_owned()));
                }
            }
            Value::RoleRequirement(v) => {
                let mut allowed = 0u64;
                for role in &v.any_of_roles {
                    let bit = match c.roles.iter().position(|r| **r == **role) {
                        Some(bit) => bit,
                        None => {
                            c.roles.push(role.as_str().into());
                            c.roles.len() - 1
                        }
                    };
                    if bit >= 64 {
                        return Err(bad("more than 64 distinct roles".to_owned()));
                    }
                    allowed |= 1 << bit;
                }
                c.actions.push(ActionRule {
                    action: v.action.as_str().into(),
                    allowed,
                    rule: at,
                });
            }
            Value::CancellationRequestFields(v) => {
                if v.fields.len() > usize::from(u8::MAX) {
                    return Err(bad("too many fields".to_owned()));
                }
                let fields = v
                    .fields
                    .iter()
                    .map(|id| REQUEST_FIELDS.iter().find(|f| f.id == id))
                    .collect();
                if c.request
                    .replace(RequestRule { fields, rule: at })
                    .is_some()
                {
                    return Err(bad("a second cancellation-request-fields rule".to_owned()));
                }
            }
            Value::SavingsClaim(_) => {}
        }
    }
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

/// Answers questions from one rules file. Cheap to share between threads.
pub struct Validator {
    rules: Rules,
    messages: Messages,
}

impl Validator {
    /// A validator that words its reasons in English (built in).
    pub fn new(rules: Rules) -> Validator {
        Validator::with_messages(rules, Messages::english())
    }

    /// A validator that words its reasons with `messages`.
    pub fn with_messages(rules: Rules, messages: Messages) -> Validator {
        Validator { rules, messages }
    }

    /// The rules this validator answers from.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The messages its reasons are worded with.
    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// Refuse a question naming a product or an action that neither
    /// DESIGN.md's vocabulary nor any rule knows: most likely a typo, which
    /// would otherwise get a confident "yes, nothing restricts it".
    pub fn admit(&self, question: &Question) -> Result<(), QuestionError> {
        match question {
            Question::Purchase { product, .. } if !self.rules.knows_product(product) => {
                Err(QuestionError::new(format!(
                    "unknown product {product:?}; known: {}",
                    known(
                        KNOWN_PRODUCTS,
                        self.rules.compiled.products.iter().map(|p| &*p.product)
                    )
                )))
            }
            Question::Role { action, .. } if !self.rules.knows_action(action) => {
                Err(QuestionError::new(format!(
                    "unknown action {action:?}; known: {}",
                    known(
                        KNOWN_ACTIONS,
                        self.rules.compiled.actions.iter().map(|a| &*a.action)
                    )
                )))
            }
            _ => Ok(()),
        }
    }

    /// The answer and its deciding rule, without wording or allocating.
    pub fn answer(&self, question: &Question) -> Verdict {
        let mut first = None;
        let answer = self.evaluate(question, &mut |f| {
            if first.is_none() {
                first = Some(f);
            }
        });
        Verdict {
            answer,
            rule: first.and_then(|f| f.rule()),
        }
    }

    /// Append the findings for `question` to `out` (the deciding one first)
    /// and return the answer. Reusing `out` keeps this allocation-free.
    pub fn check_into(&self, question: &Question, out: &mut Vec<Finding>) -> Answer {
        self.evaluate(question, &mut |f| out.push(f))
    }

    /// The answer with worded reasons.
    pub fn check(&self, question: &Question) -> Decision {
        let mut findings = Vec::new();
        let answer = self.check_into(question, &mut findings);
        let reasons = findings.iter().map(|f| self.reason(question, f)).collect();
        Decision { answer, reasons }
    }

    /// Word one finding.
    pub fn reason(&self, question: &Question, finding: &Finding) -> Reason {
        let rule = finding.rule().and_then(|r| self.rules.rule(r));
        Reason {
            rule: rule.map(|r| r.id.clone()),
            message: self.messages.render(&self.rules, question, finding),
            source: rule.map(|r| r.source.clone()),
        }
    }

    fn evaluate(&self, question: &Question, emit: &mut dyn FnMut(Finding)) -> Answer {
        let c = &self.rules.compiled;
        match question {
            Question::Purchase { product, market } => {
                let market = *market;
                let mut consulted = false;
                for p in c.products.iter().filter(|p| *p.product == **product) {
                    if p.markets.contains(market) {
                        emit(Finding::Unavailable {
                            rule: p.rule,
                            market,
                        });
                        return Answer::No;
                    }
                    consulted = true;
                }
                if consulted {
                    for p in c.products.iter().filter(|p| *p.product == **product) {
                        emit(Finding::NotListed {
                            rule: p.rule,
                            market,
                        });
                    }
                } else {
                    emit(Finding::NoMarketRule { market });
                }
                Answer::Yes
            }
            Question::Tax { market } => {
                let market = *market;
                match c.tax.iter().find(|(set, _)| set.contains(market)) {
                    Some(&(_, rule)) => {
                        emit(Finding::TaxIncluded { rule, market });
                        Answer::Yes
                    }
                    None => {
                        match c.tax.first() {
                            Some(&(_, rule)) => emit(Finding::TaxExcluded { rule, market }),
                            None => emit(Finding::NoTaxRule { market }),
                        }
                        Answer::No
                    }
                }
            }
            Question::Cancel { purchased, on } => {
                let elapsed = on.signed_duration_since(*purchased).num_days();
                match c.window {
                    Some((days, rule)) if elapsed <= i64::from(days) => {
                        emit(Finding::CancelWithin { rule, elapsed });
                        Answer::Yes
                    }
                    Some((_, rule)) => {
                        emit(Finding::CancelPast { rule, elapsed });
                        Answer::No
                    }
                    None => {
                        emit(Finding::NoCancelRule { elapsed });
                        Answer::No
                    }
                }
            }
            Question::Link {
                issued,
                now,
                downloads,
            } => {
                let Some((valid_days, max_downloads, rule)) = c.link else {
                    emit(Finding::NoLinkRule);
                    return Answer::No;
                };
                // Compared as a difference, which cannot overflow (chrono's
                // calendar spans ±262,143 years; a TimeDelta ±292 million):
                // `issued + valid_days` could leave the calendar for an
                // `issued` near its end.
                let alive = now.signed_duration_since(*issued)
                    < chrono::TimeDelta::days(i64::from(valid_days));
                let left = *downloads < max_downloads;
                if alive && left {
                    emit(Finding::LinkUsable { rule });
                    return Answer::Yes;
                }
                if !alive {
                    emit(Finding::LinkExpired { rule });
                }
                if !left {
                    emit(Finding::LinkExhausted { rule });
                }
                Answer::No
            }
            Question::Role { action, roles } => self.evaluate_role(action, roles, emit),
            Question::CancelRequest { request } => {
                let Some(r) = &c.request else {
                    emit(Finding::NoRequestRule);
                    return Answer::No;
                };
                let mut complete = true;
                for (at, check) in r.fields.iter().enumerate() {
                    let field_at = at as u8;
                    let rule = r.rule;
                    let finding = match check {
                        None => Finding::FieldUnknown { rule, field_at },
                        Some(check) => match check.verify(request) {
                            Ok(()) => continue,
                            Err(super::question::FieldProblem::Missing) => {
                                Finding::FieldMissing { rule, field_at }
                            }
                            Err(super::question::FieldProblem::Invalid) => {
                                Finding::FieldInvalid { rule, field_at }
                            }
                        },
                    };
                    complete = false;
                    emit(finding);
                }
                if complete {
                    emit(Finding::RequestComplete { rule: r.rule });
                    Answer::Yes
                } else {
                    Answer::No
                }
            }
        }
    }

    fn evaluate_role(
        &self,
        action: &str,
        roles: &[String],
        emit: &mut dyn FnMut(Finding),
    ) -> Answer {
        let c = &self.rules.compiled;
        let bit_of = |role: &str| c.roles.iter().position(|r| **r == *role);
        let mut answer = Answer::No;
        for a in c.actions.iter().filter(|a| *a.action == *action) {
            // Unknown roles have no bit, so they grant nothing.
            let granted = roles
                .iter()
                .filter_map(|role| bit_of(role))
                .find(|bit| a.allowed & (1 << bit) != 0);
            if let Some(bit) = granted {
                // Bits are < 64 (checked when compiling).
                emit(Finding::RoleGranted {
                    rule: a.rule,
                    role: bit as u8,
                });
                answer = Answer::Yes;
                break;
            }
        }
        if answer == Answer::No {
            match c.actions.iter().find(|a| *a.action == *action) {
                Some(a) => emit(Finding::RoleDenied { rule: a.rule }),
                None => emit(Finding::NoRoleRule),
            }
        }
        for (at, role) in roles.iter().enumerate().take(usize::from(u8::MAX)) {
            if bit_of(role).is_none() {
                emit(Finding::UnknownRole { role_at: at as u8 });
            }
        }
        answer
    }
}

fn known<'a>(vocabulary: &[&'a str], from_rules: impl Iterator<Item = &'a str>) -> String {
    let mut all: Vec<&str> = vocabulary.iter().copied().chain(from_rules).collect();
    all.sort_unstable();
    all.dedup();
    all.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Rules {
        Rules::from_json(crate::SAMPLE_RULES).unwrap()
    }

    #[test]
    fn market_bitset_holds_every_code() {
        let mut set = MarketSet::default();
        set.insert(Market::from_code("ZZ").unwrap());
        set.insert(Market::from_code("AA").unwrap());
        assert!(set.contains(Market::from_code("zz").unwrap()));
        assert!(!set.contains(Market::from_code("ZY").unwrap()));
        assert!(set.contains(Market::from_code("AA").unwrap()));
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

    #[test]
    fn links_near_the_ends_of_the_calendar_are_answered() {
        use chrono::{DateTime, TimeDelta, Utc};
        let max = MAX_DURATION_DAYS;
        let text = sample_text()
            .replacen("\"valid_days\": 14", &format!("\"valid_days\": {max}"), 1)
            .replacen(
                "\"max_downloads\": 50",
                &format!("\"max_downloads\": {}", u32::MAX),
                1,
            );
        let v = Validator::new(Rules::from_json(&text).unwrap());
        let end = DateTime::<Utc>::MAX_UTC.fixed_offset();
        let start = DateTime::<Utc>::MIN_UTC.fixed_offset();
        let link = |issued, now, downloads| Question::Link {
            issued,
            now,
            downloads,
        };
        // expiry past the end of the calendar: still open
        let q = link(end, end, 0);
        let d = v.check(&q);
        assert_eq!(d.answer, Answer::Yes, "{d:?}");
        assert!(d.reasons[0].message.contains("> +262"), "{d:?}");
        // downloads at the count's end
        assert_eq!(v.check(&link(end, end, u32::MAX)).answer, Answer::No);
        assert_eq!(v.check(&link(end, end, u32::MAX - 1)).answer, Answer::Yes);
        // the whole calendar between issue and now: expired
        assert_eq!(v.check(&link(start, end, 0)).answer, Answer::No);
        // exactly at the expiry: expired; a nanosecond before: open
        let issued = start;
        let expiry = issued + TimeDelta::days(i64::from(max));
        assert_eq!(v.check(&link(issued, expiry, 0)).answer, Answer::No);
        let before = expiry - TimeDelta::nanoseconds(1);
        assert_eq!(v.check(&link(issued, before, 0)).answer, Answer::Yes);
        // cancel across the whole calendar
        let c = Question::Cancel {
            purchased: chrono::NaiveDate::MIN,
            on: chrono::NaiveDate::MAX,
        };
        assert_eq!(v.check(&c).answer, Answer::No);
    }

    #[test]
    fn answer_is_the_fast_form_of_check() {
        let v = Validator::new(sample());
        let q = Question::Tax {
            market: Market::from_code("JP").unwrap(),
        };
        let verdict = v.answer(&q);
        let decision = v.check(&q);
        assert_eq!(verdict.answer, decision.answer);
        assert_eq!(
            verdict
                .rule
                .and_then(|r| v.rules().rule(r))
                .map(|r| r.id.as_str()),
            decision.reasons[0].rule.as_deref()
        );
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
