//! `plinth add FEATURE…`: resolve what is needed, compute every change in
//! memory, show or confirm it, then apply it all at once.

use std::path::Path;

use crate::change::draft::Draft;
use crate::change::lockfile;
use crate::change::plan::Plan;
use crate::cli::AddArgs;
use crate::commands::add_resource;
use crate::effects::base;
use crate::effects::interrupt;
use crate::effects::prompt;
use crate::effects::report;
use crate::effects::write;
use crate::error::Error;
use crate::features::catalogue::{self, Feature};
use crate::features::install;
use crate::project::{self, Project};
use crate::render::context;
use crate::render::places::Places;
use crate::render::template;
use crate::resource::generate;

/// Runs `plinth add`.
pub fn run(args: &AddArgs) -> Result<(), Error> {
    let wanted = catalogue::resolve(&args.features)?;
    let project = super::open_project(args.change.path.as_deref())?;
    let db = chosen_database(&project, args)?;
    let (installed, missing): (Vec<&Feature>, Vec<&Feature>) = wanted
        .into_iter()
        .partition(|feature| project.metadata.features.iter().any(|id| id == feature.id));
    for feature in &installed {
        report::skipped("Skipped", format!("{} (already installed)", feature.id));
    }
    if missing.is_empty() {
        report::note("nothing to do");
        return Ok(());
    }
    report::status("Adding", describe_features(&missing, &args.features));

    let places = Places::of(project.metadata.style)?;
    let context = context::for_project(&project.metadata, &places, db)?;
    let adding = Adding {
        project: &project,
        places: &places,
        context: &context,
        db,
        missing: &missing,
    };
    let mut draft = Draft::on_disk(&project.root);
    let (outcome, unrecorded) = adding.make(&mut draft)?;
    if missing.iter().any(|feature| feature.id == "admin") {
        for table in &unrecorded {
            report::note(format!(
                "`{table}` was made by an older plinth, which did not record its fields: list it in the admin by hand, as `src/<resource>/admin.rs` does for resources made now"
            ));
        }
    }
    let grown = base::grown(&project.root, |base| adding.make(base).map(drop))?;
    if let Some(grown) = &grown {
        grown.stage(&mut draft, &project.root)?;
    }
    // The files and the base change together, or neither does.
    let watch = interrupt::watch();
    conclude(
        &project.root,
        &draft.into_plan(),
        args.change.dry_run,
        args.change.yes,
    )?;
    if let Some(grown) = grown.filter(|_| !args.change.dry_run) {
        let command = format!("plinth add {}", args.features.join(" "));
        grown.record(&project.root, &command);
    }
    drop(watch);
    add_resource::note_unformatted(&outcome);
    Ok(())
}

/// Features being added to a project: what makes the change, on the project's files and
/// on its base alike (`effects::base`).
struct Adding<'a> {
    project: &'a Project,
    places: &'a Places,
    context: &'a serde_json::Value,
    db: crate::request::spec::Database,
    missing: &'a [&'static Feature],
}

impl Adding<'_> {
    /// Installs the features into `draft`, gives the resources their place in the admin
    /// when it is one of them, and extends the lock. Returns what rustfmt left unformatted
    /// and the resources an older plinth recorded without their fields.
    fn make(&self, draft: &mut Draft) -> Result<(generate::Outcome, Vec<String>), Error> {
        let (records, unrecorded) = project::resource_records(&install::read_manifest(draft)?);
        let resources = generate::Project {
            root: &self.project.root,
            places: self.places,
            db: self.db,
            admin: true,
            context: self.context,
        };
        let below = generate::resource_edits(draft, resources, &records)?;
        let target = install::Target {
            context: self.context,
            places: self.places,
            db: self.db,
            below: &below,
        };
        install::install(
            draft,
            &target,
            &self.project.metadata.features,
            self.missing,
        )?;
        let mut outcome = generate::Outcome::default();
        if self.missing.iter().any(|feature| feature.id == "admin") {
            outcome = generate::register_in_admin(draft, resources, &records)?;
        }
        lockfile::settle(draft, &template::shipped_lock()?)?;
        Ok((outcome, unrecorded))
    }
}

/// Shows the plan (`--dry-run`) or, when it has no conflict and the user agrees, applies
/// it and reports each file.
pub fn conclude(root: &Path, plan: &Plan, dry_run: bool, yes: bool) -> Result<(), Error> {
    // What plinth keeps for itself in `.plinth/` changes with every command: one line says
    // so, instead of a line (or a diff) per file of its copy of the base.
    let (shown, bookkeeping) = plan.outside(Path::new(base::FOLDER_ROOT));
    if dry_run {
        print!("{}", shown.describe());
        if bookkeeping {
            println!("{}", summary_line("record", RECORDED));
        }
        if !plan.conflicts.is_empty() {
            return Err(Error::Conflicts(plan.conflicts.clone()));
        }
        println!("Nothing was changed (--dry-run).");
        return Ok(());
    }
    if !plan.conflicts.is_empty() {
        return Err(Error::Conflicts(plan.conflicts.clone()));
    }
    if !yes && prompt::interactive() {
        print_summary(&shown, bookkeeping);
        if !prompt::confirm("Apply these changes?")? {
            return Err(Error::Cancelled);
        }
    }
    write::apply_changes(root, plan)?;
    report_applied(root, &shown, bookkeeping);
    Ok(())
}

/// What the bookkeeping line says.
const RECORDED: &str = "what plinth generated, in .plinth/ (`plinth upgrade` merges from it)";

/// The database to install with: the one asked for, unless the project
/// already has a database of another kind.
fn chosen_database(
    project: &Project,
    args: &AddArgs,
) -> Result<crate::request::spec::Database, Error> {
    let recorded = project.metadata.db;
    match args.db {
        Some(requested)
            if requested != recorded && project.metadata.features.iter().any(|id| id == "db") =>
        {
            Err(Error::DatabaseMismatch {
                installed: recorded.as_str().to_owned(),
                requested: requested.as_str().to_owned(),
            })
        }
        Some(requested) => Ok(requested),
        None => Ok(recorded),
    }
}

/// `templates, db (required)`: features pulled in by others are marked so
/// the user sees why they arrive.
#[must_use]
pub fn describe_features(features: &[&Feature], requested: &[String]) -> String {
    features
        .iter()
        .map(|feature| {
            if requested.iter().any(|id| id == feature.id) {
                feature.id.to_owned()
            } else {
                format!("{} (required)", feature.id)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The changes the user confirms, a line each, and the bookkeeping line if there is one.
fn print_summary(plan: &Plan, bookkeeping: bool) {
    for change in plan.effective() {
        eprintln!(
            "{}",
            summary_line(change.action().word(), change.path.display())
        );
    }
    if bookkeeping {
        eprintln!("{}", summary_line("record", RECORDED));
    }
}

/// One line of a summary, as `--dry-run` writes them: the word, then what it is about.
fn summary_line(word: &str, what: impl std::fmt::Display) -> String {
    format!("{word:>10}  {what}")
}

fn report_applied(root: &Path, plan: &Plan, bookkeeping: bool) {
    for change in plan.effective() {
        report::status(change.action().done(), change.path.display());
    }
    if bookkeeping {
        report::status("Recorded", RECORDED);
    }
    report::status(
        "Finished",
        format!("`{}` is ready: `cargo run` to serve it", root.display()),
    );
}
