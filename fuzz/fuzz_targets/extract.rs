//! Any text parsed and read for facts with the real locale data of the
//! repository (en, zh-TW, ja-JP lexicons and market tables), and outlined as
//! the translator report does.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rulebook::lexicon::{LocaleData, load_locale_data};

static DATA: LazyLock<Vec<LocaleData>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    ["en", "zh-TW", "ja-JP"]
        .iter()
        .map(|l| load_locale_data(&root, l).unwrap_or_else(|d| panic!("locale data: {d}")))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(doc) = rulebook::docfx::parse_article("f.md", text) else {
        return;
    };
    let own = &DATA[usize::from(which) % DATA.len()];
    let source = &DATA[0];
    let _ = rulebook::extract::extract(&doc, &own.locale, own, source);
    let _ = rulebook::reconcile::outline::outline(
        &doc,
        text,
        own.lexicon.as_ref(),
        source.lexicon.as_ref(),
        own.locale != "en",
    );
});
