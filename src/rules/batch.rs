//! Decisions as JSON, one object per line: the output of `check --format
//! json` and of `check --batch`, which streams a JSONL file of questions
//! through one validator.
//!
//! A batch is the workload of a service replaying a day of questions, so the
//! loop reuses its buffers and caches the serialized reasons whose wording
//! depends only on the finding (most purchase, tax and cancel reasons).

use std::io::{self, BufRead, Write};

use rustc_hash::FxHashMap;

use serde::Serialize;

use super::question::Question;
use super::validate::{Finding, Reason, Validator};

/// Cached reasons beyond this many are dropped and the cache starts over, so
/// a long run's memory stays flat.
const CACHE_LIMIT: usize = 4096;

/// Writes decisions; holds the reason cache and scratch buffers.
pub struct DecisionWriter<'v> {
    validator: &'v Validator,
    findings: Vec<Finding>,
    /// Serialized reasons by finding, plus the index of the product in
    /// `products` for the one finding whose wording names the question's
    /// product (NoMarketRule); u32::MAX otherwise.
    cache: FxHashMap<(Finding, u32), Box<[u8]>>,
    products: Vec<String>,
    scratch: Vec<u8>,
}

/// What a batch run saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStats {
    pub decided: u64,
    pub errors: u64,
}

#[derive(Serialize)]
struct LineError<'a> {
    line: u64,
    error: &'a str,
}

impl<'v> DecisionWriter<'v> {
    pub fn new(validator: &'v Validator) -> Self {
        DecisionWriter {
            validator,
            findings: Vec::new(),
            cache: FxHashMap::default(),
            products: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Write `{"question":…,"answer":…,"reasons":[…]}` and a newline.
    pub fn write_decision(&mut self, question: &Question, out: &mut impl Write) -> io::Result<()> {
        self.findings.clear();
        let answer = self.validator.check_into(question, &mut self.findings);
        out.write_all(b"{\"question\":")?;
        serde_json::to_writer(&mut *out, question)?;
        out.write_all(b",\"answer\":\"")?;
        out.write_all(answer.id().as_bytes())?;
        out.write_all(b"\",\"reasons\":[")?;
        for i in 0..self.findings.len() {
            let finding = &{ self.findings[i] };
            if i > 0 {
                out.write_all(b",")?;
            }
            let key = self.cache_key(question, finding);
            if let Some(json) = key.and_then(|k| self.cache.get(&k)) {
                out.write_all(json)?;
                continue;
            }
            self.scratch.clear();
            serde_json::to_writer(&mut self.scratch, &self.validator.reason(question, finding))?;
            out.write_all(&self.scratch)?;
            if let Some(key) = key {
                if self.cache.len() >= CACHE_LIMIT {
                    self.cache.clear();
                    self.products.clear();
                }
                self.cache.insert(key, self.scratch.as_slice().into());
            }
        }
        out.write_all(b"]}\n")
    }

    /// The cache key of a finding, or None when its wording depends on more
    /// of the question than the key holds.
    fn cache_key(&mut self, question: &Question, finding: &Finding) -> Option<(Finding, u32)> {
        if finding.is_self_contained() {
            return Some((*finding, u32::MAX));
        }
        match (finding, question) {
            (Finding::NoMarketRule { .. }, Question::Purchase { product, .. }) => {
                let at = match self.products.iter().position(|p| p == product) {
                    Some(at) => at,
                    None => {
                        self.products.push(product.clone());
                        self.products.len() - 1
                    }
                };
                Some((*finding, at as u32))
            }
            _ => None,
        }
    }

    /// Stream questions (one JSON object per line) to decisions, in order.
    /// A line that is not a question gives `{"line": N, "error": "…"}`;
    /// blank lines are skipped. Only I/O errors stop the run.
    pub fn run(
        &mut self,
        input: &mut impl BufRead,
        out: &mut impl Write,
    ) -> io::Result<BatchStats> {
        let mut stats = BatchStats::default();
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            number += 1;
            let question = std::str::from_utf8(&line)
                .map_err(|e| format!("not UTF-8 (byte {})", e.valid_up_to()))
                .and_then(|text| {
                    let text = text.trim();
                    if text.is_empty() {
                        return Ok(None);
                    }
                    let q = Question::from_json(text).map_err(|e| e.0)?;
                    self.validator.admit(&q).map_err(|e| e.0)?;
                    Ok(Some(q))
                });
            match question {
                Ok(None) => {}
                Ok(Some(q)) => {
                    self.write_decision(&q, out)?;
                    stats.decided += 1;
                }
                Err(error) => {
                    serde_json::to_writer(
                        &mut *out,
                        &LineError {
                            line: number,
                            error: &error,
                        },
                    )?;
                    out.write_all(b"\n")?;
                    stats.errors += 1;
                }
            }
        }
        out.flush()?;
        Ok(stats)
    }
}

/// A decision as one JSON value (for callers that want a `serde_json::Value`
/// rather than bytes).
pub fn decision_json(validator: &Validator, question: &Question) -> serde_json::Value {
    let decision = validator.check(question);
    serde_json::json!({
        "question": question,
        "answer": decision.answer,
        "reasons": decision.reasons.iter().map(reason_json).collect::<Vec<_>>(),
    })
}

fn reason_json(reason: &Reason) -> serde_json::Value {
    serde_json::to_value(reason).unwrap_or(serde_json::Value::Null)
}
