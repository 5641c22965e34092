//! The slice of the real DocFX tree (`../shared/corpus/tree/`) that
//! tests/trees.rs, tests/serve.rs and tests/tree_locales.rs build: the
//! Partner Center docset with its docfx.json, an announcements folder, an
//! Archive folder no docfx.json covers, the repository's README and LICENSE.

use super::{copy_tree, read, root, shared};

/// Articles of the slice, under each locale folder (both locales have
/// them all). The monthly announcements are left out: their repeated
/// "Categories" sections are refused (`duplicate-anchor`) until heading
/// ids are deduplicated.
pub(crate) const ARTICLES: &[&str] = &[
    "Archive/China-billing",
    "Archive/China-check-service-health",
    "partner-center/account-structure",
    "partner-center/activity-logs",
    "partner-center/add-a-new-customer",
    "partner-center/add-licenses-or-services-to-an-existing-subscription",
    "partner-center/adding-multiple-users-to-a-customer-account",
    "partner-center/advanced-specializations",
    "partner-center/agreements",
    "partner-center/analyze-azure-usage",
    "partner-center/analyze-indirect-resellers",
    "partner-center/announcements/index",
    "partner-center/assign-azure-subscriptions",
    "partner-center/assign-licenses-to-users",
    "partner-center/assign-support-contacts",
    "partner-center/csp-software-subscriptions",
];

/// Files of the slice that are no articles: the repository's own files,
/// the docset's configuration and an outline.
pub(crate) const OTHER_FILES: &[&str] = &[
    "README.md",
    "LICENSE",
    "partner-center/docfx.json",
    "partner-center/announcements/TOC.md",
];

/// Where the slice puts an included file: the docset excludes
/// `**/includes/**` (the tree has no includes folder; a real article is
/// copied there).
pub(crate) const INCLUDE: (&str, &str) = (
    "partner-center/agreements.md",
    "partner-center/includes/shared-note.md",
);

/// A project of the slice, `zh-TW` its source locale, with the bundled
/// locale data and templates.
pub(crate) fn tree_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tree = shared().join("corpus/tree");
    for locale in ["zh-TW", "ja-JP"] {
        let copy = |from: &str, to: &str| {
            let target = dir.path().join("content").join(locale).join(to);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(tree.join(locale).join(from), target).unwrap();
        };
        for a in ARTICLES {
            copy(&format!("{a}.md"), &format!("{a}.md"));
        }
        for f in OTHER_FILES {
            copy(f, f);
        }
        copy(INCLUDE.0, INCLUDE.1);
    }
    for name in ["locales", "templates"] {
        copy_tree(&root().join(name), &dir.path().join(name));
    }
    let book = read(root().join("book.toml"))
        .replace("source-locale = \"en\"", "source-locale = \"zh-TW\"");
    assert!(book.contains("\"zh-TW\""));
    std::fs::write(dir.path().join("book.toml"), book).unwrap();
    dir
}

/// Copy more files of the tree into the slice at `project`, in both
/// locales, at their own paths.
pub(crate) fn add_to_slice(project: &std::path::Path, files: &[&str]) {
    let tree = shared().join("corpus/tree");
    for locale in ["zh-TW", "ja-JP"] {
        for f in files {
            let target = project.join("content").join(locale).join(f);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(tree.join(locale).join(f), target).unwrap();
        }
    }
}
