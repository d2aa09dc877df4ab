//! A style's places: where, in a project of that style, each place a recipe names is
//! (`templates/<style>/places.toml`), and the parts the style adds on first need
//! (`templates/<style>/parts/<name>/`). Recipes name places, never a style's files, so
//! one recipe serves every style.

use std::collections::BTreeMap;
use std::path::Path;

use toml_edit::DocumentMut;

use crate::error::Error;
use crate::render::template;
use crate::request::spec::Style;

/// The places of one style.
#[derive(Debug, Clone)]
pub struct Places {
    style: Style,
    files: BTreeMap<String, String>,
    /// Places whose edits the style leaves out, each with the reason: its own code does
    /// what they would (`[built-in]`), or it lacks what they extend (`[absent]`: micro has
    /// no `check --deploy` for a feature to add to).
    left_out: BTreeMap<String, String>,
}

impl Places {
    /// The table of `style`, from the templates embedded in this build.
    pub fn of(style: Style) -> Result<Self, Error> {
        let path = format!("{}/places.toml", style.as_str());
        let source = template::file(&path)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .ok_or_else(|| Error::Template {
                file: path.clone(),
                reason: "the style's places are missing from this build".to_owned(),
            })?;
        Self::parse(style, source).map_err(|reason| Error::Template { file: path, reason })
    }

    fn parse(style: Style, source: &str) -> Result<Self, String> {
        let document: DocumentMut = source
            .parse()
            .map_err(|error: toml_edit::TomlError| error.to_string())?;
        let table = document
            .get("places")
            .and_then(|item| item.as_table())
            .ok_or("`places` must be a table")?;
        let mut files = BTreeMap::new();
        for (place, file) in table {
            let file = file
                .as_str()
                .ok_or(format!("place `{place}` must name a file"))?;
            files.insert(place.to_owned(), file.to_owned());
        }
        let mut left_out = BTreeMap::new();
        for kind in ["built-in", "absent"] {
            let Some(item) = document.get(kind) else {
                continue;
            };
            let table = item.as_table().ok_or(format!("`{kind}` must be a table"))?;
            for (place, why) in table {
                let why = why
                    .as_str()
                    .ok_or(format!("{kind} place `{place}` must say why"))?;
                if files.contains_key(place) || left_out.contains_key(place) {
                    return Err(format!("place `{place}` is listed twice"));
                }
                left_out.insert(place.to_owned(), why.to_owned());
            }
        }
        Ok(Self {
            style,
            files,
            left_out,
        })
    }

    /// Whether the style leaves out edits at `place` (built in, or absent).
    #[must_use]
    pub fn leaves_out(&self, place: &str) -> bool {
        self.left_out.contains_key(place)
    }

    /// The style these places belong to.
    #[must_use]
    pub fn style(&self) -> Style {
        self.style
    }

    /// The file holding `place`, relative to the project root.
    #[must_use]
    pub fn file(&self, place: &str) -> Option<&str> {
        self.files.get(place).map(String::as_str)
    }

    /// Every place name, for messages and tests.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The part of the style that creates `path`, if one does: its folder inside
    /// `templates/` (`micro/parts/cli`).
    #[must_use]
    pub fn part_creating(&self, path: &Path) -> Option<String> {
        let parts = template::tree(&format!("{}/parts", self.style.as_str()))?;
        parts.subfolders().find_map(|part| {
            let folder = part.path().to_string_lossy().into_owned();
            let created = template::tree(&format!("{folder}/files"))?;
            template::output_paths(created)
                .iter()
                .any(|created| created == path)
                .then_some(folder)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Places;
    use crate::request::spec::Style;

    #[test]
    fn every_style_has_the_same_places() {
        let micro = Places::of(Style::Micro).expect("micro places");
        let full = Places::of(Style::Full).expect("full places");
        let every = |places: &Places| {
            let mut names: Vec<String> = places
                .names()
                .chain(places.left_out.keys().map(String::as_str))
                .map(str::to_owned)
                .collect();
            names.sort();
            names
        };
        assert_eq!(every(&micro), every(&full));
    }

    #[test]
    fn a_place_is_a_file_or_left_out_not_both() {
        let source = "[places]\nroutes = \"src/main.rs\"\n[absent]\nroutes = \"why\"\n";
        let error = Places::parse(Style::Micro, source).expect_err("invalid");
        assert!(error.contains("`routes` is listed twice"), "{error}");
    }

    #[test]
    fn a_table_must_name_files() {
        let error = Places::parse(Style::Micro, "[places]\nroutes = 3\n").expect_err("invalid");
        assert!(error.contains("`routes`"), "{error}");
    }
}
