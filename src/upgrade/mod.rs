//! `plinth upgrade`'s engine: the project's files are brought to what this plinth
//! generates for the same records, merging from the base plinth generated before
//! (`effects::base`) so that the project's own changes stay. `reconcile` decides each
//! file, `merge` merges text three ways, `manifest` merges `Cargo.toml` by its keys,
//! `steps` does what a merge cannot express (a moved file, a renamed setting).

pub mod manifest;
pub mod merge;
pub mod reconcile;
pub mod steps;
