//! Catalogue cases (issue 17): paths and names from content that try to
//! reach outside the project, special files, script URLs from file names,
//! names of generated pages, text that would be lost, dates.

use std::path::Path;

use super::{Case, EN, JA, Observed, Run, append, edit, plain_article, rulebook, symlink, write};

fn fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Build, then check every page of the output: no href or src that a
/// browser reads as a script URL, and the search index links the page by
/// an encoded relative path.
fn build_and_check_hrefs(dir: &Path) -> Observed {
    let out = rulebook(dir, &["build"]);
    let mut problems = Vec::new();
    for (path, entry) in super::state(&dir.join("book"), &[]) {
        let super::Entry::File(bytes) = entry else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for attr in ["href=\"", "src=\"", "\"url\":\""] {
            for (at, _) in text.match_indices(attr) {
                let value = &text[at + attr.len()..];
                let value = value.trim_start();
                if value.starts_with("javascript:") || value.starts_with("data:") {
                    problems.push(format!(
                        "{}: {}",
                        path.display(),
                        &value[..40.min(value.len())]
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "script URLs in the site: {problems:#?}"
    );
    Observed::from(out)
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "a title that escapes the summary's link syntax (`\\](../../../outside/secret.txt)`) is only a title",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    t.replacen(
                        "title: Sell software subscriptions through CSP",
                        "title: 'x\\](../../../outside/secret.txt) [y'",
                        1,
                    )
                    .replacen(
                        "# <a name=\"sell-software-subscriptions-through-csp\"></a>Sell software subscriptions through CSP",
                        "# <a name=\"sell-software-subscriptions-through-csp\"></a>x\\](../../../outside/secret.txt) [y",
                        1,
                    )
                })
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a SUMMARY.md link climbing out of the locale folder",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/SUMMARY.md",
                    "# Summary\n\n- [Sell](csp-software-subscriptions.md)\n- [Secret](../../../outside/secret.txt)\n",
                )
            },
            exit: 1,
            code: "summary-outside-root",
            line: true,
        },
        Case {
            name: "a SUMMARY.md entry in a subfolder of the locale gets its page there",
            run: Run::Custom("build", |d| {
                let out = rulebook(d, &["build"]);
                let page = std::fs::read_to_string(d.join("book/en/sub/page.html")).unwrap();
                assert!(page.contains("Sub text."), "the page is the entry's");
                Observed::from(out)
            }),
            break_it: |d| {
                write(d, "content/en/sub/page.md", "# Sub page\n\nSub text.\n");
                write(
                    d,
                    "content/en/SUMMARY.md",
                    "# Summary\n\n- [Sell](csp-software-subscriptions.md)\n- [Sub](sub/page.md)\n",
                );
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a SUMMARY.md link to a file that is a link out of the project",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/SUMMARY.md",
                    "# Summary\n\n- [Sell](csp-software-subscriptions.md)\n- [Notes](notes.txt)\n",
                );
                symlink(
                    &d.join("../outside/secret.txt"),
                    &d.join("content/en/notes.txt"),
                );
            },
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "an article that is a symlink to /proc/self/environ",
            run: Run::Build,
            break_it: |d| {
                symlink(
                    Path::new("/proc/self/environ"),
                    &d.join("content/en/environ.md"),
                )
            },
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "an article that is a symlink to a file beside the project",
            run: Run::Build,
            break_it: |d| {
                symlink(
                    &d.join("../outside/secret.txt"),
                    &d.join("content/ja-JP/secret.md"),
                )
            },
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "a FIFO under content/includes/ that nothing includes (never opened: no hang)",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/includes")).unwrap();
                fifo(&d.join("content/includes/pipe.md"));
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "an [!INCLUDE] of a FIFO under content/includes/ (refused unread)",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/includes")).unwrap();
                fifo(&d.join("content/includes/pipe.md"));
                append(d, EN, "\n[!INCLUDE [pipe](../includes/pipe.md)]\n");
            },
            exit: 1,
            code: "not-a-file",
            line: true,
        },
        Case {
            name: "an [!INCLUDE] of a link to /dev/zero under content/includes/",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir_all(d.join("content/includes")).unwrap();
                symlink(Path::new("/dev/zero"), &d.join("content/includes/zero.md"));
                append(d, EN, "\n[!INCLUDE [zero](../includes/zero.md)]\n");
            },
            exit: 1,
            code: "include-outside-root",
            line: true,
        },
        Case {
            name: "a FIFO named like an article",
            run: Run::Build,
            break_it: |d| fifo(&d.join("content/en/pipe.md")),
            exit: 1,
            code: "not-a-file",
            line: false,
        },
        Case {
            name: "a link to /dev/zero among the articles",
            run: Run::Build,
            break_it: |d| symlink(Path::new("/dev/zero"), &d.join("content/en/zero.md")),
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "a link to /dev/zero in locale data",
            run: Run::Build,
            break_it: |d| symlink(Path::new("/dev/zero"), &d.join("locales/en/zero.tsv")),
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "a locale folder that is a link to a repository elsewhere (allowed)",
            run: Run::Build,
            break_it: |d| {
                let elsewhere = d.join("../ja-JP-repo");
                std::fs::rename(d.join("content/ja-JP"), &elsewhere).unwrap();
                symlink(&elsewhere, &d.join("content/ja-JP"));
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a locale folder linked to a folder outside opens nothing to another locale's includes",
            run: Run::Build,
            break_it: |d| {
                symlink(&d.join("../outside"), &d.join("content/fr-FR"));
                append(d, EN, "\n[!INCLUDE [secret](../fr-FR/secret.txt)]\n");
            },
            exit: 1,
            code: "include-outside-root",
            line: true,
        },
        Case {
            name: "an article named `javascript:alert(document.domain).md` (no script URL anywhere)",
            run: Run::Custom("build", build_and_check_hrefs),
            break_it: |d| plain_article(d, "javascript:alert(document.domain).md"),
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "articles named with `#`, `?`, `%`, spaces and a scheme (`data:`) build and link",
            run: Run::Custom("build", |d| {
                let observed = build_and_check_hrefs(d);
                let toc = std::fs::read_to_string(d.join("book/en/toc.js")).unwrap();
                for (file, href) in [
                    ("a#b.html", "a%23b.html"),
                    ("what?.html", "what%3F.html"),
                    ("100%.html", "100%25.html"),
                    ("two words.html", "two%20words.html"),
                    ("data:text.html", "data%3Atext.html"),
                ] {
                    assert!(d.join("book/en").join(file).is_file(), "{file} written");
                    assert!(
                        toc.contains(&format!("href=\\\"{href}\\\"")),
                        "{href} in {toc}"
                    );
                }
                observed
            }),
            break_it: |d| {
                for name in [
                    "a#b.md",
                    "what?.md",
                    "100%.md",
                    "two words.md",
                    "data:text.md",
                ] {
                    plain_article(d, name);
                }
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "an article named like a generated page (`rules.md`)",
            run: Run::Build,
            break_it: |d| plain_article(d, "rules.md"),
            exit: 1,
            code: "reserved-page-name",
            line: true,
        },
        Case {
            name: "an article named like a generated page's further page (`status-2.md`)",
            run: Run::Build,
            break_it: |d| plain_article(d, "status-2.md"),
            exit: 1,
            code: "reserved-page-name",
            line: true,
        },
        Case {
            name: "an article named `index.md` is the home page (not overwritten by a copy of the first page)",
            run: Run::Custom("build", |d| {
                let out = rulebook(d, &["build"]);
                let home = std::fs::read_to_string(d.join("book/en/index.html")).unwrap();
                assert!(
                    home.contains("Some text."),
                    "index.html is the index article"
                );
                Observed::from(out)
            }),
            break_it: |d| plain_article(d, "index.md"),
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a two-digit year (`ms.lasthandoff: 08/31/18`)",
            run: Run::Build,
            break_it: |d| {
                edit(d, JA, |t| {
                    t.replacen("ms.lasthandoff: 08/31/2018", "ms.lasthandoff: 08/31/18", 1)
                })
            },
            exit: 1,
            code: "yaml-frontmatter",
            line: true,
        },
        Case {
            name: "a negative year (`ms.date: 11/20/-2019`)",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    t.replacen("ms.date: 11/20/2019", "ms.date: 11/20/-2019", 1)
                })
            },
            exit: 1,
            code: "yaml-frontmatter",
            line: true,
        },
        Case {
            name: "an article of NUL bytes",
            run: Run::Build,
            break_it: |d| std::fs::write(d.join(EN), vec![0u8; 4096]).unwrap(),
            exit: 1,
            code: "not-text",
            line: true,
        },
        Case {
            name: "an article that is only a frontmatter",
            run: Run::Build,
            break_it: |d| {
                edit(d, EN, |t| {
                    let end = t[3..].find("\n---\n").unwrap() + 3 + 5;
                    t[..end].to_owned()
                })
            },
            exit: 1,
            code: "empty-article",
            line: true,
        },
        Case {
            name: "CR-only line endings (warning; lines counted right)",
            run: Run::Custom("build", |d| {
                let out = rulebook(d, &["build"]);
                let rules = std::fs::read_to_string(d.join("book/rules.json")).unwrap();
                let json: serde_json::Value = serde_json::from_str(&rules).unwrap();
                let lines: Vec<u64> = json["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["source"]["locale"] == "en")
                    .map(|r| r["source"]["line"].as_u64().unwrap())
                    .collect();
                assert!(
                    !lines.is_empty() && lines.iter().all(|&l| l > 13),
                    "{lines:?}"
                );
                let page =
                    std::fs::read_to_string(d.join("book/en/csp-software-subscriptions.html"))
                        .unwrap();
                assert!(
                    !page.contains("ms.sourcegitcommit"),
                    "the frontmatter is not shown as text"
                );
                Observed::from(out)
            }),
            break_it: |d| edit(d, EN, |t| t.replace('\n', "\r")),
            exit: 0,
            code: "cr-line-endings",
            line: true,
        },
        Case {
            name: "a FIFO in the tree `source-text` rebuilds (`content/zh-TW/pipe.md`) is never opened",
            run: Run::Args(
                "source-text",
                &["source-text", "content/zh-TW", "-o", "content/en-rebuilt"],
            ),
            break_it: |d| fifo(&d.join("content/zh-TW/pipe.md")),
            exit: 1,
            code: "not-a-file",
            line: false,
        },
        Case {
            name: "a link in the tree `source-text` rebuilds to a file outside it (`leak.md` → `outside/secret.txt`)",
            run: Run::Args(
                "source-text",
                &["source-text", "content/zh-TW", "-o", "content/en-rebuilt"],
            ),
            break_it: |d| {
                symlink(
                    &d.join("../outside/secret.txt"),
                    &d.join("content/zh-TW/leak.md"),
                )
            },
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "a link in the tree `source-text` rebuilds to a folder outside it (`more/` → `outside/`)",
            run: Run::Args(
                "source-text",
                &["source-text", "content/zh-TW", "-o", "content/en-rebuilt"],
            ),
            break_it: |d| symlink(&d.join("../outside"), &d.join("content/zh-TW/more")),
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "`source-text` told to write inside the folder it reads (`-o content/zh-TW/en`)",
            run: Run::Args(
                "source-text",
                &["source-text", "content/zh-TW", "-o", "content/zh-TW/en"],
            ),
            break_it: |_| {},
            exit: 2,
            code: "source-text-output",
            line: false,
        },
        Case {
            name: "`source-text` told to write over a folder that holds its source (`-o content`)",
            run: Run::Args(
                "source-text",
                &["source-text", "content/zh-TW", "-o", "content"],
            ),
            break_it: |_| {},
            exit: 2,
            code: "source-text-output",
            line: false,
        },
        Case {
            name: "an output file of `source-text` that is a link to a file outside (`content/en/…md` → `outside/secret.txt`) is neither read nor written through",
            run: Run::Args(
                "source-text",
                &["source-text", "content/zh-TW", "-o", "content/en"],
            ),
            break_it: |d| {
                std::fs::remove_file(d.join(EN)).unwrap();
                symlink(&d.join("../outside/secret.txt"), &d.join(EN));
            },
            exit: 1,
            code: "source-text-conflict",
            line: false,
        },
        Case {
            name: "a writer's edit to a file `source-text` writes (`content/en/…md`) is never erased without --force",
            run: Run::Args(
                "source-text",
                &["source-text", "content/zh-TW/", "-o", "content/en"],
            ),
            break_it: |d| edit(d, EN, |t| t.replacen("Software", "Softwares", 1)),
            exit: 1,
            code: "source-text-conflict",
            line: true,
        },
        Case {
            name: "a writer's edit to the file the single-file `source-text` writes is never erased without --force",
            run: Run::Args("source-text", &["source-text", super::ZH, "-o", EN]),
            break_it: |d| append(d, EN, "\nA writer's line.\n"),
            exit: 1,
            code: "source-text-conflict",
            line: true,
        },
        Case {
            name: "two locale folders that differ only in case (`en`, `EN`)",
            run: Run::Build,
            break_it: |d| {
                std::fs::create_dir(d.join("content/EN")).unwrap();
                std::fs::copy(
                    d.join(EN),
                    d.join("content/EN/csp-software-subscriptions.md"),
                )
                .unwrap();
                append(d, "content/EN/csp-software-subscriptions.md", "\nMore.\n");
            },
            exit: 1,
            code: "duplicate-locale",
            line: false,
        },
        Case {
            name: "a docfx.json that does not parse (a trailing comma)",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/docfx.json",
                    "{\"build\": {\"content\": [\n  {\"files\": [\"**/*.md\"],}\n]}}\n",
                )
            },
            exit: 1,
            code: "docfx-json",
            line: true,
        },
        Case {
            name: "a TOC.yml that does not parse",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/TOC.yml",
                    "- name: Sell\n  href: csp-software-subscriptions.md\n- name: [broken\n",
                )
            },
            exit: 1,
            code: "toc",
            line: true,
        },
        Case {
            name: "TOCs naming each other, a script URL and a path out of the folder as hrefs",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/TOC.yml",
                    "- name: Loop\n  href: sub/TOC.yml\n- name: Script\n  href: javascript:alert(1)\n- name: Out\n  href: ../../outside/secret.md\n",
                );
                write(
                    d,
                    "content/en/sub/TOC.yml",
                    "- name: Back\n  href: ../TOC.yml\n",
                );
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "redirects to a script URL, from a path out of the folder, over an article",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/.openpublishing.redirection.json",
                    "{\"redirections\": [\n{\"source_path\": \"old.md\", \"redirect_url\": \"javascript:alert(1)\"},\n{\"source_path\": \"../../outside/x.md\", \"redirect_url\": \"/a\"},\n{\"source_path\": \"csp-software-subscriptions.md\", \"redirect_url\": \"https://example.com/\"}\n]}\n",
                )
            },
            exit: 0,
            code: "redirect",
            line: true,
        },
        Case {
            name: "a .openpublishing.redirection.json that does not parse",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/.openpublishing.redirection.json",
                    "{\"redirections\": [\n{\"source_path\": 1}\n]}\n",
                )
            },
            exit: 1,
            code: "redirects",
            line: true,
        },
        Case {
            name: "a landing page linking a script URL and a path out of the folder",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/en/docs/index.yml",
                    "### YamlMime:Landing\ntitle: Docs\nsummary: s\nlandingContent:\n- title: t\n  linkLists:\n  - linkListType: concept\n    links:\n    - text: x\n      url: javascript:alert(1)\n    - text: y\n      url: ../../outside/secret.md\n",
                );
                write(
                    d,
                    "content/en/docs/page.md",
                    "---\ntitle: Page\n---\n# Page\n\nText.\n",
                );
            },
            exit: 0,
            code: "landing-link",
            line: true,
        },
        Case {
            name: "a docfx.json glob that does not compile (`a[.md`)",
            run: Run::Build,
            break_it: |d| {
                write(
                    d,
                    "content/ja-JP/docfx.json",
                    "{\"build\": {\"content\": [\n  {\"files\": [\"**/*.md\", \"a[.md\"]}\n]}}\n",
                )
            },
            exit: 1,
            code: "docfx-json",
            line: true,
        },
        Case {
            name: "docfx.json globs climbing out (`../../../outside/**`, `/etc/**`, `../**`) find nothing outside the locale folder",
            run: Run::Custom("build", |d| {
                let out = rulebook(d, &["build"]);
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let pages: Vec<String> = super::state(&d.join("book/en"), &[])
                    .into_keys()
                    .map(|p| p.to_string_lossy().into_owned())
                    .filter(|p| p.ends_with(".html"))
                    .collect();
                assert_eq!(
                    pages,
                    [
                        "csp-software-subscriptions.html",
                        "index.html",
                        "rules.html",
                        "status.html",
                        "toc.html"
                    ],
                    "only the article the docset names has a page"
                );
                Observed::from(out)
            }),
            break_it: |d| {
                write(
                    d,
                    "content/en/docfx.json",
                    r#"{"build": {"content": [{"files": ["csp-software-subscriptions.md", "../../../outside/**", "/etc/**", "../**", "../../**/*.md"]}]}}"#,
                );
                // an article of no docset's globs: not published
                write(d, "content/en/draft.md", "# Draft\n\nNot in the docset.\n");
                // Markdown outside the project that the globs name (the
                // harness checks no output holds the secret)
                write(
                    d,
                    "../outside/page.md",
                    &format!("# Outside\n\n{}\n", super::SECRET),
                );
            },
            exit: 0,
            code: "",
            line: false,
        },
        Case {
            name: "a folder of a locale that is a link outside the project",
            run: Run::Build,
            break_it: |d| symlink(&d.join("../outside"), &d.join("content/en/linked")),
            exit: 1,
            code: "outside-root",
            line: false,
        },
        Case {
            name: "a folder of articles named as a file rulebook writes beside the pages (`TOC.js/`)",
            run: Run::Build,
            break_it: |d| plain_article(d, "TOC.js/a.md"),
            exit: 1,
            code: "reserved-page-name",
            line: true,
        },
        Case {
            name: "a folder link to its own locale folder (a cycle) is walked once",
            run: Run::Build,
            break_it: |d| symlink(&d.join("content/en"), &d.join("content/en/loop")),
            exit: 0,
            code: "",
            line: false,
        },
    ]
}
