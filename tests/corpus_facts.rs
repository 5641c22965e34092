//! The 137 real versions of the article in ../shared/corpus/article against the
//! facts EXPECTED.tsv states for each (read from the texts by hand).

mod common;

use std::collections::BTreeMap;

use common::*;
use rulebook::extract::{self, Extraction};
use rulebook::lexicon::{self, LocaleData};
use rulebook::rules::Value;

struct Expected {
    file: String,
    markets: Vec<String>,
    tax: Vec<String>,
    link: Option<(u32, u32)>,
    cancel: Option<u32>,
}

fn expected() -> Vec<Expected> {
    let text = read(shared().join("corpus/article/EXPECTED.tsv"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (file, markets, tax, days, downloads, cancel) = (
        col("file"),
        col("unavailable_markets"),
        col("tax_inclusive"),
        col("link_valid_days"),
        col("link_max_downloads"),
        col("cancel_days"),
    );
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Expected {
                file: f[file].to_owned(),
                markets: list(f[markets]),
                tax: list(f.get(tax).copied().unwrap_or("")),
                link: match (
                    f.get(days).copied().unwrap_or(""),
                    f.get(downloads).copied().unwrap_or(""),
                ) {
                    ("", _) | (_, "") => None,
                    (d, n) => Some((d.parse().unwrap(), n.parse().unwrap())),
                },
                cancel: f.get(cancel).and_then(|c| c.parse().ok()),
            }
        })
        .collect()
}

fn data_for(locale: &str, cache: &mut BTreeMap<String, LocaleData>) -> LocaleData {
    cache
        .entry(locale.to_owned())
        .or_insert_with(|| lexicon::load_locale_data(&root(), locale).expect("locale data loads"))
        .clone()
}

/// What the file's facts are, as far as EXPECTED.tsv describes them:
/// (unavailable markets, tax-inclusive markets, link limits, cancellation days).
type Observed = (Vec<String>, Vec<String>, Option<(u32, u32)>, Option<u32>);

fn observed(x: &Extraction) -> Observed {
    let mut markets = Vec::new();
    let mut tax = Vec::new();
    let mut link = None;
    let mut cancel = None;
    for f in &x.facts {
        match &f.value {
            Value::UnavailableMarkets(v) if v.product == "azure-reservations" => {
                markets = v.markets.clone()
            }
            Value::TaxInclusiveMarkets(v) => tax = v.markets.clone(),
            Value::LinkLimits(v) => link = Some((v.valid_days, v.max_downloads)),
            Value::CancellationWindow(v) => cancel = Some(v.days),
            _ => {}
        }
    }
    (markets, tax, link, cancel)
}

/// Files whose facts must be read right: every bilingual file, every English
/// file, every plain zh-TW and ja-JP file. Other plain locales count as far
/// as they have a lexicon.
fn required(file: &str) -> bool {
    file.ends_with(".sxs.md")
        || file.starts_with("en--")
        || file.starts_with("zh-TW--")
        || file.starts_with("ja-JP--")
}

#[test]
fn corpus_facts_match_expected() {
    let shared = shared();
    let mut cache = BTreeMap::new();
    let source = data_for("en", &mut cache);
    let mut per_locale: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for e in expected() {
        let locale = e.file.split("--").next().unwrap().to_owned();
        let own = data_for(&locale, &mut cache);
        if !required(&e.file) && own.lexicon.is_none() {
            continue;
        }
        let rel = format!("corpus/article/{}", e.file);
        let doc = rulebook::docfx::parse_article(&rel, &read(shared.join(&rel))).unwrap();
        let x = extract::extract(&doc, &locale, &own, &source);
        let errors: Vec<String> = x
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        let (markets, tax, link, cancel) = observed(&x);
        let mut wrong = Vec::new();
        if markets != e.markets {
            let extra: Vec<_> = markets.iter().filter(|m| !e.markets.contains(m)).collect();
            let missing: Vec<_> = e.markets.iter().filter(|m| !markets.contains(m)).collect();
            let missing = if missing.len() > 8 {
                format!("{} codes", missing.len())
            } else {
                format!("{missing:?}")
            };
            wrong.push(format!(
                "markets: {} read, extra {extra:?}, missing {missing}",
                markets.len()
            ));
        }
        if tax != e.tax {
            wrong.push(format!("tax {tax:?} != {:?}", e.tax));
        }
        if link != e.link {
            wrong.push(format!("link {link:?} != {:?}", e.link));
        }
        if e.cancel.is_some() && cancel != e.cancel {
            wrong.push(format!("cancel {cancel:?} != {:?}", e.cancel));
        }
        wrong.extend(errors);
        let tally = per_locale.entry(locale).or_default();
        tally.1 += 1;
        if wrong.is_empty() {
            tally.0 += 1;
        } else if required(&e.file) {
            failures.push(format!("{}: {}", e.file, wrong.join("; ")));
        } else {
            println!("(bonus locale) {}: {}", e.file, wrong.join("; "));
        }
    }
    for (locale, (ok, all)) in &per_locale {
        println!(
            "{locale:6} {ok:3}/{all:3} ({:.0} %)",
            100.0 * *ok as f64 / *all as f64
        );
    }
    assert!(
        failures.is_empty(),
        "{} files read wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
