//! Any docfx.json in a locale folder: the walk selects only files of the
//! folder (no path with `..`, a link out never counted as a regular file
//! inside), and never panics or hangs on a glob.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// (the sandbox, its locale folder, that folder's real path)
fn sandbox() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static SANDBOX: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let en = dir.path().join("en");
        std::fs::create_dir_all(en.join("pc/sub")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/secret.md"), "SECRET").unwrap();
        for f in ["a.md", "pc/b.md", "pc/sub/c.md", "README.md", "pc/TOC.yml"] {
            std::fs::write(en.join(f), "# x\n").unwrap();
        }
        std::os::unix::fs::symlink(dir.path().join("outside/secret.md"), en.join("pc/link.md"))
            .unwrap();
        let real = en.canonicalize().unwrap();
        (dir, en, real)
    })
}

fuzz_target!(|data: &[u8]| {
    let (_, en, real) = sandbox();
    std::fs::write(en.join("pc/docfx.json"), data).unwrap();
    if let Ok(found) = rulebook::fuzzing::walk(en) {
        for w in found {
            assert!(
                !w.relative.split('/').any(|s| s.is_empty() || s == ".." || s == "."),
                "{}",
                w.relative
            );
            assert_eq!(w.file, en.join(&w.relative));
            if w.regular {
                assert!(w.file.canonicalize().unwrap().starts_with(real));
            }
        }
    }
});
