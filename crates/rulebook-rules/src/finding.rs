//! What the validator finds while answering: the [`Answer`], and
//! [`Finding`]s, plain `Copy` values that point at rules by index
//! ([`RuleRef`]). Evaluation produces them without allocating; the
//! messages word them only when someone will read them.

use crate::market::Market;

/// The answer to a question.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
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

/// Index of a rule in [`Rules::file`](crate::Rules::file)`.rules` (u32:
/// a build of 5,000 articles per locale writes about 85,000 rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef(pub u32);

/// One thing the validator found while answering, in a form that costs
/// nothing to produce. Indices point into the rules (`rule`), the question's
/// role list (`role_at`) or the rule's field list (`field_at`). A question
/// consults every rule of its kind and subject, and each of them gives
/// findings of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Finding {
    /// A rule for the product lists the market.
    Unavailable {
        /// The rule consulted.
        rule: RuleRef,
        /// The question's market.
        market: Market,
    },
    /// A rule for the product was consulted and does not list the market.
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
    /// A tax rule lists the market.
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
    /// `elapsed` (on - purchased, in days) is within the rule's window.
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
    /// rules' role table ([`Rules::role_id`](crate::Rules::role_id)), so the wording depends on the
    /// finding alone.
    RoleGranted {
        /// The rule consulted.
        rule: RuleRef,
        /// The granting role's index in the rules' role table.
        role: u32,
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
