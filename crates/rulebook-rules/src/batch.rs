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

use crate::finding::Finding;
use crate::question::Question;
use crate::validate::{Reason, Validator};

/// A finding, the decision's conflict flag, and the product's index.
type CacheKey = (Finding, bool, u32);

/// Cached reasons beyond this many are dropped and the cache starts over, so
/// a long run's memory stays flat.
const CACHE_LIMIT: usize = 4096;

/// Writes decisions; holds the reason cache and scratch buffers.
pub struct DecisionWriter<'v> {
    validator: &'v Validator,
    findings: Vec<Finding>,
    /// Serialized reasons by finding and the decision's conflict (which
    /// adds the rule's article to the wording), plus the index of the
    /// product in `products` for the one finding whose wording names the
    /// question's product (NoMarketRule); u32::MAX otherwise.
    cache: FxHashMap<CacheKey, Box<[u8]>>,
    products: Vec<String>,
    scratch: Vec<u8>,
}

/// The longest line a batch reads, in bytes (its newline not counted). A
/// question is a few hundred bytes; a longer line is answered with an error
/// line and skipped, never held whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// How far past [`MAX_LINE_BYTES`] a batch reads one line looking for its
/// end. A line that has not ended by then (`/dev/zero`, a disk image) ends
/// the run: skipping on could last forever.
pub const MAX_SKIP_BYTES: u64 = 1 << 30;

/// What a batch run saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Lines answered with a decision.
    pub decided: u64,
    /// Lines answered with an error line (over-long ones included).
    pub errors: u64,
    /// Lines longer than [`MAX_LINE_BYTES`], skipped.
    pub too_long: u64,
    /// The first of them.
    pub first_too_long: Option<u64>,
    /// The line that ran past [`MAX_SKIP_BYTES`] without ending, where
    /// the run stopped.
    pub unended: Option<u64>,
}

/// How [`read_line`] found a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    /// The line is in the buffer (without its newline).
    Read,
    /// Longer than [`MAX_LINE_BYTES`]: skipped up to its newline.
    TooLong,
    /// Longer than [`MAX_SKIP_BYTES`] and still going.
    Unended,
    /// No more input.
    End,
}

/// Read one line into `line` through the reader's own buffer, keeping at
/// most [`MAX_LINE_BYTES`] of it (`read_until` would hold a line of any
/// length).
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<LineEnd> {
    line.clear();
    let mut seen = 0u64;
    let mut long = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(match (seen, long) {
                (0, _) => LineEnd::End,
                (_, true) => LineEnd::TooLong,
                (_, false) => LineEnd::Read,
            });
        }
        let newline = memchr::memchr(b'\n', buf);
        let chunk = &buf[..newline.unwrap_or(buf.len())];
        if !long {
            if line.len() + chunk.len() > MAX_LINE_BYTES {
                long = true;
                line.clear();
                line.shrink_to(MAX_LINE_BYTES);
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = chunk.len() + usize::from(newline.is_some());
        input.consume(used);
        seen += used as u64;
        if newline.is_some() {
            return Ok(if long {
                LineEnd::TooLong
            } else {
                LineEnd::Read
            });
        }
        if seen > MAX_LINE_BYTES as u64 + MAX_SKIP_BYTES {
            return Ok(LineEnd::Unended);
        }
    }
}

#[derive(Serialize)]
struct LineError<'a> {
    line: u64,
    error: &'a str,
}

impl<'v> DecisionWriter<'v> {
    /// A writer that answers with `validator`, counting from zero.
    pub fn new(validator: &'v Validator) -> Self {
        DecisionWriter {
            validator,
            findings: Vec::new(),
            cache: FxHashMap::default(),
            products: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Write `{"question":…,"answer":…,"conflict":…,"reasons":[…]}` and a
    /// newline.
    pub fn write_decision(&mut self, question: &Question, out: &mut impl Write) -> io::Result<()> {
        self.findings.clear();
        let verdict = self.validator.check_into(question, &mut self.findings);
        out.write_all(b"{\"question\":")?;
        serde_json::to_writer(&mut *out, question)?;
        out.write_all(b",\"answer\":\"")?;
        out.write_all(verdict.answer.id().as_bytes())?;
        out.write_all(if verdict.conflict {
            b"\",\"conflict\":true,\"reasons\":["
        } else {
            b"\",\"conflict\":false,\"reasons\":["
        })?;
        for i in 0..self.findings.len() {
            let finding = &{ self.findings[i] };
            if i > 0 {
                out.write_all(b",")?;
            }
            let key = self.cache_key(question, finding, verdict.conflict);
            if let Some(json) = key.and_then(|k| self.cache.get(&k)) {
                out.write_all(json)?;
                continue;
            }
            self.scratch.clear();
            let reason = self.validator.reason(question, finding, verdict.conflict);
            serde_json::to_writer(&mut self.scratch, &reason)?;
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
    fn cache_key(
        &mut self,
        question: &Question,
        finding: &Finding,
        conflict: bool,
    ) -> Option<CacheKey> {
        if finding.is_self_contained() {
            return Some((*finding, conflict, u32::MAX));
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
                Some((*finding, conflict, at as u32))
            }
            _ => None,
        }
    }

    /// Stream questions (one JSON object per line) to decisions, in order.
    /// A line that is not a question gives `{"line": N, "error": "…"}`;
    /// blank lines are skipped. A line longer than [`MAX_LINE_BYTES`] gets
    /// an error line and is skipped; one that runs on past
    /// [`MAX_SKIP_BYTES`] gets an error line and ends the run
    /// ([`BatchStats::unended`]). Otherwise only I/O errors stop the run.
    /// Memory stays bounded whatever the input: one line of at most
    /// [`MAX_LINE_BYTES`] and the reader's buffer.
    pub fn run(
        &mut self,
        input: &mut impl BufRead,
        out: &mut impl Write,
    ) -> io::Result<BatchStats> {
        let mut stats = BatchStats::default();
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            let end = read_line(input, &mut line)?;
            if end == LineEnd::End {
                break;
            }
            number += 1;
            let question = match end {
                LineEnd::TooLong => {
                    stats.too_long += 1;
                    stats.first_too_long.get_or_insert(number);
                    Err(format!(
                        "the line is longer than {MAX_LINE_BYTES} bytes, the limit of a batch line; it was skipped"
                    ))
                }
                LineEnd::Unended => {
                    stats.unended = Some(number);
                    Err(format!(
                        "the line runs on past {} bytes without a newline; the batch stops here",
                        MAX_LINE_BYTES as u64 + MAX_SKIP_BYTES
                    ))
                }
                _ => std::str::from_utf8(&line)
                    .map_err(|e| format!("not UTF-8 (byte {})", e.valid_up_to()))
                    .and_then(|text| {
                        let text = text.trim();
                        if text.is_empty() {
                            return Ok(None);
                        }
                        let q = Question::from_json(text).map_err(|e| e.0)?;
                        self.validator.admit(&q).map_err(|e| e.0)?;
                        Ok(Some(q))
                    }),
            };
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
            if stats.unended.is_some() {
                break;
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
        "conflict": decision.conflict,
        "reasons": decision.reasons.iter().map(reason_json).collect::<Vec<_>>(),
    })
}

fn reason_json(reason: &Reason) -> serde_json::Value {
    serde_json::to_value(reason).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Read};

    use super::*;
    use crate::Rules;

    fn validator() -> Validator {
        Validator::new(Rules::from_json(crate::SAMPLE_RULES).unwrap())
    }

    const TAX: &str = "{\"kind\":\"tax\",\"market\":\"AU\"}";

    /// A reader that counts what was read from it, so a test sees that a
    /// long line was streamed through, not held.
    struct Counted<R>(R, u64);
    impl<R: Read> Read for Counted<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn an_over_long_line_gets_an_error_line_and_the_next_lines_are_answered() {
        let v = validator();
        for long in [MAX_LINE_BYTES + 1, 3 * MAX_LINE_BYTES + 17] {
            let mut input = Vec::new();
            input.extend_from_slice(TAX.as_bytes());
            input.push(b'\n');
            input.resize(input.len() + long, b' ');
            input.push(b'\n');
            input.extend_from_slice(TAX.as_bytes());
            let mut out = Vec::new();
            let stats = DecisionWriter::new(&v)
                .run(&mut BufReader::with_capacity(4096, &input[..]), &mut out)
                .unwrap();
            let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
            assert_eq!(lines.len(), 3, "{lines:?}");
            assert!(lines[0].contains("\"answer\":\"yes\""));
            assert!(
                lines[1].starts_with("{\"line\":2,\"error\":"),
                "{}",
                lines[1]
            );
            assert!(lines[2].contains("\"answer\":\"yes\""));
            assert_eq!((stats.decided, stats.errors, stats.too_long), (2, 1, 1));
            assert_eq!((stats.first_too_long, stats.unended), (Some(2), None));
        }
        // a line of exactly the limit is read (and is not a question)
        let mut input = vec![b' '; MAX_LINE_BYTES];
        input.extend_from_slice(format!("\n{TAX}").as_bytes());
        let mut out = Vec::new();
        let stats = DecisionWriter::new(&v)
            .run(&mut &input[..], &mut out)
            .unwrap();
        assert_eq!((stats.decided, stats.errors), (1, 0));
    }

    #[test]
    fn a_line_that_never_ends_stops_the_run_after_a_bounded_read() {
        let v = validator();
        let mut input = BufReader::with_capacity(1 << 16, Counted(io::repeat(0), 0));
        let mut out = Vec::new();
        let stats = DecisionWriter::new(&v).run(&mut input, &mut out).unwrap();
        assert_eq!(stats.unended, Some(1));
        assert_eq!(stats.errors, 1);
        let read = input.get_ref().1;
        let bound = MAX_LINE_BYTES as u64 + MAX_SKIP_BYTES;
        assert!(read > bound && read <= bound + (1 << 16), "{read}");
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("{\"line\":1,\"error\":"), "{out}");
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn lines_are_read_across_buffer_ends() {
        let v = validator();
        let input = format!("{TAX}\n\n{TAX}\r\n{TAX}");
        // a buffer smaller than a line: every line is put together
        let mut reader = BufReader::with_capacity(7, input.as_bytes());
        let mut out = Vec::new();
        let stats = DecisionWriter::new(&v).run(&mut reader, &mut out).unwrap();
        assert_eq!((stats.decided, stats.errors), (3, 0));
    }
}
