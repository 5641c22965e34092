//! Any bytes through what `inspect` does: UTF-8 decoding, frontmatter, the
//! parser, the JSON model and the text outline. None may panic or overflow
//! the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = rulebook::load::decode(data.to_vec(), "f.md") else {
        return;
    };
    if let Ok(doc) = rulebook::docfx::parse_article("f.md", &text) {
        let _ = serde_json::to_vec(&doc);
        let _ = rulebook::cli::outline(&doc);
        let _ = doc.blocks().count();
    }
});
