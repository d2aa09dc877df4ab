//! `plinth upgrade`: the project's generated code brought up to this plinth. Its records
//! are rendered again (`replay`) and the result merged into the project with the base
//! plinth generated before (`rebuild`), so that the project's own changes stay.

use crate::cli::UpgradeArgs;
use crate::commands::rebuild::{self, Mode, Rebuild};
use crate::commands::replay;
use crate::error::Error;
use crate::upgrade::merge::Labels;
use crate::upgrade::steps;

/// Runs `plinth upgrade`.
pub fn run(args: &UpgradeArgs) -> Result<(), Error> {
    let project = super::open_project(args.path.as_deref())?;
    let labels = Labels {
        yours: "your project".to_owned(),
        old: format!("plinth {}", project.metadata.version),
        new: format!("plinth {}", crate::VERSION),
    };
    let rebuild = Rebuild {
        project: &project,
        labels,
        env_before: None,
        restore: &args.restore,
        steps: steps::listed()?,
        created: Vec::new(),
        command: "plinth upgrade".to_owned(),
        mode: if args.dry_run {
            Mode::Show
        } else if args.check {
            Mode::Check
        } else {
            Mode::Apply {
                verify: args.verify,
                ask: !args.yes,
            }
        },
    };
    rebuild::run(&rebuild, || replay::render_again(&project))
}
