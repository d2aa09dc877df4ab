//! `plinth add resource NAME FIELD…`: read the name and fields, make sure the project has
//! what a resource needs (offering to add it), generate everything into a draft, then
//! show or apply it like every `plinth add`.

use crate::change::draft::Draft;
use crate::change::lockfile;
use crate::cli::ResourceArgs;
use crate::commands::add::conclude;
use crate::effects::base;
use crate::effects::interrupt;
use crate::effects::prompt;
use crate::effects::report;
use crate::error::Error;
use crate::features::catalogue::{self, Feature};
use crate::features::install;
use crate::project::Project;
use crate::render::context;
use crate::render::places::Places;
use crate::render::template;
use crate::request::spec::Style;
use crate::resource::generate::{self, Resource};

/// The feature a resource's pages stand on; it brings db, sessions, csrf and templates.
pub const NEEDS: &str = "auth";

/// Runs `plinth add resource`.
pub fn run(args: &ResourceArgs) -> Result<(), Error> {
    let resource = read_resource(args)?;
    let project = super::open_project(args.change.path.as_deref())?;
    let missing = missing_features(&project)?;
    agree_to_features(&missing, args)?;

    let mut draft = Draft::on_disk(&project.root);
    let metadata = &project.metadata;
    let places = Places::of(metadata.style)?;
    let context = context::for_project(metadata, &places, metadata.db)?;
    let target = install::Target {
        context: &context,
        places: &places,
        db: metadata.db,
        // Features are missing only from a project without accounts, so without resources.
        below: &[],
    };
    let admin = metadata.features.iter().any(|id| id == "admin")
        || missing.iter().any(|feature| feature.id == "admin");
    let existed = generate::exists(&mut draft, &resource.name)?;
    // The same change on the project's files and on its base (`effects::base`).
    let make = |draft: &mut Draft| -> Result<generate::Outcome, Error> {
        install::install(draft, &target, &metadata.features, &missing)?;
        let resources = generate::Project {
            root: &project.root,
            places: &places,
            db: metadata.db,
            admin,
            context: &context,
        };
        let outcome = generate::generate(draft, resources, &resource)?;
        lockfile::settle(draft, &template::shipped_lock()?)?;
        Ok(outcome)
    };
    let outcome = make(&mut draft)?;
    let grown = base::grown(&project.root, |base| make(base).map(drop))?;
    if let Some(grown) = &grown {
        grown.stage(&mut draft, &project.root)?;
    }
    let plan = draft.into_plan();
    if existed {
        if plan.is_noop() && plan.conflicts.is_empty() {
            report::skipped(
                "Skipped",
                format!("{} (already there, as asked)", resource.name.plural),
            );
            report::note("nothing to do");
            return Ok(());
        }
        return Err(Error::ResourceExists(resource.name.plural.clone()));
    }
    report::status(
        "Generating",
        format!(
            "{} ({}){}",
            resource.name.type_name,
            resource.name.plural,
            if admin {
                ", registered in the admin"
            } else {
                ""
            }
        ),
    );
    // The files and the base change together, or neither does.
    let watch = interrupt::watch();
    conclude(&project.root, &plan, args.change.dry_run, args.change.yes)?;
    if let Some(grown) = grown.filter(|_| !args.change.dry_run) {
        grown.record(
            &project.root,
            &format!("plinth add resource {}", resource.command),
        );
    }
    drop(watch);
    note_unformatted(&outcome);
    if !args.change.dry_run {
        print_next_steps(&resource, metadata.style);
    }
    Ok(())
}

/// Says which generated files rustfmt could not format.
pub fn note_unformatted(outcome: &generate::Outcome) {
    for path in &outcome.unformatted {
        report::note(format!(
            "rustfmt did not run, so `{}` is not formatted: run `cargo fmt`",
            path.display()
        ));
    }
}

/// The resource as the arguments describe it, or why it cannot be made.
pub fn read_resource(args: &ResourceArgs) -> Result<Resource, Error> {
    Resource::from_typed(&args.name, &args.fields, args.api, args.owned)
}

/// Asks (or, with `--yes`, does not) to add the features a resource needs and the
/// project lacks; refuses without a terminal to ask at.
fn agree_to_features(missing: &[&Feature], args: &ResourceArgs) -> Result<(), Error> {
    if missing.is_empty() {
        return Ok(());
    }
    let brought: Vec<&str> = missing
        .iter()
        .map(|feature| feature.id)
        .filter(|id| *id != NEEDS)
        .collect();
    let names = if brought.is_empty() {
        NEEDS.to_owned()
    } else {
        format!("{NEEDS} (with {})", brought.join(", "))
    };
    if !args.change.yes && !args.change.dry_run {
        if !prompt::interactive() {
            return Err(Error::NeedsFeatures {
                description: names,
                feature: NEEDS.to_owned(),
            });
        }
        if !prompt::confirm(&format!("A resource needs {names}. Add them now?"))? {
            return Err(Error::Cancelled);
        }
    }
    report::status("Adding", names);
    Ok(())
}

/// The features a resource needs that the project lacks, in catalogue order.
fn missing_features(project: &Project) -> Result<Vec<&'static Feature>, Error> {
    Ok(catalogue::resolve(&[NEEDS.to_owned()])?
        .into_iter()
        .filter(|feature| !project.metadata.features.iter().any(|id| id == feature.id))
        .collect())
}

fn print_next_steps(resource: &Resource, style: Style) {
    let url = format!("/{}", resource.name.url_segment());
    let migrate = match style {
        Style::Full => "`cargo run` applies the new migration in development",
        Style::Micro => "`cargo run -- migrate` applies the new migration",
    };
    println!();
    println!("Next: {migrate}; then open {url}.");
    if resource.api {
        println!("The JSON API is at /api{url}.");
    }
}
