//! The data templates see. Everything a template may mention is set here
//! explicitly (handlebars runs in strict mode), so a typo in a template is an
//! error at render time, never a silently empty string.

use serde_json::{Value, json};

use crate::error::Error;
use crate::project::Metadata;
use crate::render::places::Places;
use crate::request::spec::{Database, ProjectSpec};

/// The template context for a new project, whose style keeps its places in `places`.
pub fn for_spec(spec: &ProjectSpec, places: &Places) -> Result<Value, Error> {
    base(spec.name.as_str(), places, spec.db)
}

/// The template context for an existing project, from its metadata.
pub fn for_project(metadata: &Metadata, places: &Places, db: Database) -> Result<Value, Error> {
    base(&metadata.name, places, db)
}

fn base(name: &str, places: &Places, db: Database) -> Result<Value, Error> {
    let style = places.style();
    let file_of_place: serde_json::Map<String, Value> = places
        .names()
        .filter_map(|place| Some((place.to_owned(), Value::from(places.file(place)?))))
        .collect();
    Ok(json!({
        "name": name,
        "crate_name": name.replace('-', "_"),
        "plinth_version": crate::VERSION,
        "rust_version": crate::change::lockfile::RUST_VERSION,
        "style": style.as_str(),
        // Where each place is: `{{places.index}}` names the file of the home page.
        "places": file_of_place,
        "db": db.as_str(),
        "sqlite": db == Database::Sqlite,
        "postgres": db == Database::Postgres,
        "secret_key": fresh_secret_key()?,
    }))
}

/// 64 bytes from the operating system's random source, as 128 hex digits:
/// the project's `SECRET_KEY`, different in every project. The only
/// output of plinth that is not determined by its input.
fn fresh_secret_key() -> Result<String, Error> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0_u8; 64];
    getrandom::fill(&mut bytes).map_err(|error| Error::Random(error.to_string()))?;
    Ok(bytes
        .iter()
        .flat_map(|byte| [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0x0f)]])
        .map(char::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::fresh_secret_key;

    #[test]
    fn secret_keys_are_long_hex_and_never_repeat() {
        let first = fresh_secret_key().expect("random");
        let second = fresh_secret_key().expect("random");
        assert_eq!(first.len(), 128);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, second);
    }
}
