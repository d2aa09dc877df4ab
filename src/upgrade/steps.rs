//! Upgrade steps: what a text merge cannot express, done before files are merged. A
//! template set that moves a file, or renames a setting, lists the change in
//! `templates/upgrade/steps.toml` (absent while there is none), with the version that
//! made it:
//!
//! ```toml
//! [[steps]]
//! since = "0.2.0"
//! why = "the CSRF code lives with the rest of the security code"
//! move = { from = "src/web/csrf.rs", to = "src/security/csrf.rs" }
//!
//! [[steps]]
//! since = "0.2.0"
//! why = "one name for the key that signs cookies"
//! rename_setting = { from = "SECRET_KEY", to = "APP_SECRET" }
//! ```
//!
//! A step runs for a project an older plinth made, and only when it is not done already
//! (the file is still at its old place; `.env` still sets the old name). A moved file
//! keeps the user's changes: it moves in the project and in the base alike, and is then
//! merged at its new place.

use std::path::{Path, PathBuf};

use semver::Version;
use toml_edit::{DocumentMut, Item};

use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::effects::base::ENV;
use crate::error::Error;
use crate::render::template;

/// Where a template set lists its steps, inside `templates/`.
pub const STEPS: &str = "upgrade/steps.toml";

/// One step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The version of plinth that made the change.
    pub since: Version,
    /// Why, for the user.
    pub why: String,
    /// What to do.
    pub change: Change,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A generated file moved.
    Move {
        /// Its old path.
        from: PathBuf,
        /// Its new path.
        to: PathBuf,
    },
    /// A setting of `.env` took another name.
    RenameSetting {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
}

/// The steps of the templates plinth renders from, in their order.
pub fn listed() -> Result<Vec<Step>, Error> {
    let Some(bytes) = template::file(STEPS) else {
        return Ok(Vec::new());
    };
    let invalid = |reason: String| Error::Template {
        file: STEPS.to_owned(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|error| invalid(error.to_string()))?;
    parse(text).map_err(invalid)
}

fn parse(text: &str) -> Result<Vec<Step>, String> {
    let document: DocumentMut = text
        .parse()
        .map_err(|error: toml_edit::TomlError| error.to_string())?;
    let Some(steps) = document.get("steps") else {
        return Ok(Vec::new());
    };
    let steps = steps
        .as_array_of_tables()
        .ok_or("`steps` must be an array of tables ([[steps]])")?;
    steps
        .iter()
        .map(|step| {
            let text = |table: &dyn toml_edit::TableLike, key: &str| {
                table
                    .get(key)
                    .and_then(Item::as_str)
                    .map(str::to_owned)
                    .ok_or(format!("a step needs `{key}`, a string"))
            };
            let since = Version::parse(&text(step, "since")?)
                .map_err(|error| format!("`since`: {error}"))?;
            let why = text(step, "why")?;
            let pair = |key: &str| -> Result<Option<(String, String)>, String> {
                step.get(key)
                    .map(|item| {
                        let table = item
                            .as_table_like()
                            .ok_or(format!("`{key}` must be a table with `from` and `to`"))?;
                        Ok((text(table, "from")?, text(table, "to")?))
                    })
                    .transpose()
            };
            let change = match (pair("move")?, pair("rename_setting")?) {
                (Some((from, to)), None) => Change::Move {
                    from: from.into(),
                    to: to.into(),
                },
                (None, Some((from, to))) => Change::RenameSetting { from, to },
                _ => return Err("a step does one thing: `move` or `rename_setting`".to_owned()),
            };
            Ok(Step { since, why, change })
        })
        .collect()
}

impl Step {
    /// Whether the step is for a project `made_by` that plinth: made before the change.
    #[must_use]
    pub fn applies_to(&self, made_by: &str) -> bool {
        Version::parse(made_by).is_ok_and(|version| version < self.since)
    }

    /// Does the step to the project's files and its base, unless it is done; returns
    /// what it did, for the summary.
    pub fn run(
        &self,
        draft: &mut Draft,
        base: Option<&mut FileTree>,
    ) -> Result<Option<String>, Error> {
        match &self.change {
            Change::Move { from, to } => {
                let Some(contents) = draft.read(from)?.map(<[u8]>::to_vec) else {
                    return Ok(None);
                };
                if draft.read(to)?.is_some() {
                    return Ok(None);
                }
                draft.write(to, contents)?;
                draft.remove(from)?;
                if let Some(base) = base
                    && let Some(before) = base.remove(from)
                {
                    base.insert(to.clone(), before);
                }
                Ok(Some(format!(
                    "moved {} to {}",
                    from.display(),
                    to.display()
                )))
            }
            Change::RenameSetting { from, to } => {
                let path = Path::new(ENV);
                let Some(env) = draft.read_text(path)? else {
                    return Ok(None);
                };
                let prefix = format!("{from}=");
                if !env.lines().any(|line| line.starts_with(&prefix)) {
                    return Ok(None);
                }
                let renamed: String = env
                    .lines()
                    .map(|line| match line.strip_prefix(&prefix) {
                        Some(value) => format!("{to}={value}\n"),
                        None => format!("{line}\n"),
                    })
                    .collect();
                draft.write(path, renamed)?;
                Ok(Some(format!(
                    "renamed {from} to {to} in .env; rename it wherever else you set it (the server's environment)"
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Change, parse};

    #[test]
    fn steps_are_read_in_order_and_a_bad_one_is_named() {
        let steps = parse(
            "[[steps]]\nsince = \"0.2.0\"\nwhy = \"w\"\nmove = { from = \"a.rs\", to = \"b.rs\" }\n\n[[steps]]\nsince = \"0.3.0\"\nwhy = \"w\"\nrename_setting = { from = \"A\", to = \"B\" }\n",
        )
        .expect("valid");
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[1].change,
            Change::RenameSetting {
                from: "A".to_owned(),
                to: "B".to_owned()
            }
        );
        assert!(steps[0].applies_to("0.1.0") && !steps[0].applies_to("0.2.0"));
        let error = parse("[[steps]]\nsince = \"0.2.0\"\nwhy = \"w\"\n").expect_err("no change");
        assert!(error.contains("`move` or `rename_setting`"), "{error}");
    }
}
