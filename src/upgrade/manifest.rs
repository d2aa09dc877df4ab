//! The upgrade of `Cargo.toml`, merged by its keys with toml_edit rather than by its
//! lines: each key plinth changed takes plinth's new value only where the project still
//! has plinth's old one; a key the project changed or removed stays as the project has
//! it; a key plinth added arrives, one it dropped goes where the project left it alone.
//! A version requirement is never lowered. Comments and layout are the project's, but
//! for `[package.metadata.plinth]`, plinth's record of what it generated.

use semver::VersionReq;
use toml_edit::{DocumentMut, Item, TableLike, Value};

/// The merged manifest and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestMerge {
    /// The project's Cargo.toml with plinth's changes in it.
    pub text: String,
    /// Each key that took plinth's change: `dependencies.sqlx: "0.8" → "0.9"`.
    pub changed: Vec<String>,
    /// Each key kept as the project has it although plinth changed it, and why.
    pub kept: Vec<String>,
}

/// Merges into `yours` what changed in plinth's manifest from `base` to `new`. Without a
/// base, every key the project has is taken for the project's own.
pub fn merge(base: Option<&str>, yours: &str, new: &str) -> Result<ManifestMerge, String> {
    let parse = |text: &str, whose: &str| {
        text.parse::<DocumentMut>()
            .map_err(|error| format!("{whose} Cargo.toml does not parse: {}", error.message()))
    };
    let base = base.map(|text| parse(text, "the base's")).transpose()?;
    let mut document = parse(yours, "the project's")?;
    let new = parse(new, "plinth's new")?;
    let mut merge = ManifestMerge {
        text: String::new(),
        changed: Vec::new(),
        kept: Vec::new(),
    };
    merge_tables(
        document.as_table_mut(),
        base.as_ref().map(|base| base.as_table() as &dyn TableLike),
        new.as_table(),
        "",
        &mut merge,
    );
    // `[package.metadata.plinth]` records what plinth generated: it is plinth's, whole.
    if let (Some(records), Some(package)) = (
        new.get("package")
            .and_then(|package| package.get("metadata"))
            .and_then(|metadata| metadata.get("plinth")),
        document
            .get_mut("package")
            .and_then(|package| package.get_mut("metadata")),
    ) {
        package["plinth"] = records.clone();
    }
    merge.text = document.to_string();
    Ok(merge)
}

fn merge_tables(
    yours: &mut dyn TableLike,
    base: Option<&dyn TableLike>,
    new: &dyn TableLike,
    path: &str,
    merge: &mut ManifestMerge,
) {
    for (key, new_item) in new.iter() {
        let at = key_path(path, key);
        let base_item = base.and_then(|base| base.get(key));
        let Some(your_item) = yours.get_mut(key) else {
            // Absent from the project: new in plinth, or removed by the user, who keeps it so.
            if base_item.is_none() {
                yours.insert(key, new_item.clone());
                merge.changed.push(format!("{at}: added"));
            }
            continue;
        };
        if let (Some(your_table), Some(new_table)) =
            (your_item.as_table_like_mut(), new_item.as_table_like())
        {
            merge_tables(
                your_table,
                base_item.and_then(Item::as_table_like),
                new_table,
                &at,
                merge,
            );
            continue;
        }
        if same(your_item, new_item) {
            continue;
        }
        let plinths_before = base_item.is_some_and(|base_item| same(your_item, base_item));
        let shown = |item: &Item| item.to_string().trim().to_owned();
        if !plinths_before {
            let user_unchanged_by_plinth =
                base_item.is_some_and(|base_item| same(base_item, new_item));
            if !user_unchanged_by_plinth {
                merge.kept.push(format!(
                    "{at}: yours ({}) kept; plinth now has {}",
                    shown(your_item),
                    shown(new_item)
                ));
            }
            continue;
        }
        if is_requirement(path, key) && lowers(your_item, new_item) {
            merge.kept.push(format!(
                "{at}: yours ({}) kept; plinth's {} would lower it",
                shown(your_item),
                shown(new_item)
            ));
            continue;
        }
        merge
            .changed
            .push(format!("{at}: {} → {}", shown(your_item), shown(new_item)));
        replace_keeping_decor(your_item, new_item);
    }
    if let Some(base) = base {
        for (key, base_item) in base.iter() {
            let untouched = yours.get(key).is_some_and(|item| same(item, base_item));
            if new.get(key).is_none() && untouched {
                yours.remove(key);
                merge
                    .changed
                    .push(format!("{}: removed", key_path(path, key)));
            }
        }
    }
}

/// The dotted path of `key` in the table at `path`: `dependencies.sqlx`.
fn key_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Puts `new` in place of `item`, with the comments and spacing around `item`.
fn replace_keeping_decor(item: &mut Item, new: &Item) {
    let mut replacement = new.clone();
    if let (Item::Value(old), Item::Value(value)) = (&*item, &mut replacement) {
        *value.decor_mut() = old.decor().clone();
    }
    *item = replacement;
}

/// Whether `key` of the table at `path` is a version requirement: a dependency written
/// as a string, a dependency's `version`, or the package's `rust-version`.
fn is_requirement(path: &str, key: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.ends_with("dependencies")
        || key == "version" && path.contains("dependencies.")
        || path == "package" && key == "rust-version"
}

/// Whether requirement `new` asks for less than `yours`: its lowest version is older.
fn lowers(yours: &Item, new: &Item) -> bool {
    let lowest = |item: &Item| {
        let text = item.as_str()?;
        let requirement = VersionReq::parse(text).ok()?;
        let first = requirement.comparators.first()?;
        Some((
            first.major,
            first.minor.unwrap_or(0),
            first.patch.unwrap_or(0),
        ))
    };
    matches!((lowest(yours), lowest(new)), (Some(yours), Some(new)) if new < yours)
}

/// Whether two items hold the same data, whatever their layout.
fn same(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::None, Item::None) => true,
        (Item::Value(a), Item::Value(b)) => same_value(a, b),
        (Item::ArrayOfTables(a), Item::ArrayOfTables(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same_tables(a, b))
        }
        _ => match (a.as_table_like(), b.as_table_like()) {
            (Some(a), Some(b)) => same_tables(a, b),
            _ => false,
        },
    }
}

fn same_tables(a: &dyn TableLike, b: &dyn TableLike) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(key, item)| b.get(key).is_some_and(|other| same(item, other)))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        (Value::Float(a), Value::Float(b)) => a.value().to_bits() == b.value().to_bits(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        (Value::Datetime(a), Value::Datetime(b)) => a.value() == b.value(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same_value(a, b))
        }
        (Value::InlineTable(a), Value::InlineTable(b)) => same_tables(a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::merge;

    const BASE: &str = "[package]\nname = \"blog\"\nrust-version = \"1.94\"\n\n[dependencies]\naxum = \"0.8\"\nserde = { version = \"1.0\", features = [\"derive\"] }\nsqlx = \"0.8\"\nold = \"1\"\n";

    #[test]
    fn plinths_changes_arrive_where_the_project_kept_plinths_values() {
        let yours = "[package]\nname = \"blog\"\nrust-version = \"1.94\"\n\n[dependencies]\n# the web framework\naxum = \"0.8\"\nserde = { version = \"1.0\", features = [\"derive\", \"rc\"] }\nsqlx = \"0.8\"\nold = \"1\"\nmine = \"2\"\n";
        let new = "[package]\nname = \"blog\"\nrust-version = \"1.95\"\n\n[dependencies]\naxum = \"0.9\"\nserde = { version = \"1.0\", features = [\"derive\"] }\nsqlx = \"0.9\"\ntower = \"0.5\"\n";
        let merged = merge(Some(BASE), yours, new).expect("merges");
        assert_eq!(
            merged.text,
            "[package]\nname = \"blog\"\nrust-version = \"1.95\"\n\n[dependencies]\n# the web framework\naxum = \"0.9\"\nserde = { version = \"1.0\", features = [\"derive\", \"rc\"] }\nsqlx = \"0.9\"\nmine = \"2\"\ntower = \"0.5\"\n"
        );
        assert!(merged.kept.is_empty(), "{:?}", merged.kept);
        assert!(
            merged
                .changed
                .contains(&"dependencies.old: removed".to_owned())
        );
        assert!(
            merged
                .changed
                .contains(&"dependencies.tower: added".to_owned())
        );
    }

    #[test]
    fn the_projects_own_requirement_stays_and_is_named() {
        let yours = BASE.replace("sqlx = \"0.8\"", "sqlx = \"0.8.6\"");
        let new = BASE.replace("sqlx = \"0.8\"", "sqlx = \"0.9\"");
        let merged = merge(Some(BASE), &yours, &new).expect("merges");
        assert!(merged.text.contains("sqlx = \"0.8.6\""), "{}", merged.text);
        assert_eq!(merged.kept.len(), 1, "{:?}", merged.kept);
        assert!(
            merged.kept[0].starts_with("dependencies.sqlx"),
            "{:?}",
            merged.kept
        );
    }

    #[test]
    fn a_requirement_is_never_lowered() {
        let new = BASE.replace("axum = \"0.8\"", "axum = \"0.7\"");
        let merged = merge(Some(BASE), BASE, &new).expect("merges");
        assert!(merged.text.contains("axum = \"0.8\""), "{}", merged.text);
        assert!(
            merged.kept[0].contains("would lower it"),
            "{:?}",
            merged.kept
        );
    }

    #[test]
    fn a_key_the_project_removed_stays_removed() {
        let yours = BASE.replace("old = \"1\"\n", "");
        let new = BASE.replace("old = \"1\"", "old = \"2\"");
        let merged = merge(Some(BASE), &yours, &new).expect("merges");
        assert!(!merged.text.contains("old ="), "{}", merged.text);
    }
}
