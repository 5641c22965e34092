//! Any bytes as a rules file: loading either compiles a validator or says
//! what is wrong; a validator that loads answers every question without
//! panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
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
        Question::role("buy-software", &["admin-agent".to_owned()]),
    ];
    for q in questions.into_iter().flatten() {
        let _ = validator.check(&q);
    }
});
