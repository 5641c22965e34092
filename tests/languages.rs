//! A locale folder without its own `site.ftl` is named by CLDR: its
//! language's own name in the picker and in every page's switcher, never a
//! second "English" nor a message id.

mod common;

use common::*;

#[test]
fn a_fr_fr_folder_is_francais_in_the_picker_and_the_switcher() {
    let dir = project();
    let fr = dir.path().join("content/fr-FR");
    std::fs::create_dir(&fr).unwrap();
    std::fs::copy(
        dir.path().join(EN),
        fr.join("csp-software-subscriptions.md"),
    )
    .unwrap();
    assert!(
        !root().join("locales/fr-FR/site.ftl").exists(),
        "the test needs a locale without site.ftl"
    );
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(dir.path())
        .args(["-q", "build"])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let book = dir.path().join("book");
    let picker = read(book.join("index.html"));
    assert!(
        picker.contains("hreflang=\"fr-FR\" lang=\"fr-FR\">Français"),
        "{picker}"
    );
    assert_eq!(picker.matches(">English<").count(), 1, "{picker}");
    for locale in ["en", "zh-TW", "ja-JP", "fr-FR"] {
        for page in ["index.html", "csp-software-subscriptions.html"] {
            let html = read(book.join(locale).join(page));
            assert!(!html.contains("language-fr-FR"), "{locale}/{page}");
            assert!(
                html.contains("Français"),
                "{locale}/{page} names fr-FR otherwise"
            );
        }
    }
    // fr-FR's pages have English UI strings: the others keep their English names
    let fr_page = read(book.join("fr-FR/index.html"));
    assert!(
        fr_page.contains(">English</a>") && fr_page.contains(">Japanese</a>"),
        "{fr_page}"
    );
}
