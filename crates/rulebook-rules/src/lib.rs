//! The rules.json contract (schema id `rulebook/rules@1`, DESIGN.md): the types
//! are defined once here and used by the writer (`emit`), the JSON Schema
//! (schemars, generated from these same types) and the validator, so the
//! three cannot drift apart.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;

pub use crate::config::Policy;
use serde::{Deserialize, Serialize};

/// The `schema` value this version of rulebook writes and reads.
pub const SCHEMA_ID: &str = "rulebook/rules@1";

/// The longest duration rulebook reads, in days: 100 years of 365.25 days.
/// Extraction refuses a longer one stated in an article
/// (`number-out-of-range`), and the validator refuses a rules file whose
/// `valid_days` or `days` exceeds it. No help article states a window of a
/// century; a larger number is a typo or an attack, and date arithmetic
/// with it could leave the calendar chrono can represent.
pub const MAX_DURATION_DAYS: u32 = 36_525;

/// The whole rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "rulebook rules file",
    description = "Facts extracted from localized help articles, with provenance (rulebook/rules@1)"
)]
pub struct RulesFile {
    /// Always `rulebook/rules@1` for this version.
    pub schema: String,
    /// The locale whose facts are canonical under `policy`.
    pub canonical_locale: String,
    pub policy: Policy,
    /// Every article file the facts were read from.
    pub sources: Vec<SourceFile>,
    pub rules: Vec<Rule>,
    pub procedures: Vec<Procedure>,
    pub discrepancies: std::sync::Arc<Vec<Discrepancy>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    pub locale: String,
    pub path: String,
    /// `ms.date` (or, lacking it, `ms.lasthandoff`) as YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// Where a fact was read: the file, the line, and the bilingual segment when
/// the sentence was one.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub locale: Arc<str>,
    pub path: Arc<str>,
    pub line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The section anchor the sentence is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<Arc<str>>,
}

/// The rule kinds of DESIGN.md.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    UnavailableMarkets,
    TaxInclusiveMarkets,
    RoleRequirement,
    LinkLimits,
    CancellationWindow,
    CancellationRequestFields,
    SavingsClaim,
}

impl Kind {
    pub fn id(self) -> &'static str {
        match self {
            Kind::UnavailableMarkets => "unavailable-markets",
            Kind::TaxInclusiveMarkets => "tax-inclusive-markets",
            Kind::RoleRequirement => "role-requirement",
            Kind::LinkLimits => "link-limits",
            Kind::CancellationWindow => "cancellation-window",
            Kind::CancellationRequestFields => "cancellation-request-fields",
            Kind::SavingsClaim => "savings-claim",
        }
    }
}

/// A fact's value; its shape follows the rule's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Value {
    UnavailableMarkets(UnavailableMarkets),
    TaxInclusiveMarkets(MarketList),
    RoleRequirement(RoleRequirement),
    LinkLimits(LinkLimits),
    CancellationWindow(CancellationWindow),
    CancellationRequestFields(FieldList),
    SavingsClaim(SavingsClaim),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::UnavailableMarkets(_) => Kind::UnavailableMarkets,
            Value::TaxInclusiveMarkets(_) => Kind::TaxInclusiveMarkets,
            Value::RoleRequirement(_) => Kind::RoleRequirement,
            Value::LinkLimits(_) => Kind::LinkLimits,
            Value::CancellationWindow(_) => Kind::CancellationWindow,
            Value::CancellationRequestFields(_) => Kind::CancellationRequestFields,
            Value::SavingsClaim(_) => Kind::SavingsClaim,
        }
    }
}

/// Markets (ISO 3166-1 alpha-2, sorted) where a product cannot be bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailableMarkets {
    pub product: String,
    pub markets: Vec<String>,
}

/// Markets (sorted) whose prices include tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarketList {
    pub markets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequirement {
    pub action: String,
    /// Any one of these roles may do the action (sorted).
    pub any_of_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkLimits {
    pub valid_days: u32,
    pub max_downloads: u32,
    pub renewable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationWindow {
    pub days: u32,
    pub early_termination_fee: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldList {
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavingsClaim {
    pub program: String,
    pub max_percent: u32,
}

/// One fact: its canonical value, where that came from, and what every locale
/// that states it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, e.g. `azure-reservations-unavailable-markets`.
    pub id: String,
    pub kind: Kind,
    /// The article (file stem) the fact is stated in.
    pub article: String,
    pub value: Value,
    pub source: Provenance,
    // Boxed: a map node has room for eleven entries, and most rules have
    // two or three.
    pub by_locale: BTreeMap<String, Box<LocaleFact>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocaleFact {
    pub value: Value,
    pub source: Provenance,
    /// Whether this locale's value equals the canonical one.
    pub agrees: bool,
}

/// A numbered procedure, aligned across locales by article and section anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub article: String,
    pub section: String,
    /// Roles a note in the section requires (any one of them).
    pub requires_role: Vec<String>,
    pub by_locale: BTreeMap<String, LocaleProcedure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocaleProcedure {
    pub title: String,
    pub path: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub n: u64,
    pub text: String,
    /// Bold UI labels, brackets removed.
    pub ui: Vec<String>,
    pub line: u32,
}

/// One difference between locales (see `reconcile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Discrepancy {
    // A finding's code and severity are a few fixed words and its locale and
    // section are shared with its provenance: a big build holds a hundred
    // thousand findings, so none of these is a string of its own.
    pub code: Cow<'static, str>,
    pub severity: Cow<'static, str>,
    pub locale: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub expected: serde_json::Value,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub found: serde_json::Value,
    pub message: String,
    /// Where the translation says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
    /// Where the canonical file says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<Provenance>,
}

/// The JSON Schema of rules.json, generated from the types above.
pub fn json_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(RulesFile)).unwrap_or_default();
    // The version is part of the contract: pin it, so a file of another
    // version fails validation instead of being half understood.
    if let Some(field) = schema.pointer_mut("/properties/schema")
        && let Some(obj) = field.as_object_mut()
    {
        obj.insert(
            "const".to_owned(),
            serde_json::Value::String(SCHEMA_ID.to_owned()),
        );
    }
    schema
}

pub mod batch;
pub mod messages;
pub mod question;
pub mod validate;

pub use messages::Messages;
pub use question::{Market, Question, QuestionError};
pub use validate::{Answer, Decision, LoadError, Reason, Rules, Validator};

/// A [`Value`] written with its kind as the key (`{"LinkLimits": {…}}`), for
/// data only rulebook reads back (the build cache): the kind says which
/// shape follows, where reading rules.json's untagged form tries each
/// shape in turn. Use with `#[serde(with = "crate::rules::tagged")]`.
pub mod tagged {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::*;

    macro_rules! tagged {
        ($($variant:ident($ty:ty)),* $(,)?) => {
            #[derive(Serialize)]
            enum Ref<'a> {
                $($variant(&'a $ty),)*
            }

            #[derive(Deserialize)]
            enum Owned {
                $($variant($ty),)*
            }

            pub fn serialize<S: Serializer>(value: &Value, s: S) -> Result<S::Ok, S::Error> {
                match value {
                    $(Value::$variant(v) => Ref::$variant(v),)*
                }
                .serialize(s)
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
                Ok(match Owned::deserialize(d)? {
                    $(Owned::$variant(v) => Value::$variant(v),)*
                })
            }
        };
    }

    tagged! {
        UnavailableMarkets(UnavailableMarkets),
        TaxInclusiveMarkets(MarketList),
        RoleRequirement(RoleRequirement),
        LinkLimits(LinkLimits),
        CancellationWindow(CancellationWindow),
        CancellationRequestFields(FieldList),
        SavingsClaim(SavingsClaim),
    }
}
