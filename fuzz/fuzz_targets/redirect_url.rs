//! Any redirect (`source_path`, `redirect_url`): the page it makes stays in
//! the locale folder; where it sends the reader is a page of the tree, an
//! http(s) URL without white space, or nothing (never `javascript:`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "tree_common.rs"]
mod tree_common;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let pages = tree_common::pages();
    for page in ["pc/index.html", "d.html", "pc/sub/old.html"] {
        if let Some(target) = rulebook::fuzzing::redirect_target(page, url, &pages) {
            tree_common::assert_page_href(page, &target, &pages);
        }
    }
    if let Some(p) = rulebook::fuzzing::redirect_page_of(url) {
        assert!(p.ends_with(".html") && !p.starts_with('/') && !p.contains('\\'), "{p}");
        assert!(!p.split('/').any(|s| s.is_empty() || s == ".." || s == "."), "{p}");
    }
});
