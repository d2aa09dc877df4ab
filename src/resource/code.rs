//! How each field is written in the generated project: its SQL column, its Rust type, how
//! its form value is read and written back, how it shows on a page and in JSON, and a
//! valid sample for the tests. Everything a template needs per field is computed here,
//! so the templates stay free of per-type branches.

use heck::ToTitleCase;
use serde_json::{Value, json};

use super::field::{Field, Kind};
use super::inflect::singularize;
use super::name::capitalize;
use crate::request::spec::Database;

/// Longest text a `string` field accepts, in characters.
const STRING_MAX_CHARS: usize = 200;
/// Longest text a `text` field accepts, in characters, as the generated code writes it.
const TEXT_MAX_CHARS: &str = "100_000";

/// What a reference needs to know about the table it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The module whose tests can insert a row (`None` for `users`).
    pub module: Option<String>,
    /// The column naming a row in a select (`None`: the id).
    pub label: Option<String>,
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

impl Field {
    /// The words on its form: `published_on` is "Published on".
    #[must_use]
    pub fn label(&self) -> String {
        capitalize(&self.name.replace('_', " "))
    }

    /// Whether the form refuses it empty (a bool is never empty: unticked is false).
    #[must_use]
    pub fn required(&self) -> bool {
        !self.optional && self.kind != Kind::Bool
    }

    /// Its Rust type in the model and the form.
    #[must_use]
    pub fn rust_type(&self) -> String {
        let base = match self.kind {
            Kind::String | Kind::Text => "String",
            Kind::Int => "i32",
            Kind::BigInt | Kind::Money | Kind::Ref(_) => "i64",
            Kind::Float => "f64",
            Kind::Bool => "bool",
            Kind::Date => "time::Date",
            Kind::DateTime => "time::OffsetDateTime",
            Kind::Uuid => "uuid::Uuid",
        };
        if self.optional {
            format!("Option<{base}>")
        } else {
            base.to_owned()
        }
    }

    /// Its column in `CREATE TABLE`.
    #[must_use]
    pub fn sql(&self, db: Database) -> String {
        let postgres = db == Database::Postgres;
        let sql_type = match (&self.kind, postgres) {
            // SQLite has no date types: ISO 8601 text, which sorts correctly.
            (Kind::String | Kind::Text, _) | (Kind::Date | Kind::DateTime, false) => "TEXT",
            (Kind::Int, _) => "INTEGER",
            (Kind::BigInt | Kind::Money | Kind::Ref(_), _) => "BIGINT",
            (Kind::Float, true) => "DOUBLE PRECISION",
            (Kind::Float, false) => "REAL",
            (Kind::Bool, _) => "BOOLEAN",
            (Kind::Date, true) => "DATE",
            (Kind::DateTime, true) => "TIMESTAMPTZ",
            (Kind::Uuid, true) => "UUID",
            (Kind::Uuid, false) => "BLOB",
        };
        let mut sql = format!("{} {sql_type}", self.column());
        if self.kind == Kind::Bool {
            sql.push_str(" NOT NULL DEFAULT FALSE");
        } else if !self.optional {
            sql.push_str(" NOT NULL");
        }
        if self.unique {
            sql.push_str(" UNIQUE");
        }
        if let Kind::Ref(target) = &self.kind {
            // A row goes with the row it belongs to; an optional link is just cut.
            let on_delete = if self.optional { "SET NULL" } else { "CASCADE" };
            sql = format!("{sql} REFERENCES {target} (id) ON DELETE {on_delete}");
        }
        sql
    }

    /// The input of the resource's own form (a `forms::Input` variant).
    #[must_use]
    pub fn input(&self) -> &'static str {
        match self.kind {
            Kind::String | Kind::Uuid => "Text",
            Kind::Text => "TextArea",
            Kind::Int | Kind::BigInt => "Integer",
            Kind::Float | Kind::Money => "Decimal",
            Kind::Bool => "Checkbox",
            Kind::Date => "Date",
            Kind::DateTime => "DateTime",
            Kind::Ref(_) => "Select",
        }
    }

    /// The input of the admin's form (a `forms::Input` variant) and its hint.
    #[must_use]
    pub fn admin_input(&self) -> (&'static str, String) {
        match &self.kind {
            Kind::String | Kind::Uuid | Kind::Float => ("Text", String::new()),
            Kind::Money => ("Text", "An amount, like 12.50.".to_owned()),
            Kind::Text => ("TextArea", String::new()),
            Kind::Int | Kind::BigInt => ("Integer", String::new()),
            Kind::Ref(table) => (
                "Integer",
                format!(
                    "The id of {}.",
                    with_article(&singularize(table).replace('_', " "))
                ),
            ),
            Kind::Bool => ("Checkbox", String::new()),
            Kind::Date => ("Date", String::new()),
            Kind::DateTime => ("DateTime", "In UTC.".to_owned()),
        }
    }

    /// The expression reading it with a `crud::FormReader` named `form`.
    #[must_use]
    pub fn read(&self) -> String {
        let column = self.column();
        let required = self.required();
        if let Some((message, parser)) = self.parse_rule() {
            return format!("form.parse(\"{column}\", {required}, \"{message}\", {parser})");
        }
        match self.kind {
            Kind::Text => format!("form.text(\"{column}\", {TEXT_MAX_CHARS}, {required})"),
            Kind::Bool => format!("form.checkbox(\"{column}\")"),
            _ => format!("form.text(\"{column}\", {STRING_MAX_CHARS}, {required})"),
        }
    }

    /// For a kind read from text that may not parse: the message for such text, and
    /// the function parsing it.
    fn parse_rule(&self) -> Option<(String, &'static str)> {
        let (message, parser) = match &self.kind {
            Kind::String | Kind::Text | Kind::Bool => return None,
            Kind::Int => ("Enter a whole number.", "crud::parse_from_str::<i32>"),
            Kind::BigInt => ("Enter a whole number.", "crud::parse_from_str::<i64>"),
            Kind::Float => ("Enter a number.", "crud::parse_float"),
            Kind::Money => ("Enter an amount, like 12.50.", "crud::parse_money"),
            Kind::Date => ("Enter a date, like 2026-01-31.", "crate::dates::parse_date"),
            Kind::DateTime => (
                "Enter a date and time, like 2026-01-31T14:30.",
                "crate::dates::parse_datetime",
            ),
            Kind::Uuid => (
                "Enter a UUID, like 67e55044-10b1-426f-9247-bb680e5fe0c8.",
                "crud::parse_from_str::<uuid::Uuid>",
            ),
            Kind::Ref(table) => {
                let message = format!(
                    "Choose {}.",
                    with_article(&singularize(table).replace('_', " "))
                );
                return Some((message, "crud::parse_from_str::<i64>"));
            }
        };
        Some((message.to_owned(), parser))
    }

    /// Text `from_values` refuses for this field, and its message; `None` for the kinds
    /// that take any text.
    #[must_use]
    pub fn bad_value(&self) -> Option<Value> {
        let (message, _) = self.parse_rule()?;
        Some(json!({
            "column": self.column(),
            "text": "not valid",
            "message": message,
        }))
    }

    /// Its value as the form shows it: an expression on `self`.
    #[must_use]
    pub fn value_expr(&self) -> String {
        self.text_expr(false)
    }

    /// Its value as a page shows it: an expression on `self`.
    #[must_use]
    pub fn display_expr(&self) -> String {
        self.text_expr(true)
    }

    fn text_expr(&self, for_page: bool) -> String {
        let column = self.column();
        // The function turning a value of this kind into text, for the kinds that need one.
        let function = match self.kind {
            Kind::Bool if for_page => Some("crud::yes_no"),
            Kind::Bool => Some("crate::forms::checkbox_value"),
            Kind::Money => Some("crud::money_text"),
            Kind::Date => Some("crate::dates::date_text"),
            Kind::DateTime => Some("crate::dates::datetime_text"),
            _ => None,
        };
        let method = if matches!(self.kind, Kind::String | Kind::Text) {
            "clone"
        } else {
            "to_string"
        };
        match (self.optional, function) {
            (false, Some(function)) => format!("{function}(self.{column})"),
            (false, None) => format!("self.{column}.{method}()"),
            (true, Some(function)) => format!("self.{column}.map_or_else(String::new, {function})"),
            (true, None) if method == "clone" => {
                format!("self.{column}.clone().unwrap_or_default()")
            }
            (true, None) => {
                format!("self.{column}.map_or_else(String::new, |value| value.to_string())")
            }
        }
    }

    /// Its value in the API's JSON: an expression on `self` that `serde_json::json!` takes.
    #[must_use]
    pub fn json_expr(&self) -> String {
        let column = self.column();
        let function = match self.kind {
            Kind::Money => "crud::money_text",
            Kind::Date => "crate::dates::date_text",
            Kind::DateTime => "crate::dates::datetime_json",
            Kind::Uuid => {
                return if self.optional {
                    format!("self.{column}.map(|value| value.to_string())")
                } else {
                    format!("self.{column}.to_string()")
                };
            }
            _ => return format!("self.{column}"),
        };
        if self.optional {
            format!("self.{column}.map({function})")
        } else {
            format!("{function}(self.{column})")
        }
    }

    /// The expression binding it in a query, on a form named `form`.
    #[must_use]
    pub fn bind_expr(&self) -> String {
        let column = self.column();
        match self.kind {
            Kind::String | Kind::Text => format!("&form.{column}"),
            _ => format!("form.{column}"),
        }
    }

    /// A valid form value for the tests, as a `String` expression: `n` (a `u32`) makes it
    /// differ between rows, and `db` is there for references.
    #[must_use]
    pub fn sample(&self, target: Option<&Target>) -> String {
        let title = self.name.to_title_case();
        match &self.kind {
            Kind::String => format!("format!(\"{title} {{n}}\")"),
            Kind::Text => format!("format!(\"Some {} {{n}}.\")", self.name.replace('_', " ")),
            Kind::Int => "(n % 1_000_000).to_string()".to_owned(),
            Kind::BigInt => "(u64::from(n) * 1_000).to_string()".to_owned(),
            Kind::Float => "format!(\"{}.5\", n % 1_000)".to_owned(),
            Kind::Bool => "\"on\".to_owned()".to_owned(),
            Kind::Money => "format!(\"{}.{:02}\", n % 10_000, n % 100)".to_owned(),
            Kind::Date => "format!(\"20{:02}-0{}-1{}\", n % 100, n % 9 + 1, n % 10)".to_owned(),
            Kind::DateTime => {
                "format!(\"20{:02}-0{}-1{}T{:02}:{:02}\", n % 100, n % 9 + 1, n % 10, n % 24, n % 60)"
                    .to_owned()
            }
            Kind::Uuid => "format!(\"00000000-0000-4000-8000-{n:012x}\")".to_owned(),
            // An optional reference is left empty: a table may refer to itself.
            Kind::Ref(_) if self.optional => "String::new()".to_owned(),
            Kind::Ref(_) => match target.and_then(|target| target.module.as_deref()) {
                Some(module) => {
                    format!("crate::{module}::tests::insert_sample(db).await.to_string()")
                }
                None => "crate::crud::testing::insert_user(db).await.to_string()".to_owned(),
            },
        }
    }

    /// Whether it holds text the list's search looks in.
    #[must_use]
    pub fn searchable(&self) -> bool {
        matches!(self.kind, Kind::String | Kind::Text)
    }
}
