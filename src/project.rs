//! An existing plinth project: found by walking up to the Cargo.toml that
//! carries `[package.metadata.plinth]`, which records what the project is.

use std::fs;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use toml_edit::{Array, DocumentMut, Item, Table, value};

use crate::VERSION;
use crate::error::Error;
use crate::request::spec::{Database, Style};

/// What `[package.metadata.plinth]` says about a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The package name.
    pub name: String,
    /// The layout it was generated with.
    pub style: Style,
    /// Its database choice.
    pub db: Database,
    /// Installed features, in catalogue order.
    pub features: Vec<String>,
    /// The plinth that last generated its code (`plinth new`, `add` or `upgrade`).
    pub version: String,
}

/// A project on disk.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder holding its Cargo.toml.
    pub root: PathBuf,
    /// What it records about itself.
    pub metadata: Metadata,
}

/// The project a command names with `--path DIR`, or the one containing the current
/// folder.
pub fn named(path: Option<&Path>) -> Result<Project, Error> {
    locate(path.unwrap_or(Path::new(".")))
}

/// Finds the plinth project at or above `start`.
pub fn locate(start: &Path) -> Result<Project, Error> {
    let absolute = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    for folder in absolute.ancestors() {
        let manifest_path = folder.join("Cargo.toml");
        let Ok(source) = fs::read_to_string(&manifest_path) else {
            continue;
        };
        let document: DocumentMut =
            source
                .parse()
                .map_err(|error: toml_edit::TomlError| Error::BadManifest {
                    path: manifest_path.clone(),
                    reason: error.message().to_owned(),
                })?;
        if plinth_table(&document).is_some() {
            let metadata = read_metadata(&document).map_err(|reason| Error::BadManifest {
                path: manifest_path.clone(),
                reason,
            })?;
            return Ok(Project {
                root: folder.to_path_buf(),
                metadata,
            });
        }
    }
    Err(Error::NotAProject(absolute))
}

fn plinth_table(document: &DocumentMut) -> Option<&Table> {
    document
        .get("package")?
        .get("metadata")?
        .get("plinth")?
        .as_table()
}

fn plinth_table_mut(document: &mut DocumentMut) -> Option<&mut Table> {
    document
        .get_mut("package")?
        .get_mut("metadata")?
        .get_mut("plinth")?
        .as_table_mut()
}

/// Reads the metadata of a parsed Cargo.toml.
pub fn read_metadata(document: &DocumentMut) -> Result<Metadata, String> {
    let table = plinth_table(document).ok_or("no [package.metadata.plinth] table")?;
    let name = document
        .get("package")
        .and_then(|package| package.get("name"))
        .and_then(Item::as_str)
        .ok_or("no package name")?
        .to_owned();
    let text = |key: &str| {
        table
            .get(key)
            .and_then(Item::as_str)
            .ok_or(format!("no `{key}` in [package.metadata.plinth]"))
    };
    let style = Style::from_str(text("style")?, false).map_err(|_| "unknown `style`".to_owned())?;
    let db = Database::from_str(text("db")?, false).map_err(|_| "unknown `db`".to_owned())?;
    let features = table
        .get("features")
        .and_then(Item::as_array)
        .ok_or("no `features` list in [package.metadata.plinth]")?
        .iter()
        .map(|feature| {
            feature
                .as_str()
                .map(str::to_owned)
                .ok_or("`features` must list strings".to_owned())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let version = text("version")?.to_owned();
    Ok(Metadata {
        name,
        style,
        db,
        features,
        version,
    })
}

/// Records `features` as installed (in the order given, which is the catalogue's), `db`
/// as the project's database and this plinth as the last to touch it.
pub fn write_metadata(document: &mut DocumentMut, features: &[String], db: Database) {
    let Some(table) = plinth_table_mut(document) else {
        return;
    };
    let ordered: Array = features.iter().map(String::as_str).collect();
    table["version"] = value(VERSION);
    table["db"] = value(db.as_str());
    table["features"] = value(ordered);
}

/// A resource as `plinth add resource` was asked for it: enough to make it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRecord {
    /// Its table and module: `posts`.
    pub table: String,
    /// Its name as typed: `Post`.
    pub name: String,
    /// Its fields as typed: `title:string^`, `author:ref(users)`.
    pub fields: Vec<String>,
    /// Whether it has a JSON API.
    pub api: bool,
    /// Whether its rows have owners.
    pub owned: bool,
    /// The column that names a row; empty when a row is named by its id.
    pub label: String,
    /// Its migration, without `.sql`: `0004_create_posts`.
    pub migration: String,
}

impl ResourceRecord {
    /// The arguments of `plinth add resource` that make it.
    #[must_use]
    pub fn arguments(&self) -> crate::cli::ResourceArgs {
        crate::cli::ResourceArgs {
            name: self.name.clone(),
            fields: self.fields.clone(),
            api: self.api,
            owned: self.owned,
            change: crate::cli::Changing {
                path: None,
                dry_run: false,
                yes: true,
            },
        }
    }
}

/// The resources `plinth add resource` made, by table, with the column that names a
/// row (empty when a row is named by its id).
#[must_use]
pub fn read_resources(document: &DocumentMut) -> std::collections::BTreeMap<String, String> {
    resource_tables(document)
        .map(|(table, item)| {
            // plinth 0.1 before the full records kept the label alone.
            let label = item
                .as_str()
                .or_else(|| item.get("label")?.as_str())
                .unwrap_or("");
            (table.to_owned(), label.to_owned())
        })
        .collect()
}

/// Every resource, in the order they were made, as recorded to be made again; and the
/// tables of those an older plinth recorded without their fields, which cannot be.
#[must_use]
pub fn resource_records(document: &DocumentMut) -> (Vec<ResourceRecord>, Vec<String>) {
    let mut records = Vec::new();
    let mut unrecorded = Vec::new();
    for (table, item) in resource_tables(document) {
        let text = |key: &str| item.get(key).and_then(Item::as_str).map(str::to_owned);
        let fields: Option<Vec<String>> =
            item.get("fields").and_then(Item::as_array).map(|array| {
                array
                    .iter()
                    .filter_map(|field| field.as_str().map(str::to_owned))
                    .collect()
            });
        match (text("name"), fields, text("migration")) {
            (Some(name), Some(fields), Some(migration)) => records.push(ResourceRecord {
                table: table.to_owned(),
                name,
                fields,
                api: item.get("api").and_then(Item::as_bool).unwrap_or(false),
                owned: item.get("owned").and_then(Item::as_bool).unwrap_or(false),
                label: text("label").unwrap_or_default(),
                migration,
            }),
            _ => unrecorded.push(table.to_owned()),
        }
    }
    (records, unrecorded)
}

fn resource_tables(document: &DocumentMut) -> impl Iterator<Item = (&str, &Item)> {
    plinth_table(document)
        .and_then(|table| table.get("resources"))
        .and_then(Item::as_table)
        .into_iter()
        .flat_map(Table::iter)
}

/// Records a resource in `[package.metadata.plinth.resources.<table>]`.
pub fn record_resource(document: &mut DocumentMut, record: &ResourceRecord) {
    let Some(plinth) = plinth_table_mut(document) else {
        return;
    };
    let resources = plinth.entry("resources").or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    let Some(resources) = resources.as_table_mut() else {
        return;
    };
    let mut entry = Table::new();
    entry["name"] = value(record.name.as_str());
    entry["fields"] = value(record.fields.iter().map(String::as_str).collect::<Array>());
    entry["api"] = value(record.api);
    entry["owned"] = value(record.owned);
    entry["label"] = value(record.label.as_str());
    entry["migration"] = value(record.migration.as_str());
    resources[record.table.as_str()] = Item::Table(entry);
}

#[cfg(test)]
mod tests {
    use std::fs;

    use toml_edit::DocumentMut;

    use super::{locate, read_metadata, write_metadata};
    use crate::request::spec::{Database, Style};

    const MANIFEST: &str = "[package]\nname = \"blog\"\n\n[package.metadata.plinth]\nversion = \"0.0.1\"\nstyle = \"micro\"\ndb = \"sqlite\"\nfeatures = []\n";

    #[test]
    fn the_project_is_found_from_a_folder_inside_it() {
        let scratch = tempfile::tempdir().expect("tempdir");
        fs::write(scratch.path().join("Cargo.toml"), MANIFEST).expect("write");
        fs::create_dir_all(scratch.path().join("src/deep")).expect("mkdir");
        let project = locate(&scratch.path().join("src/deep")).expect("found");
        assert_eq!(project.root, scratch.path());
        assert_eq!(project.metadata.style, Style::Micro);
        assert_eq!(project.metadata.name, "blog");
    }

    #[test]
    fn a_plain_cargo_project_is_not_a_plinth_project() {
        let scratch = tempfile::tempdir().expect("tempdir");
        fs::write(
            scratch.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\n",
        )
        .expect("write");
        assert!(locate(scratch.path()).is_err());
    }

    #[test]
    fn features_and_database_are_recorded() {
        let mut document: DocumentMut = MANIFEST.parse().expect("toml");
        write_metadata(
            &mut document,
            &["templates".to_owned(), "ci".to_owned()],
            Database::Postgres,
        );
        let metadata = read_metadata(&document).expect("valid");
        assert_eq!(metadata.features, ["templates", "ci"]);
        assert_eq!(metadata.db, Database::Postgres);
        assert!(document.to_string().contains("version = \"0.1.0\""));
    }
}
