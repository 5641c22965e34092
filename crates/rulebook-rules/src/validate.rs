//! The embedded validator: answers the questions of DESIGN.md (purchase,
//! tax, cancel, link, role, cancel-request) from a compiled [`Rules`], with
//! the rules that decided them.
//!
//! A question consults every rule of its kind and subject
//! ([`subject`](crate::rules::subject)), whichever articles state them: the
//! stricter answer wins (`no` is stricter than `yes` for every question),
//! the reasons of the rules that answer `no` come first, and the decision
//! says whether the rules consulted disagree ([`Decision::conflict`]).
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
//!   }, {
//!     "id": "y/azure-reservations-unavailable-markets", "kind": "unavailable-markets",
//!     "article": "y", "by_locale": {},
//!     "value": {"product": "azure-reservations", "markets": ["JE"]},
//!     "source": {"locale": "en", "path": "content/en/y.md", "line": 7}
//!   }]
//! }"#;
//! let validator = Validator::new(Rules::from_json(json)?);
//! let question = Question::from_json(r#"{"kind":"purchase","product":"azure-reservations","market":"br"}"#)?;
//! let decision = validator.check(&question);
//! // x lists Brazil, y does not: the stricter answer wins, x's reason first
//! assert_eq!(decision.answer, Answer::No);
//! assert!(decision.conflict);
//! assert_eq!(decision.reasons[0].rule.as_deref(), Some("x/azure-reservations-unavailable-markets"));
//! assert_eq!(decision.reasons[0].source.as_ref().map(|s| s.line), Some(24));
//! assert_eq!(decision.reasons[1].rule.as_deref(), Some("y/azure-reservations-unavailable-markets"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Provenance;
use crate::messages::Messages;
use crate::question::{FieldProblem, Question};

// Defined below this module (finding, rules, question, market) and named
// here too: their path before the crate was split so that its imports
// point one way.
pub use crate::finding::{Answer, Finding, RuleRef};
pub use crate::question::{Market, QuestionError};
pub use crate::rules::{KNOWN_ACTIONS, KNOWN_PRODUCTS, LoadError, MAX_RULES_BYTES, Rules};

/// The cheap result of [`Validator::answer`]: the answer, the rule that
/// decided it (None when no rule covers the question) and whether the rules
/// consulted disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The answer.
    pub answer: Answer,
    /// The deciding rule.
    pub rule: Option<RuleRef>,
    /// Whether the rules consulted would answer this question differently
    /// (see [`Decision::conflict`]).
    pub conflict: bool,
}

/// A worded answer with its reasons, the first of which is the deciding one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Decision {
    /// The answer.
    pub answer: Answer,
    /// Whether the rules consulted would answer this question differently
    /// taken one by one (articles that disagree); false when one rule or
    /// none was consulted. The stricter answer is `answer` all the same.
    pub conflict: bool,
    /// Why: the deciding reason first, then one or more for every other
    /// rule consulted (those answering no before those answering yes).
    pub reasons: Vec<Reason>,
}

/// One reason: the rule (None when no rule covers the question), a message
/// in the validator's language, and the sentence the rule was read from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Reason {
    /// The id of the rule, None when no rule covers the question.
    #[schemars(pattern(crate::schema::RULE_ID_PATTERN))]
    pub rule: Option<String>,
    /// The reason in words, in the validator's language; in a conflict it
    /// names the article that states the rule.
    pub message: String,
    /// Where the rule is stated (canonical locale), when there is a rule.
    pub source: Option<Provenance>,
}

/// What evaluation returns beside its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Outcome {
    answer: Answer,
    conflict: bool,
}

impl Outcome {
    const fn one(answer: Answer) -> Outcome {
        Outcome {
            answer,
            conflict: false,
        }
    }
}

/// Weigh the rules of one question: `admits(rule)` is the rule's own
/// answer, `report(rule, admits)` emits its findings. Rules answering no
/// are reported first, then those answering yes, each in file order; the
/// answer is yes only when every rule admits. Two passes over the rules
/// instead of a list: this runs on the allocation-free path.
fn weigh<T>(rules: &[T], admits: impl Fn(&T) -> bool, mut report: impl FnMut(&T, bool)) -> Outcome {
    let mut yes = 0usize;
    for r in rules {
        if admits(r) {
            yes += 1;
        } else {
            report(r, false);
        }
    }
    for r in rules.iter().filter(|r| admits(r)) {
        report(r, true);
    }
    Outcome {
        answer: if yes == rules.len() {
            Answer::Yes
        } else {
            Answer::No
        },
        conflict: yes != 0 && yes != rules.len(),
    }
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

    /// Refuse a question naming a product, an action or a role that neither
    /// DESIGN.md's vocabulary nor any rule knows: most likely a typo, which
    /// would otherwise get a confident "yes, nothing restricts it" (or a
    /// "no" that only says the role is unknown).
    pub fn admit(&self, question: &Question) -> Result<(), QuestionError> {
        match question {
            Question::Purchase { product, .. } if !self.rules.knows_product(product) => {
                Err(QuestionError::new(format!(
                    "unknown product {product:?}; {}",
                    known(product, KNOWN_PRODUCTS, self.rules.rule_products())
                )))
            }
            Question::Role { action, .. } if !self.rules.knows_action(action) => {
                Err(QuestionError::new(format!(
                    "unknown action {action:?}; {}",
                    known(action, KNOWN_ACTIONS, self.rules.rule_actions())
                )))
            }
            // A role nobody names is a typo or a role of another system:
            // asked as it is, it would get a plain "no".
            Question::Role { roles, .. } => {
                match roles.iter().find(|r| !self.rules.knows_role(r)) {
                    Some(role) => Err(QuestionError::new(format!(
                        "unknown role {role:?}; {}",
                        known(role, &[], self.rules.role_ids())
                    ))),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// The answer, its deciding rule and whether the rules consulted
    /// disagree, without wording or allocating.
    pub fn answer(&self, question: &Question) -> Verdict {
        let mut first = None;
        let outcome = self.evaluate(question, &mut |f| {
            if first.is_none() {
                first = Some(f);
            }
        });
        Verdict {
            answer: outcome.answer,
            rule: first.and_then(|f| f.rule()),
            conflict: outcome.conflict,
        }
    }

    /// Append the findings for `question` to `out` (the deciding one first)
    /// and return the verdict. Reusing `out` keeps this allocation-free.
    pub fn check_into(&self, question: &Question, out: &mut Vec<Finding>) -> Verdict {
        let start = out.len();
        let outcome = self.evaluate(question, &mut |f| out.push(f));
        Verdict {
            answer: outcome.answer,
            rule: out.get(start).and_then(Finding::rule),
            conflict: outcome.conflict,
        }
    }

    /// The answer with worded reasons.
    pub fn check(&self, question: &Question) -> Decision {
        let mut findings = Vec::new();
        let verdict = self.check_into(question, &mut findings);
        let reasons = findings
            .iter()
            .map(|f| self.reason(question, f, verdict.conflict))
            .collect();
        Decision {
            answer: verdict.answer,
            conflict: verdict.conflict,
            reasons,
        }
    }

    /// Word one finding; `conflict` (the decision's) makes a rule's reason
    /// name the article that states the rule.
    pub fn reason(&self, question: &Question, finding: &Finding, conflict: bool) -> Reason {
        let rule = finding.rule().and_then(|r| self.rules.rule(r));
        Reason {
            rule: rule.map(|r| r.id.clone()),
            message: self
                .messages
                .render(&self.rules, question, finding, conflict),
            source: rule.map(|r| r.source.clone()),
        }
    }

    fn evaluate(&self, question: &Question, emit: &mut dyn FnMut(Finding)) -> Outcome {
        let c = self.rules.compiled();
        match question {
            Question::Purchase { product, market } => {
                let market = *market;
                let rules = c.products_of(product);
                if rules.is_empty() {
                    emit(Finding::NoMarketRule { market });
                    return Outcome::one(Answer::Yes);
                }
                weigh(
                    rules,
                    |p| !p.markets.contains(market),
                    |p, yes| {
                        let rule = p.rule;
                        emit(if yes {
                            Finding::NotListed { rule, market }
                        } else {
                            Finding::Unavailable { rule, market }
                        })
                    },
                )
            }
            Question::Tax { market } => {
                let market = *market;
                if c.tax.is_empty() {
                    emit(Finding::NoTaxRule { market });
                    return Outcome::one(Answer::No);
                }
                weigh(
                    &c.tax,
                    |t| t.markets.contains(market),
                    |t, yes| {
                        let rule = t.rule;
                        emit(if yes {
                            Finding::TaxIncluded { rule, market }
                        } else {
                            Finding::TaxExcluded { rule, market }
                        })
                    },
                )
            }
            Question::Cancel { purchased, on } => {
                let elapsed = on.signed_duration_since(*purchased).num_days();
                if c.windows.is_empty() {
                    emit(Finding::NoCancelRule { elapsed });
                    return Outcome::one(Answer::No);
                }
                weigh(
                    &c.windows,
                    |&(days, _)| elapsed <= i64::from(days),
                    |&(_, rule), yes| {
                        emit(if yes {
                            Finding::CancelWithin { rule, elapsed }
                        } else {
                            Finding::CancelPast { rule, elapsed }
                        })
                    },
                )
            }
            Question::Link {
                issued,
                now,
                downloads,
            } => {
                if c.links.is_empty() {
                    emit(Finding::NoLinkRule);
                    return Outcome::one(Answer::No);
                }
                // Compared as a difference, which cannot overflow (chrono's
                // calendar spans ±262,143 years; a TimeDelta ±292 million):
                // `issued + valid_days` could leave the calendar for an
                // `issued` near its end.
                let age = now.signed_duration_since(*issued);
                let alive = |valid_days: u32| age < chrono::TimeDelta::days(i64::from(valid_days));
                let left = |max_downloads: u32| *downloads < max_downloads;
                weigh(
                    &c.links,
                    |&(days, max, _)| alive(days) && left(max),
                    |&(days, max, rule), yes| {
                        if yes {
                            emit(Finding::LinkUsable { rule });
                            return;
                        }
                        // both limits are reported when both are hit
                        if !alive(days) {
                            emit(Finding::LinkExpired { rule });
                        }
                        if !left(max) {
                            emit(Finding::LinkExhausted { rule });
                        }
                    },
                )
            }
            Question::Role { action, roles } => self.evaluate_role(action, roles, emit),
            Question::CancelRequest { request } => {
                if c.requests.is_empty() {
                    emit(Finding::NoRequestRule);
                    return Outcome::one(Answer::No);
                }
                let problem = |check: &Option<&crate::question::FieldCheck>| match check {
                    None => Some(None),
                    Some(check) => check.verify(request).err().map(Some),
                };
                weigh(
                    &c.requests,
                    |r| r.fields.iter().all(|f| problem(f).is_none()),
                    |r, yes| {
                        let rule = r.rule;
                        if yes {
                            emit(Finding::RequestComplete { rule });
                            return;
                        }
                        for (at, check) in r.fields.iter().enumerate() {
                            // At most 255 fields (checked when compiling).
                            let field_at = at as u8;
                            let finding = match problem(check) {
                                None => continue,
                                Some(None) => Finding::FieldUnknown { rule, field_at },
                                Some(Some(FieldProblem::Missing)) => {
                                    Finding::FieldMissing { rule, field_at }
                                }
                                Some(Some(FieldProblem::Invalid)) => {
                                    Finding::FieldInvalid { rule, field_at }
                                }
                            };
                            emit(finding);
                        }
                    },
                )
            }
        }
    }

    /// Every rule for the action must admit one of the roles (the stricter
    /// reading: an article that names fewer roles is not overruled by one
    /// that names more); unknown roles grant nothing and are reported last.
    fn evaluate_role(
        &self,
        action: &str,
        roles: &[String],
        emit: &mut dyn FnMut(Finding),
    ) -> Outcome {
        let c = self.rules.compiled();
        let rules = c.actions_of(action);
        // The first of the asker's roles (in their order) the rule admits.
        let granted = |allowed: &[u32]| {
            roles
                .iter()
                .filter_map(|role| c.role_index(role))
                .find(|i| allowed.binary_search(i).is_ok())
        };
        let outcome = if rules.is_empty() {
            emit(Finding::NoRoleRule);
            Outcome::one(Answer::No)
        } else {
            weigh(
                rules,
                |a| granted(&a.roles).is_some(),
                |a, _| {
                    emit(match granted(&a.roles) {
                        Some(role) => Finding::RoleGranted { rule: a.rule, role },
                        None => Finding::RoleDenied { rule: a.rule },
                    })
                },
            )
        };
        for (at, role) in roles.iter().enumerate().take(usize::from(u8::MAX)) {
            if c.role_index(role).is_none() {
                emit(Finding::UnknownRole { role_at: at as u8 });
            }
        }
        outcome
    }
}

/// How many known ids an unknown one's error names.
const CLOSEST: usize = 5;

/// The known ids to offer in place of `asked`: all of them when there are
/// few, else the closest few (by edit distance, then name). A real tree
/// gives hundreds of actions, too many to list in one error line.
fn known<'a>(
    asked: &str,
    vocabulary: &[&'a str],
    from_rules: impl Iterator<Item = &'a str>,
) -> String {
    let mut all: Vec<&str> = vocabulary.iter().copied().chain(from_rules).collect();
    all.sort_unstable();
    all.dedup();
    if all.len() <= 2 * CLOSEST {
        return format!("known: {}", all.join(", "));
    }
    let total = all.len();
    let mut ranked: Vec<(usize, &str)> = all
        .into_iter()
        .map(|id| (strsim::levenshtein(asked, id), id))
        .collect();
    ranked.sort_unstable();
    let closest: Vec<&str> = ranked.iter().take(CLOSEST).map(|(_, id)| *id).collect();
    format!("the closest of the {total} known: {}", closest.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MAX_DURATION_DAYS;

    fn sample() -> Rules {
        Rules::from_json(crate::SAMPLE_RULES).unwrap()
    }

    fn sample_text() -> String {
        crate::SAMPLE_RULES.to_owned()
    }

    /// An unknown id's error offers every known id when there are few,
    /// the closest five when there are many (a real tree's actions).
    #[test]
    fn unknown_ids_offer_the_closest_known() {
        let few = known("get-key", KNOWN_ACTIONS, std::iter::empty());
        assert_eq!(
            few,
            "known: buy-software, cancel-purchase, download-software, get-keys, view-activity-log"
        );
        let articles: Vec<String> = (0..40)
            .map(|i| format!("partner-center/article-{i}"))
            .chain(["partner-center/activity-logs".to_owned()])
            .collect();
        let many = known(
            "partner-center/activity-log",
            KNOWN_ACTIONS,
            articles.iter().map(String::as_str),
        );
        assert!(
            many.starts_with("the closest of the 46 known: partner-center/activity-logs, "),
            "{many}"
        );
        assert_eq!(many.matches(", ").count(), CLOSEST - 1, "{many}");
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
        use crate::{
            CancellationWindow, FieldList, LinkLimits, MarketList, RoleRequirement, Value,
        };
        // the sample, and the sample with a second article stating every
        // kind of rule differently
        let mut file = sample().file().clone();
        let second: Vec<crate::Rule> = file
            .rules
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.id = format!("second/{}", r.id);
                r.article = "second".to_owned();
                r.value = match r.value {
                    Value::UnavailableMarkets(mut v) => {
                        v.markets = vec!["JE".to_owned(), "MX".to_owned()];
                        Value::UnavailableMarkets(v)
                    }
                    Value::TaxInclusiveMarkets(_) => Value::TaxInclusiveMarkets(MarketList {
                        markets: vec!["AU".to_owned()],
                    }),
                    Value::RoleRequirement(v) => Value::RoleRequirement(RoleRequirement {
                        any_of_roles: vec!["global-admin".to_owned()],
                        ..v
                    }),
                    Value::LinkLimits(v) => Value::LinkLimits(LinkLimits {
                        valid_days: 7,
                        max_downloads: 60,
                        ..v
                    }),
                    Value::CancellationWindow(v) => {
                        Value::CancellationWindow(CancellationWindow { days: 30, ..v })
                    }
                    Value::CancellationRequestFields(_) => {
                        Value::CancellationRequestFields(FieldList {
                            fields: vec!["tenant".to_owned()],
                        })
                    }
                    other => other,
                };
                r
            })
            .collect();
        let one = Validator::new(sample());
        file.rules.extend(second);
        let two = Validator::new(Rules::from_file(file).unwrap());
        let request = |r: serde_json::Value| Question::cancel_request(r).unwrap();
        let mut questions = vec![
            request(serde_json::json!({})),
            request(serde_json::json!({"tenant": "contoso.com"})),
            request(serde_json::json!({"tenant": "contoso.com", "order_id": "1",
                "refund_reason": "x", "amount_requested": 2})),
        ];
        for market in ["AU", "BR", "JE", "JP", "MX"] {
            questions.push(Question::purchase("azure-reservations", market).unwrap());
            questions.push(Question::purchase("windows-server", market).unwrap());
            questions.push(Question::tax(market).unwrap());
        }
        for on in ["2024-01-05", "2024-02-15", "2024-03-30"] {
            questions.push(Question::cancel("2024-01-01", Some(on)).unwrap());
        }
        for (now, downloads) in [("02", "1"), ("10", "1"), ("02", "55"), ("20", "70")] {
            let now = format!("2024-01-{now}T00:00:00Z");
            questions.push(Question::link("2024-01-01T00:00:00Z", Some(&now), downloads).unwrap());
        }
        for roles in [
            &["admin-agent"][..],
            &["global-admin"],
            &["admin-agent", "global-admin"],
            &["x"],
        ] {
            for action in ["get-keys", "view-activity-log", "buy-software"] {
                questions.push(Question::role(action, roles).unwrap());
            }
        }
        let mut conflicts = 0;
        for v in [&one, &two] {
            for q in &questions {
                let verdict = v.answer(q);
                let decision = v.check(q);
                assert_eq!(verdict.answer, decision.answer, "{q:?}");
                assert_eq!(verdict.conflict, decision.conflict, "{q:?}");
                conflicts += usize::from(decision.conflict);
                assert_eq!(
                    verdict
                        .rule
                        .and_then(|r| v.rules().rule(r))
                        .map(|r| r.id.as_str()),
                    decision.reasons[0].rule.as_deref(),
                    "{q:?}"
                );
                let mut findings = vec![Finding::NoLinkRule];
                let into = v.check_into(q, &mut findings);
                assert_eq!(into, verdict, "{q:?}");
                assert_eq!(findings.len(), decision.reasons.len() + 1, "{q:?}");
            }
        }
        // the second file's disagreements were met (the first has none)
        assert_eq!(conflicts, 8);
    }
}
