//! Catalogue cases (issue 19): code snippets (`[!code-…[](path)]`,
//! `:::code source="…":::`) whose file lies outside the content roots, is
//! a link out, a FIFO or huge. Each is a placeholder naming the file and a
//! located `code-snippet` warning; nothing outside is read, nothing hangs.

use std::path::Path;

use super::{Case, EN, Run, append, symlink, write};

fn fifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "a code snippet whose path climbs to the project's parent (`../../outside/secret.txt`, `../../../outside/secret.txt`)",
            run: Run::Build,
            break_it: |d| {
                append(
                    d,
                    EN,
                    "\n[!code-text[](../../outside/secret.txt)]\n\n[!code-text[](../../../outside/secret.txt)]\n",
                )
            },
            exit: 0,
            code: "code-snippet",
            line: true,
        },
        Case {
            name: "a `:::code` source that is a symlink to a file outside the project",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/en/snippets")).unwrap();
                symlink(
                    &d.join("../outside/secret.txt"),
                    &d.join("content/en/snippets/a.cs"),
                );
                append(
                    d,
                    EN,
                    "\n:::code language=\"csharp\" source=\"snippets/a.cs\":::\n",
                );
            },
            exit: 0,
            code: "code-snippet",
            line: true,
        },
        Case {
            name: "a code snippet from `~/` that climbs out (`~/../../../outside/secret.txt`)",
            run: Run::Build,
            break_it: |d| {
                append(
                    d,
                    EN,
                    "\n[!code-text[](~/../../../outside/secret.txt#L1-L3)]\n",
                )
            },
            exit: 0,
            code: "code-snippet",
            line: true,
        },
        Case {
            name: "a code snippet that is a FIFO (would block the build)",
            run: Run::Build,
            break_it: |d| {
                fifo(&d.join("content/en/snippets/pipe.cs"));
                append(d, EN, "\n[!code-csharp[](snippets/pipe.cs)]\n");
            },
            exit: 0,
            code: "code-snippet",
            line: true,
        },
        Case {
            name: "a code snippet of 100 MB (sparse)",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/en/snippets")).unwrap();
                let file = std::fs::File::create(d.join("content/en/snippets/huge.cs")).unwrap();
                file.set_len(100 * 1024 * 1024).unwrap();
                append(d, EN, "\n[!code-csharp[](snippets/huge.cs?range=1-3)]\n");
            },
            exit: 0,
            code: "code-snippet",
            line: true,
        },
        Case {
            name: "code snippets that add up past the page's bound (twelve of 400 KiB)",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/snippets/big.cs",
                    &"// line of code\n".repeat(25_600),
                );
                append(d, EN, &"\n[!code-csharp[](snippets/big.cs)]\n".repeat(12));
            },
            exit: 0,
            code: "code-snippet",
            line: true,
        },
    ]
}
