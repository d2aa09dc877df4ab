//! Edits to a project's Cargo.toml through toml_edit, so comments, order and
//! the user's own entries survive. A dependency the project already has is
//! never downgraded: plinth only raises a version and adds missing features.

use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// The project's manifest, relative to its root.
pub const MANIFEST: &str = "Cargo.toml";

/// Merges every dependency of `wanted` into the table `section`
/// (`dependencies`, `dev-dependencies`…) of `manifest`.
pub fn merge_dependencies(manifest: &mut DocumentMut, section: &str, wanted: &Table) {
    if wanted.is_empty() {
        return;
    }
    let table = manifest
        .entry(section)
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut();
    let Some(table) = table else { return };
    let was_sorted = is_sorted(table);
    for (name, item) in wanted {
        match table.get_mut(name) {
            None => {
                table.insert(name, as_value_item(item));
            }
            Some(existing) => merge_one(existing, item),
        }
    }
    if was_sorted {
        table.sort_values();
    }
}

/// Adds the settings of `wanted` (a `[profile]` table) that the project
/// does not set yet; a value the project already has is never changed.
pub fn merge_profile(manifest: &mut DocumentMut, wanted: &Table) {
    let profile = manifest.entry("profile").or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    if let Some(profile) = profile.as_table_mut() {
        add_missing(profile, wanted);
    }
}

fn add_missing(target: &mut Table, wanted: &Table) {
    for (key, item) in wanted {
        match (target.get_mut(key), item) {
            (None, _) => {
                let mut item = item.clone();
                forget_positions(&mut item);
                target.insert(key, item);
            }
            (Some(Item::Table(existing)), Item::Table(wanted)) => add_missing(existing, wanted),
            (Some(_), _) => {}
        }
    }
}

/// Tables copied from a recipe carry their place in the recipe; without it
/// they go after the project's own tables, at the end of Cargo.toml.
fn forget_positions(item: &mut Item) {
    if let Item::Table(table) = item {
        table.set_position(None);
        for (_, child) in table.iter_mut() {
            forget_positions(child);
        }
    }
}

/// Turns a dependency written as a sub-table into an inline one, the usual
/// style of `[dependencies]`.
fn as_value_item(item: &Item) -> Item {
    match item {
        Item::Table(table) => Item::Value(Value::InlineTable(table.clone().into_inline_table())),
        other => other.clone(),
    }
}

fn is_sorted(table: &Table) -> bool {
    let keys: Vec<&str> = table.iter().map(|(key, _)| key).collect();
    keys.windows(2).all(|pair| pair[0] <= pair[1])
}

/// Raises the version of `existing` to `wanted`'s when that is higher, and
/// adds the features it lacks. Entries it cannot read (`workspace = true`,
/// a path) are the user's business and stay as they are.
fn merge_one(existing: &mut Item, wanted: &Item) {
    let wanted_version = version_of(wanted);
    let wanted_features = features_of(wanted);
    let existing_version = version_of(existing);
    if let (Some(wanted_version), Some(existing_version)) = (&wanted_version, &existing_version)
        && compare_versions(wanted_version, existing_version) == std::cmp::Ordering::Greater
    {
        set_key(existing, "version", Value::from(wanted_version.as_str()));
    }
    if wanted_features.is_empty() || existing_version.is_none() {
        return;
    }
    let mut features = features_of(existing);
    let before = features.len();
    for feature in wanted_features {
        if !features.contains(&feature) {
            features.push(feature);
        }
    }
    if features.len() != before {
        // Sorted, so the list is the same whatever order features arrive in.
        features.sort();
        let array: Array = features.iter().map(String::as_str).collect();
        set_key(existing, "features", Value::Array(array));
    }
}

/// Sets `key` in a dependency entry, turning `name = "1"` into
/// `name = { version = "1", … }` when needed.
fn set_key(entry: &mut Item, key: &str, value: Value) {
    if key == "version"
        && let Some(Value::String(version)) = entry.as_value_mut()
    {
        let decor = version.decor().clone();
        let mut raised = value;
        *raised.decor_mut() = decor;
        *entry = Item::Value(raised);
        return;
    }
    if let Some(version) = entry.as_str().map(str::to_owned) {
        let mut table = toml_edit::InlineTable::new();
        table.insert("version", Value::from(version));
        *entry = Item::Value(Value::InlineTable(table));
    }
    if let Some(table) = entry.as_table_like_mut() {
        table.insert(key, Item::Value(value));
    }
}

fn version_of(entry: &Item) -> Option<String> {
    if let Some(version) = entry.as_str() {
        return Some(version.to_owned());
    }
    entry
        .as_table_like()?
        .get("version")?
        .as_str()
        .map(str::to_owned)
}

fn features_of(entry: &Item) -> Vec<String> {
    entry
        .as_table_like()
        .and_then(|table| table.get("features"))
        .and_then(Item::as_array)
        .map(|array| {
            array
                .iter()
                .filter_map(|value| value.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Compares two version requirements by their numbers (`^0.8` < `0.8.1`).
/// Unreadable ones compare equal, which keeps whatever the project has.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn numbers(version: &str) -> Option<Vec<u64>> {
        version
            .trim_start_matches(['^', '~', '=', ' '])
            .split('.')
            .map(|part| part.parse().ok())
            .collect()
    }
    match (numbers(a), numbers(b)) {
        (Some(mut a), Some(mut b)) => {
            let len = a.len().max(b.len());
            a.resize(len, 0);
            b.resize(len, 0);
            a.cmp(&b)
        }
        _ => std::cmp::Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use toml_edit::{DocumentMut, Table};

    use super::merge_dependencies;

    fn wanted(source: &str) -> Table {
        let document: DocumentMut = source.parse().expect("toml");
        document.as_table().clone()
    }

    fn merged(project: &str, want: &str) -> String {
        let mut document: DocumentMut = project.parse().expect("toml");
        merge_dependencies(&mut document, "dependencies", &wanted(want));
        document.to_string()
    }

    #[test]
    fn new_dependencies_are_added_in_order_and_comments_survive() {
        let project =
            "[package]\nname = \"a\"\n\n[dependencies]\n# web\naxum = \"0.8\"\ntokio = \"1\"\n";
        let result = merged(
            project,
            "minijinja = { version = \"2\", features = [\"loader\"] }\n",
        );
        assert_eq!(
            result,
            "[package]\nname = \"a\"\n\n[dependencies]\n# web\naxum = \"0.8\"\nminijinja = { version = \"2\", features = [\"loader\"] }\ntokio = \"1\"\n"
        );
    }

    #[test]
    fn a_higher_version_the_user_chose_is_kept_and_features_are_added() {
        let project =
            "[dependencies]\ntokio = { version = \"1.50\", features = [\"rt\"] } # mine\n";
        let result = merged(
            project,
            "tokio = { version = \"1\", features = [\"rt\", \"fs\"] }\n",
        );
        assert_eq!(
            result,
            "[dependencies]\ntokio = { version = \"1.50\", features = [\"fs\", \"rt\"] } # mine\n"
        );
    }

    #[test]
    fn a_lower_version_is_raised() {
        let result = merged("[dependencies]\naxum = \"0.7\"\n", "axum = \"0.8\"\n");
        assert_eq!(result, "[dependencies]\naxum = \"0.8\"\n");
    }

    #[test]
    fn workspace_and_path_dependencies_are_left_alone() {
        let project =
            "[dependencies]\naxum = { workspace = true }\nsqlx = { path = \"../sqlx\" }\n";
        let result = merged(
            project,
            "axum = { version = \"0.8\", features = [\"form\"] }\nsqlx = \"0.9\"\n",
        );
        assert_eq!(result, project);
    }

    #[test]
    fn profile_settings_are_added_where_the_project_has_none() {
        let mut document: DocumentMut =
            "[package]\nname = \"a\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n\n[profile.release]\nopt-level = 2\n"
                .parse()
                .expect("toml");
        let wanted: DocumentMut =
            "[dev.package.argon2]\nopt-level = 3\n\n[release]\nopt-level = 3\nlto = true\n"
                .parse()
                .expect("toml");
        super::merge_profile(&mut document, wanted.as_table());
        let result = document.to_string();
        assert!(
            result.contains("[profile.dev.package.\"*\"]\ndebug = false\n"),
            "{result}"
        );
        assert!(
            result.contains("[profile.dev.package.argon2]\nopt-level = 3\n"),
            "{result}"
        );
        assert!(
            result.contains("[profile.release]\nopt-level = 2\nlto = true\n"),
            "the user's opt-level stays: {result}"
        );
    }

    #[test]
    fn a_missing_section_is_created() {
        let result = merged("[package]\nname = \"a\"\n", "axum = \"0.8\"\n");
        assert_eq!(
            result,
            "[package]\nname = \"a\"\n\n[dependencies]\naxum = \"0.8\"\n"
        );
    }
}
