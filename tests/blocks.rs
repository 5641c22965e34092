//! DocFX blocks render, never as text: `:::image` as figures (copied media,
//! or alt text and a located `missing-media` warning), tabs, layout markers,
//! on real articles of ../shared/corpus/tree.

mod common;

use std::path::Path;

use common::*;

const ARTICLE: &str = "marketplace/create-manage-private-azure-marketplace.md";

/// A zh-TW project holding `articles` (path under the locale, text).
fn project_with(articles: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in articles {
        let to = dir.path().join("content/zh-TW").join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, text).unwrap();
    }
    copy_tree(&root().join("locales"), &dir.path().join("locales"));
    let book_toml = read(root().join("book.toml"))
        .replace("source-locale = \"en\"", "source-locale = \"zh-TW\"");
    std::fs::write(dir.path().join("book.toml"), book_toml).unwrap();
    dir
}

fn build(root: &Path) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(root)
        .args(["build", "--out"])
        .arg(root.join("book"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn page_text(html: &str) -> String {
    // the article's part of the page, without tags
    let main = html.split("<main").nth(1).unwrap_or(html);
    regex::Regex::new("<[^>]*>")
        .unwrap()
        .replace_all(main, "")
        .into_owned()
}

/// `text` without its `:::image` lines.
fn without_images(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with(":::image"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn images_render_as_figures_in_their_list_items_and_missing_ones_are_located() {
    let text = read(shared().join("corpus/tree/zh-TW").join(ARTICLE));
    assert!(text.contains("    :::image type=\"content\""));
    // the same article without its images: the lists they sit in
    let without = without_images(&text);
    let dir = project_with(&[(ARTICLE, text.clone()), ("plain.md", without)]);
    // one image is there, the others are not
    let png = dir
        .path()
        .join("content/zh-TW/marketplace/media/private-azure/access-control-iam.png");
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    std::fs::write(&png, b"\x89PNG\r\n\x1a\nfake").unwrap();
    let out = build(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let book = dir.path().join("book/zh-TW");
    let html = read(book.join(ARTICLE.replace(".md", ".html")));
    assert!(!page_text(&html).contains(":::"), "{html}");
    assert!(
        html.contains(
            "<img src=\"media/private-azure/access-control-iam.png\" alt=\"顯示 I A M 存取控制畫面。\">"
        ),
        "{html}"
    );
    assert_eq!(
        std::fs::read(book.join("marketplace/media/private-azure/access-control-iam.png")).unwrap(),
        b"\x89PNG\r\n\x1a\nfake"
    );
    // a missing file: its alt text in a figure, no broken image, located
    assert!(
        html.contains("<figcaption>顯示 [角色指派] 功能表。</figcaption>"),
        "{html}"
    );
    assert!(!html.contains("iam-role-assignment.png"), "{html}");
    assert!(
        stderr.contains(&format!(
            "content/zh-TW/{ARTICLE}:56:5: warning[missing-media]"
        )),
        "{stderr}"
    );
    // images inside list items do not split the numbered procedures
    let plain = read(book.join("plain.html"));
    let lists = |h: &str| h.matches("<ol").count();
    assert!(lists(&plain) > 0);
    assert_eq!(lists(&html), lists(&plain));
    assert_eq!(
        html.matches("<figure").count(),
        text.matches(":::image").count()
    );
}

#[test]
fn every_image_of_the_tree_renders_and_no_docfx_syntax_shows() {
    // every zh-TW article of the tree that holds DocFX block syntax
    let tree = shared().join("corpus/tree/zh-TW");
    let mut articles = Vec::new();
    for docset in ["marketplace", "partner-center"] {
        for file in markdown_files(&tree.join(docset)) {
            let text = read(&file);
            // every article with DocFX block syntax (`:::image`,
            // `:::no-loc` in tables, …)
            if text.contains(":::") {
                let rel = file
                    .strip_prefix(&tree)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                articles.push((rel, text));
            }
        }
    }
    assert!(articles.len() >= 50, "{}", articles.len());
    // each also without its image lines, for the lists they sit in
    let stripped: Vec<(String, String)> = articles
        .iter()
        .filter(|(_, t)| t.contains(":::image"))
        .map(|(r, t)| (format!("stripped/{r}"), without_images(t)))
        .collect();
    let refs: Vec<(&str, String)> = articles
        .iter()
        .chain(&stripped)
        .map(|(r, t)| (r.as_str(), t.clone()))
        .collect();
    let dir = project_with(&refs);
    let out = build(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // what the blocks become is markup the page keeps as it is
    assert!(!stderr.contains("reserved-name"), "{stderr}");
    let relative_img = regex::Regex::new(r#"<img src="[^":]*""#).unwrap();
    for (rel, text) in &articles {
        let html = read(
            dir.path()
                .join("book/zh-TW")
                .join(rel.replace(".md", ".html")),
        );
        let shown = page_text(&html);
        for bad in [":::", "[!div", "[!VIDEO", "[!code", "zone-end", "::: zone"] {
            assert!(!shown.contains(bad), "{rel} shows {bad}");
        }
        let images = text.matches(":::image").count() - text.matches(":::image-end").count();
        if images == 0 {
            continue;
        }
        // a figure each, or (in the middle of a line) the alt text in a span
        let shown_images = html.matches("<figure").count()
            + html.matches("<span class=\"docfx-image-missing\">").count();
        assert!(shown_images >= images, "{rel}");
        // no media is in the corpus: no image of the page is a broken one
        assert!(!relative_img.is_match(&html), "{rel}");
        // no procedure split, no image turned into a code block
        let plain = read(
            dir.path()
                .join("book/zh-TW/stripped")
                .join(rel.replace(".md", ".html")),
        );
        assert_eq!(
            html.matches("<ol").count(),
            plain.matches("<ol").count(),
            "{rel}"
        );
        assert_eq!(
            html.matches("<li").count(),
            plain.matches("<li").count(),
            "{rel}"
        );
        assert_eq!(
            html.matches("<pre").count(),
            plain.matches("<pre").count(),
            "{rel}"
        );
        assert!(
            stderr.contains(&format!("content/zh-TW/{rel}:")),
            "{rel} has no warning"
        );
    }
}

#[test]
fn other_docfx_blocks_render_or_degrade_with_a_warning() {
    let text = "# Blocks\n\n# [Windows](#tab/windows)\n\nOn Windows.\n\n# [Linux](#tab/linux)\n\nOn Linux.\n\n---\n\n:::row:::\n:::column span=\"2\":::\nLeft.\n:::column-end:::\n:::row-end:::\n\n::: zone pivot=\"a\"\nZone A.\n::: zone-end\n\n> [!div class=\"nextstepaction\"]\n> [Next](https://example.com/next)\n\n> [!VIDEO https://example.com/v]\n\n[!code-csharp[](../snippets/a.cs)]\n\n:::image type=\"complex\" source=\"../../../outside/x.png\" alt-text=\"Chart\":::\nA long description.\n:::image-end:::\n\n```md\n:::image type=\"content\" source=\"a.png\" alt-text=\"kept\":::\n```\n\n![Logo](media/logo.png) and ![x](https://example.com/x.png)\n\n![Found](found.png)\n\nTax ID :::no-loc text=\"ИНН\"::: here.\n";
    let dir = project_with(&[("blocks.md", text.to_owned())]);
    std::fs::write(dir.path().join("content/zh-TW/found.png"), b"png").unwrap();
    let out = build(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let html = read(dir.path().join("book/zh-TW/blocks.html"));
    let shown = page_text(&html);
    for bad in [
        "[!div",
        "[!VIDEO",
        "[!code",
        "#tab/",
        "::: zone",
        ":::row",
        ":::column",
    ] {
        assert!(!html.contains(bad), "{bad}: {html}");
    }
    assert!(html.contains("<span class=\"docfx-image-missing\">Logo</span> and <img src=\"https://example.com/x.png\" alt=\"x\">"), "{html}");
    assert!(
        html.contains("<img src=\"found.png\" alt=\"Found\">"),
        "{html}"
    );
    assert_eq!(read(dir.path().join("book/zh-TW/found.png")), "png");
    assert!(html.contains("Tax ID ИНН here."), "{html}");
    // only the fenced example keeps its `:::`
    assert_eq!(shown.matches(":::image").count(), 1, "{shown}");
    assert!(
        html.contains(">Windows</h1>") && html.contains(">Linux</h1>"),
        "{html}"
    );
    assert!(html.contains("href=\"https://example.com/v\""), "{html}");
    assert!(
        html.contains("<details><summary>Chart</summary>A long description.</details>"),
        "{html}"
    );
    // the zone shows, labelled with its pivot
    assert!(
        html.contains("<div class=\"docfx-zone\"><p class=\"docfx-zone-label\">a</p>"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"docfx-code-missing\"><code>a.cs</code></p>"),
        "{html}"
    );
    for (line, code) in [
        (28, "code-snippet"),
        (30, "missing-media"),
        (38, "missing-media"),
    ] {
        assert!(
            stderr.contains(&format!(
                "content/zh-TW/blocks.md:{line}:1: warning[{code}]"
            )),
            "{line} {code}: {stderr}"
        );
    }
}

/// (procedures, steps) of an article as extraction reads it.
fn procedures(path: &str, text: &str) -> (usize, usize) {
    let doc = rulebook::docfx::parse_article(path, text).unwrap();
    let mut found = (0, 0);
    for block in doc.blocks() {
        if let rulebook::docfx::Block::Procedure { steps, .. } = block {
            found.0 += 1;
            found.1 += steps.len();
        }
    }
    found
}

#[test]
fn images_between_steps_do_not_split_extracted_procedures() {
    // chip-locate-agreement has an image at the margin between steps 2 and 3
    let tree = shared().join("corpus/tree/zh-TW");
    let mut with_images = 0;
    for docset in ["marketplace", "partner-center"] {
        for file in markdown_files(&tree.join(docset)) {
            let text = read(&file);
            if !text.contains(":::image") {
                continue;
            }
            with_images += 1;
            let path = format!(
                "content/zh-TW/{}",
                file.strip_prefix(&tree).unwrap().display()
            );
            assert_eq!(
                procedures(&path, &text),
                procedures(&path, &without_images(&text)),
                "{path}"
            );
        }
    }
    assert!(with_images >= 50);
    let chip = read(tree.join("partner-center/chip-locate-agreement.md"));
    let (lists, steps) = procedures(
        "content/zh-TW/partner-center/chip-locate-agreement.md",
        &chip,
    );
    assert!(lists >= 1 && steps >= 4, "{lists} {steps}");
}

#[test]
fn zones_show_labelled_by_pivot_chromeless_ones_are_left_out_and_bad_nesting_is_located() {
    let text = "# Zones\n\n::: zone pivot=\"csharp,vb\"\n\nIn C# or VB.\n\n::: zone-end\n\n::: zone pivot=\"python\"\nIn Python.\n::: zone pivot=\"inner\"\nNested.\n::: zone-end\n::: zone-end\n\n::: zone target=\"chromeless\"\nEmbedded only.\n::: zone-end\n\n::: zone target=\"docs\"\nOn the docs site.\n::: zone-end\n\n::: zone-end\n\n1. Step one.\n\n   ::: zone pivot=\"<script>x\"\n   In a step.\n   ::: zone-end\n\n::: zone pivot=\"last\"\nTo the end.\n";
    let dir = project_with(&[("zones.md", text.to_owned())]);
    let out = build(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let html = read(dir.path().join("book/zh-TW/zones.html"));
    let shown = page_text(&html);
    assert!(!shown.contains(":::") && !shown.contains("zone"), "{shown}");
    assert!(!html.contains("<script>x"), "{html}");
    for label in ["csharp, vb", "python", "&lt;script&gt;x"] {
        assert!(
            html.contains(&format!(
                "<div class=\"docfx-zone\"><p class=\"docfx-zone-label\">{label}</p>"
            )),
            "{label}: {html}"
        );
    }
    // Markdown inside a zone is Markdown
    assert!(html.contains("In C# or VB.</p>\n</div>"), "{html}");
    assert!(shown.contains("Nested.") && shown.contains("On the docs site."));
    assert!(!shown.contains("Embedded only."), "{shown}");
    // the unclosed last zone keeps its label, and the page its end
    assert!(
        html.contains("<p class=\"docfx-zone-label\">last</p>"),
        "{html}"
    );
    assert!(shown.contains("To the end."));
    assert_eq!(html.matches("<ol").count(), 1, "{html}");
    for line in [11, 24, 32] {
        assert!(
            stderr.contains(&format!(
                "content/zh-TW/zones.md:{line}:1: warning[docfx-block]"
            )),
            "{line}: {stderr}"
        );
    }
    assert_eq!(
        stderr.matches("warning[docfx-block]").count(),
        3,
        "{stderr}"
    );
}

#[test]
fn code_snippets_show_their_lines_with_their_language_from_the_file_that_names_them() {
    let code = "using System;\n\nclass A\n{\n    #region Main\n    static void Main()\n    {\n        // <Print>\n        Console.WriteLine(\"```\");\n        // </Print>\n    }\n    #endregion\n}\n";
    let text = "# Code\n\n[!code-csharp[](snippets/a.cs)]\n\n[!code-csharp[Main](snippets/a.cs#L3-L4 \"title\")]\n\n[!code-csharp[](snippets/a.cs?name=Main)]\n\n:::code language=\"csharp\" source=\"snippets/a.cs\" id=\"Print\":::\n\n:::code language=\"csharp\" source=\"~/snippets/a.cs\" range=\"1,3-3\":::\n\n1. Step.\n\n   [!code-csharp[](snippets/a.cs?range=1)]\n\n[!code-csharp[](snippets/a.cs#Missing)]\n\n[!code-csharp[](../../../outside.cs)]\n\n> [!code-csharp[](snippets/a.cs#L1-L3)]\n\n[!INCLUDE [inc](includes/inc.md)]\n";
    let dir = project_with(&[
        ("code.md", text.to_owned()),
        (
            "clean.md",
            "---\ntitle: Clean\nms.date: 03/11/2021\n---\n# Clean\n\n[!INCLUDE [inc](includes/inc.md)]\n".to_owned(),
        ),
        ("snippets/a.cs", code.to_owned()),
        (
            "includes/inc.md",
            "[!code-python[](code/b.py)]\n".to_owned(),
        ),
        (
            "includes/code/b.py",
            "print('from the include')\n".to_owned(),
        ),
    ]);
    std::fs::write(dir.path().join("outside.cs"), "SECRET").unwrap();
    let out = build(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let html = read(dir.path().join("book/zh-TW/code.html"));
    let shown = page_text(&html);
    assert!(
        !shown.contains("[!code") && !shown.contains(":::"),
        "{shown}"
    );
    assert!(!html.contains("SECRET"), "{html}");
    assert!(html.contains("language-csharp"), "{html}");
    assert!(html.contains("language-python"), "{html}");
    // the whole file; lines 3-4; the region dedented; the tag region; the quoted one
    assert_eq!(shown.matches("using System;").count(), 4, "{shown}");
    assert!(html.contains(">class A\n{\n</code>"), "{html}");
    assert!(
        html.contains(">static void Main()\n{\n    // &lt;Print&gt;"),
        "{html}"
    );
    assert!(
        html.contains(">Console.WriteLine(\"```\");\n</code>"),
        "{html}"
    );
    assert!(html.contains(">using System;\nclass A\n</code>"), "{html}");
    // in a quote, the block stays in it
    assert!(html.contains("<blockquote>\n<pre><code class=\"language-csharp\">using System;\n\nclass A\n</code></pre>\n</blockquote>"), "{html}");
    assert!(
        html.contains("print(&#x27;from the include&#x27;)")
            || html.contains("print('from the include')"),
        "{html}"
    );
    assert_eq!(html.matches("<ol").count(), 1, "{html}");
    for (line, path) in [(17, "missing"), (19, "outside")] {
        assert!(
            stderr.contains(&format!(
                "content/zh-TW/code.md:{line}:1: warning[code-snippet]"
            )),
            "{line} {path}: {stderr}"
        );
    }
    assert_eq!(
        stderr.matches("warning[code-snippet]").count(),
        2,
        "{stderr}"
    );

    // a snippet edited (the article as it was, the snippet read through an
    // include) makes the page anew, as a fresh build would; a page
    // without warnings of its own, which a rebuild reuses while it may
    let clean = dir.path().join("book/zh-TW/clean.html");
    assert!(read(&clean).contains("from the include"));
    std::fs::write(
        dir.path().join("content/zh-TW/includes/code/b.py"),
        "print('edited')\n",
    )
    .unwrap();
    let again = build(dir.path());
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("clean.md"),
        "the page has no warnings of its own"
    );
    let html = read(&clean);
    assert!(
        html.contains("print(&#x27;edited&#x27;)") || html.contains("print('edited')"),
        "{html}"
    );
}

#[test]
fn media_in_an_include_resolve_from_the_include_and_show_from_the_page() {
    let include = "Open the portal.\n\n![Portal](../media/portal.png)\n\n:::image type=\"content\" source=\"../media/menu.png\" alt-text=\"Menu\":::\n\nInline ![Icon](../media/icon.png) here, and ![Gone](../media/gone.png).\n";
    let dir = project_with(&[
        (
            "docs/guide/page.md",
            "# Page\n\n[!INCLUDE [steps](../../includes/steps.md)]\n".to_owned(),
        ),
        (
            "top.md",
            "# Top\n\n[!INCLUDE [steps](includes/steps.md)]\n".to_owned(),
        ),
        ("includes/steps.md", include.to_owned()),
    ]);
    let media = dir.path().join("content/zh-TW/media");
    std::fs::create_dir_all(&media).unwrap();
    for name in ["portal.png", "menu.png", "icon.png"] {
        std::fs::write(media.join(name), name).unwrap();
    }
    let out = build(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (page, up) in [("docs/guide/page.html", "../../"), ("top.html", "")] {
        let html = read(dir.path().join("book/zh-TW").join(page));
        for (name, alt) in [("portal", "Portal"), ("menu", "Menu"), ("icon", "Icon")] {
            assert!(
                html.contains(&format!("<img src=\"{up}media/{name}.png\" alt=\"{alt}\">")),
                "{page} {name}: {html}"
            );
        }
        assert!(
            html.contains("<span class=\"docfx-image-missing\">Gone</span>"),
            "{html}"
        );
    }
    for name in ["portal.png", "menu.png", "icon.png"] {
        assert_eq!(read(dir.path().join("book/zh-TW/media").join(name)), name);
    }
    // the missing one is located in the include, and said once however
    // many pages show the include (the same place, the same words)
    assert_eq!(
        stderr.matches("content/zh-TW/includes/steps.md:7:").count(),
        1,
        "{stderr}"
    );
    assert!(!stderr.contains("portal.png"), "{stderr}");
}
