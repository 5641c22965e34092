//! The fuzz targets of the DocFX tree's inputs (fuzz/fuzz_targets:
//! `docfx_globs`, `toc_href`, `landing_url`, `redirect_url`, `media_path`)
//! as proptests, so every `cargo test` runs their properties: no path out
//! of the locale folder or the content roots, no script URL, no secret
//! read, no panic.

mod common;

use proptest::prelude::*;
use rulebook::fuzzing;

const SECRET: &str = "SECRET-tree-inputs";

/// Path-ish strings built from the pieces attacks are made of.
fn hostile_path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just("".to_owned()),
        Just("~".to_owned()),
        Just("media".to_owned()),
        Just("snippets".to_owned()),
        Just("outside".to_owned()),
        Just("secret.png".to_owned()),
        Just("secret.cs".to_owned()),
        Just("link.png".to_owned()),
        Just("link.cs".to_owned()),
        Just("ok.png".to_owned()),
        Just("a.cs".to_owned()),
        Just("a.md".to_owned()),
        Just("TOC.yml".to_owned()),
        Just("javascript:alert(1)".to_owned()),
        Just("JavaScript:x".to_owned()),
        Just("data:text/html,x".to_owned()),
        Just("https:".to_owned()),
        Just("http://x".to_owned()),
        Just("C:".to_owned()),
        Just("%2e%2e".to_owned()),
        Just("..\\..".to_owned()),
        Just("a\nb".to_owned()),
        Just(":::".to_owned()),
        Just("[!code-x".to_owned()),
        "[a-z.#?=&L0-9 -]{0,8}",
        any::<String>().prop_map(|s| s.chars().take(6).collect()),
    ];
    (
        prop_oneof![Just(""), Just("/"), Just("//"), Just("~/"), Just("\\")],
        prop::collection::vec(piece, 0..7),
        prop_oneof![
            Just(""),
            Just("#L1-L2"),
            Just("?range=1-"),
            Just("#region"),
            Just("/"),
            Just("#x\"><script>")
        ],
    )
        .prop_map(|(lead, pieces, tail)| format!("{lead}{}{tail}", pieces.join("/")))
}

/// `href` (relative, no scheme) from the page at `page` under the locale
/// folder, resolved; `None` when it climbs out.
fn resolve(page: &str, href: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for p in href.split(['#', '?']).next().unwrap_or("").split('/') {
        match p {
            ".." => {
                parts.pop()?;
            }
            "" | "." => {}
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// An href a page may hold: an http(s) URL without white space, or a
/// relative path without a scheme.
fn assert_safe_href(href: &str) {
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        assert!(
            !href.chars().any(|c| c.is_whitespace() || c.is_control()),
            "{href:?}"
        );
    } else {
        assert!(
            !href.split('/').next().unwrap_or("").contains(':'),
            "{href:?}"
        );
        assert!(
            !href.starts_with('/') && !href.starts_with('\\'),
            "{href:?}"
        );
        assert!(!href.chars().any(char::is_control), "{href:?}");
    }
}

fn pages() -> Vec<String> {
    [
        "pc/index.html",
        "pc/a.html",
        "pc/sub/b.html",
        "mp/c.html",
        "d.html",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn toc_hrefs_name_only_tocs_and_articles_of_the_locale(toc in prop_oneof![Just("TOC.yml"), Just("pc/TOC.yml"), Just("pc/sub/toc.md")], href in hostile_path()) {
        let tocs = ["TOC.yml", "pc/TOC.yml", "pc/sub/toc.md"];
        let slugs = ["pc/a", "pc/sub/b", "d"];
        match fuzzing::toc_target(toc, &href, &tocs, &slugs) {
            Some((true, t)) => prop_assert!(tocs.contains(&t.as_str())),
            Some((false, a)) => prop_assert!(slugs.contains(&a.as_str())),
            None => {}
        }
        if let Some(joined) = fuzzing::join_in_folder("pc/sub", &href) {
            prop_assert!(!joined.split('/').any(|s| s == ".." || s == "."), "{joined}");
            prop_assert!(!joined.starts_with('/'), "{joined}");
        }
    }

    #[test]
    fn landing_and_redirect_urls_lead_to_pages_of_the_tree_or_the_web(page in prop_oneof![Just("pc/index.html"), Just("d.html"), Just("pc/sub/old.html")], url in hostile_path()) {
        let pages = pages();
        let folder = page.rsplit_once('/').map_or("", |(d, _)| d);
        for target in [
            fuzzing::landing_target(page, folder, &url, &pages),
            fuzzing::redirect_target(page, &url, &pages),
        ]
        .into_iter()
        .flatten()
        {
            assert_safe_href(&target);
            if !target.contains("://") {
                // a relative href is a page of the tree
                let to = resolve(page, &target);
                prop_assert!(to.as_ref().is_some_and(|t| pages.contains(t)), "{url:?} -> {target:?}");
            }
        }
        if let Some(p) = fuzzing::redirect_page_of(&url) {
            prop_assert!(p.ends_with(".html") && !p.starts_with('/') && !p.contains('\\'), "{p}");
            prop_assert!(!p.split('/').any(|s| s.is_empty() || s == ".." || s == "."), "{p}");
        }
    }

    #[test]
    fn media_paths_stay_in_the_locale_folder_and_show_from_the_page(source in hostile_path()) {
        let article = "content/en/includes/steps.md";
        let page = "content/en/pc/sub/page.md";
        if let Some(rel) = fuzzing::media_relative(article, &source) {
            prop_assert!(!rel.split('/').any(|s| s.is_empty() || s == ".." || s == "."), "{rel}");
            prop_assert!(!rel.starts_with('/'), "{rel}");
            // the page's src reaches the same file under the locale's book
            let src = fuzzing::media_src(article, page, &source);
            assert_safe_href(&src);
            prop_assert_eq!(resolve("pc/sub/page.html", &src), Some(rel));
        }
    }
}

/// A project whose `content/` holds media, a snippet and links out, beside
/// an `outside/` folder holding the secret.
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let project = dir.path().join("project");
    let en = project.join("content/en");
    for d in [
        &outside,
        &en.join("media"),
        &en.join("snippets"),
        &en.join("includes"),
    ] {
        std::fs::create_dir_all(d).unwrap();
    }
    for name in ["secret.png", "secret.cs", "secret.txt"] {
        std::fs::write(outside.join(name), SECRET).unwrap();
    }
    std::fs::write(en.join("a.md"), "# A\n").unwrap();
    std::fs::write(en.join("media/ok.png"), "png").unwrap();
    std::fs::write(en.join("snippets/a.cs"), "line 1\nline 2\n").unwrap();
    for (link, to) in [
        ("media/link.png", "outside/secret.png"),
        ("snippets/link.cs", "outside/secret.cs"),
        ("link.png", "outside/secret.png"),
        ("link.cs", "outside/secret.cs"),
    ] {
        std::os::unix::fs::symlink(dir.path().join(to), en.join(link)).unwrap();
    }
    std::os::unix::fs::symlink(&outside, en.join("outside")).unwrap();
    dir
}

#[test]
fn media_and_code_paths_never_read_outside_the_content_roots() {
    let dir = sandbox();
    let project = dir.path().join("project");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    });
    runner
        .run(&hostile_path(), |source| {
            for article in ["content/en/a.md", "content/en/includes/x.md"] {
                let (bytes, code) = fuzzing::media_and_code(&project, article, &source);
                prop_assert!(bytes.is_none_or(|b| !String::from_utf8_lossy(&b).contains(SECRET)));
                prop_assert!(!code.contains(SECRET), "{source:?}: {code}");
                prop_assert!(!code.contains("[!code") && !code.contains(":::"), "{code}");
            }
            Ok(())
        })
        .unwrap();
    // and what is inside is read
    let (bytes, _) = fuzzing::media_and_code(&project, "content/en/a.md", "media/ok.png");
    assert_eq!(bytes.as_deref(), Some(&b"png"[..]));
    let (_, code) =
        fuzzing::media_and_code(&project, "content/en/includes/x.md", "../snippets/a.cs#L2");
    assert_eq!(code, "```x\nline 2\n```");
}

/// docfx.json glob lists made of the pieces globs are made of.
fn globs() -> impl Strategy<Value = Vec<String>> {
    let glob = prop_oneof![
        Just("**/*.md".to_owned()),
        Just("../**".to_owned()),
        Just("/**/*.md".to_owned()),
        Just("**/../../*".to_owned()),
        Just("outside/**".to_owned()),
        Just("{a,b}/**/[!x]*.md".to_owned()),
        Just("[".to_owned()),
        Just("**/**/**/**".to_owned()),
        "[*?/.\\[\\]{}a-z!,-]{0,12}",
    ];
    prop::collection::vec(glob, 0..4)
}

#[test]
fn docfx_json_globs_select_files_of_the_locale_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    let en = dir.path().join("en");
    std::fs::create_dir_all(en.join("pc/sub")).unwrap();
    std::fs::create_dir_all(dir.path().join("outside")).unwrap();
    std::fs::write(dir.path().join("outside/secret.md"), SECRET).unwrap();
    for f in ["a.md", "pc/b.md", "pc/sub/c.md", "README.md"] {
        std::fs::write(en.join(f), "# x\n").unwrap();
    }
    std::os::unix::fs::symlink(dir.path().join("outside/secret.md"), en.join("pc/link.md"))
        .unwrap();
    let real = en.canonicalize().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(globs(), globs(), prop_oneof![Just(""), Just("pc"), Just(".."), Just("/"), Just("../outside")]),
            |(files, exclude, src)| {
                let json = serde_json::json!({"build": {"content": [{"files": files, "exclude": exclude, "src": src}]}});
                std::fs::write(en.join("pc/docfx.json"), json.to_string()).unwrap();
                if let Ok(found) = fuzzing::walk(&en) {
                    for w in found {
                        prop_assert!(!w.relative.split('/').any(|s| s.is_empty() || s == ".." || s == "."), "{}", w.relative);
                        prop_assert_eq!(&w.file, &en.join(&w.relative));
                        if w.regular {
                            prop_assert!(w.file.canonicalize().unwrap().starts_with(&real));
                        }
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}
