//! What a service does with the crate: load a rules.json once, then answer
//! questions in their JSON form, one decision (JSON) per question.
//!
//! ```text
//! cargo run -p rulebook-rules --example ask -- book/rules.json \
//!     '{"kind":"purchase","product":"azure-reservations","market":"BR"}'
//! ```

use rulebook_rules::{Question, Rules, Validator};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: ask RULES.json QUESTION-JSON...")?;
    // Load and compile once; a `Validator` is `Send + Sync`: share it.
    let validator = Validator::new(Rules::load(&path)?);
    for text in args {
        let question = Question::from_json(&text)?;
        // Refuse products and actions no one knows (most likely typos).
        validator.admit(&question)?;
        let decision = validator.check(&question);
        println!("{}", serde_json::to_string(&decision)?);
    }
    Ok(())
}
