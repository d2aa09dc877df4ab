//! The template trees plinth renders from, and how they become files: only `*.hbs`
//! files are rendered by handlebars (strict, no HTML escaping) and lose the suffix; every
//! other file is copied byte for byte, so the generated project's own Jinja templates
//! never meet handlebars.
//!
//! The trees are embedded in the binary. `PLINTH_TEMPLATES=DIR` renders from a folder
//! laid out as `templates/` instead: a template author sees a change without building
//! plinth again, and the upgrade tests render one spec with two template sets.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use handlebars::Handlebars;
use include_dir::{Dir, DirEntry, include_dir};
use serde_json::Value;

use crate::change::file_tree::FileTree;
use crate::change::lockfile::Lock;
use crate::effects::write;
use crate::error::Error;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The variable naming a folder to render from instead of the embedded templates.
pub const FOLDER_VARIABLE: &str = "PLINTH_TEMPLATES";

/// Path components starting with this prefix get a leading dot instead
/// (`dot_gitignore` → `.gitignore`): `cargo package` and some tools drop or
/// hide dotfiles inside a crate's source.
const DOT_PREFIX: &str = "dot_";

/// Every template folder and file by its path inside `templates/`, built at first use:
/// installing features asks for recipes and `with/` folders again at every step, and
/// one sorted map answers at once, a folder's files being one range of it.
struct Index {
    files: BTreeMap<PathBuf, Cow<'static, [u8]>>,
    folders: BTreeSet<PathBuf>,
}

/// The index, or the folder that could not be read and why.
type Loaded = Result<Index, (PathBuf, String)>;

static INDEX: OnceLock<Loaded> = OnceLock::new();

fn loaded() -> &'static Loaded {
    INDEX.get_or_init(|| match std::env::var_os(FOLDER_VARIABLE) {
        Some(folder) if !folder.is_empty() => Index::read(Path::new(&folder)),
        _ => Ok(Index::embedded()),
    })
}

/// The templates, or why the folder named by `PLINTH_TEMPLATES` cannot be read. Every
/// command asks this first, so that the other functions can take the index as read.
pub fn check() -> Result<(), Error> {
    match loaded() {
        Ok(_) => Ok(()),
        Err((folder, reason)) => Err(Error::TemplateFolder {
            folder: folder.clone(),
            reason: reason.clone(),
            variable: FOLDER_VARIABLE,
        }),
    }
}

fn index() -> &'static Index {
    static EMPTY: OnceLock<Index> = OnceLock::new();
    match loaded() {
        Ok(index) => index,
        // Only reached when `check` was skipped: every template then reads as missing.
        Err(_) => EMPTY.get_or_init(|| Index {
            files: BTreeMap::new(),
            folders: BTreeSet::new(),
        }),
    }
}

impl Index {
    fn embedded() -> Self {
        let mut index = Self {
            files: BTreeMap::new(),
            folders: BTreeSet::new(),
        };
        let mut pending: Vec<&'static Dir<'static>> = vec![&TEMPLATES];
        while let Some(dir) = pending.pop() {
            index.folders.insert(dir.path().to_path_buf());
            for entry in dir.entries() {
                match entry {
                    DirEntry::Dir(sub) => pending.push(sub),
                    DirEntry::File(file) => {
                        index
                            .files
                            .insert(file.path().to_path_buf(), Cow::Borrowed(file.contents()));
                    }
                }
            }
        }
        index
    }

    fn read(root: &Path) -> Loaded {
        let tree = write::read_tree(root, &[]).map_err(|error| match error {
            Error::Write { path, source } => (path, source.to_string()),
            other => (root.to_path_buf(), other.to_string()),
        })?;
        let mut index = Self {
            files: BTreeMap::new(),
            folders: BTreeSet::from([PathBuf::new()]),
        };
        for (path, contents) in tree.into_files() {
            index
                .folders
                .extend(path.ancestors().skip(1).map(Path::to_path_buf));
            index.files.insert(path, Cow::Owned(contents));
        }
        Ok(index)
    }
}

/// A folder of the templates, by its path inside `templates/`.
#[derive(Debug, Clone, Copy)]
pub struct Folder {
    path: &'static Path,
}

impl Folder {
    /// Its path inside `templates/`.
    #[must_use]
    pub fn path(self) -> &'static Path {
        self.path
    }

    /// Every file below it, at any depth, in path order: its path inside `templates/`
    /// and its contents.
    pub fn files(self) -> impl Iterator<Item = (&'static Path, &'static [u8])> {
        index()
            .files
            .range::<Path, _>((
                std::ops::Bound::Included(self.path),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(path, _)| path.starts_with(self.path))
            .map(|(path, contents)| (path.as_path(), contents.as_ref()))
    }

    /// The folders directly in it, in path order.
    pub fn subfolders(self) -> impl Iterator<Item = Self> {
        index()
            .folders
            .range::<Path, _>((
                std::ops::Bound::Excluded(self.path),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |path| path.starts_with(self.path))
            .filter(move |path| path.parent() == Some(self.path))
            .map(|path| Self { path })
    }
}

/// The template folder at `path` inside `templates/` (`micro`, `features/db`).
#[must_use]
pub fn tree(path: &str) -> Option<Folder> {
    index()
        .folders
        .get(Path::new(path))
        .map(|path| Folder { path })
}

/// One template file by its path inside `templates/`.
#[must_use]
pub fn file(path: &str) -> Option<&'static [u8]> {
    index().files.get(Path::new(path)).map(AsRef::as_ref)
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
    index()
        .files
        .iter()
        .map(|(path, contents)| (path.as_path(), contents.as_ref()))
        .collect()
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
    tree(PARTIALS)
        .into_iter()
        .flat_map(Folder::files)
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

/// Renders every file below `folder` into a tree whose paths are relative to
/// `folder` (with `.hbs` dropped and `dot_` turned into `.`).
pub fn render_tree(folder: Folder, context: &Value) -> Result<FileTree, Error> {
    let mut tree = FileTree::new();
    for (path, contents) in folder.files() {
        let relative = path.strip_prefix(folder.path()).unwrap_or(path);
        let contents = if is_template(relative) {
            let name = path.display().to_string();
            let source = std::str::from_utf8(contents).map_err(|error| Error::Template {
                file: name.clone(),
                reason: error.to_string(),
            })?;
            render_str(&name, source, context)?.into_bytes()
        } else {
            contents.to_vec()
        };
        tree.insert(output_path(relative), contents);
    }
    Ok(tree)
}

/// Where every file below `folder` lands, relative to `folder`, without rendering any.
#[must_use]
pub fn output_paths(folder: Folder) -> Vec<PathBuf> {
    folder
        .files()
        .map(|(path, _)| output_path(path.strip_prefix(folder.path()).unwrap_or(path)))
        .collect()
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
