//! Any bytes as a rules file: loading either compiles a validator or says
//! what is wrong; a validator that loads answers every question without
//! panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use chrono::{DateTime, NaiveDate, Utc};
use rulebook::rules::{Question, Rules, Validator};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = Rules::from_json(text) else {
        return;
    };
    let validator = Validator::new(rules);
    let questions = [
        Question::purchase("azure-reservations", "AR"),
        Question::tax("JP"),
        Question::cancel("2024-01-01", Some("2024-03-01")),
        Question::link("2024-01-01T00:00:00Z", Some("2024-01-20T00:00:00Z"), "2"),
        Question::link(
            "9999-12-31T23:59:59.999999999-23:59",
            Some("9999-12-31T23:59:59.999999999-23:59"),
            "4294967295",
        ),
        Question::link("0000-01-01T00:00:00+23:59", None, "0"),
        Question::cancel("0000-01-01", Some("9999-12-31")),
        Question::role("buy-software", &["admin-agent".to_owned()]),
    ];
    // the ends of chrono's calendar, which only the library can ask about
    let end = DateTime::<Utc>::MAX_UTC.fixed_offset();
    let start = DateTime::<Utc>::MIN_UTC.fixed_offset();
    let built = [
        Question::Link {
            issued: end,
            now: end,
            downloads: u32::MAX,
        },
        Question::Link {
            issued: start,
            now: end,
            downloads: 0,
        },
        Question::Cancel {
            purchased: NaiveDate::MIN,
            on: NaiveDate::MAX,
        },
    ];
    for q in questions.into_iter().flatten().chain(built) {
        let _ = validator.check(&q);
    }
});
