//! Project names: what a package name may be, checked before anything touches
//! the disk, with a suggested fix when it may not.

use std::fmt;

use heck::{ToKebabCase, ToSnakeCase};

/// Keywords of every Rust edition, strict and reserved (`gen` since 2024).
pub const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Crates every Rust program can already name.
const BUILTIN_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// Folder names cargo uses inside `target/`; a package named so confuses it.
const BUILD_DIRS: &[&str] = &["build", "deps", "examples", "incremental", "target"];

/// Device names Windows reserves in every folder.
const WINDOWS_RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Crates a generated project may depend on. A package named like one of its
/// own dependencies does not build (`error[E0464]: multiple candidates`). A test checks
/// that every dependency the templates name is here.
const GENERATED_DEPENDENCIES: &[&str] = &[
    "anyhow",
    "argon2",
    "async_trait",
    "axum",
    "base64",
    "clap",
    "cookie",
    "cronexpr",
    "dotenvy",
    "garde",
    "http",
    "hyper",
    "hyper_util",
    "lettre",
    "minijinja",
    "minijinja_embed",
    "rand",
    "rpassword",
    "serde",
    "serde_json",
    "serde_urlencoded",
    "sha2",
    "sqlx",
    "subtle",
    "thiserror",
    "time",
    "tokio",
    "tower",
    "tower_http",
    "tower_sessions",
    "tracing",
    "tracing_subscriber",
    "url",
    "uuid",
];

/// A valid package name for a generated project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

/// Why a name was refused, and a name that would be accepted instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameProblem {
    /// The refused name.
    pub name: String,
    /// What is wrong with it, as a phrase ("is a Rust keyword").
    pub reason: String,
    /// A valid name close to the refused one.
    pub suggestion: String,
}

impl ProjectName {
    /// Checks `name` against every rule a package name of a generated project
    /// must follow.
    pub fn parse(name: &str) -> Result<Self, NameProblem> {
        match problem_with(name) {
            None => Ok(Self(name.to_owned())),
            Some(reason) => Err(NameProblem {
                name: name.to_owned(),
                reason,
                suggestion: suggest(name),
            }),
        }
    }

    /// The package name, as the user wrote it (`my-blog`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name Rust code uses for the crate (`my_blog`).
    #[must_use]
    pub fn crate_name(&self) -> String {
        self.0.replace('-', "_")
    }
}

impl fmt::Display for ProjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The first rule `name` breaks, if any.
fn problem_with(name: &str) -> Option<String> {
    let Some(first) = name.chars().next() else {
        return Some("is empty".to_owned());
    };
    if let Some(bad) = name.chars().find(|c| !c.is_ascii()) {
        return Some(format!(
            "contains the non-ASCII character `{bad}`; Rust package names must be ASCII"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Some(format!(
            "contains `{bad}`; use only ASCII letters, digits, `-` and `_`"
        ));
    }
    if first.is_ascii_digit() {
        return Some("starts with a digit".to_owned());
    }
    if first == '-' {
        return Some("starts with `-`".to_owned());
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(
            "contains uppercase letters; Rust warns on crate names that are not snake case"
                .to_owned(),
        );
    }
    let crate_name = name.replace('-', "_");
    if KEYWORDS.contains(&crate_name.as_str()) {
        return Some("is a Rust keyword".to_owned());
    }
    if crate_name == "test" {
        return Some("conflicts with Rust's built-in `test` crate".to_owned());
    }
    if BUILTIN_CRATES.contains(&crate_name.as_str()) {
        return Some(format!(
            "conflicts with Rust's built-in `{crate_name}` crate"
        ));
    }
    if BUILD_DIRS.contains(&crate_name.as_str()) {
        return Some("is a folder name cargo uses for build output".to_owned());
    }
    if WINDOWS_RESERVED.contains(&crate_name.as_str()) {
        return Some("is a device name reserved on Windows".to_owned());
    }
    if GENERATED_DEPENDENCIES.contains(&crate_name.as_str()) {
        return Some(format!(
            "is the name of the `{name}` crate the project depends on; a package named like its dependency does not build"
        ));
    }
    None
}

/// A valid name close to `name`: kebab-cased ASCII, not digit-led, and not
/// clashing with anything reserved.
fn suggest(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut candidate = ascii.to_kebab_case();
    if candidate.is_empty() {
        "my-app".clone_into(&mut candidate);
    }
    if candidate.starts_with(|c: char| c.is_ascii_digit()) {
        candidate = format!("app-{candidate}");
    }
    if problem_with(&candidate).is_some() {
        candidate = format!("my-{}", candidate.to_snake_case().replace('_', "-"));
    }
    if problem_with(&candidate).is_some() {
        "my-app".clone_into(&mut candidate);
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::GENERATED_DEPENDENCIES;
    use crate::render::template;

    /// The crates every Cargo.toml and recipe among the templates names as a dependency.
    fn crates_the_templates_depend_on() -> Vec<String> {
        let mut crates = Vec::new();
        for (path, contents) in template::all_files() {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("");
            if ![
                "Cargo.toml.hbs",
                "feature.toml.hbs",
                "part.toml.hbs",
                "recipe.toml.hbs",
            ]
            .contains(&name)
            {
                continue;
            }
            let mut in_dependencies = false;
            for line in String::from_utf8_lossy(contents).lines() {
                if line.starts_with('[') {
                    in_dependencies = line.ends_with("dependencies]");
                } else if in_dependencies
                    && let Some((name, _)) = line.split_once(" = ")
                    && !name.starts_with('#')
                {
                    crates.push(name.trim().replace('-', "_"));
                }
            }
        }
        crates.sort();
        crates.dedup();
        crates
    }

    #[test]
    fn every_crate_a_template_depends_on_is_a_name_projects_may_not_take() {
        let crates = crates_the_templates_depend_on();
        assert!(crates.contains(&"axum".to_owned()), "{crates:?}");
        let missing: Vec<&String> = crates
            .iter()
            .filter(|name| !GENERATED_DEPENDENCIES.contains(&name.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "dependencies of generated projects missing from GENERATED_DEPENDENCIES: {missing:?}"
        );
    }
    use super::ProjectName;

    fn refused(name: &str) -> (String, String) {
        let problem = ProjectName::parse(name).expect_err(name);
        (problem.reason, problem.suggestion)
    }

    #[test]
    fn ordinary_names_are_accepted() {
        for name in [
            "blog", "my-blog", "my_blog", "blog2", "a", "_private", "tests", "web-app",
        ] {
            assert!(
                ProjectName::parse(name).is_ok(),
                "{name} should be accepted"
            );
        }
    }

    #[test]
    fn the_crate_name_uses_underscores() {
        let name = ProjectName::parse("my-blog").expect("valid");
        assert_eq!(name.crate_name(), "my_blog");
        assert_eq!(name.as_str(), "my-blog");
    }

    #[test]
    fn every_reserved_kind_of_name_is_refused_with_a_valid_suggestion() {
        let bad = [
            "",
            "gen",
            "fn",
            "async",
            "self",
            "Self",
            "test",
            "std",
            "core",
            "alloc",
            "proc_macro",
            "proc-macro",
            "deps",
            "build",
            "target",
            "con",
            "LPT1",
            "1app",
            "héllo",
            "日本",
            "my app",
            "my.app",
            "-app",
            "MyApp",
            "tokio",
            "axum",
            "sqlx",
            "tower-http",
            "serde_json",
        ];
        for name in bad {
            let (reason, suggestion) = refused(name);
            assert!(!reason.is_empty());
            assert!(
                ProjectName::parse(&suggestion).is_ok(),
                "suggestion {suggestion:?} for {name:?} must itself be valid"
            );
        }
    }

    #[test]
    fn suggestions_stay_close_to_what_was_typed() {
        assert_eq!(refused("my app").1, "my-app");
        assert_eq!(refused("MyApp").1, "my-app");
        assert_eq!(refused("1app").1, "app-1app");
        assert_eq!(refused("test").1, "my-test");
        assert_eq!(refused("tokio").1, "my-tokio");
        assert_eq!(refused("héllo").1, "h-llo");
        assert_eq!(refused("日本").1, "my-app");
    }

    #[test]
    fn reasons_name_the_rule() {
        assert!(refused("gen").0.contains("keyword"));
        assert!(refused("1app").0.contains("digit"));
        assert!(refused("con").0.contains("Windows"));
        assert!(refused("axum").0.contains("depends on"));
        assert!(refused("héllo").0.contains("non-ASCII"));
    }
}
