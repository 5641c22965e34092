//! The translator report file (`book/report.json`, `rulebook/report@2`):
//! the differences between locales a build found, with counts per locale.
//!
//! Only the file's shape lives here, defined once for the writer (rulebook's
//! build and `rulebook diff --format json`), the JSON Schema
//! ([`crate::schema::schemas`]) and any reader; how a report is computed,
//! filtered and printed (text, SARIF) is the build's.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Discrepancy;

/// The `schema` value of `report.json` ([`ReportFile`]).
pub const REPORT_SCHEMA_ID: &str = "rulebook/report@2";

/// The whole report file (`book/report.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "rulebook translator report",
    description = "Differences between the locales of localized help articles, with counts per locale (rulebook/report@2)"
)]
pub struct ReportFile {
    /// Always `rulebook/report@2` for this version.
    pub schema: String,
    /// The locale the others are compared with.
    #[schemars(pattern(crate::schema::LOCALE_PATTERN))]
    pub canonical_locale: String,
    /// Counts per locale, by locale tag.
    #[schemars(extend("propertyNames" = {"pattern": crate::schema::LOCALE_PATTERN}))]
    pub summary: BTreeMap<String, LocaleSummary>,
    // Shared: the build keeps the findings for its site pages as well.
    /// The findings, sorted by file and line.
    pub discrepancies: Arc<Vec<Discrepancy>>,
}

/// Counts for one locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocaleSummary {
    /// Articles read in this locale.
    pub articles: usize,
    /// Bilingual segments (`data-ttu-id`) in its articles.
    pub segments: usize,
    /// Segments whose target text is still the source text.
    pub untranslated_segments: usize,
    /// Findings of severity `error`.
    pub errors: usize,
    /// Findings of severity `warning`.
    pub warnings: usize,
    /// Findings of severity `info`.
    pub infos: usize,
}
