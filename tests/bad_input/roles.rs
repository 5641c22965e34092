//! Catalogue cases: see tests/bad_input.rs. Role names and roles lines
//! (issue 20): a malformed `roles.tsv`, the old `[roles]` table, names
//! `roles.tsv` does not know, a label over prose. (An action no rule
//! names, or no action at all, is tested in tests/roles.rs: `check`'s
//! question errors name no file, which this catalogue requires.)

use std::path::Path;

use super::{Case, EN, Observed, Run, edit, rulebook};

/// Where the roles line goes: before the English article's first H2, so
/// it is the article's own.
const FIRST_H2: &str = "## <a name=\"buy-software-subscriptions-on-behalf-of-customers\">";

/// Put `line` (and a blank line) before the English article's first H2.
fn roles_line(dir: &Path, line: &str) {
    edit(dir, EN, |t| {
        t.replacen(FIRST_H2, &format!("{line}\n\n{FIRST_H2}"), 1)
    });
}

/// Build; the rule of the roles line keeps the roles it could read, and
/// no name as written reaches rules.json.
fn build_keeps_known_roles(dir: &Path) -> Observed {
    let out = Observed::from(rulebook(dir, &["build"]));
    if out.exit == 0 {
        let rules = std::fs::read_to_string(dir.join("book/rules.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&rules).unwrap();
        let rule = json["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "csp-software-subscriptions/roles")
            .expect("the roles line's rule");
        assert_eq!(rule["value"]["action"], "csp-software-subscriptions");
        assert_eq!(
            rule["value"]["any_of_roles"],
            serde_json::json!(["admin-agent"])
        );
        assert!(!rules.contains("onerror") && !rules.contains("Tenant owner"));
    }
    out
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "a roles.tsv line without its tab (refused at the line)",
            run: Run::Build,
            break_it: |d| {
                let path = d.join("locales/en/roles.tsv");
                let mut text = std::fs::read_to_string(&path).unwrap();
                text.push_str("Tenant owner tenant-owner\n");
                std::fs::write(path, text).unwrap();
            },
            exit: 1,
            code: "role-table",
            line: true,
        },
        Case {
            name: "a roles.tsv id that is no id (`Global Admin`; refused at the column)",
            run: Run::Build,
            break_it: |d| {
                edit(d, "locales/en/roles.tsv", |t| {
                    t.replacen(
                        "Global admin\tglobal-admin",
                        "Global admin\tGlobal Admin",
                        1,
                    )
                })
            },
            exit: 1,
            code: "role-table",
            line: true,
        },
        Case {
            name: "the old `[roles]` table left in lexicon.toml (refused at the table: names live in roles.tsv)",
            run: Run::Build,
            break_it: |d| {
                edit(d, "locales/en/lexicon.toml", |t| {
                    format!("{t}\n[roles]\nadmin-agent = [\"Admin agent\"]\n")
                })
            },
            exit: 1,
            code: "lexicon",
            line: true,
        },
        Case {
            name: "a roles line naming a role roles.tsv does not know (warning; the known roles make the rule)",
            run: Run::Custom("build", build_keeps_known_roles),
            break_it: |d| roles_line(d, "**Appropriate roles**: Admin agent | Tenant owner"),
            exit: 0,
            code: "unknown-role",
            line: true,
        },
        Case {
            name: "a roles list item that is markup (`<img onerror>` in a code span; warning, never in rules.json)",
            run: Run::Custom("build", build_keeps_known_roles),
            break_it: |d| {
                roles_line(
                    d,
                    "**Appropriate roles**\n\n- Admin agent\n- `<img src=x onerror=alert(1)>`",
                )
            },
            exit: 0,
            code: "unknown-role",
            line: true,
        },
        Case {
            name: "a roles label over prose (warning: no rule, not passed over)",
            run: Run::Build,
            break_it: |d| {
                roles_line(
                    d,
                    "**Appropriate roles**\n\nAll signed-in users can do this.",
                )
            },
            exit: 0,
            code: "roles-line-unread",
            line: true,
        },
    ]
}
