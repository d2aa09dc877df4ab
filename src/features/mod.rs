//! Features: the catalogue of what `plinth add` can give a project, each feature's recipe,
//! and installing them into a draft.

pub mod catalogue;
pub mod install;
pub mod recipe;
