//! Catalogue cases (issue 19): media paths of `:::image` and `![alt](path)`
//! that try to reach outside the locale folder, or to overwrite the site's
//! own files. Each is shown as its alt text with a located
//! `missing-media` warning; nothing outside is read or copied.

use super::{Case, EN, Run, append, symlink, write};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "an `:::image` whose source climbs out of the project (`../../../outside/secret.txt`)",
            run: Run::Build,
            break_it: |d| {
                append(
                    d,
                    EN,
                    "\n:::image type=\"content\" source=\"../../../outside/secret.txt\" alt-text=\"Secret\":::\n",
                )
            },
            exit: 0,
            code: "missing-media",
            line: true,
        },
        Case {
            name: "an image file that is a symlink to a file outside the project",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/en/media")).unwrap();
                symlink(
                    &d.join("../outside/secret.txt"),
                    &d.join("content/en/media/secret.png"),
                );
                append(d, EN, "\n![Secret](media/secret.png)\n");
            },
            exit: 0,
            code: "missing-media",
            line: true,
        },
        Case {
            name: "an image source naming one of the site's own files (`rulebook.js`) is not copied over it",
            run: Run::Build,
            break_it: |d| {
                write(d, "content/en/rulebook.js", "alert(1)\n");
                append(
                    d,
                    EN,
                    "\n:::image type=\"icon\" source=\"rulebook.js\" alt-text=\"Script\":::\n",
                );
            },
            exit: 0,
            code: "missing-media",
            line: true,
        },
    ]
}
