//! Changes in memory: the files of a project being changed (a draft), the plan it becomes,
//! anchored edits (checked to leave Rust that parses) and Cargo.toml merging. Nothing here touches the disk but to read.

pub mod cargo_toml;
pub mod draft;
pub mod edit;
pub mod file_tree;
pub mod lockfile;
pub mod plan;
pub mod rust_syntax;
