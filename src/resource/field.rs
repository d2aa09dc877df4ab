//! One field of a resource as typed on the command line: `title:string`,
//! `score:int?` (optional), `slug:string^` (unique), `author:ref(users)`.

use heck::ToSnakeCase;

use super::inflect::{pluralize, singularize};
use crate::request::names::KEYWORDS;

/// The types a field may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A line of text (at most 200 characters).
    String,
    /// Any length of text, typed in a text area.
    Text,
    /// A 32-bit whole number.
    Int,
    /// A 64-bit whole number.
    BigInt,
    /// A floating-point number.
    Float,
    /// Yes or no: a checkbox.
    Bool,
    /// A calendar date.
    Date,
    /// A moment, in UTC.
    DateTime,
    /// A UUID.
    Uuid,
    /// An exact amount with two decimals, stored as whole cents.
    Money,
    /// The id of a row of another table (`ref(users)`).
    Ref(String),
}

/// The words accepted for each kind, for parsing and for the help line.
const KIND_WORDS: &[(&str, Kind)] = &[
    ("string", Kind::String),
    ("text", Kind::Text),
    ("int", Kind::Int),
    ("bigint", Kind::BigInt),
    ("float", Kind::Float),
    ("bool", Kind::Bool),
    ("date", Kind::Date),
    ("datetime", Kind::DateTime),
    ("uuid", Kind::Uuid),
    ("money", Kind::Money),
];

impl Kind {
    /// Its word on the command line (`ref` for every reference): what the templates
    /// branch on.
    #[must_use]
    pub fn word(&self) -> &'static str {
        match self {
            Self::Ref(_) => "ref",
            kind => KIND_WORDS
                .iter()
                .find(|(_, known)| known == kind)
                .map_or("ref", |(word, _)| word),
        }
    }
}

/// The field types, as the help line lists them.
pub const TYPES_HELP: &str = "string, text, int, bigint, float, bool, date, datetime, uuid, money, ref(TABLE) or ref:TABLE; add `?` for optional, `^` for unique";

/// Field names the generated code uses itself: columns every table has, and names the
/// forms use. SQL keywords are welcome: the generated queries quote every field's name.
const RESERVED: &[&str] = &[
    "id",
    "created_at",
    "updated_at",
    "csrf_token",
    "form",
    "q",
    "page",
    "mine",
    "labels",
];

/// A field of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// snake_case: the form field and, but for references, the column.
    pub name: String,
    /// Its type.
    pub kind: Kind,
    /// May be left empty (`NULL`).
    pub optional: bool,
    /// No two rows may have the same value.
    pub unique: bool,
}

impl Field {
    /// Reads `name:type` with its `?` and `^` marks; `Err` says what is wrong.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let Some((name, kind)) = spec.split_once(':') else {
            return Err(format!(
                "`{spec}` is not a field: write NAME:TYPE, e.g. `title:string`"
            ));
        };
        check_name(name)?;
        let mut kind = kind;
        let (mut optional, mut unique) = (false, false);
        loop {
            if let Some(rest) = kind.strip_suffix('?') {
                optional = true;
                kind = rest;
            } else if let Some(rest) = kind.strip_suffix('^') {
                unique = true;
                kind = rest;
            } else {
                break;
            }
        }
        let kind = parse_kind(name, kind)?;
        if kind == Kind::Bool && optional {
            return Err(format!(
                "`{spec}`: a bool is never missing (unticked is false); drop the `?`"
            ));
        }
        if kind == Kind::Bool && unique {
            return Err(format!(
                "`{spec}`: a bool has two values, so it cannot be unique; drop the `^`"
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            kind,
            optional,
            unique,
        })
    }

    /// Its column: the name, or `author_id` for a reference named `author`.
    #[must_use]
    pub fn column(&self) -> String {
        match self.kind {
            Kind::Ref(_) => format!("{}_id", self.name),
            _ => self.name.clone(),
        }
    }

    /// Whether it holds text the list's search looks in.
    #[must_use]
    pub fn searchable(&self) -> bool {
        matches!(self.kind, Kind::String | Kind::Text)
    }

    /// The table a reference points at.
    #[must_use]
    pub fn referenced_table(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ref(table) => Some(table),
            _ => None,
        }
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let snake = name.to_snake_case();
    let well_formed = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        // Rust's snake case has no `__` (a lint refuses it).
        && !name.contains("__");
    if !well_formed {
        let hint = if snake.is_empty() || !snake.starts_with(|c: char| c.is_ascii_lowercase()) {
            String::new()
        } else {
            format!(" (try `{snake}`)")
        };
        return Err(format!(
            "`{name}` is not a field name: use lower-case letters, digits and single `_`, starting with a letter{hint}"
        ));
    }
    if KEYWORDS.contains(&name) {
        return Err(format!(
            "`{name}` is a Rust keyword; choose another field name"
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "`{name}` is reserved: the generated code uses it itself; choose another field name"
        ));
    }
    Ok(())
}

fn parse_kind(name: &str, kind: &str) -> Result<Kind, String> {
    if let Some(found) = KIND_WORDS.iter().find(|(word, _)| *word == kind) {
        return Ok(found.1.clone());
    }
    // `ref:users` says the same without the parentheses a shell wants quoted.
    let table = kind
        .strip_prefix("ref(")
        .and_then(|rest| rest.strip_suffix(')'))
        .or_else(|| kind.strip_prefix("ref:"));
    if let Some(table) = table {
        let table = table.trim().to_snake_case();
        if table.is_empty() {
            return Err(format!(
                "`{name}:{kind}` names no table: write e.g. `{name}:ref(users)`"
            ));
        }
        return Ok(Kind::Ref(pluralize(&singularize(&table))));
    }
    if kind == "decimal" {
        return Err(format!(
            "`{name}:decimal`: use `money` for exact amounts (two decimals, stored as whole cents in SQLite and PostgreSQL alike) or `float`"
        ));
    }
    Err(format!("`{name}` has an unknown type `{kind}`"))
}

#[cfg(test)]
mod tests {
    use super::{Field, Kind};

    #[test]
    fn marks_make_a_field_optional_or_unique() {
        let field = Field::parse("score:int?").expect("valid");
        assert_eq!(field.kind, Kind::Int);
        assert!(field.optional && !field.unique);
        let field = Field::parse("slug:string^").expect("valid");
        assert!(!field.optional && field.unique);
        let field = Field::parse("code:uuid^?").expect("valid");
        assert!(field.optional && field.unique);
    }

    #[test]
    fn references_name_a_table_in_any_form() {
        for spec in [
            "author:ref(users)",
            "author:ref(user)",
            "author:ref(User)",
            "author:ref:users",
        ] {
            let field = Field::parse(spec).expect("valid");
            assert_eq!(field.kind, Kind::Ref("users".into()), "{spec}");
            assert_eq!(field.column(), "author_id");
        }
        assert_eq!(
            Field::parse("topic:ref(Category)").expect("valid").kind,
            Kind::Ref("categories".into())
        );
    }

    #[test]
    fn sql_keywords_are_field_names_like_any_other() {
        for spec in [
            "order:int",
            "select:string",
            "returning:text",
            "notnull:bool",
            "both:date",
        ] {
            assert!(Field::parse(spec).is_ok(), "{spec}");
        }
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (spec, reason) in [
            ("title", "write NAME:TYPE"),
            ("title:strnig", "unknown type `strnig`"),
            ("Title:string", "try `title`"),
            ("1st:int", "not a field name"),
            ("a__b:int", "try `a_b`"),
            ("type:string", "Rust keyword"),
            ("id:int", "reserved"),
            ("created_at:datetime", "reserved"),
            // Each row keeps the names of the rows its references point at in `labels`.
            ("labels:text", "reserved"),
            ("done:bool?", "never missing"),
            ("done:bool^", "cannot be unique"),
            ("price:decimal", "use `money`"),
            ("author:ref()", "names no table"),
        ] {
            let error = Field::parse(spec).expect_err(spec);
            assert!(error.contains(reason), "{spec}: {error}");
        }
    }
}
