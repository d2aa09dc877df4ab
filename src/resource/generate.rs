//! Generating a resource into a `Draft`: its migration, its module folder, the shared
//! helpers (created by the first resource), the lines wiring it in at the `plinth:`
//! markers, its dependencies and its record in the project's metadata. Nothing is
//! written here; a file that exists with other contents becomes a conflict.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::context::{Facts, ResourceContext, Target, label_column};
use super::field::{Field, TYPES_HELP};
use super::name::ResourceName;
use crate::change::cargo_toml::MANIFEST;
use crate::change::draft::Draft;
use crate::error::Conflict;
use crate::error::Error;
use crate::features::install;
use crate::features::install::read_manifest;
use crate::features::recipe::{Edit, Recipe};
use crate::project::{self, ResourceRecord};
use crate::render::places::Places;
use crate::render::rustfmt;
use crate::render::template;
use crate::request::spec::Database;

/// Where a project keeps its migrations, relative to its root.
pub const MIGRATIONS: &str = "migrations";

/// The recipe of one resource: its files, shared folders, edits and dependencies.
const RECIPE: &str = "resource/recipe.toml.hbs";

/// A resource's place in the admin, with it or when the admin arrives later.
const ADMIN_RECIPE: &str = "resource/admin.toml.hbs";

/// A resource as asked for on the command line.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Its name in every form.
    pub name: ResourceName,
    /// Its fields, in the order given.
    pub fields: Vec<Field>,
    /// Whether to add the JSON API.
    pub api: bool,
    /// Whether each row belongs to the user who added it (`--owned`).
    pub owned: bool,
    /// The name and fields as typed, recorded to make the resource again.
    pub typed: (String, Vec<String>),
    /// Its migration, when it is made again (`None`: the next number).
    pub migration: Option<String>,
    /// The arguments as given, for the generated comments.
    pub command: String,
}

/// The column of an owned resource's table that holds the owner's id.
const OWNER_COLUMN: &str = "owner_id";

impl Resource {
    /// The resource `plinth add resource NAME FIELD… [--api] [--owned]` asks for, or why it
    /// cannot be made.
    pub fn from_typed(
        name_typed: &str,
        fields_typed: &[String],
        api: bool,
        owned: bool,
    ) -> Result<Self, Error> {
        let name = ResourceName::parse(name_typed).map_err(|problem| Error::BadResource {
            problem,
            help: "name what one row is, e.g. `Post` or `BlogPost`".to_owned(),
        })?;
        let mut fields: Vec<Field> = Vec::new();
        for spec in fields_typed {
            let field = Field::parse(spec).map_err(|problem| Error::BadResource {
                problem,
                help: format!("the field types are: {TYPES_HELP}"),
            })?;
            if let Some(other) = fields
                .iter()
                .find(|other| other.column() == field.column() || other.name == field.name)
            {
                return Err(Error::BadResource {
                    problem: format!(
                        "`{}` and `{}` would both be the column `{}`",
                        other.name,
                        field.name,
                        field.column()
                    ),
                    help: "give each field a name of its own".to_owned(),
                });
            }
            if owned && field.column() == OWNER_COLUMN {
                return Err(Error::BadResource {
                    problem: format!(
                        "`{}` would be the column `{OWNER_COLUMN}`, which --owned keeps the row's owner in",
                        field.name
                    ),
                    help: "name the field otherwise, or leave out --owned".to_owned(),
                });
            }
            fields.push(field);
        }
        let mut command = vec![name_typed.to_owned()];
        command.extend(fields_typed.iter().cloned());
        for (flag, given) in [("--api", api), ("--owned", owned)] {
            if given {
                command.push(flag.to_owned());
            }
        }
        Ok(Self {
            name,
            fields,
            api,
            owned,
            typed: (name_typed.to_owned(), fields_typed.to_vec()),
            migration: None,
            command: command.join(" "),
        })
    }
}

/// What the generator needs to know about the project.
#[derive(Debug, Clone, Copy)]
pub struct Project<'a> {
    /// Its folder.
    pub root: &'a Path,
    /// Where its style keeps the places a resource is wired in at.
    pub places: &'a Places,
    /// Its database: the SQL of the migration.
    pub db: Database,
    /// Whether the admin is installed (the resource is then registered there).
    pub admin: bool,
    /// The template context of the project.
    pub context: &'a Value,
}

/// What generating changed besides the draft.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Rust files left unformatted because rustfmt could not run.
    pub unformatted: Vec<PathBuf>,
}

/// Puts every change the resource needs into `draft`.
pub fn generate(
    draft: &mut Draft,
    project: Project<'_>,
    resource: &Resource,
) -> Result<Outcome, Error> {
    let remake = exists(draft, &resource.name)?;
    let manifest = read_manifest(draft)?;
    let recorded = project::read_resources(&manifest);
    let table = resource.name.plural.as_str();
    let targets = reference_targets(resource, &recorded)?;
    let migration = match &resource.migration {
        Some(migration) => migration.clone(),
        None => migration_name(draft, table)?,
    };
    let context = resource_context(project, resource, &targets, &migration)?;

    let mut outcome = Outcome::default();
    let rendering = Rendering {
        context: &context,
        table,
        remake,
    };
    apply(draft, project, RECIPE, &rendering, &mut outcome)?;
    if project.admin {
        apply(draft, project, ADMIN_RECIPE, &rendering, &mut outcome)?;
    }
    let mut manifest = read_manifest(draft)?;
    let (name, fields) = resource.typed.clone();
    let record = ResourceRecord {
        table: table.to_owned(),
        name,
        fields,
        api: resource.api,
        owned: resource.owned,
        label: label_column(&resource.fields).unwrap_or_default(),
        migration,
    };
    project::record_resource(&mut manifest, &record);
    draft.write(Path::new(MANIFEST), manifest.to_string())?;
    Ok(outcome)
}

/// Gives each resource of the project its place in the admin, which is being installed:
/// what `generate` would have made for it had the admin been there first.
pub fn register_in_admin(
    draft: &mut Draft,
    project: Project<'_>,
    records: &[ResourceRecord],
) -> Result<Outcome, Error> {
    let mut outcome = Outcome::default();
    for record in records {
        let context = record_context(draft, project, record)?;
        let rendering = Rendering {
            context: &context,
            table: &record.table,
            remake: false,
        };
        apply(draft, project, ADMIN_RECIPE, &rendering, &mut outcome)?;
    }
    Ok(outcome)
}

/// The edits the resources made at the places' markers (their routes, their links in the
/// navigation), whose lines features installed later go above.
pub fn resource_edits(
    draft: &mut Draft,
    project: Project<'_>,
    records: &[ResourceRecord],
) -> Result<Vec<Edit>, Error> {
    let mut edits = Vec::new();
    for record in records {
        let context = record_context(draft, project, record)?;
        let recipe = Recipe::load_path(RECIPE, &context, project.places)?;
        edits.extend(recipe.edits);
    }
    Ok(edits)
}

/// The template context of a recorded resource.
fn record_context(
    draft: &mut Draft,
    project: Project<'_>,
    record: &ResourceRecord,
) -> Result<Value, Error> {
    let mut resource =
        Resource::from_typed(&record.name, &record.fields, record.api, record.owned)?;
    resource.migration = Some(record.migration.clone());
    let recorded = project::read_resources(&read_manifest(draft)?);
    let targets = reference_targets(&resource, &recorded)?;
    resource_context(project, &resource, &targets, &record.migration)
}

/// One resource's recipes being rendered.
struct Rendering<'a> {
    /// The template context of the resource.
    context: &'a Value,
    /// Its table.
    table: &'a str,
    /// Whether the resource is there already: its files are then written again as they
    /// would be, and the caller compares the result with the project (the same command
    /// twice changes nothing; anything else is refused).
    remake: bool,
}

/// Makes what one of the resource recipes says: its files (Rust formatted with rustfmt),
/// the shared folders missing, its edits and its dependencies.
fn apply(
    draft: &mut Draft,
    project: Project<'_>,
    path: &str,
    rendering: &Rendering<'_>,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let context = rendering.context;
    let recipe = Recipe::load_path(path, context, project.places)?;
    for file in &recipe.files {
        let name = format!("resource/{}", file.template);
        let source = template::file(&name)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .ok_or_else(|| Error::Template {
                file: name.clone(),
                reason: "missing from plinth's templates".to_owned(),
            })?;
        let mut rendered = template::render_str(&name, source, context)?;
        let path = PathBuf::from(&file.to);
        if path.extension().is_some_and(|extension| extension == "rs") {
            match rustfmt::format(&rendered, project.root) {
                Some(formatted) => rendered = formatted,
                None => outcome.unformatted.push(path.clone()),
            }
        }
        if rendering.remake {
            draft.write(&path, rendered)?;
        } else {
            create(draft, &path, rendered.as_bytes(), rendering.table)?;
        }
    }
    for folder in &recipe.shared_folders {
        create_shared(draft, &format!("resource/{folder}"), context)?;
    }
    for edit in &recipe.edits {
        install::apply_edit(draft, edit, &[])?;
    }
    install::merge_manifest(draft, &recipe)
}

/// Whether the project has the resource already (recorded, or its folder is there).
pub fn exists(draft: &mut Draft, name: &ResourceName) -> Result<bool, Error> {
    let manifest = read_manifest(draft)?;
    let module = PathBuf::from("src").join(&name.plural).join("mod.rs");
    Ok(
        project::read_resources(&manifest).contains_key(&name.plural)
            || draft.read(&module)?.is_some(),
    )
}

/// Where each reference points: `users`, a resource made earlier, or the resource itself.
fn reference_targets(
    resource: &Resource,
    recorded: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Target>, Error> {
    let mut targets = BTreeMap::new();
    for field in &resource.fields {
        let Some(table) = field.referenced_table() else {
            continue;
        };
        let target = if table == "users" {
            Target {
                module: None,
                label: Some("email".to_owned()),
            }
        } else if table == resource.name.plural {
            if !field.optional {
                return Err(bad_field(
                    &format!(
                        "`{}` refers to {table} itself, so it must be optional: the first row has nothing to refer to",
                        field.name
                    ),
                    &format!("write `{}:ref({table})?`", field.name),
                ));
            }
            Target {
                module: Some(table.to_owned()),
                label: label_column(&resource.fields),
            }
        } else if let Some(label) = recorded.get(table) {
            Target {
                module: Some(table.to_owned()),
                label: Some(label.clone()).filter(|label| !label.is_empty()),
            }
        } else {
            let mut known: Vec<&str> = recorded.keys().map(String::as_str).collect();
            known.insert(0, "users");
            return Err(bad_field(
                &format!(
                    "`{}` refers to `{table}`, which is not a table of this project",
                    field.name
                ),
                &format!(
                    "refer to one of: {} (add a resource first to refer to it)",
                    known.join(", ")
                ),
            ));
        };
        targets.insert(field.column(), target);
    }
    Ok(targets)
}

fn bad_field(problem: &str, help: &str) -> Error {
    Error::BadResource {
        problem: problem.to_owned(),
        help: help.to_owned(),
    }
}

/// `0004_create_posts`: numbered after the project's last migration, or the name the
/// resource's migration already has.
fn migration_name(draft: &Draft, table: &str) -> Result<String, Error> {
    let names = draft.file_names(Path::new(MIGRATIONS))?;
    // The table's latest migration, when it creates the table (made again: same name).
    let latest = names
        .iter()
        .filter(|name| {
            name.ends_with(&format!("_create_{table}.sql"))
                || name.ends_with(&format!("_drop_{table}.sql"))
        })
        .max_by_key(|name| number(name));
    if let Some(existing) = latest.filter(|name| name.contains("_create_")) {
        return Ok(existing.trim_end_matches(".sql").to_owned());
    }
    Ok(next_migration(&names, &format!("create_{table}")))
}

/// Where the numbers of the features' migrations that may arrive after resources start
/// (`1001_create_user_tokens`): resources count below it, so a feature's migration does
/// not move theirs, and the project's bytes do not depend on which came first. (sqlx
/// applies every migration it has not applied yet, whatever its number.)
pub const FEATURE_MIGRATIONS_FROM: u32 = 1000;

/// The name of a migration numbered after every resource's in `names`: `0005_drop_posts`.
#[must_use]
pub fn next_migration(names: &[String], what: &str) -> String {
    let last = names
        .iter()
        .filter_map(|name| number(name))
        .filter(|number| *number < FEATURE_MIGRATIONS_FROM)
        .max()
        .unwrap_or(0);
    format!("{:04}_{what}", last + 1)
}

/// A migration's number: 4 for `0004_create_posts.sql`.
fn number(name: &str) -> Option<u32> {
    name.split('_').next()?.parse().ok()
}

/// The template context: the project's, plus `resource` and `fields`.
fn resource_context(
    project: Project<'_>,
    resource: &Resource,
    targets: &BTreeMap<String, Target>,
    migration: &str,
) -> Result<Value, Error> {
    let migration_path = format!("{MIGRATIONS}/{migration}.sql");
    let facts = Facts {
        command: &resource.command,
        migration_path: &migration_path,
        api: resource.api,
        owned: resource.owned,
    };
    let (resource_context, fields) =
        ResourceContext::new(&resource.name, &resource.fields, targets, facts);
    let serialised = |value: serde_json::Result<Value>| {
        value.map_err(|error| Error::Template {
            file: RECIPE.to_owned(),
            reason: format!("the resource's context: {error}"),
        })
    };
    let mut context = project.context.clone();
    if let Value::Object(map) = &mut context {
        map.insert(
            "resource".to_owned(),
            serialised(serde_json::to_value(&resource_context))?,
        );
        map.insert(
            "fields".to_owned(),
            serialised(serde_json::to_value(&fields))?,
        );
    }
    Ok(context)
}

/// Creates a file of the resource's own: one that exists with other contents is a conflict.
fn create(draft: &mut Draft, path: &Path, contents: &[u8], table: &str) -> Result<(), Error> {
    match draft.read(path)? {
        None => draft.write(path, contents),
        Some(existing) if existing == contents => Ok(()),
        Some(_) => {
            draft.conflict(Conflict {
                path: path.to_path_buf(),
                reason: format!(
                    "the `{table}` resource would create this file, but one with other contents is already there"
                ),
                by_hand: None,
            });
            Ok(())
        }
    }
}

/// Creates the files every resource shares, where missing; present ones are the
/// project's own by now and stay as they are.
fn create_shared(draft: &mut Draft, folder: &str, context: &Value) -> Result<(), Error> {
    let Some(dir) = template::tree(folder) else {
        return Ok(());
    };
    let tree = template::render_tree(dir, context)?;
    for (path, contents) in tree.iter() {
        if draft.read(path)?.is_none() {
            draft.write(path, contents)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::next_migration;

    #[test]
    fn resources_are_numbered_after_resources_not_after_features_that_came_later() {
        let names: Vec<String> = ["0003_create_users.sql", "0004_create_posts.sql"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(next_migration(&names, "create_tags"), "0005_create_tags");
        let mut with_mail = names.clone();
        with_mail.push("1001_create_user_tokens.sql".to_owned());
        assert_eq!(
            next_migration(&with_mail, "create_tags"),
            "0005_create_tags"
        );
    }
}
