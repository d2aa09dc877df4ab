//! Generating a resource into a `Draft`: its migration, its module folder, the shared
//! helpers (created by the first resource), the lines wiring it in at the `plinth:`
//! markers, its dependencies and its record in the project's metadata. Nothing is
//! written here; a file that exists with other contents becomes a conflict.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::code::Target;
use super::field::{Field, Kind};
use super::name::{ResourceName, capitalize};
use crate::change::draft::Draft;
use crate::change::plan::Conflict;
use crate::error::Error;
use crate::features::install;
use crate::features::install::{MANIFEST, read_manifest};
use crate::features::recipe::Recipe;
use crate::project;
use crate::render::places::Places;
use crate::render::rustfmt;
use crate::render::template;
use crate::request::spec::Database;

const MIGRATIONS: &str = "migrations";

/// The recipe of one resource: its files, shared folders, edits and dependencies.
const RECIPE: &str = "resource/recipe.toml.hbs";

/// A resource as asked for on the command line.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Its name in every form.
    pub name: ResourceName,
    /// Its fields, in the order given.
    pub fields: Vec<Field>,
    /// Whether to add the JSON API.
    pub api: bool,
    /// The arguments as given, for the generated comments.
    pub command: String,
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
    let manifest = read_manifest(draft)?;
    let recorded = project::read_resources(&manifest);
    let table = resource.name.plural.as_str();
    let targets = reference_targets(resource, &recorded)?;
    let migration = migration_name(draft, table)?;
    let context = resource_context(project, resource, &targets, &migration);

    let recipe = Recipe::load_path(RECIPE, &context, project.places)?;
    let mut outcome = Outcome::default();
    for file in &recipe.files {
        let name = format!("resource/{}", file.template);
        let source = template::file(&name)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .ok_or_else(|| Error::Template {
                file: name.clone(),
                reason: "missing from plinth's templates".to_owned(),
            })?;
        let mut rendered = template::render_str(&name, source, &context)?;
        let path = PathBuf::from(&file.to);
        if path.extension().is_some_and(|extension| extension == "rs") {
            match rustfmt::format(&rendered, project.root) {
                Some(formatted) => rendered = formatted,
                None => outcome.unformatted.push(path.clone()),
            }
        }
        create(draft, &path, rendered.as_bytes(), table)?;
    }
    for folder in &recipe.shared_folders {
        create_shared(draft, &format!("resource/{folder}"), &context)?;
    }
    for edit in &recipe.edits {
        install::apply_edit(draft, edit, &[])?;
    }
    install::merge_manifest(draft, &recipe)?;
    let mut manifest = read_manifest(draft)?;
    project::record_resource(
        &mut manifest,
        table,
        &label_column(resource).unwrap_or_default(),
    );
    draft.write(Path::new(MANIFEST), manifest.to_string())?;
    Ok(outcome)
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
                label: label_column(resource),
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

/// The column naming a row on pages and in selects: the first required `string` field.
fn label_column(resource: &Resource) -> Option<String> {
    resource
        .fields
        .iter()
        .find(|field| field.kind == Kind::String && !field.optional)
        .map(Field::column)
}

/// `0004_create_posts`: numbered after the project's last migration, or the name the
/// resource's migration already has.
fn migration_name(draft: &Draft, table: &str) -> Result<String, Error> {
    let names = draft.file_names(Path::new(MIGRATIONS))?;
    let suffix = format!("_create_{table}.sql");
    if let Some(existing) = names.iter().find(|name| name.ends_with(&suffix)) {
        return Ok(existing.trim_end_matches(".sql").to_owned());
    }
    let last = names
        .iter()
        .filter_map(|name| name.split('_').next()?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{:04}_create_{table}", last + 1))
}

/// The template context: the project's, plus `resource` and `fields`.
fn resource_context(
    project: Project<'_>,
    resource: &Resource,
    targets: &BTreeMap<String, Target>,
    migration: &str,
) -> Value {
    let name = &resource.name;
    let fields = &resource.fields;
    let columns: Vec<String> = fields.iter().map(Field::column).collect();
    let label = label_column(resource);
    let searchable: Vec<&Field> = fields.iter().filter(|field| field.searchable()).collect();
    let like = if project.db == Database::Postgres {
        "ILIKE"
    } else {
        "LIKE"
    };
    let search_sql = searchable
        .iter()
        .map(|field| format!("{} {like} $1 ESCAPE '!'", field.column()))
        .collect::<Vec<_>>()
        .join(" OR ");
    let required: Vec<String> = fields
        .iter()
        .filter(|field| field.required())
        .map(Field::column)
        .collect();
    let required_match = match required.as_slice() {
        [] => Value::Null,
        [one] => json!({ "scrutinee": one, "pattern": format!("Some({one})") }),
        many => json!({
            "scrutinee": format!("({})", many.join(", ")),
            "pattern": format!(
                "({})",
                many.iter().map(|column| format!("Some({column})")).collect::<Vec<_>>().join(", ")
            ),
        }),
    };
    let references: Vec<&Field> = fields
        .iter()
        .filter(|field| field.referenced_table().is_some())
        .collect();
    let reference_queries: Vec<Value> = references
        .iter()
        .map(|field| {
            let table = field.referenced_table().unwrap_or_default();
            let query = match targets
                .get(&field.column())
                .and_then(|target| target.label.as_deref())
            {
                Some(label) => format!("SELECT id, {label} FROM {table} ORDER BY {label}"),
                None => format!("SELECT id, CAST(id AS TEXT) FROM {table} ORDER BY id"),
            };
            json!({ "column": field.column(), "query": query })
        })
        .collect();
    let field_values: Vec<Value> = fields
        .iter()
        .map(|field| field_context(field, project.db, targets.get(&field.column())))
        .collect();

    let mut context = project.context.clone();
    if let Value::Object(map) = &mut context {
        map.insert(
            "resource".to_owned(),
            json!({
                "command": resource.command,
                "type_name": name.type_name,
                "form_type": format!("{}Form", name.type_name),
                "module": name.plural,
                "table": name.plural,
                "url": format!("/{}", name.url_segment()),
                "plural_title": name.plural_title(),
                "plural_words": name.plural.replace('_', " "),
                "singular_words": name.singular_words(),
                "singular_title": capitalize(&name.singular_words()),
                "migration_path": format!("{MIGRATIONS}/{migration}.sql"),
                "api": resource.api,
                "admin": project.admin,
                "uses_dates": fields.iter().any(|field| matches!(field.kind, Kind::Date | Kind::DateTime)),
                "uses_uuid": fields.iter().any(|field| field.kind == Kind::Uuid),
                "sqlx_features": sqlx_features(fields),
                "label_column": label,
                "searchable": !searchable.is_empty(),
                "search_sql": search_sql,
                "search_words": or_list(&searchable.iter().map(|field| field.name.replace('_', " ")).collect::<Vec<_>>()),
                "search_column": searchable.first().map(|field| field.column()),
                "required": required_match,
                "required_columns": required,
                "first_required": required.first(),
                "bad_values": fields.iter().filter_map(Field::bad_value).collect::<Vec<_>>(),
                "references": reference_queries,
                "sample_uses_db": fields.iter().any(|field| field.referenced_table().is_some() && !field.optional),
                "list_columns": list_columns(fields, label.as_deref()),
            }),
        );
        if let Some(Value::Object(resource_map)) = map.get_mut("resource") {
            for extra in [query_context(&columns), refusals_context(name, fields)] {
                if let Value::Object(extra) = extra {
                    resource_map.extend(extra);
                }
            }
        }
        map.insert("fields".to_owned(), Value::Array(field_values));
    }
    context
}

/// The sqlx features the fields' types need.
fn sqlx_features(fields: &[Field]) -> Vec<&'static str> {
    let has = |kinds: &[Kind]| fields.iter().any(|field| kinds.contains(&field.kind));
    let mut features = Vec::new();
    if has(&[Kind::Date, Kind::DateTime]) {
        features.push("time");
    }
    if has(&[Kind::Uuid]) {
        features.push("uuid");
    }
    features
}

/// The messages for the rows the database refuses: a duplicate of a unique field, or a
/// reference to a row that does not exist.
fn refusals_context(name: &ResourceName, fields: &[Field]) -> Value {
    let unique: Vec<&Field> = fields.iter().filter(|field| field.unique).collect();
    let unique_check = match unique.as_slice() {
        [] => Value::Null,
        [one] => json!({
            "field": one.column(),
            "message": format!("Another {} has this {}.", name.singular_words(), one.name.replace('_', " ")),
        }),
        many => json!({
            "field": "form",
            "message": format!(
                "Another {} has the same {}.",
                name.singular_words(),
                or_list(&many.iter().map(|field| field.name.replace('_', " ")).collect::<Vec<_>>())
            ),
        }),
    };
    let references: Vec<&Field> = fields
        .iter()
        .filter(|field| field.referenced_table().is_some())
        .collect();
    let reference_refusal = match references.as_slice() {
        [] => "None".to_owned(),
        [one] => format!(
            "Some((\"{}\", \"Choose an existing {}.\"))",
            one.column(),
            super::inflect::singularize(one.referenced_table().unwrap_or_default())
                .replace('_', " ")
        ),
        many => format!(
            "Some((\"form\", \"Choose existing rows for {}.\"))",
            and_list(
                &many
                    .iter()
                    .map(|field| field.name.replace('_', " "))
                    .collect::<Vec<_>>()
            )
        ),
    };
    let unique_refusal = match &unique_check {
        Value::Null => "None".to_owned(),
        check => format!(
            "Some((\"{}\", \"{}\"))",
            check["field"].as_str().unwrap_or_default(),
            check["message"].as_str().unwrap_or_default()
        ),
    };
    json!({
        "unique_check": unique_check,
        "unique_refusal": unique_refusal,
        "reference_refusal": reference_refusal,
    })
}

/// The list's columns: the row's name first, then up to three more short fields.
fn list_columns(fields: &[Field], label: Option<&str>) -> Vec<Value> {
    let mut list_fields: Vec<&Field> = Vec::new();
    if let Some(label) = label {
        list_fields.extend(fields.iter().filter(|field| field.column() == label));
    }
    for field in fields {
        if list_fields.len() < 4 && field.kind != Kind::Text && !list_fields.contains(&field) {
            list_fields.push(field);
        }
    }
    if list_fields.is_empty() {
        list_fields.extend(fields.first());
    }
    list_fields
        .iter()
        .map(|field| json!({ "label": field.label(), "expr": field.display_expr() }))
        .collect()
}

/// What the templates need of one field.
fn field_context(field: &Field, db: Database, target: Option<&Target>) -> Value {
    let (admin_input, admin_help) = field.admin_input();
    json!({
        "column": field.column(),
        "label": field.label(),
        "rust_type": field.rust_type(),
        "sql": field.sql(db),
        "input": field.input(),
        "required": field.required(),
        "admin_input": admin_input,
        "admin_help": admin_help,
        "read": field.read(),
        "value_expr": field.value_expr(),
        "display_expr": field.display_expr(),
        "json_expr": field.json_expr(),
        "bind_expr": field.bind_expr(),
        "sample": field.sample(target),
    })
}

/// The column lists and placeholders of the queries (`$1`... in field order, then the
/// time, then the id).
fn query_context(columns: &[String]) -> Value {
    let count = columns.len();
    let placeholders: Vec<String> = (1..=count).map(|n| format!("${n}")).collect();
    let assignments: Vec<String> = columns
        .iter()
        .zip(&placeholders)
        .map(|(column, placeholder)| format!("{column} = {placeholder}"))
        .collect();
    json!({
        "columns_sql": format!("id, {}, created_at, updated_at", columns.join(", ")),
        "insert_columns": format!("{}, created_at, updated_at", columns.join(", ")),
        "insert_values": format!("{}, ${now}, ${now}", placeholders.join(", "), now = count + 1),
        "update_set": format!("{}, updated_at = ${}", assignments.join(", "), count + 1),
        "update_id": format!("${}", count + 2),
    })
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(words: &[String]) -> String {
    joined(words, "or")
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(words: &[String]) -> String {
    joined(words, "and")
}

fn joined(words: &[String], conjunction: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
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
