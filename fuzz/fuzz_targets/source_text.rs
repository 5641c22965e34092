//! Any text through `source-text`: the source-language rebuild of a
//! bilingual file either succeeds or fails with diagnostics, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = rulebook::docfx::source_text("f.md", text, &Default::default());
});
