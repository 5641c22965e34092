//! Any file or heading name through href generation: never a scheme, a
//! host, a query or a fragment; always a relative path that decodes back
//! to the name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    for href in [
        rulebook::site::href::path(name),
        rulebook::site::href::in_locale("zh-TW", name),
    ] {
        let before_slash = href.split('/').next().unwrap_or("");
        assert!(!before_slash.contains(':'), "{href}");
        assert!(!href.starts_with('/'), "{href}");
        assert!(!href.contains(['?', '#', '\\', '"', '\'', '<', '>', ' ']), "{href}");
    }
    let fragment = rulebook::site::href::fragment(name);
    assert!(!fragment[1..].contains(['#', '"', '\'', '<', '>', ' ']), "{fragment}");
});
