//! `plinth add resource NAME FIELD…`: read the name and fields, make sure the project has
//! what a resource needs (offering to add it), generate everything into a draft, then
//! show or apply it like every `plinth add`.

use std::path::PathBuf;

use crate::change::draft::Draft;
use crate::change::lockfile;
use crate::cli::ResourceArgs;
use crate::commands::add::conclude;
use crate::effects::prompt;
use crate::effects::report;
use crate::error::Error;
use crate::features::catalogue::{self, Feature};
use crate::features::install;
use crate::project::{self, Project};
use crate::render::context;
use crate::render::places::Places;
use crate::render::template;
use crate::request::spec::Style;
use crate::resource::field::{Field, TYPES_HELP};
use crate::resource::generate::{self, Resource};
use crate::resource::name::ResourceName;

/// The column of an owned resource's table that holds the owner's id.
const OWNER_COLUMN: &str = "owner_id";

/// The feature a resource's pages stand on; it brings db, sessions, csrf and templates.
const NEEDS: &str = "auth";

/// Runs `plinth add resource`.
pub fn run(args: &ResourceArgs) -> Result<(), Error> {
    let resource = read_resource(args)?;
    let start = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let project = project::locate(&start)?;
    let missing = missing_features(&project)?;
    if !missing.is_empty() {
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
        if !args.yes && !args.dry_run {
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
    }

    let mut draft = Draft::on_disk(&project.root);
    let metadata = &project.metadata;
    let places = Places::of(metadata.style)?;
    let context = context::for_project(metadata, &places, metadata.db)?;
    let target = install::Target {
        context: &context,
        places: &places,
        db: metadata.db,
    };
    install::install(&mut draft, &target, &metadata.features, &missing)?;
    let admin = metadata.features.iter().any(|id| id == "admin")
        || missing.iter().any(|feature| feature.id == "admin");
    let existed = generate::exists(&mut draft, &resource.name)?;
    let outcome = generate::generate(
        &mut draft,
        generate::Project {
            root: &project.root,
            places: &places,
            db: metadata.db,
            admin,
            context: &context,
        },
        &resource,
    )?;
    lockfile::settle(&mut draft, &template::shipped_lock()?)?;
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
    conclude(&project.root, &plan, args.dry_run, args.yes)?;
    for path in &outcome.unformatted {
        report::note(format!(
            "rustfmt did not run, so `{}` is not formatted: run `cargo fmt`",
            path.display()
        ));
    }
    if !args.dry_run {
        print_next_steps(&resource, metadata.style);
    }
    Ok(())
}

/// The resource as the arguments describe it, or why it cannot be made.
pub fn read_resource(args: &ResourceArgs) -> Result<Resource, Error> {
    let name = ResourceName::parse(&args.name).map_err(|problem| Error::BadResource {
        problem,
        help: "name what one row is, e.g. `Post` or `BlogPost`".to_owned(),
    })?;
    let mut fields: Vec<Field> = Vec::new();
    for spec in &args.fields {
        let field = Field::parse(spec).map_err(|problem| Error::BadResource {
            problem,
            help: format!("the field types are: {TYPES_HELP}"),
        })?;
        if let Some(other) = fields
            .iter()
            .find(|other| other.column() == field.column() || other.name == field.name)
        {
            return Err(Error::BadResource {
                problem: format!(
                    "`{}` and `{}` would both be the column `{}`",
                    other.name,
                    field.name,
                    field.column()
                ),
                help: "give each field a name of its own".to_owned(),
            });
        }
        if args.owned && field.column() == OWNER_COLUMN {
            return Err(Error::BadResource {
                problem: format!(
                    "`{}` would be the column `{OWNER_COLUMN}`, which --owned keeps the row's owner in",
                    field.name
                ),
                help: "name the field otherwise, or leave out --owned".to_owned(),
            });
        }
        fields.push(field);
    }
    let mut command = vec![args.name.clone()];
    command.extend(args.fields.iter().cloned());
    for (flag, given) in [("--api", args.api), ("--owned", args.owned)] {
        if given {
            command.push(flag.to_owned());
        }
    }
    Ok(Resource {
        name,
        fields,
        api: args.api,
        owned: args.owned,
        typed: (args.name.clone(), args.fields.clone()),
        migration: None,
        command: command.join(" "),
    })
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
