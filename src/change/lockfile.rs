//! The Cargo.lock a project is generated with: the versions plinth's own tests resolved
//! and built (`templates/lock/`, one lock of every dependency any project can have),
//! pruned to what this project depends on. Its first `cargo build` then uses exactly
//! those versions, so a crate released after plinth cannot break a project plinth made.
//! `plinth add` extends a project's lock and never moves a version already in it.
//!
//! Read and written in cargo's own format (lock version 4) with toml_edit, which plinth
//! has already: the `cargo-lock` crate would bring url, idna and ICU (about 45 crates) to
//! read one array of tables.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use semver::{Version, VersionReq};
use toml_edit::{DocumentMut, Item, Table, Value};

use crate::change::cargo_toml::MANIFEST;
use crate::change::draft::Draft;
use crate::error::Error;

/// The oldest Rust a generated project builds with: its `rust-version`, and the one the
/// shipped lock is resolved for. sqlx 0.9, the newest need of the locked crates, asks for
/// 1.94 (`tests/lock.rs` checks every locked crate when it resolves the lock again).
pub const RUST_VERSION: &str = "1.94";

/// The lock file, relative to the project's root.
pub const LOCK: &str = "Cargo.lock";

/// A package's identity in a lock: its name and version.
type Id = (String, Version);

/// One `[[package]]` of a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Package {
    source: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<Id>,
}

/// A whole lock, ordered as cargo writes it (by name, then version).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    packages: BTreeMap<Id, Package>,
}

/// Brings the draft's Cargo.lock in line with its Cargo.toml: created from `shipped` when
/// there is none, extended when the dependencies changed; left alone when they did not
/// (then the lock is cargo's business).
pub fn settle(draft: &mut Draft, shipped: &Lock) -> Result<(), Error> {
    let Some(manifest) = draft.read_text(Path::new(MANIFEST))? else {
        return Ok(());
    };
    let read = |text: &str| {
        Manifest::parse(text).map_err(|reason| Error::BadManifest {
            path: MANIFEST.into(),
            reason,
        })
    };
    let manifest = read(&manifest)?;
    let before = draft
        .original(Path::new(MANIFEST))
        .map(String::from_utf8_lossy);
    let unchanged = match before {
        Some(before) => read(&before)?.declared == manifest.declared,
        None => false,
    };
    if unchanged {
        return Ok(());
    }
    let lock_path = Path::new(LOCK);
    let existing = draft.read_text(lock_path)?;
    let mut lock = match existing {
        Some(text) => Lock::parse(&text).map_err(Error::BadLock)?,
        None => Lock::default(),
    };
    lock.extend(shipped, &manifest.dependencies);
    lock.set_root(&manifest);
    draft.write(lock_path, lock.render())
}

/// A lock as its packages, one `name version` a line: what a person reviews of it, in
/// the diffs of `--dry-run`. Text that is not a lock comes back as it is.
#[must_use]
pub fn package_list(text: &str) -> String {
    let Ok(lock) = Lock::parse(text) else {
        return text.to_owned();
    };
    let mut list = String::new();
    for (name, version) in lock.versions() {
        let _ = writeln!(list, "{name} {version}");
    }
    list
}

/// What a lock needs of a Cargo.toml: the package and every dependency it names.
#[derive(Debug)]
pub struct Manifest {
    name: String,
    version: Version,
    /// Each dependency's package name and version requirement, normal, dev and build,
    /// target-specific ones included.
    pub dependencies: Vec<(String, VersionReq)>,
    /// Each dependency as written, features included: a new feature can need a crate.
    declared: Vec<String>,
}

impl Manifest {
    /// Reads the parts of a Cargo.toml a lock depends on.
    pub fn parse(text: &str) -> Result<Self, String> {
        let document: DocumentMut = text
            .parse()
            .map_err(|error: toml_edit::TomlError| error.message().to_owned())?;
        let package = document.get("package").and_then(Item::as_table_like);
        let field = |key: &str| package.and_then(|table| table.get(key)?.as_str());
        let name = field("name").ok_or("no [package] name")?.to_owned();
        let version = Version::parse(field("version").unwrap_or("0.0.0"))
            .map_err(|error| format!("the package version: {error}"))?;
        let targets = document.get("target").and_then(Item::as_table);
        let holders = std::iter::once(document.as_table()).chain(
            targets
                .into_iter()
                .flat_map(|targets| targets.iter().filter_map(|(_, target)| target.as_table())),
        );
        let sections = ["dependencies", "dev-dependencies", "build-dependencies"];
        let tables = holders.flat_map(|holder| {
            sections
                .iter()
                .filter_map(move |section| holder.get(section)?.as_table())
        });
        let mut dependencies = Vec::new();
        let mut declared = Vec::new();
        for (key, item) in tables.flatten() {
            let detail = item.as_table_like();
            let name = detail
                .and_then(|table| table.get("package")?.as_str())
                .unwrap_or(key);
            let requirement = item
                .as_str()
                .or_else(|| detail.and_then(|table| table.get("version")?.as_str()))
                .unwrap_or("*");
            let requirement = VersionReq::parse(requirement)
                .map_err(|error| format!("the version of `{key}`: {error}"))?;
            dependencies.push((name.to_owned(), requirement));
            declared.push(format!("{key} = {}", item.to_string().trim()));
        }
        Ok(Self {
            name,
            version,
            dependencies,
            declared,
        })
    }
}

impl Lock {
    /// Reads a lock in cargo's format.
    pub fn parse(text: &str) -> Result<Self, String> {
        let document: DocumentMut = text
            .parse()
            .map_err(|error: toml_edit::TomlError| error.message().to_owned())?;
        let Some(tables) = document.get("package") else {
            return Ok(Self::default());
        };
        let tables = tables
            .as_array_of_tables()
            .ok_or("`package` is not an array of tables")?;
        let text_of = |table: &Table, key: &str| table.get(key)?.as_str().map(str::to_owned);
        let mut entries = Vec::new();
        for table in tables {
            let name = text_of(table, "name").ok_or("a package without a name")?;
            let version = text_of(table, "version").ok_or("a package without a version")?;
            let version = Version::parse(&version)
                .map_err(|error| format!("the version of `{name}`: {error}"))?;
            let dependencies: Vec<String> = table
                .get("dependencies")
                .and_then(Item::as_array)
                .map(|array| {
                    array
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            entries.push((
                name,
                version,
                text_of(table, "source"),
                text_of(table, "checksum"),
                dependencies,
            ));
        }
        let ids: Vec<Id> = entries
            .iter()
            .map(|(name, version, ..)| (name.clone(), version.clone()))
            .collect();
        let mut lock = Self::default();
        for (name, version, source, checksum, dependencies) in entries {
            let dependencies = dependencies
                .iter()
                .map(|entry| resolve(entry, &ids))
                .collect::<Result<Vec<Id>, String>>()?;
            lock.packages.insert(
                (name, version),
                Package {
                    source,
                    checksum,
                    dependencies,
                },
            );
        }
        Ok(lock)
    }

    /// Every package's name and version, in order.
    pub fn versions(&self) -> impl Iterator<Item = (&str, &Version)> {
        self.packages
            .keys()
            .map(|(name, version)| (name.as_str(), version))
    }

    /// The newest locked package named `name` that meets `requirement`.
    fn find(&self, name: &str, requirement: &VersionReq) -> Option<Id> {
        self.packages
            .keys()
            .filter(|(locked, version)| locked == name && requirement.matches(version))
            .max_by(|a, b| a.1.cmp(&b.1))
            .cloned()
    }

    /// The locked package cargo would take in place of `id`: same name, and a version
    /// semver-compatible with it.
    fn compatible(&self, id: &Id) -> Option<Id> {
        self.packages
            .keys()
            .find(|(name, version)| *name == id.0 && compatibility(version) == compatibility(&id.1))
            .cloned()
    }

    /// Adds what `wanted` needs from `shipped` that this lock lacks. A package this lock
    /// has in a compatible version stays at its version (never upgraded, never
    /// downgraded), and what is added depends on it.
    pub fn extend(&mut self, shipped: &Self, wanted: &[(String, VersionReq)]) {
        let mut pending: Vec<Id> = wanted
            .iter()
            .filter_map(|(name, requirement)| shipped.find(name, requirement))
            .collect();
        // Each shipped package reached, and the package of this lock that stands for it.
        let mut stands_for: BTreeMap<Id, Id> = BTreeMap::new();
        let mut added = Vec::new();
        while let Some(id) = pending.pop() {
            if stands_for.contains_key(&id) {
                continue;
            }
            let kept = self.compatible(&id).unwrap_or_else(|| {
                added.push(id.clone());
                id.clone()
            });
            stands_for.insert(id.clone(), kept);
            if let Some(package) = shipped.packages.get(&id) {
                pending.extend(package.dependencies.iter().cloned());
            }
        }
        for id in added {
            if let Some(package) = shipped.packages.get(&id) {
                let mut package = package.clone();
                for dependency in &mut package.dependencies {
                    if let Some(kept) = stands_for.get(dependency) {
                        dependency.clone_from(kept);
                    }
                }
                package.dependencies.sort();
                package.dependencies.dedup();
                self.packages.insert(id, package);
            }
        }
    }

    /// Writes the project's own entry: its name, version and the locked package each of
    /// its dependencies resolves to.
    fn set_root(&mut self, manifest: &Manifest) {
        self.packages
            .retain(|(name, _), package| *name != manifest.name || package.source.is_some());
        let mut dependencies: Vec<Id> = manifest
            .dependencies
            .iter()
            .filter_map(|(name, requirement)| self.find(name, requirement))
            .collect();
        dependencies.sort();
        dependencies.dedup();
        self.packages.insert(
            (manifest.name.clone(), manifest.version.clone()),
            Package {
                source: None,
                checksum: None,
                dependencies,
            },
        );
    }

    /// The lock as cargo writes it, byte for byte.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# This file is automatically @generated by Cargo.\n\
             # It is not intended for manual editing.\n\
             version = 4\n",
        );
        for ((name, version), package) in &self.packages {
            out.push_str("\n[[package]]\n");
            let _ = writeln!(out, "name = {}", quoted(name));
            let _ = writeln!(out, "version = {}", quoted(&version.to_string()));
            if let Some(source) = &package.source {
                let _ = writeln!(out, "source = {}", quoted(source));
            }
            if let Some(checksum) = &package.checksum {
                let _ = writeln!(out, "checksum = {}", quoted(checksum));
            }
            if !package.dependencies.is_empty() {
                out.push_str("dependencies = [\n");
                for dependency in &package.dependencies {
                    let _ = writeln!(out, " {},", quoted(&self.reference(dependency)));
                }
                out.push_str("]\n");
            }
        }
        out
    }

    /// How a dependency is named in a `dependencies` list: by name alone when one package
    /// has it, with its version when several do.
    fn reference(&self, (name, version): &Id) -> String {
        let same_name = self
            .packages
            .keys()
            .filter(|(other, _)| other == name)
            .count();
        if same_name > 1 {
            format!("{name} {version}")
        } else {
            name.clone()
        }
    }
}

/// The part of a version cargo keeps compatible: the major version, or the first
/// non-zero part of a 0.x one.
fn compatibility(version: &Version) -> (u64, u64, u64) {
    match (version.major, version.minor) {
        (0, 0) => (0, 0, version.patch),
        (0, minor) => (0, minor, 0),
        (major, _) => (major, 0, 0),
    }
}

/// The package a `dependencies` entry names: `name`, `name version` or
/// `name version (source)`.
fn resolve(entry: &str, ids: &[Id]) -> Result<Id, String> {
    let mut words = entry.split(' ');
    let name = words.next().unwrap_or_default();
    let version = words
        .next()
        .map(Version::parse)
        .transpose()
        .map_err(|error| format!("the dependency `{entry}`: {error}"))?;
    let mut matching = ids
        .iter()
        .filter(|(other, locked)| other == name && version.as_ref().is_none_or(|v| v == locked));
    match (matching.next(), matching.next()) {
        (Some(id), None) => Ok(id.clone()),
        (None, _) => Err(format!("the dependency `{entry}` is not in the lock")),
        (Some(_), Some(_)) => Err(format!("the dependency `{entry}` is ambiguous")),
    }
}

fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK_TEXT: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "serde",
 "syn 2.0.1",
]

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "aa"
dependencies = [
 "syn 1.0.9",
]

[[package]]
name = "syn"
version = "1.0.9"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "bb"

[[package]]
name = "syn"
version = "2.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "cc"
"#;

    fn manifest(dependencies: &str) -> Manifest {
        Manifest::parse(&format!(
            "[package]\nname = \"shop\"\nversion = \"0.1.0\"\n\n[dependencies]\n{dependencies}"
        ))
        .unwrap()
    }

    #[test]
    fn a_lock_reads_and_writes_back_byte_for_byte() {
        let lock = Lock::parse(LOCK_TEXT).unwrap();
        assert_eq!(lock.render(), LOCK_TEXT);
    }

    #[test]
    fn a_new_lock_holds_what_the_dependencies_reach_and_the_project_itself() {
        let shipped = Lock::parse(LOCK_TEXT).unwrap();
        let wanted = manifest("serde = \"1\"\n");
        let mut lock = Lock::default();
        lock.extend(&shipped, &wanted.dependencies);
        lock.set_root(&wanted);
        let text = lock.render();
        assert!(
            text.contains("name = \"shop\"\nversion = \"0.1.0\"\ndependencies = [\n \"serde\",\n]")
        );
        assert!(
            text.contains("name = \"syn\"\nversion = \"1.0.9\""),
            "{text}"
        );
        assert!(!text.contains("2.0.1"), "syn 2 is not reached: {text}");
        assert!(!text.contains("name = \"app\""));
    }

    #[test]
    fn extending_never_moves_a_locked_version() {
        let shipped = Lock::parse(LOCK_TEXT).unwrap();
        let older = LOCK_TEXT
            .replace("1.0.9", "1.0.5")
            .replace("1.0.200", "1.0.100")
            .replace("\"app\"", "\"shop\"");
        let mut lock = Lock::parse(&older).unwrap();
        let wanted = manifest("serde = \"1\"\nsyn = \"2\"\n");
        lock.extend(&shipped, &wanted.dependencies);
        lock.set_root(&wanted);
        let versions: Vec<String> = lock
            .versions()
            .map(|(name, version)| format!("{name} {version}"))
            .collect();
        assert_eq!(
            versions,
            ["serde 1.0.100", "shop 0.1.0", "syn 1.0.5", "syn 2.0.1"]
        );
    }

    #[test]
    fn semver_compatibility_is_cargo_s() {
        let class = |text: &str| compatibility(&Version::parse(text).unwrap());
        assert_eq!(class("1.2.3"), class("1.9.0"));
        assert_ne!(class("0.2.3"), class("0.3.0"));
        assert_eq!(class("0.2.3"), class("0.2.9"));
        assert_ne!(class("0.0.1"), class("0.0.2"));
    }

    #[test]
    fn a_broken_lock_says_what_is_wrong() {
        let problem = Lock::parse("[[package]]\nversion = \"1.0.0\"\n").unwrap_err();
        assert!(problem.contains("without a name"), "{problem}");
        let problem =
            Lock::parse(&LOCK_TEXT.replace(" \"serde\",\n", " \"serde 9.9.9\",\n")).unwrap_err();
        assert!(problem.contains("not in the lock"), "{problem}");
    }
}
