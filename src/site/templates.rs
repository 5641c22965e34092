//! The site's templates and static files: the ones in the project's
//! `templates/` folder, falling back to the defaults built into rulebook (a
//! project without the folder still gets a site, as mdBook's default theme).

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, Location};

const DEFAULTS: &[(&str, &str)] = &[
    ("page.html", include_str!("../../templates/page.html")),
    ("rules.html", include_str!("../../templates/rules.html")),
    ("status.html", include_str!("../../templates/status.html")),
    ("picker.html", include_str!("../../templates/picker.html")),
    (
        "fallback.html",
        include_str!("../../templates/fallback.html"),
    ),
];
const ASSETS: &[(&str, &str)] = &[
    ("rulebook.css", include_str!("../../templates/rulebook.css")),
    ("rulebook.js", include_str!("../../templates/rulebook.js")),
];

/// The page templates (tera) and assets of a site: the project's `templates/`
/// where it has them, else the built-in ones.
pub struct Templates {
    tera: tera::Tera,
    assets: Vec<(String, String)>,
}

impl Templates {
    /// Compile the templates; a template that does not parse is a located
    /// error naming its file.
    pub fn load(dir: &Path) -> Result<Self, Diagnostics> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html"]);
        for (name, default) in DEFAULTS {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|_| (*default).to_owned());
            tera.add_raw_template(name, &text).map_err(|e| {
                Diagnostics::from(
                    Diagnostic::error("template", format!("template {name} does not compile: {e}"))
                        .at(Location::file(format!("templates/{name}")))
                        .with_help(
                            "fix the tera syntax, or delete the file to use the built-in default",
                        ),
                )
            })?;
        }
        let assets = ASSETS
            .iter()
            .map(|(name, default)| {
                let text = std::fs::read_to_string(dir.join(name))
                    .unwrap_or_else(|_| (*default).to_owned());
                ((*name).to_owned(), text)
            })
            .collect();
        Ok(Templates { tera, assets })
    }

    /// Render template `name` (`page.html`, `rules.html` …) with `context`;
    /// HTML values are escaped.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, tera::Error> {
        self.tera.render(name, context)
    }

    pub(crate) fn asset(&self, name: &str) -> &str {
        self.assets
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, text)| text.as_str())
    }
}
