//! Any landing-page url: a relative href to a page of the tree, an
//! http(s) URL without white space, or nothing (never `javascript:` or
//! another scheme, never a path out of the locale's book).
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
        let folder = page.rsplit_once('/').map_or("", |(d, _)| d);
        if let Some(target) = rulebook::fuzzing::landing_target(page, folder, url, &pages) {
            tree_common::assert_page_href(page, &target, &pages);
        }
    }
});
