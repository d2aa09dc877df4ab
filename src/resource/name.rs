//! A resource's name in each form the generated code needs: `BlogPost` the
//! type, `blog_posts` the table and module, `/blog-posts` the pages,
//! "blog post" in sentences. Given in any case, singular or plural.

use heck::{ToKebabCase, ToPascalCase, ToSnakeCase};

use super::inflect::{pluralize, singularize};
use crate::request::names::KEYWORDS;

/// Names a resource cannot take: tables, modules and URL prefixes a project
/// already has, or may get from a feature. A test checks every module and table
/// the templates create against it.
const TAKEN: &[&str] = &[
    "admin",
    "api",
    "app_error",
    "auth",
    "checks",
    "cli",
    "config",
    "crud",
    "csrf",
    "dates",
    "db",
    "errors",
    "forms",
    "health",
    "job_schedule",
    "job_workers",
    "jobs",
    "lib",
    "login",
    "login_attempts",
    "logout",
    "mail",
    "mail_requests",
    "main",
    "migrations",
    "register",
    "routes",
    "security",
    "server",
    "session_store",
    "sessions",
    "settings",
    "state",
    "static",
    "static_files",
    "templates",
    "tests",
    "user_tokens",
    "users",
    "views",
    "web",
];

/// Type names a resource's type (or its form's, `PostForm`) cannot take: the standard
/// prelude's, which the generated code uses unqualified, and the names the resource's
/// files import. A test checks the imports against the templates.
const TYPES_IN_USE: &[&str] = &[
    // The prelude of Rust 2024.
    "AsMut",
    "AsRef",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
    // Imported by the resource's files (templates/resource/files/).
    "AppState",
    "Browser",
    "Errors",
    "Field",
    "FormReader",
    "Input",
    "Method",
    "Names",
    "Router",
    "SaveError",
    "StatusCode",
    "Table",
    "Values",
];

/// The forms of one resource's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceName {
    /// snake_case singular: `blog_post`.
    pub singular: String,
    /// snake_case plural: `blog_posts`, the table and the module.
    pub plural: String,
    /// PascalCase singular: `BlogPost`, the model's type.
    pub type_name: String,
}

impl ResourceName {
    /// Reads a name as typed (`Post`, `blog_posts`, `BlogPost`); `Err` says
    /// why it cannot be a resource's name.
    pub fn parse(input: &str) -> Result<Self, String> {
        let valid_characters = input
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if input.is_empty()
            || !valid_characters
            || !input.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            return Err(format!(
                "`{input}` is not a resource name: use letters, digits and `_`, starting with a letter"
            ));
        }
        let singular = singularize(&input.to_snake_case());
        let plural = pluralize(&singular);
        if singular == plural {
            return Err(format!(
                "`{input}` has the same singular and plural, so its list and its rows could not be told apart"
            ));
        }
        let name = Self {
            type_name: singular.to_pascal_case(),
            singular,
            plural,
        };
        for type_name in [name.type_name.clone(), format!("{}Form", name.type_name)] {
            if TYPES_IN_USE.contains(&type_name.as_str()) {
                return Err(format!(
                    "the type `{type_name}` would hide a type of the same name that the generated code uses"
                ));
            }
        }
        for form in [&name.singular, &name.plural] {
            if KEYWORDS.contains(&form.as_str()) || name.type_name == "Self" {
                return Err(format!("`{form}` is a Rust keyword"));
            }
            if TAKEN.contains(&form.as_str()) {
                return Err(format!(
                    "`{form}` is already used by the project (a module, table or URL of its own)"
                ));
            }
        }
        Ok(name)
    }

    /// The first part of its pages' paths: `blog-posts` for `/blog-posts/1`.
    #[must_use]
    pub fn url_segment(&self) -> String {
        self.plural.to_kebab_case()
    }

    /// The singular in a sentence: "blog post".
    #[must_use]
    pub fn singular_words(&self) -> String {
        self.singular.replace('_', " ")
    }

    /// The plural as a heading: "Blog posts".
    #[must_use]
    pub fn plural_title(&self) -> String {
        capitalize(&self.plural.replace('_', " "))
    }
}

/// `text` with its first letter in upper case.
#[must_use]
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::{ResourceName, TAKEN, TYPES_IN_USE};
    use crate::render::template;

    /// The modules (`src/<name>.rs`, `src/<name>/`) and tables (`CREATE TABLE <name>` in
    /// `migrations/`) any template tree creates.
    fn names_the_templates_create() -> Vec<String> {
        let mut names = Vec::new();
        for (path, contents) in template::all_files() {
            let output = template::output_path(path);
            let parts: Vec<&str> = output.iter().filter_map(|part| part.to_str()).collect();
            if let Some(at) = parts.iter().position(|part| *part == "src") {
                match &parts[at + 1..] {
                    [file] => {
                        if let Some(stem) = file.strip_suffix(".rs") {
                            names.push(stem.to_owned());
                        }
                    }
                    [folder, ..] => names.push((*folder).to_owned()),
                    [] => {}
                }
            }
            if parts.contains(&"migrations") {
                let sql = String::from_utf8_lossy(contents);
                for statement in sql.split("CREATE TABLE ").skip(1) {
                    let table = statement.split_whitespace().next().unwrap_or_default();
                    names.push(table.to_owned());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn every_module_and_table_of_the_templates_is_taken() {
        let names = names_the_templates_create();
        assert!(names.contains(&"users".to_owned()), "{names:?}");
        let missing: Vec<&String> = names
            .iter()
            .filter(|name| !TAKEN.contains(&name.as_str()))
            .collect();
        assert!(missing.is_empty(), "missing from TAKEN: {missing:?}");
    }

    /// The upper-case names in the `use` lines of a resource's files.
    fn types_the_resource_files_import() -> Vec<String> {
        let mut names = Vec::new();
        for (path, contents) in template::all_files() {
            if !path.starts_with("resource/files") {
                continue;
            }
            for line in String::from_utf8_lossy(contents).lines() {
                let Some(tree) = line.trim().strip_prefix("use ") else {
                    continue;
                };
                let words = tree.split(|c: char| !(c.is_alphanumeric() || c == '_'));
                names.extend(
                    words
                        .filter(|word| word.starts_with(|c: char| c.is_ascii_uppercase()))
                        .map(str::to_owned),
                );
            }
        }
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn every_type_the_resource_files_import_is_refused() {
        let imported = types_the_resource_files_import();
        assert!(imported.contains(&"FormReader".to_owned()), "{imported:?}");
        let missing: Vec<&String> = imported
            .iter()
            .filter(|name| !TYPES_IN_USE.contains(&name.as_str()))
            .collect();
        assert!(missing.is_empty(), "missing from TYPES_IN_USE: {missing:?}");
    }

    fn forms(input: &str) -> (String, String, String) {
        let name = ResourceName::parse(input).expect("valid");
        (name.singular, name.plural, name.type_name)
    }

    #[test]
    fn every_case_and_number_gives_the_same_forms() {
        for input in ["Post", "post", "posts", "Posts", "POST"] {
            assert_eq!(
                forms(input),
                ("post".into(), "posts".into(), "Post".into()),
                "{input}"
            );
        }
        for input in ["BlogPost", "blog_post", "blog-posts", "blogPosts"] {
            assert_eq!(
                forms(input),
                ("blog_post".into(), "blog_posts".into(), "BlogPost".into()),
                "{input}"
            );
        }
    }

    #[test]
    fn irregular_looking_names() {
        assert_eq!(forms("Person").1, "people");
        assert_eq!(forms("People").2, "Person");
        assert_eq!(forms("Category").1, "categories");
        assert_eq!(forms("Categories").2, "Category");
        assert_eq!(forms("Status").1, "statuses");
        assert_eq!(forms("Address").1, "addresses");
        assert_eq!(forms("Tax").1, "taxes");
    }

    #[test]
    fn the_forms_for_pages_and_sentences() {
        let name = ResourceName::parse("BlogPost").expect("valid");
        assert_eq!(name.url_segment(), "blog-posts");
        assert_eq!(name.singular_words(), "blog post");
        assert_eq!(name.plural_title(), "Blog posts");
    }

    #[test]
    fn names_that_cannot_work_are_refused_with_the_reason() {
        for (input, reason) in [
            ("", "not a resource name"),
            ("9lives", "not a resource name"),
            ("blog post", "not a resource name"),
            ("news", "same singular and plural"),
            ("User", "already used by the project"),
            ("Setting", "already used by the project"),
            ("admin", "already used by the project"),
            ("Type", "Rust keyword"),
            ("Self", "Rust keyword"),
            ("String", "would hide a type"),
            ("Options", "would hide a type"),
            ("Table", "would hide a type"),
        ] {
            let error = ResourceName::parse(input).expect_err(input);
            assert!(error.contains(reason), "{input}: {error}");
        }
    }
}
