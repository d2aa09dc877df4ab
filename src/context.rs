//! The data templates see. Everything a template may mention is set here
//! explicitly (handlebars runs in strict mode), so a typo in a template is an
//! error at render time, never a silently empty string.

use serde_json::{Value, json};

use crate::spec::ProjectSpec;

/// The version of plinth, recorded in every project it touches.
pub const PLINTH_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The template context for a new project.
#[must_use]
pub fn for_spec(spec: &ProjectSpec) -> Value {
    json!({
        "name": spec.name.as_str(),
        "crate_name": spec.name.crate_name(),
        "plinth_version": PLINTH_VERSION,
        "style": spec.style.as_str(),
        "db": spec.db.as_str(),
    })
}
