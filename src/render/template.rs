//! The template trees embedded in the binary, and how they become files:
//! only `*.hbs` files are rendered by handlebars (strict, no HTML escaping)
//! and lose the suffix; every other file is copied byte for byte, so the
//! generated project's own Jinja templates never meet handlebars.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use handlebars::Handlebars;
use include_dir::{Dir, DirEntry, include_dir};
use serde_json::Value;

use crate::change::file_tree::FileTree;
use crate::change::lockfile::Lock;
use crate::error::Error;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Path components starting with this prefix get a leading dot instead
/// (`dot_gitignore` → `.gitignore`): `cargo package` and some tools drop or
/// hide dotfiles inside a crate's source.
const DOT_PREFIX: &str = "dot_";

/// Every embedded folder and file by its path inside `templates/`. include_dir finds a
/// path by walking the tree, and installing features asks for recipes and `with/`
/// folders again at every step: one map, built at first use, answers at once.
struct Index {
    dirs: HashMap<&'static Path, &'static Dir<'static>>,
    files: HashMap<&'static Path, &'static [u8]>,
}

static INDEX: OnceLock<Index> = OnceLock::new();

fn index() -> &'static Index {
    INDEX.get_or_init(|| {
        let mut index = Index {
            dirs: HashMap::new(),
            files: HashMap::new(),
        };
        let mut pending: Vec<&'static Dir<'static>> = vec![&TEMPLATES];
        while let Some(dir) = pending.pop() {
            index.dirs.insert(dir.path(), dir);
            for entry in dir.entries() {
                match entry {
                    DirEntry::Dir(sub) => pending.push(sub),
                    DirEntry::File(file) => {
                        index.files.insert(file.path(), file.contents());
                    }
                }
            }
        }
        index
    })
}

/// The embedded folder at `path` inside `templates/` (`micro`, `features/db`).
#[must_use]
pub fn tree(path: &str) -> Option<&'static Dir<'static>> {
    index().dirs.get(Path::new(path)).copied()
}

/// One embedded file by its path inside `templates/`.
#[must_use]
pub fn file(path: &str) -> Option<&'static [u8]> {
    index().files.get(Path::new(path)).copied()
}

/// The Cargo.lock every project is generated with (`templates/lock/`, see
/// `change::lockfile`), parsed.
pub fn shipped_lock() -> Result<Lock, Error> {
    const SHIPPED: &str = "lock/Cargo.lock";
    let text = file(SHIPPED)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .ok_or_else(|| Error::Template {
            file: SHIPPED.to_owned(),
            reason: "the shipped Cargo.lock is missing from this build".to_owned(),
        })?;
    Lock::parse(text).map_err(|reason| Error::Template {
        file: SHIPPED.to_owned(),
        reason,
    })
}

/// Every embedded file, by its path inside `templates/`, in path order.
#[must_use]
pub fn all_files() -> Vec<(&'static Path, &'static [u8])> {
    let mut files: Vec<_> = index()
        .files
        .iter()
        .map(|(path, contents)| (*path, *contents))
        .collect();
    files.sort_unstable();
    files
}

/// The folder of the partials every template may use: `{{> field/rust_type}}` renders
/// `partials/field/rust_type.hbs` in the current context.
const PARTIALS: &str = "partials";

/// The handlebars engine plinth renders with, with the partials.
#[must_use]
pub fn engine() -> Handlebars<'static> {
    let mut engine = Handlebars::new();
    engine.set_strict_mode(true);
    engine.register_escape_fn(handlebars::no_escape);
    for (name, source) in partials() {
        // A partial that does not parse stays unregistered, and the template using it
        // fails with its name; a unit test parses every one.
        let _ = engine.register_partial(&name, source);
    }
    engine
}

/// Every partial, by its name (its path below `partials/` without `.hbs`), and its source.
fn partials() -> Vec<(String, &'static str)> {
    let prefix = Path::new(PARTIALS);
    index()
        .files
        .iter()
        .filter_map(|(path, contents)| {
            let name = path.strip_prefix(prefix).ok()?.with_extension("");
            Some((
                name.to_str()?.to_owned(),
                std::str::from_utf8(contents).ok()?,
            ))
        })
        .collect()
}

/// Renders one template string (see `compile` for how it is kept fast); `name`, the
/// template's path, is used in the error.
pub fn render_str(name: &str, source: &str, context: &Value) -> Result<String, Error> {
    crate::render::compile::render(engine, name, source, context).map_err(|reason| {
        Error::Template {
            file: name.to_owned(),
            reason,
        }
    })
}

/// Renders every file below `dir` into a tree whose paths are relative to
/// `dir` (with `.hbs` dropped and `dot_` turned into `.`).
pub fn render_tree(dir: &Dir<'_>, context: &Value) -> Result<FileTree, Error> {
    let mut tree = FileTree::new();
    let mut pending: Vec<&Dir<'_>> = vec![dir];
    while let Some(current) = pending.pop() {
        for entry in current.entries() {
            match entry {
                DirEntry::Dir(sub) => pending.push(sub),
                DirEntry::File(file) => {
                    let relative = file.path().strip_prefix(dir.path()).unwrap_or(file.path());
                    let contents = if is_template(relative) {
                        let name = file.path().display().to_string();
                        let source = std::str::from_utf8(file.contents()).map_err(|error| {
                            Error::Template {
                                file: name.clone(),
                                reason: error.to_string(),
                            }
                        })?;
                        render_str(&name, source, context)?.into_bytes()
                    } else {
                        file.contents().to_vec()
                    };
                    tree.insert(output_path(relative), contents);
                }
            }
        }
    }
    Ok(tree)
}

/// Where every file below `dir` lands, relative to `dir`, without rendering any.
#[must_use]
pub fn output_paths(dir: &Dir<'_>) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let mut pending: Vec<&Dir<'_>> = vec![dir];
    while let Some(current) = pending.pop() {
        pending.extend(current.dirs());
        for file in current.files() {
            let relative = file.path().strip_prefix(dir.path()).unwrap_or(file.path());
            paths.push(output_path(relative));
        }
    }
    paths
}

fn is_template(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension == "hbs")
}

/// Where a template file lands in the generated project.
#[must_use]
pub fn output_path(template_path: &Path) -> PathBuf {
    let path = if is_template(template_path) {
        template_path.with_extension("")
    } else {
        template_path.to_path_buf()
    };
    path.components()
        .map(|component| {
            let part = component.as_os_str().to_string_lossy();
            match part.strip_prefix(DOT_PREFIX) {
                Some(rest) => format!(".{rest}"),
                None => part.into_owned(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::{output_path, render_str};

    #[test]
    fn output_paths_drop_hbs_and_turn_dot_prefixes_into_dots() {
        assert_eq!(
            output_path(Path::new("Cargo.toml.hbs")),
            Path::new("Cargo.toml")
        );
        assert_eq!(
            output_path(Path::new("dot_gitignore")),
            Path::new(".gitignore")
        );
        assert_eq!(
            output_path(Path::new("dot_github/workflows/ci.yml.hbs")),
            Path::new(".github/workflows/ci.yml")
        );
        assert_eq!(
            output_path(Path::new("templates/base.html")),
            Path::new("templates/base.html")
        );
    }

    #[test]
    fn every_partial_parses() {
        let partials = super::partials();
        assert!(partials.iter().any(|(name, _)| name == "field/rust_type"));
        for (name, source) in partials {
            let parsed = handlebars::Template::compile(source);
            assert!(parsed.is_ok(), "{name}: {parsed:?}");
        }
    }

    #[test]
    fn rendering_is_strict_and_does_not_escape_html() {
        let context = json!({ "name": "<b>" });
        assert_eq!(
            render_str("t", "{{name}}", &context).expect("renders"),
            "<b>"
        );
        assert_eq!(
            render_str("t", "\\{{ kept }}", &context).expect("renders"),
            "{{ kept }}"
        );
        let error = render_str("t", "{{missing}}", &context).expect_err("strict");
        assert!(error.to_string().contains("template `t`"));
    }
}
