//! Installing features into a project: the one mechanism behind both
//! `plinth add` and `plinth new --with`. It only ever changes a `Draft`;
//! writing is someone else's job, once the whole change is known to be safe.
//!
//! For each feature, in catalogue order: create its files, merge its Cargo
//! dependencies, make its anchored edits, then create the files and make the
//! edits that pairs of features add only together (`with/<id>/` folders and
//! `when = "<id>"` edits), whichever of the pair arrived first.
//! That last step is what makes the result independent of the order in
//! which features were added.
//!
//! Edits land at places the project's style maps to files (see `places`); a place
//! in a file the project does not have yet brings the style's part that creates it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};
use toml_edit::DocumentMut;

use crate::change::cargo_toml::{self, MANIFEST};
use crate::change::draft::Draft;
use crate::change::edit::{self, EditFailure};
use crate::change::rust_syntax;
use crate::error::Conflict;
use crate::error::Error;
use crate::features::catalogue::{CATALOGUE, Feature};
use crate::features::recipe::{Edit, EditAction, Recipe};
use crate::project;
use crate::render::places::Places;
use crate::render::template;
use crate::request::spec::Database;

/// The project being changed, as templates and recipes see it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The template context, without the `features` map.
    pub context: &'a Value,
    /// Where its style keeps each place.
    pub places: &'a Places,
    /// Its database.
    pub db: Database,
    /// The edits its resources made at the places' markers: a feature's lines go above the
    /// ones at the same marker, so a feature added after a resource lands where it would
    /// have before it.
    pub below: &'a [Edit],
}

/// Installs `features` (already resolved and free of installed ones) into
/// the project in `draft`, which has `installed` already.
pub fn install(
    draft: &mut Draft,
    target: &Target<'_>,
    installed: &[String],
    features: &[&Feature],
) -> Result<(), Error> {
    let mut present: Vec<String> = installed.to_vec();
    for feature in features {
        present.push(feature.id.to_owned());
        let context = with_features(target.context, &present);
        let recipes = present
            .iter()
            .map(|id| Ok((id.clone(), Recipe::load(id, &context, target.places)?)))
            .collect::<Result<BTreeMap<String, Recipe>, Error>>()?;
        let Some(recipe) = recipes.get(feature.id) else {
            continue;
        };
        create_files(draft, feature.id, "files", recipe, &context)?;
        merge_manifest(draft, recipe)?;
        let applies = |edit: &Edit| edit.when.as_ref().is_none_or(|when| present.contains(when));
        let needed = recipe
            .uses
            .iter()
            .filter_map(|place| target.places.file(place))
            .chain(
                recipe
                    .edits
                    .iter()
                    .filter(|edit| applies(edit))
                    .map(|edit| edit.file.as_str()),
            );
        for file in needed.collect::<Vec<_>>() {
            add_part_for(draft, target, Path::new(file), &recipes, &present)?;
        }
        for edit in recipe.edits.iter().filter(|edit| applies(edit)) {
            let mut later = later_blocks(feature.id, edit, &recipes, &present);
            later.extend(texts_at(edit, target.below));
            apply_edit(draft, edit, &later)?;
        }
        for (other, other_recipe) in recipes.iter().filter(|(id, _)| *id != feature.id) {
            create_files(
                draft,
                feature.id,
                &format!("with/{other}"),
                recipe,
                &context,
            )?;
            create_files(
                draft,
                other,
                &format!("with/{}", feature.id),
                other_recipe,
                &context,
            )?;
        }
        for (earlier, earlier_recipe) in recipes.iter().filter(|(id, _)| *id != feature.id) {
            for edit in earlier_recipe
                .edits
                .iter()
                .filter(|edit| edit.when.as_deref() == Some(feature.id))
            {
                let mut later = later_blocks(earlier, edit, &recipes, &present);
                later.extend(texts_at(edit, target.below));
                apply_edit(draft, edit, &later)?;
            }
        }
    }
    record_features(draft, &present, target.db)
}

/// The texts that features after `owner` in the catalogue, and `owner`'s own edits after
/// `edit` in its recipe, insert at the same marker of the same file: the new block goes
/// above them. (An edit made only beside another feature may be applied after the edits
/// below it in the recipe, when that feature comes later.)
fn later_blocks<'a>(
    owner: &str,
    edit: &Edit,
    recipes: &'a BTreeMap<String, Recipe>,
    present: &[String],
) -> Vec<&'a str> {
    let position = |id: &str| CATALOGUE.iter().position(|feature| feature.id == id);
    let mut later = blocks_at(edit, recipes, present, |id| position(id) > position(owner));
    if let Some(recipe) = recipes.get(owner) {
        let below = recipe
            .edits
            .iter()
            .skip_while(|other| !std::ptr::eq(*other, edit))
            .skip(1)
            .filter(|other| {
                other
                    .when
                    .as_ref()
                    .is_none_or(|when| present.contains(when))
            });
        later.extend(texts_at(edit, below));
    }
    later
}

/// The texts the present features chosen by `owners` insert at the marker of `edit`,
/// in its file.
fn blocks_at<'a>(
    edit: &Edit,
    recipes: &'a BTreeMap<String, Recipe>,
    present: &[String],
    owners: impl Fn(&str) -> bool,
) -> Vec<&'a str> {
    let edits = recipes
        .iter()
        .filter(|(id, _)| owners(id))
        .flat_map(|(_, recipe)| &recipe.edits)
        .filter(|other| {
            other
                .when
                .as_ref()
                .is_none_or(|when| present.contains(when))
        });
    texts_at(edit, edits).collect()
}

/// The texts `others` insert at the marker of `edit`, in its file.
fn texts_at<'a>(
    edit: &Edit,
    others: impl IntoIterator<Item = &'a Edit>,
) -> impl Iterator<Item = &'a str> {
    let marker = match &edit.action {
        EditAction::Insert { marker, .. } => Some(marker.clone()),
        EditAction::Replace { .. } => None,
    };
    let file = edit.file.clone();
    others
        .into_iter()
        .filter(move |other| other.file == file)
        .filter_map(move |other| match (&other.action, &marker) {
            (EditAction::Insert { marker: at, text }, Some(marker)) if at == marker => {
                Some(text.as_str())
            }
            _ => None,
        })
}

/// `context` plus `features`: a map with every catalogue id set to whether
/// it is installed, so templates can write `{{#if features.static}}` in
/// strict mode.
#[must_use]
pub fn with_features(context: &Value, present: &[String]) -> Value {
    let mut context = context.clone();
    let flags: Map<String, Value> = CATALOGUE
        .iter()
        .map(|feature| {
            (
                feature.id.to_owned(),
                Value::Bool(present.iter().any(|id| id == feature.id)),
            )
        })
        .collect();
    if let Value::Object(map) = &mut context {
        map.insert("features".to_owned(), Value::Object(flags));
    }
    context
}

/// Creates the files of `features/<id>/<folder>/`: `files` for the
/// feature itself, `with/<other>` for what it adds once `<other>` is
/// installed too (created by whichever of the two arrives second).
fn create_files(
    draft: &mut Draft,
    id: &str,
    folder: &str,
    recipe: &Recipe,
    context: &Value,
) -> Result<(), Error> {
    let owner = format!("the `{id}` feature");
    create_tree(
        draft,
        &format!("features/{id}/{folder}"),
        &owner,
        recipe,
        context,
    )
}

/// Creates the files below `templates/<folder>`: a file already there with other
/// contents is a conflict, unless the recipe shares it with other features.
fn create_tree(
    draft: &mut Draft,
    folder: &str,
    owner: &str,
    recipe: &Recipe,
    context: &Value,
) -> Result<(), Error> {
    let Some(dir) = template::tree(folder) else {
        return Ok(());
    };
    let tree = template::render_tree(dir, context)?;
    for (path, contents) in tree.iter() {
        match draft.read(path)? {
            None => draft.write(path, contents)?,
            Some(existing) if existing == contents => {}
            Some(_) if recipe.shared.iter().any(|shared| Path::new(shared) == path) => {}
            Some(_) => draft.conflict(Conflict {
                path: path.to_path_buf(),
                reason: format!(
                    "{owner} would create this file, but one with other contents is already there"
                ),
                by_hand: None,
            }),
        }
    }
    Ok(())
}

/// Adds the style's part that creates `path` when the project lacks that file: its
/// files, its dependencies and its edits, as a feature would. What a part inserts goes
/// above every line the present features insert at the same marker, so that it comes
/// first whichever feature brought the part. A part made first has its own files already,
/// so the parts it needs are made before its edits and none is made twice.
fn add_part_for(
    draft: &mut Draft,
    target: &Target<'_>,
    path: &Path,
    recipes: &BTreeMap<String, Recipe>,
    present: &[String],
) -> Result<(), Error> {
    if draft.read(path)?.is_some() {
        return Ok(());
    }
    let Some(part) = target.places.part_creating(path) else {
        return Ok(());
    };
    let recipe = Recipe::load_path(
        &format!("{part}/part.toml.hbs"),
        target.context,
        target.places,
    )?;
    let owner = format!("the style's `{part}` part");
    create_tree(
        draft,
        &format!("{part}/files"),
        &owner,
        &recipe,
        target.context,
    )?;
    merge_manifest(draft, &recipe)?;
    // A part may build on another (micro's `config` lives in the `state` part's file).
    let needed: Vec<String> = recipe
        .uses
        .iter()
        .filter_map(|place| target.places.file(place))
        .map(str::to_owned)
        .chain(recipe.edits.iter().map(|edit| edit.file.clone()))
        .collect();
    for file in needed {
        add_part_for(draft, target, Path::new(&file), recipes, present)?;
    }
    for edit in &recipe.edits {
        let every_feature = blocks_at(edit, recipes, present, |_| true);
        apply_edit(draft, edit, &every_feature)?;
    }
    Ok(())
}

/// Merges the recipe's dependencies and profile settings into Cargo.toml.
pub fn merge_manifest(draft: &mut Draft, recipe: &Recipe) -> Result<(), Error> {
    if recipe.dependencies.is_empty() && recipe.profile.is_none() {
        return Ok(());
    }
    let mut manifest = read_manifest(draft)?;
    for (section, table) in &recipe.dependencies {
        cargo_toml::merge_dependencies(&mut manifest, section, table);
    }
    if let Some(profile) = &recipe.profile {
        cargo_toml::merge_profile(&mut manifest, profile);
    }
    draft.write(Path::new(MANIFEST), manifest.to_string())
}

fn record_features(draft: &mut Draft, present: &[String], db: Database) -> Result<(), Error> {
    let mut manifest = read_manifest(draft)?;
    let ordered: Vec<String> = CATALOGUE
        .iter()
        .map(|feature| feature.id.to_owned())
        .filter(|id| present.contains(id))
        .collect();
    project::write_metadata(&mut manifest, &ordered, db);
    draft.write(Path::new(MANIFEST), manifest.to_string())
}

/// The project's Cargo.toml as it stands in the draft.
pub fn read_manifest(draft: &mut Draft) -> Result<DocumentMut, Error> {
    let path = Path::new(MANIFEST);
    let source = draft.read_text(path)?.unwrap_or_default();
    source
        .parse()
        .map_err(|error: toml_edit::TomlError| Error::BadManifest {
            path: path.to_path_buf(),
            reason: error.message().to_owned(),
        })
}

/// Makes one anchored edit in the draft, or records why it cannot be made.
pub fn apply_edit(draft: &mut Draft, edit: &Edit, later: &[&str]) -> Result<(), Error> {
    let path = Path::new(&edit.file);
    let Some(contents) = draft.read_text(path)? else {
        draft.conflict(Conflict {
            path: path.to_path_buf(),
            reason: "the file is missing (or not text), so it cannot be edited".to_owned(),
            by_hand: Some(by_hand(&edit.action)),
        });
        return Ok(());
    };
    let result = match &edit.action {
        EditAction::Insert { marker, text } => {
            edit::insert_at_marker(&contents, marker, text, later)
        }
        EditAction::Replace { find, replace } => edit::replace_exact(&contents, find, replace),
    };
    let is_rust =
        draft.holds_users_code() && path.extension().is_some_and(|extension| extension == "rs");
    match result {
        Ok(Some(edited)) => match is_rust.then(|| rust_syntax::breakage(&contents, &edited)) {
            Some(Some(reason)) => draft.conflict(Conflict {
                path: path.to_path_buf(),
                reason,
                by_hand: Some(by_hand(&edit.action)),
            }),
            _ => draft.write(path, edited)?,
        },
        Ok(None) => {}
        Err(failure) => {
            let reason = match (&failure, &edit.action) {
                (EditFailure::MarkerMissing, EditAction::Insert { marker, .. }) => {
                    format!("the marker comment `{marker}` is missing")
                }
                _ => "the generated code this edit replaces was changed".to_owned(),
            };
            draft.conflict(Conflict {
                path: path.to_path_buf(),
                reason,
                by_hand: Some(by_hand(&edit.action)),
            });
        }
    }
    Ok(())
}

/// The instructions for making an edit by hand.
fn by_hand(action: &EditAction) -> String {
    match action {
        EditAction::Insert { marker, text } => {
            format!("add these lines where `{marker}` was:\n{}", text.trim_end())
        }
        EditAction::Replace { find, replace } => {
            format!("replace\n{}\nwith\n{}", find.trim_end(), replace.trim_end())
        }
    }
}
