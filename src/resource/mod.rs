//! `plinth add resource NAME FIELD…`: a model with its table, pages, JSON API, admin
//! registration and tests. `name` and `field` read the command line, `inflect` makes
//! plurals, `context` is what the templates are told, and `generate` puts it all in a
//! draft.

pub mod context;
pub mod field;
pub mod generate;
pub mod inflect;
pub mod name;
