//! The template trees embedded in the binary, and how they become files:
//! only `*.hbs` files are rendered by handlebars (strict, no HTML escaping)
//! and lose the suffix; every other file is copied byte for byte, so the
//! generated project's own Jinja templates never meet handlebars.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use include_dir::{Dir, DirEntry, include_dir};
use serde_json::Value;

use crate::error::Error;
use crate::files::FileTree;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Path components starting with this prefix get a leading dot instead
/// (`dot_gitignore` → `.gitignore`): `cargo package` and some tools drop or
/// hide dotfiles inside a crate's source.
const DOT_PREFIX: &str = "dot_";

/// The embedded folder at `path` inside `templates/` (`micro`, `features/db`).
#[must_use]
pub fn tree(path: &str) -> Option<&'static Dir<'static>> {
    TEMPLATES.get_dir(path)
}

/// One embedded file by its path inside `templates/`.
#[must_use]
pub fn file(path: &str) -> Option<&'static [u8]> {
    TEMPLATES.get_file(path).map(include_dir::File::contents)
}

/// The handlebars engine plinth renders with.
#[must_use]
pub fn engine() -> Handlebars<'static> {
    let mut engine = Handlebars::new();
    engine.set_strict_mode(true);
    engine.register_escape_fn(handlebars::no_escape);
    engine
}

/// Renders one template string; `name` is used in the error.
pub fn render_str(
    engine: &Handlebars<'_>,
    name: &str,
    source: &str,
    context: &Value,
) -> Result<String, Error> {
    engine
        .render_template(source, context)
        .map_err(|error| Error::Template {
            file: name.to_owned(),
            reason: error.to_string(),
        })
}

/// Renders every file below `dir` into a tree whose paths are relative to
/// `dir` (with `.hbs` dropped and `dot_` turned into `.`).
pub fn render_tree(dir: &Dir<'_>, context: &Value) -> Result<FileTree, Error> {
    let engine = engine();
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
                        render_str(&engine, &name, source, context)?.into_bytes()
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

    use super::{engine, output_path, render_str};

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
    fn rendering_is_strict_and_does_not_escape_html() {
        let engine = engine();
        let context = json!({ "name": "<b>" });
        assert_eq!(
            render_str(&engine, "t", "{{name}}", &context).expect("renders"),
            "<b>"
        );
        assert_eq!(
            render_str(&engine, "t", "\\{{ kept }}", &context).expect("renders"),
            "{{ kept }}"
        );
        let error = render_str(&engine, "t", "{{missing}}", &context).expect_err("strict");
        assert!(error.to_string().contains("template `t`"));
    }
}
