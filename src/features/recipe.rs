//! A feature's recipe: `templates/features/<id>/feature.toml.hbs`, rendered
//! with the project's context, says which Cargo dependencies the feature
//! needs and which anchored edits it makes. Its files live beside it in
//! `files/`, and the files it adds only together with another feature in
//! `with/<other id>/`. A style's parts (`templates/<style>/parts/<name>/part.toml.hbs`)
//! are written the same way.
//!
//! Edits name places (see `places`), not files, so one recipe serves every style:
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
//! uses = ["config"]             # places relied on without editing them
//!
//! [[edit]]
//! marker = "modules"            # insert before the `plinth:modules` marker of the style…
//! insert = "mod templates;"
//! when = "static"               # …only once `static` is installed too
//!
//! [[edit]]
//! file = "templates/base.html"  # a file of a feature's own, the same in every style
//! marker = "nav"
//! insert = "<a href=\"/admin\">Admin</a>"
//!
//! [[file]]                      # a file whose path depends on the context (resources)
//! template = "files/model.rs.hbs"
//! to = "src/{{resource.module}}/model.rs"
//!
//! [[edit]]
//! place = "index"               # or replace generated text in a place's file
//! find = "…exactly as generated…"
//! replace = "…"
//! ```

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde_json::Value;
use toml_edit::{DocumentMut, Item, Table};

use crate::error::Error;
use crate::render::places::Places;
use crate::render::template;
use crate::request::spec::Style;

/// The Cargo sections a recipe may add dependencies to.
pub const DEPENDENCY_SECTIONS: &[&str] =
    &["dependencies", "dev-dependencies", "build-dependencies"];

/// Recipes by style and rendered text. Installing renders each recipe again as each
/// feature arrives, mostly to the same text: each text is parsed once per style.
static PARSED: OnceLock<Mutex<HashMap<(Style, String), Recipe>>> = OnceLock::new();

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
    /// Files whose names depend on the context (`[[file]]`: a template beside the recipe
    /// and where it goes); a feature's own files are its `files/` folder instead.
    pub files: Vec<RecipeFile>,
    /// Folders beside the recipe whose files are created where missing and left alone
    /// when present (`shared-folders`).
    pub shared_folders: Vec<String>,
    /// Places the feature's code relies on without editing them (`uses = ["config"]`):
    /// a style that makes such a place on first need makes it before the edits.
    pub uses: Vec<String>,
    /// Anchored edits, in order.
    pub edits: Vec<Edit>,
}

/// One `[[file]]` of a recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipeFile {
    /// The template, relative to the recipe's folder.
    pub template: String,
    /// Where it goes, relative to the project root.
    pub to: String,
}

/// One anchored edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The file, relative to the project root: the recipe's `file`, or the file of the
    /// place it names in the project's style.
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
        /// The marker, e.g. `plinth:routes` (a recipe writes `routes`).
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
    pub fn load(id: &str, context: &Value, places: &Places) -> Result<Self, Error> {
        Self::load_path(&format!("features/{id}/feature.toml.hbs"), context, places)
    }

    /// Loads and renders the recipe at `path` inside `templates/`; none there is an
    /// empty recipe.
    pub fn load_path(path: &str, context: &Value, places: &Places) -> Result<Self, Error> {
        let Some(source) = template::file(path) else {
            return Ok(Self::default());
        };
        let source = std::str::from_utf8(source).map_err(|error| Error::Template {
            file: path.to_owned(),
            reason: error.to_string(),
        })?;
        let rendered = template::render_str(path, source, context)?;
        let mut parsed = PARSED
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let key = (places.style(), rendered);
        if let Some(recipe) = parsed.get(&key) {
            return Ok(recipe.clone());
        }
        let recipe = Self::parse(&key.1, places).map_err(|reason| Error::Template {
            file: path.to_owned(),
            reason,
        })?;
        parsed.insert(key, recipe.clone());
        Ok(recipe)
    }

    /// Parses a rendered recipe, finding each place's file in `places`.
    pub fn parse(source: &str, places: &Places) -> Result<Self, String> {
        let document: DocumentMut = source
            .parse()
            .map_err(|error: toml_edit::TomlError| error.to_string())?;
        let mut recipe = Self::default();
        refuse_unknown_keys(document.as_table(), TOP_LEVEL_KEYS, "a recipe")?;
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
        recipe.shared = string_list(&document, "shared")?;
        recipe.shared_folders = string_list(&document, "shared-folders")?;
        recipe.uses = string_list(&document, "uses")?;
        for place in &recipe.uses {
            if places.file(place).is_none() {
                return Err(format!(
                    "a {} project has no place `{place}`",
                    places.style().as_str()
                ));
            }
        }
        if let Some(files) = document.get("file") {
            let files = files
                .as_array_of_tables()
                .ok_or("`file` must be an array of tables ([[file]])")?;
            for table in files {
                refuse_unknown_keys(table, &["template", "to"], "a [[file]]")?;
                recipe.files.push(RecipeFile {
                    template: text_of(table, "template").ok_or("a file needs `template`")?,
                    to: text_of(table, "to").ok_or("a file needs `to`")?,
                });
            }
        }
        if let Some(edits) = document.get("edit") {
            let edits = edits
                .as_array_of_tables()
                .ok_or("`edit` must be an array of tables ([[edit]])")?;
            for table in edits {
                recipe.edits.extend(parse_edit(table, places)?);
            }
        }
        Ok(recipe)
    }
}

/// The keys a recipe may hold at its top level.
const TOP_LEVEL_KEYS: &[&str] = &[
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "profile",
    "shared",
    "shared-folders",
    "uses",
    "file",
    "edit",
];

/// A key the format does not know is a mistake, often a key written under a `[[…]]` table
/// that was meant for the top level: say so instead of ignoring it.
fn refuse_unknown_keys(table: &Table, known: &[&str], what: &str) -> Result<(), String> {
    match table.iter().find(|(key, _)| !known.contains(key)) {
        Some((key, _)) => Err(format!(
            "{what} has no key `{key}` (it knows {})",
            known.join(", ")
        )),
        None => Ok(()),
    }
}

/// The edit `table` describes; `None` when it is at a place the style leaves out.
fn parse_edit(table: &Table, places: &Places) -> Result<Option<Edit>, String> {
    refuse_unknown_keys(
        table,
        &[
            "file", "marker", "insert", "place", "find", "replace", "when",
        ],
        "an [[edit]]",
    )?;
    let place = text_of(table, "place").or_else(|| text_of(table, "marker"));
    if text_of(table, "file").is_none() && place.is_some_and(|place| places.leaves_out(&place)) {
        return Ok(None);
    }
    let text = |key: &str| text_of(table, key);
    let place_file = |place: &str| {
        places.file(place).map(str::to_owned).ok_or(format!(
            "a {} project has no place `{place}`",
            places.style().as_str()
        ))
    };
    let (file, action) = match (
        text("marker"),
        text("insert"),
        text("find"),
        text("replace"),
    ) {
        (Some(marker), Some(text), None, None) => {
            if marker.starts_with("plinth:") {
                return Err(format!(
                    "write the marker `{marker}` without its `plinth:` prefix"
                ));
            }
            let file = match (text_of(table, "file"), text_of(table, "place")) {
                (Some(file), None) => file,
                (None, None) => place_file(&marker)?,
                _ => {
                    return Err(format!(
                        "the insert at `{marker}` names a place by its marker, not by `place`"
                    ));
                }
            };
            let marker = format!("plinth:{marker}");
            (file, EditAction::Insert { marker, text })
        }
        (None, None, Some(find), Some(replace)) => {
            let file = match (text_of(table, "file"), text_of(table, "place")) {
                (Some(file), None) => file,
                (None, Some(place)) => place_file(&place)?,
                _ => return Err("a replacement needs one of `file` and `place`".to_owned()),
            };
            (file, EditAction::Replace { find, replace })
        }
        _ => {
            return Err(
                "an edit needs either `marker` + `insert` or `find` + `replace`".to_owned(),
            );
        }
    };
    Ok(Some(Edit {
        file,
        action,
        when: text("when"),
    }))
}

/// The list of strings at `key`, or none.
fn string_list(document: &DocumentMut, key: &str) -> Result<Vec<String>, String> {
    let Some(item) = document.get(key) else {
        return Ok(Vec::new());
    };
    let list = item
        .as_array()
        .ok_or(format!("`{key}` must be a list of paths"))?;
    list.iter()
        .map(|path| {
            path.as_str()
                .map(str::to_owned)
                .ok_or(format!("`{key}` must list strings"))
        })
        .collect()
}

fn text_of(table: &Table, key: &str) -> Option<String> {
    table.get(key).and_then(Item::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::{EditAction, Recipe};
    use crate::render::places::Places;
    use crate::request::spec::Style;

    fn micro() -> Places {
        Places::of(Style::Micro).expect("micro places")
    }

    #[test]
    fn a_recipe_lists_dependencies_and_edits() {
        let recipe = Recipe::parse(
            r#"
shared = ["build.rs"]

[dependencies]
minijinja = "2"

[[edit]]
marker = "modules"
insert = "mod templates;"

[[edit]]
file = "templates/base.html"
marker = "head"
insert = "<link>"
when = "templates"

[[edit]]
place = "index"
find = "a"
replace = "b"
"#,
            &micro(),
        )
        .expect("valid");
        assert_eq!(recipe.dependencies.len(), 1);
        assert_eq!(recipe.shared, ["build.rs"]);
        assert_eq!(recipe.edits.len(), 3);
        assert_eq!(recipe.edits[0].file, "src/main.rs");
        assert_eq!(recipe.edits[1].file, "templates/base.html");
        assert_eq!(recipe.edits[1].when.as_deref(), Some("templates"));
        assert_eq!(recipe.edits[2].file, "src/main.rs");
        assert!(
            matches!(&recipe.edits[0].action, EditAction::Insert { marker, .. } if marker == "plinth:modules")
        );
    }

    #[test]
    fn files_are_listed_and_unknown_keys_refused() {
        let recipe = Recipe::parse(
            "shared-folders = [\"shared\"]\n[[file]]\ntemplate = \"a.hbs\"\nto = \"src/a.rs\"\n",
            &micro(),
        )
        .expect("valid");
        assert_eq!(recipe.shared_folders, ["shared"]);
        assert_eq!(recipe.files[0].to, "src/a.rs");
        // A top-level key written after a table lands in that table: refused, not lost.
        let error = Recipe::parse(
            "[[file]]\ntemplate = \"a.hbs\"\nto = \"a\"\nshared-folders = [\"shared\"]\n",
            &micro(),
        )
        .expect_err("invalid");
        assert!(error.contains("no key `shared-folders`"), "{error}");
    }

    #[test]
    fn places_resolve_per_style() {
        let source = "[[edit]]\nmarker = \"routes\"\ninsert = \"x\"\n";
        let full = Places::of(Style::Full).expect("full places");
        let edit = |places: &Places| {
            Recipe::parse(source, places).expect("valid").edits[0]
                .file
                .clone()
        };
        assert_eq!(edit(&micro()), "src/main.rs");
        assert_eq!(edit(&full), "src/routes.rs");
    }

    #[test]
    fn an_edit_must_say_what_to_do_and_where() {
        let error = Recipe::parse("[[edit]]\nfile = \"a\"\nmarker = \"m\"\n", &micro())
            .expect_err("invalid");
        assert!(error.contains("`marker` + `insert`"), "{error}");
        let error = Recipe::parse("[[edit]]\nmarker = \"nowhere\"\ninsert = \"x\"\n", &micro())
            .expect_err("invalid");
        assert!(error.contains("no place `nowhere`"), "{error}");
        let error = Recipe::parse("[[edit]]\nfind = \"a\"\nreplace = \"b\"\n", &micro())
            .expect_err("invalid");
        assert!(error.contains("`file` and `place`"), "{error}");
        let error = Recipe::parse(
            "[[edit]]\nmarker = \"plinth:routes\"\ninsert = \"x\"\n",
            &micro(),
        )
        .expect_err("invalid");
        assert!(error.contains("without its `plinth:` prefix"), "{error}");
    }
}
