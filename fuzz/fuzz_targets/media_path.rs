//! Any media or code-snippet path, in an article or in an include: never
//! a byte of a file outside the content roots (links out, climbs), a page
//! `src` that leaves the locale's book or carries a scheme, or DocFX
//! syntax in what the page shows.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const SECRET: &str = "SECRET-media-path";

fn sandbox() -> &'static (tempfile::TempDir, PathBuf) {
    static SANDBOX: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        let project = dir.path().join("project");
        let en = project.join("content/en");
        for d in [&outside, &en.join("media"), &en.join("snippets"), &en.join("includes")] {
            std::fs::create_dir_all(d).unwrap();
        }
        for name in ["secret.png", "secret.cs", "secret.txt"] {
            std::fs::write(outside.join(name), SECRET).unwrap();
        }
        std::fs::write(en.join("media/ok.png"), "png").unwrap();
        std::fs::write(en.join("snippets/a.cs"), "line 1\nline 2\n").unwrap();
        for (link, to) in [("media/link.png", "outside/secret.png"), ("snippets/link.cs", "outside/secret.cs")] {
            std::os::unix::fs::symlink(dir.path().join(to), en.join(link)).unwrap();
        }
        std::os::unix::fs::symlink(&outside, en.join("outside")).unwrap();
        (dir, project)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let (_, project) = sandbox();
    // a path that spells the secret itself may show it (a placeholder names
    // its file): only what is read counts
    let spelled = source.contains(SECRET);
    for article in ["content/en/a.md", "content/en/includes/x.md"] {
        let (bytes, code) = rulebook::fuzzing::media_and_code(project, article, source);
        assert!(bytes.is_none_or(|b| !String::from_utf8_lossy(&b).contains(SECRET)));
        assert!(spelled || !code.contains(SECRET), "{source:?}");
        assert!(!code.contains("[!code") && !code.contains(":::"), "{code}");
    }
    if let Some(rel) = rulebook::fuzzing::media_relative("content/en/includes/x.md", source) {
        assert!(!rel.split('/').any(|s| s.is_empty() || s == ".." || s == "."), "{rel}");
        let src = rulebook::fuzzing::media_src("content/en/includes/x.md", "content/en/pc/sub/p.md", source);
        assert!(!src.split('/').next().unwrap_or("").contains(':'), "{src}");
        assert!(!src.starts_with('/') && !src.chars().any(char::is_control), "{src}");
        let mut parts = vec!["pc", "sub"];
        for p in src.split('/') {
            match p {
                ".." => assert!(parts.pop().is_some(), "{src} leaves the book"),
                p => parts.push(p),
            }
        }
        assert_eq!(parts.join("/"), rel);
    }
});
