//! Role requirements from every article (issue 20 items 1 and 2): the
//! roles lines of the real tree (`../shared/corpus/tree`, zh-TW bilingual,
//! ja-JP plain) become one `role-requirement` rule per (action, roles),
//! role names read through `locales/<locale>/roles.tsv`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use rulebook::extract::{Extraction, ROLES_LINE_RULE, extract_article};
use rulebook::lexicon::{LocaleData, load_locale_data};
use rulebook::rules::Value;

/// The roles label each locale of the tree writes (the bilingual zh-TW
/// files carry the English one in their source segments).
const LABELS: &[(&str, &[&str])] = &[
    (
        "zh-TW",
        &[
            "appropriate roles to perform this task",
            "appropriate roles",
        ],
    ),
    (
        "ja-JP",
        &["このタスクを実行するのに適切なロール", "適切なロール"],
    ),
];

struct Read {
    /// article → its extraction
    articles: BTreeMap<String, Extraction>,
    /// Lines of the files that hold a roles line (counted by a plain text
    /// scan, independent of the parser): (article, line).
    roles_lines: Vec<(String, u32)>,
}

/// Every article of one locale of the tree, extracted as a build does.
fn read_tree(locale: &str) -> Read {
    let root = root();
    let data = load_locale_data(&root, locale).unwrap();
    let en: LocaleData = load_locale_data(&root, "en").unwrap();
    let labels = LABELS.iter().find(|(l, _)| *l == locale).unwrap().1;
    let base = shared().join("corpus/tree").join(locale);
    let mut articles = BTreeMap::new();
    let mut roles_lines = Vec::new();
    for file in markdown_files(&base) {
        let rel = file
            .strip_prefix(&base)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let article = rel.strip_suffix(".md").unwrap().to_owned();
        let text = read(&file);
        for (i, line) in text.lines().enumerate() {
            if is_roles_line(line, labels) {
                roles_lines.push((article.clone(), i as u32 + 1));
            }
        }
        let path = format!("content/{locale}/{rel}");
        let Ok(doc) = rulebook::docfx::parse_article(&path, &text) else {
            continue;
        };
        let x = extract_article(&doc, &text, &article, locale, &data, &en);
        articles.insert(article, x);
    }
    Read {
        articles,
        roles_lines,
    }
}

/// A roles line as the text shows it: the label first in a paragraph or
/// heading (markup, emphasis and heading marks aside), then nothing, a
/// separator, or (bilingual) the source segment.
fn is_roles_line(line: &str, labels: &[&str]) -> bool {
    // the English source segment of a bilingual line, else the line
    let (text, mut in_tag) = match line.find("data-stu-id=") {
        Some(i) => (&line[i..], true),
        None => (line, false),
    };
    let mut plain = String::new();
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .trim_start_matches(|c: char| c == '#' || c == '*' || c.is_whitespace())
        .to_lowercase();
    let Some(rest) = labels.iter().find_map(|l| plain.strip_prefix(l)) else {
        return false;
    };
    let rest = rest.trim_start_matches(['*', ' ']);
    rest.is_empty() || rest.starts_with([':', '：', '–', '-', '|'])
}

fn role_facts(x: &Extraction) -> Vec<(&str, &[String], u32)> {
    x.facts
        .iter()
        .filter(|f| f.rule == ROLES_LINE_RULE)
        .filter_map(|f| match &f.value {
            Value::RoleRequirement(r) => {
                Some((r.action.as_str(), &r.any_of_roles[..], f.source.line))
            }
            _ => None,
        })
        .collect()
}

/// Every rule of a locale: (article, action, roles, line).
fn rules_of(read: &Read) -> Vec<(&str, &str, &[String], u32)> {
    read.articles
        .iter()
        .flat_map(|(a, x)| {
            role_facts(x)
                .into_iter()
                .map(move |(action, roles, line)| (a.as_str(), action, roles, line))
        })
        .collect()
}

/// Issue 20's goal: at least 95 % of the roles lines of each locale become
/// a rule of their article, and no rule comes from anything but a roles
/// line. Counted on the text independently of the parser.
#[test]
fn roles_lines_of_the_tree_become_rules() {
    for (locale, _) in LABELS {
        let read = read_tree(locale);
        let rules = rules_of(&read);
        let read_right = read
            .roles_lines
            .iter()
            .filter(|(a, line)| rules.iter().any(|(b, _, _, l)| b == a && l == line))
            .count();
        let lines = read.roles_lines.len();
        eprintln!(
            "{locale}: {lines} roles lines in {} articles, {read_right} read into rules ({} rules)",
            read.articles.len(),
            rules.len()
        );
        assert!(
            lines >= 236,
            "{locale}: the scan finds the tree's roles lines ({lines})"
        );
        assert!(
            read_right * 100 >= lines * 95,
            "{locale}: {read_right} of {lines} roles lines read"
        );
        // the one line not read is a label over prose, and says so
        assert_eq!(read_right, lines - 1, "{locale}");
        for (a, action, _, line) in &rules {
            assert!(
                read.roles_lines.iter().any(|(b, l)| b == a && l == line),
                "{locale}: {a}:{line} ({action}) is no roles line"
            );
            assert!(
                *action == *a || action.starts_with(&format!("{a}#")),
                "{locale}: {action} is not an action of {a}"
            );
        }
    }
}

/// The bilingual zh-TW files (read through their English segments and the
/// English roles.tsv) and the plain ja-JP translations (through the ja-JP
/// roles.tsv) name the same roles for every action of every article: two
/// vocabularies, one answer.
#[test]
fn locales_agree_on_every_action() {
    let zh = read_tree("zh-TW");
    let ja = read_tree("ja-JP");
    let pairs = |r: &Read| -> Vec<(String, Vec<String>)> {
        rules_of(r)
            .into_iter()
            .map(|(_, action, roles, _)| (action.to_owned(), roles.to_vec()))
            .collect()
    };
    let (zh, ja) = (pairs(&zh), pairs(&ja));
    assert!(zh.len() >= 236, "{}", zh.len());
    assert_eq!(zh, ja);
}

/// Exact (action, roles) pairs, checked against the articles' text: a list
/// under a bold label, a section's own roles line, a heading, a name that
/// joins two roles, aliases, and roles after the label on its line.
#[test]
fn actions_name_the_roles_their_line_lists() {
    let cases: &[(&str, &[&str])] = &[
        // "**Appropriate roles**" and six items (Global admin … Helpdesk agent)
        (
            "partner-center/activity-logs",
            &[
                "admin-agent",
                "billing-admin",
                "global-admin",
                "helpdesk-agent",
                "sales-agent",
                "user-management-admin",
            ],
        ),
        // "- Incentives admin"
        (
            "partner-center/incentives-managing-co-op-claims",
            &["incentive-admin"],
        ),
        // "**Appropriate roles to perform this task:**" in its section
        (
            "partner-center/manage-your-partner-network-benefits#manage-go-to-market-offers",
            &["global-admin", "mpn-partner-admin"],
        ),
        // "**Appropriate Roles**", "Global Admin", "MPN Partner Admin"
        (
            "partner-center/software-assurance-dps",
            &["global-admin", "mpn-partner-admin"],
        ),
        // "### Appropriate roles" under the H1: the article's top
        (
            "partner-center/mpn-find-benefits",
            &["global-admin", "mpn-partner-admin"],
        ),
        // "**Appropriate roles** – global admin"
        ("partner-center/license-based-billing", &["global-admin"]),
        // "**Appropriate roles** -Global admin"
        (
            "partner-center/partner-center-account-setup",
            &["global-admin"],
        ),
    ];
    for locale in ["zh-TW", "ja-JP"] {
        let read = read_tree(locale);
        let rules = rules_of(&read);
        for (action, roles) in cases {
            let found: Vec<&[String]> = rules
                .iter()
                .filter(|(_, a, _, _)| a == action)
                .map(|(_, _, r, _)| *r)
                .collect();
            assert_eq!(
                found,
                vec![
                    roles
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .as_slice()
                ],
                "{locale} {action}"
            );
        }
        // "Primary contact or program admin": both roles
        assert!(
            rules
                .iter()
                .any(|(_, _, r, _)| r.contains(&"primary-contact".to_owned())
                    && r.contains(&"program-admin".to_owned())),
            "{locale}"
        );
    }
}

/// A name roles.tsv does not know is a located warning with a help line,
/// and the line's other roles still make the rule; a label over prose is a
/// located warning too. Nothing is dropped silently.
#[test]
fn unknown_roles_and_unread_lines_are_located_warnings() {
    for (locale, names) in [
        ("zh-TW", &["Global", "全球"][..]),
        ("ja-JP", &["グローバル"][..]),
    ] {
        let read = read_tree(locale);
        let x = &read.articles["partner-center/get-automated-service-notifications-with-our-apis"];
        let unknown: Vec<String> = x
            .diagnostics
            .iter()
            .filter(|d| d.code == "unknown-role")
            .map(|d| d.to_string())
            .collect();
        assert_eq!(unknown.len(), names.len(), "{locale}: {unknown:?}");
        for (d, name) in unknown.iter().zip(names) {
            let at = format!(
                "content/{locale}/partner-center/get-automated-service-notifications-with-our-apis.md:28:3: warning[unknown-role]: `{name}`"
            );
            assert!(d.starts_with(&at), "{d}");
            assert!(d.contains("= help: ") && d.contains("roles.tsv"), "{d}");
        }
        let roles = role_facts(x);
        assert_eq!(roles.len(), 1);
        assert_eq!(roles[0].1, ["admin-agent", "helpdesk-agent", "sales-agent"]);
        let every: Vec<String> = read
            .articles
            .values()
            .flat_map(|x| &x.diagnostics)
            .filter(|d| d.code == "unknown-role" || d.code == "roles-line-unread")
            .map(|d| d.to_string())
            .collect();
        assert_eq!(every.len(), names.len() + 1, "{locale}: {every:#?}");
        let unread = format!(
            "content/{locale}/partner-center/report-problems-with-partner-center.md:26:1: warning[roles-line-unread]"
        );
        assert!(every.iter().any(|d| d.starts_with(&unread)), "{every:#?}");
    }
}

/// Articles of the tree the end-to-end test builds: a top roles line, a
/// section's own line beside a top one, an unknown name, a label over
/// prose.
const BUILT: &[&str] = &[
    "partner-center/activity-logs",
    "partner-center/manage-your-partner-network-benefits",
    "partner-center/get-automated-service-notifications-with-our-apis",
    "partner-center/report-problems-with-partner-center",
];

/// A project of those articles in both locales (zh-TW its source, as the
/// tree's), with the bundled locale data and templates, built.
fn built_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tree = shared().join("corpus/tree");
    for locale in ["zh-TW", "ja-JP"] {
        for a in BUILT {
            let target = dir
                .path()
                .join("content")
                .join(locale)
                .join(format!("{a}.md"));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(tree.join(locale).join(format!("{a}.md")), target).unwrap();
        }
    }
    for name in ["locales", "templates"] {
        copy_tree(&root().join(name), &dir.path().join(name));
    }
    let book = read(root().join("book.toml"))
        .replace("source-locale = \"en\"", "source-locale = \"zh-TW\"");
    std::fs::write(dir.path().join("book.toml"), book).unwrap();
    let out = rulebook_in(dir.path(), &["-q", "build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn check(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = rulebook_in(dir, &all);
    let code = out.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        code,
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check role` answers from the tree's roles lines: yes with the rule id
/// for a listed role, no for another, per section where a section has its
/// own line; in each language the validator speaks.
#[test]
fn check_role_answers_from_the_tree() {
    let dir = built_tree();
    let rules: serde_json::Value =
        serde_json::from_str(&read(dir.path().join("book/rules.json"))).unwrap();
    let roles: Vec<(&str, &str)> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "role-requirement")
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["value"]["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (
                "partner-center/activity-logs/roles",
                "partner-center/activity-logs"
            ),
            (
                "partner-center/get-automated-service-notifications-with-our-apis/roles",
                "partner-center/get-automated-service-notifications-with-our-apis"
            ),
            (
                "partner-center/manage-your-partner-network-benefits#manage-go-to-market-offers/roles",
                "partner-center/manage-your-partner-network-benefits#manage-go-to-market-offers"
            ),
            (
                "partner-center/manage-your-partner-network-benefits/roles",
                "partner-center/manage-your-partner-network-benefits"
            ),
        ]
    );
    // every locale states each rule, and agrees
    for r in rules["rules"].as_array().unwrap() {
        if r["kind"] == "role-requirement" {
            for l in ["zh-TW", "ja-JP"] {
                assert_eq!(r["by_locale"][l]["agrees"], true, "{l} {}", r["id"]);
            }
        }
    }
    let logs = "partner-center/activity-logs";
    for lang in ["en", "ja-JP", "zh-TW"] {
        let (code, json, err) = check(
            dir.path(),
            &[
                "--lang",
                lang,
                "role",
                "--action",
                logs,
                "--role",
                "billing-admin",
            ],
        );
        assert_eq!(code, 0, "{lang}: {json} {err}");
        assert_eq!(json["answer"], "yes");
        assert_eq!(
            json["reasons"][0]["rule"],
            "partner-center/activity-logs/roles"
        );
        let (code, json, err) = check(
            dir.path(),
            &[
                "--lang",
                lang,
                "role",
                "--action",
                logs,
                "--role",
                "referral-admin",
            ],
        );
        assert_eq!(code, 1, "{lang}: {json} {err}");
        assert_eq!(json["answer"], "no");
        assert_eq!(
            json["reasons"][0]["rule"],
            "partner-center/activity-logs/roles"
        );
    }
    // a section's own roles line, not the article's
    let offers = "partner-center/manage-your-partner-network-benefits#manage-go-to-market-offers";
    let (code, json, _) = check(
        dir.path(),
        &["role", "--action", offers, "--role", "mpn-partner-admin"],
    );
    assert_eq!(
        (code, &json["answer"]),
        (0, &serde_json::json!("yes")),
        "{json}"
    );
    assert_eq!(
        json["reasons"][0]["rule"],
        "partner-center/manage-your-partner-network-benefits#manage-go-to-market-offers/roles"
    );
    // the build reported the unknown name and the unread line, located
    let out = rulebook_in(dir.path(), &["build"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning[unknown-role]: `Global`"), "{err}");
    assert!(err.contains("warning[roles-line-unread]"), "{err}");
}

/// Every version of the bundled article in the corpus
/// (`../shared/corpus/article`): those with a roles line (inline, `**Appropriate
/// roles**: Admin agent | Global admin`, or a list) give one rule for the
/// article's top, in each locale with a lexicon.
#[test]
fn bundled_article_versions_read_their_roles_line() {
    let base = shared().join("corpus/article");
    let en = load_locale_data(&root(), "en").unwrap();
    let mut found = BTreeMap::new();
    for file in markdown_files(&base) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let locale = name.split("--").next().unwrap().to_owned();
        let data = load_locale_data(&root(), &locale).unwrap();
        let text = read(&file);
        let path = format!("content/{locale}/csp-software-subscriptions.md");
        let doc = rulebook::docfx::parse_article(&path, &text).unwrap();
        let x = extract_article(
            &doc,
            &text,
            "csp-software-subscriptions",
            &locale,
            &data,
            &en,
        );
        let roles: Vec<(String, Vec<String>)> = role_facts(&x)
            .into_iter()
            .map(|(a, r, _)| (a.to_owned(), r.to_vec()))
            .collect();
        let unknown: Vec<String> = x
            .diagnostics
            .iter()
            .filter(|d| d.code == "unknown-role" || d.code == "roles-line-unread")
            .map(|d| d.to_string())
            .collect();
        let has_line = [
            "Appropriate roles",
            "Roles adecuados",
            "適切なロール",
            "適當的角色",
        ]
        .iter()
        .any(|l| text.contains(l));
        let want: Vec<(String, Vec<String>)> = if has_line {
            vec![(
                "csp-software-subscriptions".to_owned(),
                vec!["admin-agent".to_owned(), "global-admin".to_owned()],
            )]
        } else {
            Vec::new()
        };
        assert_eq!(roles, want, "{name}");
        assert!(unknown.is_empty(), "{name}: {unknown:?}");
        found.insert(name, has_line);
    }
    // the versions that carry the line: en, es-ES, ja-JP and zh-TW since
    // December 2019
    let read = found.values().filter(|&&r| r).count();
    assert!(read >= 60, "{read} versions with a roles line");
}

/// An action no rule names is a usage error (exit 2) that names the known
/// ones, not a silent "no".
#[test]
fn an_unknown_action_is_a_usage_error() {
    let dir = built_tree();
    let (code, _, err) = check(
        dir.path(),
        &[
            "role",
            "--action",
            "partner-center/activity-log",
            "--role",
            "billing-admin",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[bad-question]: unknown action \"partner-center/activity-log\""),
        "{err}"
    );
    assert!(err.contains("partner-center/activity-logs"), "{err}");
    // not an action at all
    let (code, _, err) = check(
        dir.path(),
        &["role", "--action", "a#b#c", "--role", "billing-admin"],
    );
    assert_eq!(code, 2, "{err}");
}

/// A role no rule names is a usage error (exit 2) naming the closest known
/// roles: a typo is not a silent "no".
#[test]
fn an_unknown_role_is_a_usage_error() {
    let dir = built_tree();
    let logs = "partner-center/activity-logs";
    let (code, _, err) = check(
        dir.path(),
        &["role", "--action", logs, "--role", "billing-admn"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[bad-question]: unknown role \"billing-admn\""),
        "{err}"
    );
    assert!(err.contains("billing-admin"), "{err}");
    // beside a known role too
    let (code, _, err) = check(
        dir.path(),
        &[
            "role",
            "--action",
            logs,
            "--role",
            "global-admin",
            "--role",
            "tenant-owner",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown role \"tenant-owner\""), "{err}");
}
