//! What the resource templates are told: facts about the resource and each of its fields,
//! typed and serialised. Nothing here is Rust or SQL: the templates under
//! `templates/resource/` write the code, with the per-kind pieces (a field's Rust type,
//! its column, how its form value is read...) in `templates/partials/field/`. English
//! words a page shows (labels, messages) are facts too, made here because they need the
//! inflection rules.

use std::collections::BTreeMap;

use heck::ToTitleCase;
use serde::Serialize;

use super::field::{Field, Kind};
use super::inflect::singularize;
use super::name::{ResourceName, capitalize};

/// What a reference needs to know about the table it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The module whose tests can insert a row (`None` for `users`).
    pub module: Option<String>,
    /// The column naming a row in a select (`None`: the id).
    pub label: Option<String>,
}

/// The resource as its templates see it (`resource` in the context).
#[derive(Debug, Serialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "the flags templates branch on, serialised as they are"
)]
pub struct ResourceContext {
    /// The arguments of `plinth add resource`, as given.
    command: String,
    /// `BlogPost`.
    type_name: String,
    /// `BlogPostForm`.
    form_type: String,
    /// `blog_posts`: the module, and the table.
    module: String,
    table: String,
    /// `/blog-posts`.
    url: String,
    /// "Blog posts", "blog posts", "blog post", "Blog post".
    plural_title: String,
    plural_words: String,
    singular_words: String,
    singular_title: String,
    /// `migrations/0004_create_blog_posts.sql`.
    migration_path: String,
    /// Whether the JSON API is made, and whether each row has an owner (`--owned`).
    api: bool,
    owned: bool,
    /// Whether a field is a date or a time, or a UUID.
    uses_dates: bool,
    uses_uuid: bool,
    /// The sqlx features the fields' types need.
    sqlx_features: Vec<&'static str>,
    /// The column naming a row: the first required `string` field.
    label_column: Option<String>,
    /// The columns the list's search looks in, and their words ("title or body").
    search_columns: Vec<String>,
    searchable: bool,
    search_words: String,
    /// The columns the form refuses empty.
    required_columns: Vec<String>,
    /// The references: the column, the table and its label column.
    references: Vec<ReferenceQuery>,
    /// Whether a valid sample row needs another row first (a required reference).
    sample_uses_db: bool,
    /// Whether a sample value varies with the test's number (not all yes/no or references).
    sample_uses_n: bool,
    /// Whether a sample row holds a value of a unique field, which a copy of it repeats (an
    /// optional reference's sample is empty: NULL, which UNIQUE lets any number of rows hold).
    sample_repeats_a_unique_value: bool,
    /// The fields the list shows: the row's name first, then up to three short fields.
    list_columns: Vec<FieldContext>,
    /// The placeholders of the queries after the fields' `$1`...: the time, then the id.
    time_placeholder: usize,
    id_placeholder: usize,
    /// The message for a row the database refuses as a duplicate, and for a reference to
    /// a row that does not exist.
    unique_refusal: Option<Refusal>,
    reference_refusal: Option<Refusal>,
}

/// One field as the templates see it (each of `fields` in the context).
#[derive(Debug, Clone, Serialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "the flags templates branch on, serialised as they are"
)]
pub struct FieldContext {
    /// `author`, and its column `author_id`.
    name: String,
    column: String,
    /// "Published on", "Published On", "published on".
    label: String,
    title: String,
    words: String,
    /// The type's word on the command line: `string`, `money`, `ref`...
    kind: &'static str,
    optional: bool,
    unique: bool,
    /// Whether the form refuses it empty (a bool never is: unticked is false).
    required: bool,
    /// Whether it is read from text that may not parse (numbers, dates, references...).
    parsed: bool,
    /// Its placeholder in the queries: `$position`.
    position: usize,
    /// What a reference points at.
    reference: Option<Reference>,
}

/// The row a reference field points at.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// `users`.
    table: String,
    /// "a user": what the form asks to choose.
    a_row: String,
    /// The module whose tests insert a sample row (`None`: `users`).
    module: Option<String>,
}

/// What the select of a reference offers.
#[derive(Debug, Serialize)]
pub struct ReferenceQuery {
    column: String,
    table: String,
    /// The column naming a row of `table` (`None`: its id).
    label: Option<String>,
}

/// A message the form shows when the database refuses a row.
#[derive(Debug, Serialize)]
pub struct Refusal {
    /// The field it is shown under (`form` for the whole form).
    field: String,
    message: String,
}

impl FieldContext {
    fn new(field: &Field, position: usize, target: Option<&Target>) -> Self {
        let words = field.name.replace('_', " ");
        Self {
            name: field.name.clone(),
            column: field.column(),
            label: capitalize(&words),
            title: field.name.to_title_case(),
            words,
            kind: field.kind.word(),
            optional: field.optional,
            unique: field.unique,
            required: !field.optional && field.kind != Kind::Bool,
            parsed: !matches!(field.kind, Kind::String | Kind::Text | Kind::Bool),
            position,
            reference: field.referenced_table().map(|table| Reference {
                table: table.to_owned(),
                a_row: with_article(&singular_words(table)),
                module: target.and_then(|target| target.module.clone()),
            }),
        }
    }
}

impl ResourceContext {
    /// The context of `name`'s resource with `fields`; `targets` says where each reference
    /// points, by column.
    #[must_use]
    pub fn new(
        name: &ResourceName,
        fields: &[Field],
        targets: &BTreeMap<String, Target>,
        facts: Facts<'_>,
    ) -> (Self, Vec<FieldContext>) {
        let field_contexts: Vec<FieldContext> = fields
            .iter()
            .enumerate()
            .map(|(index, field)| FieldContext::new(field, index + 1, targets.get(&field.column())))
            .collect();
        let label_column = label_column(fields);
        let searchable: Vec<&Field> = fields.iter().filter(|field| field.searchable()).collect();
        let required_columns: Vec<String> = fields
            .iter()
            .filter(|field| !field.optional && field.kind != Kind::Bool)
            .map(Field::column)
            .collect();
        let references = fields
            .iter()
            .filter_map(|field| {
                Some(ReferenceQuery {
                    column: field.column(),
                    table: field.referenced_table()?.to_owned(),
                    label: targets
                        .get(&field.column())
                        .and_then(|target| target.label.clone()),
                })
            })
            .collect();
        let context = Self {
            command: facts.command.to_owned(),
            type_name: name.type_name.clone(),
            form_type: format!("{}Form", name.type_name),
            module: name.plural.clone(),
            table: name.plural.clone(),
            url: format!("/{}", name.url_segment()),
            plural_title: name.plural_title(),
            plural_words: name.plural.replace('_', " "),
            singular_words: name.singular_words(),
            singular_title: capitalize(&name.singular_words()),
            migration_path: facts.migration_path.to_owned(),
            api: facts.api,
            owned: facts.owned,
            uses_dates: fields
                .iter()
                .any(|field| matches!(field.kind, Kind::Date | Kind::DateTime)),
            uses_uuid: fields.iter().any(|field| field.kind == Kind::Uuid),
            sqlx_features: sqlx_features(fields),
            search_columns: searchable.iter().map(|field| field.column()).collect(),
            searchable: !searchable.is_empty(),
            search_words: or_list(
                &searchable
                    .iter()
                    .map(|field| field.name.replace('_', " "))
                    .collect::<Vec<_>>(),
            ),
            required_columns,
            references,
            sample_repeats_a_unique_value: fields.iter().any(|field| {
                field.unique && !(field.optional && field.referenced_table().is_some())
            }),
            sample_uses_n: fields
                .iter()
                .any(|field| !matches!(field.kind, Kind::Bool | Kind::Ref(_))),
            sample_uses_db: fields
                .iter()
                .any(|field| field.referenced_table().is_some() && !field.optional),
            list_columns: list_columns(fields, label_column.as_deref())
                .into_iter()
                .filter_map(|column| {
                    field_contexts
                        .iter()
                        .find(|field| field.column == column)
                        .cloned()
                })
                .collect(),
            label_column,
            time_placeholder: fields.len() + 1,
            id_placeholder: fields.len() + 2,
            unique_refusal: unique_refusal(name, fields),
            reference_refusal: reference_refusal(fields),
        };
        (context, field_contexts)
    }
}

/// What the context needs beyond the names and fields.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The arguments of `plinth add resource`, as given.
    pub command: &'a str,
    /// Where its migration goes.
    pub migration_path: &'a str,
    /// Whether to make the JSON API.
    pub api: bool,
    /// Whether each row belongs to the user who added it.
    pub owned: bool,
}

/// The column naming a row on pages and in selects: the first required `string` field.
#[must_use]
pub fn label_column(fields: &[Field]) -> Option<String> {
    fields
        .iter()
        .find(|field| field.kind == Kind::String && !field.optional)
        .map(Field::column)
}

/// The list's columns: the row's name first, then up to three more short fields.
fn list_columns(fields: &[Field], label: Option<&str>) -> Vec<String> {
    let mut columns: Vec<String> = label.map(str::to_owned).into_iter().collect();
    for field in fields {
        let column = field.column();
        if columns.len() < 4 && field.kind != Kind::Text && !columns.contains(&column) {
            columns.push(column);
        }
    }
    if columns.is_empty() {
        columns.extend(fields.first().map(Field::column));
    }
    columns
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

/// The message for a duplicate of a unique field (or of several, on the whole form).
fn unique_refusal(name: &ResourceName, fields: &[Field]) -> Option<Refusal> {
    let unique: Vec<&Field> = fields.iter().filter(|field| field.unique).collect();
    match unique.as_slice() {
        [] => None,
        [one] => Some(Refusal {
            field: one.column(),
            message: format!(
                "Another {} has this {}.",
                name.singular_words(),
                one.name.replace('_', " ")
            ),
        }),
        many => Some(Refusal {
            field: "form".to_owned(),
            message: format!(
                "Another {} has the same {}.",
                name.singular_words(),
                or_list(&words_of(many))
            ),
        }),
    }
}

/// The message for a reference to a row that does not exist.
fn reference_refusal(fields: &[Field]) -> Option<Refusal> {
    let references: Vec<&Field> = fields
        .iter()
        .filter(|field| field.referenced_table().is_some())
        .collect();
    match references.as_slice() {
        [] => None,
        [one] => Some(Refusal {
            field: one.column(),
            message: format!(
                "Choose an existing {}.",
                singular_words(one.referenced_table().unwrap_or_default())
            ),
        }),
        many => Some(Refusal {
            field: "form".to_owned(),
            message: format!("Choose existing rows for {}.", and_list(&words_of(many))),
        }),
    }
}

fn words_of(fields: &[&Field]) -> Vec<String> {
    fields
        .iter()
        .map(|field| field.name.replace('_', " "))
        .collect()
}

/// "user" for `users`, "blog post" for `blog_posts`.
fn singular_words(table: &str) -> String {
    singularize(table).replace('_', " ")
}

/// `a post`, `an event`: the article by the first letter, which is right for the words
/// tables are named after far more often than not.
fn with_article(words: &str) -> String {
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
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
