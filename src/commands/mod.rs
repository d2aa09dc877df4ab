//! One module per subcommand. Each takes its clap arguments, turns them into
//! plain data and calls into the library.

pub mod add;
pub mod add_resource;
pub mod completions;
pub mod features;
pub mod new;
