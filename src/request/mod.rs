//! The request: what the user asked for, checked before anything is rendered or written
//! (names and their rules, the validated spec of a new project).

pub mod names;
pub mod spec;
