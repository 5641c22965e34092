//! Any TOC href: it names a TOC or an article of the locale, or nothing
//! (never a path out of the locale folder, never a URL).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // first line: the TOC's folder; the rest: the href
    let (base, href) = text.split_once('\n').unwrap_or(("pc", text));
    let tocs = ["TOC.yml", "pc/TOC.yml", "pc/sub/toc.md"];
    let slugs = ["pc/a", "pc/sub/b", "d"];
    for toc in tocs {
        match rulebook::fuzzing::toc_target(toc, href, &tocs, &slugs) {
            Some((true, t)) => assert!(tocs.contains(&t.as_str())),
            Some((false, a)) => assert!(slugs.contains(&a.as_str())),
            None => {}
        }
    }
    if let Some(joined) = rulebook::fuzzing::join_in_folder(base, href) {
        let base_ok = !base.split('/').any(|s| s == ".." || s == ".");
        if base_ok {
            assert!(!joined.split('/').any(|s| s == ".." || s == "."), "{joined}");
            assert!(!joined.starts_with('/'), "{joined}");
        }
    }
});
