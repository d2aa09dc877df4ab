//! A feature's recipe: `templates/features/<id>/feature.toml.hbs`, rendered
//! with the project's context, says which Cargo dependencies the feature
//! needs and which anchored edits it makes. Its files live beside it in
//! `files/`, and the files it adds only together with another feature in
//! `with/<other id>/`.
//!
//! ```toml
//! [dependencies]
//! minijinja = { version = "2", features = ["loader"] }
//!
//! [profile.dev.package.argon2]   # only where the project sets nothing
//! opt-level = 3
//!
//! # files several features create alike (each then extends it by edits):
//! # created when missing, left as they are when present
//! shared = ["build.rs"]
//!
//! [[edit]]
//! file = "src/main.rs"
//! marker = "plinth:modules"     # insert before this marker line…
//! insert = "mod templates;"
//! when = "static"               # …only once `static` is installed too
//!
//! [[edit]]
//! file = "src/main.rs"
//! find = "…exactly as generated…"   # or replace generated text
//! replace = "…"
//! ```

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde_json::Value;
use toml_edit::{DocumentMut, Item, Table};

use crate::error::Error;
use crate::template;

/// The Cargo sections a recipe may add dependencies to.
pub const DEPENDENCY_SECTIONS: &[&str] =
    &["dependencies", "dev-dependencies", "build-dependencies"];

/// Recipes by their rendered text. Installing renders each recipe again as each feature
/// arrives, mostly to the same text: each text is parsed once.
static PARSED: OnceLock<Mutex<HashMap<String, Recipe>>> = OnceLock::new();

/// What a feature changes besides creating its files.
#[derive(Debug, Clone, Default)]
pub struct Recipe {
    /// Dependencies per Cargo section.
    pub dependencies: Vec<(&'static str, Table)>,
    /// Build profile settings (`[profile.dev.package.argon2]`…), added where
    /// the project has no setting of its own.
    pub profile: Option<Table>,
    /// Files (relative to the project root) that several features create
    /// alike: created when missing, left alone when present.
    pub shared: Vec<String>,
    /// Anchored edits, in order.
    pub edits: Vec<Edit>,
}

/// One anchored edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The file, relative to the project root.
    pub file: String,
    /// What to do there.
    pub action: EditAction,
    /// Only apply once this feature is installed too.
    pub when: Option<String>,
}

/// The two kinds of anchored edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditAction {
    /// Insert `text` before the line holding the marker comment.
    Insert {
        /// The marker, e.g. `plinth:routes`.
        marker: String,
        /// The lines to insert.
        text: String,
    },
    /// Replace text exactly as plinth generated it.
    Replace {
        /// The generated text.
        find: String,
        /// What replaces it.
        replace: String,
    },
}

impl Recipe {
    /// Loads and renders the recipe of feature `id`; a feature without a
    /// `feature.toml.hbs` only creates files.
    pub fn load(id: &str, context: &Value) -> Result<Self, Error> {
        let path = format!("features/{id}/feature.toml.hbs");
        let Some(source) = template::file(&path) else {
            return Ok(Self::default());
        };
        let source = std::str::from_utf8(source).map_err(|error| Error::Template {
            file: path.clone(),
            reason: error.to_string(),
        })?;
        let rendered = template::render_str(&path, source, context)?;
        let mut parsed = PARSED
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(recipe) = parsed.get(&rendered) {
            return Ok(recipe.clone());
        }
        let recipe =
            Self::parse(&rendered).map_err(|reason| Error::Template { file: path, reason })?;
        parsed.insert(rendered, recipe.clone());
        Ok(recipe)
    }

    /// Parses a rendered recipe.
    pub fn parse(source: &str) -> Result<Self, String> {
        let document: DocumentMut = source
            .parse()
            .map_err(|error: toml_edit::TomlError| error.to_string())?;
        let mut recipe = Self::default();
        for section in DEPENDENCY_SECTIONS {
            if let Some(item) = document.get(section) {
                let table = item
                    .as_table()
                    .ok_or(format!("`{section}` must be a table"))?;
                recipe.dependencies.push((section, table.clone()));
            }
        }
        if let Some(profile) = document.get("profile") {
            recipe.profile = Some(
                profile
                    .as_table()
                    .ok_or("`profile` must be a table")?
                    .clone(),
            );
        }
        if let Some(shared) = document.get("shared") {
            let shared = shared
                .as_array()
                .ok_or("`shared` must be a list of paths")?;
            for path in shared {
                recipe.shared.push(
                    path.as_str()
                        .ok_or("`shared` must list strings")?
                        .to_owned(),
                );
            }
        }
        if let Some(edits) = document.get("edit") {
            let edits = edits
                .as_array_of_tables()
                .ok_or("`edit` must be an array of tables ([[edit]])")?;
            for table in edits {
                recipe.edits.push(parse_edit(table)?);
            }
        }
        Ok(recipe)
    }
}

fn parse_edit(table: &Table) -> Result<Edit, String> {
    let text = |key: &str| table.get(key).and_then(Item::as_str).map(str::to_owned);
    let file = text("file").ok_or("an edit needs `file`")?;
    let action = match (
        text("marker"),
        text("insert"),
        text("find"),
        text("replace"),
    ) {
        (Some(marker), Some(text), None, None) => EditAction::Insert { marker, text },
        (None, None, Some(find), Some(replace)) => EditAction::Replace { find, replace },
        _ => {
            return Err(format!(
                "the edit of `{file}` needs either `marker` + `insert` or `find` + `replace`"
            ));
        }
    };
    Ok(Edit {
        file,
        action,
        when: text("when"),
    })
}

#[cfg(test)]
mod tests {
    use super::{EditAction, Recipe};

    #[test]
    fn a_recipe_lists_dependencies_and_edits() {
        let recipe = Recipe::parse(
            r#"
shared = ["build.rs"]

[dependencies]
minijinja = "2"

[[edit]]
file = "src/main.rs"
marker = "plinth:modules"
insert = "mod templates;"

[[edit]]
file = "templates/base.html"
marker = "plinth:head"
insert = "<link>"
when = "templates"
"#,
        )
        .expect("valid");
        assert_eq!(recipe.dependencies.len(), 1);
        assert_eq!(recipe.shared, ["build.rs"]);
        assert_eq!(recipe.edits.len(), 2);
        assert_eq!(recipe.edits[1].when.as_deref(), Some("templates"));
        assert!(
            matches!(&recipe.edits[0].action, EditAction::Insert { marker, .. } if marker == "plinth:modules")
        );
    }

    #[test]
    fn an_edit_must_say_what_to_do() {
        let error = Recipe::parse("[[edit]]\nfile = \"a\"\nmarker = \"m\"\n").expect_err("invalid");
        assert!(error.contains("`marker` + `insert`"));
    }
}
