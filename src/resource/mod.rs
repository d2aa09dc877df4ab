//! `plinth add resource NAME FIELD…`: a model with its table, pages, JSON API, admin
//! registration and tests. `name` and `field` read the command line, `inflect` makes
//! plurals, `code` says how each field is written, and `generate` puts it all in a draft.

pub mod code;
pub mod field;
pub mod generate;
pub mod inflect;
pub mod name;
