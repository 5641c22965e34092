//! The validator's questions: their typed form, their JSON form (one object
//! per question, tagged by `kind`; see docs/validator.md), and the checks of a
//! cancellation request's fields.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::market::is_region;
pub use crate::market::{Market, MarketCode};

/// The largest cancellation-request file `check cancel-request --file`
/// reads: a request is one small JSON object.
pub const MAX_REQUEST_BYTES: u64 = 1 << 20;

// Defined beside the error it returns; the type itself is market.rs's,
// which knows nothing of questions.
impl Market {
    /// A market a user typed: two letters naming an ISO 3166-1 region.
    pub fn parse(code: &str) -> Result<Market, QuestionError> {
        let market = Market::from_code(code).ok_or_else(|| {
            QuestionError::new(format!(
                "market {code:?} is not an ISO 3166-1 alpha-2 code (two letters, e.g. BR)"
            ))
        })?;
        if !is_region(market) {
            return Err(QuestionError::new(format!(
                "market {code:?} is not an ISO 3166-1 region"
            )));
        }
        Ok(market)
    }
}

/// A question that cannot be asked as written (bad market, impossible date,
/// negative count, unknown field...). The CLI exits 2 on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QuestionError(pub String);

impl QuestionError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        QuestionError(message.into())
    }
}

/// A question of DESIGN.md, checked and normalised.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Question {
    /// May `product` be bought in `market`?
    Purchase {
        /// The product id.
        product: String,
        /// The market.
        market: Market,
    },
    /// Do prices in `market` include tax?
    Tax {
        /// The market.
        market: Market,
    },
    /// May a purchase made on `purchased` be cancelled on `on`?
    Cancel {
        /// The day of purchase.
        purchased: NaiveDate,
        /// The day the cancellation would be made.
        on: NaiveDate,
    },
    /// Is a download link issued at `issued` usable at `now` after
    /// `downloads` downloads?
    Link {
        /// The time the link was issued.
        issued: DateTime<FixedOffset>,
        /// The time asked about.
        now: DateTime<FixedOffset>,
        /// Downloads made so far.
        downloads: u32,
    },
    /// May any of `roles` do `action`?
    Role {
        /// The action id.
        action: String,
        /// The roles held (any one may do it).
        roles: Vec<String>,
    },
    /// Does this cancellation request carry every required field, valid?
    CancelRequest {
        /// The request as JSON (an object).
        request: serde_json::Map<String, serde_json::Value>,
    },
}

impl Question {
    /// The `kind` of the JSON form.
    pub fn kind(&self) -> &'static str {
        match self {
            Question::Purchase { .. } => "purchase",
            Question::Tax { .. } => "tax",
            Question::Cancel { .. } => "cancel",
            Question::Link { .. } => "link",
            Question::Role { .. } => "role",
            Question::CancelRequest { .. } => "cancel-request",
        }
    }

    /// May `product` be bought in `market` (an ISO 3166-1 alpha-2 code, any case)?
    pub fn purchase(product: &str, market: &str) -> Result<Question, QuestionError> {
        Ok(Question::Purchase {
            product: id(product, "product")?.to_owned(),
            market: Market::parse(market)?,
        })
    }

    /// Do prices in `market` include tax?
    pub fn tax(market: &str) -> Result<Question, QuestionError> {
        Ok(Question::Tax {
            market: Market::parse(market)?,
        })
    }

    /// `on` defaults to today (UTC). `on` before `purchased` is refused: a
    /// cancellation cannot precede its purchase.
    pub fn cancel(purchased: &str, on: Option<&str>) -> Result<Question, QuestionError> {
        let purchased = date(purchased, "purchased")?;
        let on = match on {
            Some(on) => date(on, "on")?,
            None => chrono::Utc::now().date_naive(),
        };
        if on < purchased {
            return Err(QuestionError::new(format!(
                "on ({on}) is before purchased ({purchased})"
            )));
        }
        Ok(Question::Cancel { purchased, on })
    }

    /// `now` defaults to the current time. `now` before `issued` is refused.
    pub fn link(
        issued: &str,
        now: Option<&str>,
        downloads: &str,
    ) -> Result<Question, QuestionError> {
        let downloads = count(downloads)?;
        Question::link_at(issued, now, downloads)
    }

    fn link_at(issued: &str, now: Option<&str>, downloads: u32) -> Result<Question, QuestionError> {
        let issued = datetime(issued, "issued")?;
        let now = match now {
            Some(now) => datetime(now, "now")?,
            None => chrono::Utc::now().fixed_offset(),
        };
        if now < issued {
            return Err(QuestionError::new(format!(
                "now ({}) is before issued ({})",
                now.to_rfc3339(),
                issued.to_rfc3339()
            )));
        }
        Ok(Question::Link {
            issued,
            now,
            downloads,
        })
    }

    /// May any of `roles` do `action`? Roles are trimmed; an empty one is refused.
    pub fn role<S: AsRef<str>>(action: &str, roles: &[S]) -> Result<Question, QuestionError> {
        if roles.is_empty() {
            return Err(QuestionError::new(
                "a role question needs at least one role",
            ));
        }
        Ok(Question::Role {
            action: action_id(action)?.to_owned(),
            roles: roles
                .iter()
                .map(|r| id(r.as_ref(), "role").map(str::to_owned))
                .collect::<Result<_, _>>()?,
        })
    }

    /// A request as read from a JSON file: it must be an object.
    pub fn cancel_request(request: serde_json::Value) -> Result<Question, QuestionError> {
        match request {
            serde_json::Value::Object(request) => Ok(Question::CancelRequest { request }),
            other => Err(QuestionError::new(format!(
                "a cancellation request is a JSON object, not {}",
                json_type(&other)
            ))),
        }
    }

    /// Parse the JSON form of a question (docs/validator.md).
    pub fn from_json(text: &str) -> Result<Question, QuestionError> {
        let raw: Raw<'_> =
            serde_json::from_str(text).map_err(|e| QuestionError::new(e.to_string()))?;
        raw.into_question()
    }
}

/// Every field any question has, so that one pass of serde reads any line
/// without buffering (serde's internally tagged enums buffer, which costs
/// more than the whole check).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    product: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    market: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    purchased: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    on: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    issued: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    now: Option<Cow<'a, str>>,
    #[serde(default)]
    downloads: Option<serde_json::Number>,
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    roles: Option<Vec<Cow<'a, str>>>,
    #[serde(default)]
    request: Option<serde_json::Value>,
}

impl<'a> Raw<'a> {
    fn into_question(self) -> Result<Question, QuestionError> {
        let kind = self.kind.clone();
        let present: [(&str, bool); 10] = [
            ("product", self.product.is_some()),
            ("market", self.market.is_some()),
            ("purchased", self.purchased.is_some()),
            ("on", self.on.is_some()),
            ("issued", self.issued.is_some()),
            ("now", self.now.is_some()),
            ("downloads", self.downloads.is_some()),
            ("action", self.action.is_some()),
            ("roles", self.roles.is_some()),
            ("request", self.request.is_some()),
        ];
        let allowed: &[&str] = match &*kind {
            "purchase" => &["product", "market"],
            "tax" => &["market"],
            "cancel" => &["purchased", "on"],
            "link" => &["issued", "now", "downloads"],
            "role" => &["action", "roles"],
            "cancel-request" => &["request"],
            other => {
                return Err(QuestionError::new(format!(
                    "unknown question kind {other:?}; expected purchase, tax, cancel, link, role or cancel-request"
                )));
            }
        };
        if let Some((field, _)) = present
            .iter()
            .find(|(field, here)| *here && !allowed.contains(field))
        {
            return Err(QuestionError::new(format!(
                "field {field:?} does not belong in a {kind} question"
            )));
        }
        let need = |value: Option<Cow<'a, str>>, field: &str| {
            value.ok_or_else(|| QuestionError::new(format!("a {kind} question needs {field:?}")))
        };
        match &*kind {
            "purchase" => Question::purchase(
                &need(self.product, "product")?,
                &need(self.market, "market")?,
            ),
            "tax" => Question::tax(&need(self.market, "market")?),
            "cancel" => Question::cancel(&need(self.purchased, "purchased")?, self.on.as_deref()),
            "link" => {
                let downloads = self
                    .downloads
                    .ok_or_else(|| QuestionError::new("a link question needs \"downloads\""))?;
                let downloads = count(&downloads.to_string())?;
                Question::link_at(
                    &need(self.issued, "issued")?,
                    self.now.as_deref(),
                    downloads,
                )
            }
            "role" => {
                let roles = self
                    .roles
                    .ok_or_else(|| QuestionError::new("a role question needs \"roles\""))?;
                Question::role(&need(self.action, "action")?, &roles)
            }
            _ => Question::cancel_request(self.request.ok_or_else(|| {
                QuestionError::new("a cancel-request question needs \"request\"")
            })?),
        }
    }
}

/// The JSON form, normalised (upper-case market, defaulted dates filled in),
/// so a decision log says exactly what was decided.
impl Serialize for Question {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        match self {
            Question::Purchase { product, market } => {
                map.serialize_entry("product", product)?;
                map.serialize_entry("market", &*market.as_str())?;
            }
            Question::Tax { market } => map.serialize_entry("market", &*market.as_str())?,
            Question::Cancel { purchased, on } => {
                map.serialize_entry("purchased", purchased)?;
                map.serialize_entry("on", on)?;
            }
            Question::Link {
                issued,
                now,
                downloads,
            } => {
                map.serialize_entry("issued", &issued.to_rfc3339())?;
                map.serialize_entry("now", &now.to_rfc3339())?;
                map.serialize_entry("downloads", downloads)?;
            }
            Question::Role { action, roles } => {
                map.serialize_entry("action", action)?;
                map.serialize_entry("roles", roles)?;
            }
            Question::CancelRequest { request } => map.serialize_entry("request", request)?,
        }
        map.end()
    }
}

/// An id (product, action, role) as DESIGN.md spells them: lower-case
/// letters, digits and hyphens.
fn id<'a>(value: &'a str, what: &str) -> Result<&'a str, QuestionError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(value)
    } else {
        Err(QuestionError::new(format!(
            "{what} {value:?} is not an id (lower-case letters, digits and hyphens, e.g. admin-agent)"
        )))
    }
}

/// An action: a vocabulary id, or an article's path with an optional
/// section anchor (`partner-center/billing#invoices`), as rules name them
/// ([`crate::schema::ACTION_PATTERN`]).
fn action_id(value: &str) -> Result<&str, QuestionError> {
    let part_ok = |part: &str| {
        !part.is_empty() && {
            let b = part.as_bytes();
            let mut i = 0;
            let mut ok = true;
            while i < b.len() {
                match b[i] {
                    b'%' => {
                        ok &= b
                            .get(i + 1..i + 3)
                            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                        i += 3;
                    }
                    b'#' | b'/' => ok = false,
                    c if c < 0x20 || c == 0x7f => ok = false,
                    _ => i += 1,
                }
                if !ok {
                    break;
                }
            }
            ok
        }
    };
    let (path, section) = match value.split_once('#') {
        Some((path, section)) => (path, Some(section)),
        None => (value, None),
    };
    let ok = value.len() <= crate::schema::MAX_ACTION_LEN
        && path.split('/').all(part_ok)
        && section.is_none_or(part_ok);
    if ok {
        Ok(value)
    } else {
        Err(QuestionError::new(format!(
            "action {value:?} is not an action id (an id such as download-software, or an article's path with an optional #section, e.g. partner-center/activity-logs)"
        )))
    }
}

fn date(value: &str, field: &str) -> Result<NaiveDate, QuestionError> {
    let b = value.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(QuestionError::new(format!(
            "{field}: {value:?} is not a date of the form YYYY-MM-DD"
        )));
    }
    // The shape is checked above, so the parts are digits: the date is
    // built from them directly, with no format string to interpret for
    // each of a batch's lines.
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10))
        .ok_or_else(|| QuestionError::new(format!("{field}: {value} is not a day of the calendar")))
}

fn datetime(value: &str, field: &str) -> Result<DateTime<FixedOffset>, QuestionError> {
    DateTime::parse_from_rfc3339(value).map_err(|e| {
        QuestionError::new(format!(
            "{field}: {value:?} is not an RFC 3339 date-time such as 2024-01-15T09:30:00Z ({e})"
        ))
    })
}

fn count(value: &str) -> Result<u32, QuestionError> {
    let value = value.trim();
    if value.starts_with('-') {
        return Err(QuestionError::new(format!(
            "downloads: {value} is negative; it counts downloads already made"
        )));
    }
    value.parse::<u32>().map_err(|e| {
        QuestionError::new(match e.kind() {
            std::num::IntErrorKind::PosOverflow => format!(
                "downloads: {value} is more than {}, the largest count the validator reads",
                u32::MAX
            ),
            _ => format!("downloads: {value:?} is not a whole number of downloads"),
        })
    })
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// How a cancellation-request field is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A GUID or a domain name.
    Tenant,
    /// A non-empty string.
    Text,
    /// A positive decimal: a JSON number > 0 or a string like "120.50".
    PositiveDecimal,
}

/// One field id of the `cancellation-request-fields` rule and the JSON keys
/// that carry it in a request. This table is the only place where field ids
/// meet JSON keys; which fields are required comes from the rule.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldCheck {
    /// The field id, as the rule names it.
    pub id: &'static str,
    /// Any one of these keys carries the field.
    pub keys: &'static [&'static str],
    /// What a valid value looks like.
    pub kind: FieldKind,
}

/// Every field id this validator can check, with its keys and kind.
pub const REQUEST_FIELDS: &[FieldCheck] = &[
    FieldCheck {
        id: "tenant",
        keys: &["tenant"],
        kind: FieldKind::Tenant,
    },
    FieldCheck {
        id: "order-or-subscription-id",
        keys: &["order_id", "subscription_id"],
        kind: FieldKind::Text,
    },
    FieldCheck {
        id: "refund-reason",
        keys: &["refund_reason"],
        kind: FieldKind::Text,
    },
    FieldCheck {
        id: "amount-requested",
        keys: &["amount_requested"],
        kind: FieldKind::PositiveDecimal,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// Why a request's field does not pass its check.
pub enum FieldProblem {
    /// No key of the field is present (or its value is null).
    Missing,
    /// A key is present but its value is not of the field's kind.
    Invalid,
}

impl FieldCheck {
    /// Missing when no key carries a non-null value; invalid when any value
    /// given is not of the field's kind.
    pub fn verify(
        &self,
        request: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), FieldProblem> {
        let mut seen = false;
        for value in self.keys.iter().filter_map(|k| request.get(*k)) {
            if value.is_null() {
                continue;
            }
            seen = true;
            if !self.accepts(value) {
                return Err(FieldProblem::Invalid);
            }
        }
        if seen {
            Ok(())
        } else {
            Err(FieldProblem::Missing)
        }
    }

    fn accepts(&self, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (self.kind, value) {
            (FieldKind::Tenant, Value::String(s)) => is_guid(s) || is_domain(s),
            (FieldKind::Text, Value::String(s)) => !s.trim().is_empty(),
            (FieldKind::PositiveDecimal, Value::Number(n)) => n.as_f64().is_some_and(|x| x > 0.0),
            (FieldKind::PositiveDecimal, Value::String(s)) => is_positive_decimal(s),
            _ => false,
        }
    }
}

/// 8-4-4-4-12 hex digits, as Microsoft Entra tenant ids are written.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A DNS name of two or more labels (RFC 1035 letters, digits, hyphens; no
/// label starting or ending with a hyphen), ending in an alphabetic TLD or
/// an IDN `xn--` label, e.g. `contoso.onmicrosoft.com`.
pub fn is_domain(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    // Walked, not collected: this runs on the validator's allocation-free
    // path.
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
    };
    let tld_ok = |l: &str| {
        (l.len() >= 2 && l.bytes().all(|c| c.is_ascii_alphabetic())) || l.starts_with("xn--")
    };
    s.contains('.')
        && s.split('.').all(|l| label_ok(&l))
        && s.rsplit('.').next().is_some_and(tld_ok)
}

/// Digits with an optional fraction, value above zero ("0.01", "120",
/// "99.5"); no sign, exponent or currency.
pub fn is_positive_decimal(s: &str) -> bool {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|c| c.is_ascii_digit());
    !whole.is_empty()
        && digits(whole)
        && digits(frac)
        && !(s.contains('.') && frac.is_empty())
        && s.bytes().any(|c| (b'1'..=b'9').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markets_are_two_letters_naming_a_region() {
        assert_eq!(
            Market::parse("br").map(|m| m.to_string()),
            Ok("BR".to_owned())
        );
        assert!(Market::parse("BRA").is_err());
        assert!(Market::parse("B1").is_err());
        assert!(Market::parse("QQ").is_err());
    }

    /// An action is a vocabulary id or an article path with an optional
    /// section anchor, percent-encoded as rule ids are; anything else is
    /// refused before the rules are asked.
    #[test]
    fn actions_are_ids_or_article_paths() {
        for ok in [
            "download-software",
            "partner-center/activity-logs",
            "partner-center/billing#invoices",
            "Archive/China-billing",
            "a%23b/c#x%2Fy",
            "docs/日本",
        ] {
            assert!(Question::role(ok, &["global-admin"]).is_ok(), "{ok}");
            assert!(schema_accepts_action(ok), "{ok}");
        }
        for bad in [
            "", "a//b", "/a", "a/", "a#b#c", "a#", "#b", "a%zz", "a%2", "a\nb", "a#b/c",
        ] {
            assert!(Question::role(bad, &["global-admin"]).is_err(), "{bad:?}");
            assert!(!schema_accepts_action(bad), "{bad:?}");
        }
        let long = "a/".repeat(300) + "b";
        assert!(Question::role(&long, &["global-admin"]).is_err());
        // an article path's own `#` is encoded, so the action reads back
        assert_eq!(
            crate::action_id("c#/a%b", Some("x/y#z")),
            "c%23/a%25b#x%2Fy%23z"
        );
        assert_eq!(crate::rule_id("c#/a", None, "roles"), "c%23/a/roles");
    }

    /// The schema's ACTION_PATTERN, checked by a JSON Schema validator:
    /// the same actions pass the schema and the question.
    fn schema_accepts_action(s: &str) -> bool {
        let schema =
            serde_json::json!({"type": "string", "pattern": crate::schema::ACTION_PATTERN});
        jsonschema::validator_for(&schema)
            .unwrap()
            .is_valid(&serde_json::json!(s))
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(Question::cancel("2023-02-29", Some("2023-03-01")).is_err());
        assert!(Question::cancel("2024-02-29", Some("2024-03-01")).is_ok());
        assert!(Question::cancel("2024-2-1", Some("2024-03-01")).is_err());
    }

    #[test]
    fn tenants_domains_and_amounts() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_guid("72f988bf86f141af91ab2d7cd011db47"));
        assert!(is_domain("contoso.onmicrosoft.com"));
        assert!(!is_domain("contoso"));
        assert!(!is_domain("-a.com"));
        assert!(!is_domain("a..com"));
        assert!(is_positive_decimal("120.50"));
        assert!(!is_positive_decimal("0.00"));
        assert!(!is_positive_decimal("-3"));
        assert!(!is_positive_decimal("1."));
        assert!(!is_positive_decimal("1e3"));
    }

    #[test]
    fn json_round_trip_is_normalised() {
        let q =
            Question::from_json(r#"{"kind":"purchase","product":"windows-server","market":"br"}"#)
                .unwrap();
        assert_eq!(
            serde_json::to_string(&q).unwrap(),
            r#"{"kind":"purchase","product":"windows-server","market":"BR"}"#
        );
        let e = Question::from_json(r#"{"kind":"tax","market":"AU","product":"x"}"#).unwrap_err();
        assert!(e.0.contains("does not belong"), "{e}");
    }
}
