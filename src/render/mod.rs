//! Rendering: the embedded template trees, the data they see, each style's places (where
//! the markers recipes name live), how handlebars runs on them, and formatting generated
//! Rust.

pub mod compile;
pub mod context;
pub mod places;
pub mod rustfmt;
pub mod template;
