//! One module per subcommand. Each takes its clap arguments, turns them into
//! plain data and calls into the library. `replay` renders a project again from what it
//! records of itself, which `upgrade` merges into it.

pub mod add;
pub mod add_resource;
pub mod completions;
pub mod features;
pub mod new;
pub mod rebuild;
pub mod remove;
pub mod replay;
pub mod upgrade;
