//! `plinth remove FEATURE…` and `plinth remove resource NAME`: the project rendered
//! without them and merged in like an upgrade (`rebuild`): what they added goes where the
//! user left it as plinth made it, and is merged away where the user changed it. What
//! needs the removed (another feature, a resource) is refused first, with what to remove
//! too. A resource's table is dropped by a new migration.

use std::path::{Path, PathBuf};

use crate::change::draft::Draft;
use crate::cli::{RemoveArgs, RemoveResourceArgs};
use crate::commands::add_resource;
use crate::commands::rebuild::{self, Mode, Rebuild};
use crate::commands::replay;
use crate::effects::base;
use crate::effects::report;
use crate::error::Error;
use crate::features::catalogue::{self, Feature, InFull};
use crate::project::{Project, ResourceRecord};
use crate::render::template;
use crate::request::spec::Style;
use crate::resource::generate::{self, MIGRATIONS};
use crate::resource::name::ResourceName;
use crate::upgrade::merge::Labels;
use crate::upgrade::reconcile::{self, PlinthsEnv};

/// The template of the migration that drops a removed resource's table.
const DROP: &str = "resource/drop.sql.hbs";

/// Runs `plinth remove FEATURE…`.
pub fn run(args: &RemoveArgs) -> Result<(), Error> {
    let project = super::open_project(args.change.path.as_deref())?;
    let installed = &project.metadata.features;
    let mut removed: Vec<&Feature> = Vec::new();
    for id in &args.features {
        let feature = catalogue::find(id)?;
        if installed.iter().any(|present| present == feature.id) {
            if !removed.contains(&feature) {
                removed.push(feature);
            }
        } else {
            report::skipped("Skipped", format!("{id} (not installed)"));
        }
    }
    if removed.is_empty() {
        report::note("nothing to do");
        return Ok(());
    }
    let records = replay::records(&project)?;
    for feature in &removed {
        may_remove(&project, feature, &removed, &records)?;
    }
    let mut metadata = project.metadata.clone();
    metadata
        .features
        .retain(|id| !removed.iter().any(|feature| feature.id == id));
    let names: Vec<&str> = removed.iter().map(|feature| feature.id).collect();
    let env_before = env_before(&project, &records)?;
    let rebuild = Rebuild {
        project: &project,
        labels: Labels {
            yours: "your project".to_owned(),
            old: format!("with {}", names.join(", ")),
            new: format!("without {}", names.join(", ")),
        },
        env_before,
        restore: &[],
        steps: Vec::new(),
        created: Vec::new(),
        command: format!("plinth remove {}", names.join(" ")),
        mode: mode(args.change.dry_run, args.change.yes),
    };
    rebuild::run(&rebuild, || replay::render(&project, &metadata, &records))
}

/// The `.env` plinth makes for the project as it is, and the variables in it that are
/// new at each render (its secrets), found by rendering it twice.
fn env_before(project: &Project, records: &[ResourceRecord]) -> Result<Option<PlinthsEnv>, Error> {
    let env = Path::new(base::ENV);
    let once = replay::render(project, &project.metadata, records)?;
    let twice = replay::render(project, &project.metadata, records)?;
    Ok(once.get(env).map(|first| PlinthsEnv {
        contents: first.to_vec(),
        secrets: reconcile::secrets(first, twice.get(env).unwrap_or_default()),
    }))
}

/// Refuses to remove `feature` while the project needs it: the skeleton of a full project,
/// another installed feature not removed with it, or a resource.
fn may_remove(
    project: &Project,
    feature: &Feature,
    removed: &[&Feature],
    records: &[ResourceRecord],
) -> Result<(), Error> {
    let refuse = |reason: String, remedy: String| {
        Err(Error::CannotRemove {
            what: feature.id.to_owned(),
            reason,
            remedy,
        })
    };
    if project.metadata.style == Style::Full && feature.in_full == InFull::Always {
        return refuse(
            "every full project has it: the rest of the project is built on it".to_owned(),
            format!(
                "a full project can do without {} only",
                catalogue::optional_in_full().join(", ")
            ),
        );
    }
    let needing: Vec<&str> = project
        .metadata
        .features
        .iter()
        .filter(|id| !removed.iter().any(|gone| gone.id == id.as_str()))
        .filter_map(|id| catalogue::find(id).ok())
        .filter(|other| {
            catalogue::resolve(&[other.id.to_owned()]).is_ok_and(|needs| needs.contains(&feature))
                && other.id != feature.id
        })
        .map(|other| other.id)
        .collect();
    if !needing.is_empty() {
        return refuse(
            format!("{} needs it", needing.join(", ")),
            format!(
                "remove them with it: `plinth remove {} {}`",
                needing.join(" "),
                feature.id
            ),
        );
    }
    let resources_need = catalogue::resolve(&[add_resource::NEEDS.to_owned()])?;
    if !records.is_empty() && resources_need.contains(&feature) {
        let tables: Vec<&str> = records.iter().map(|record| record.table.as_str()).collect();
        return refuse(
            format!("the resources ({}) need it", tables.join(", ")),
            format!("remove them first: `plinth remove resource {}`", tables[0]),
        );
    }
    Ok(())
}

/// Runs `plinth remove resource NAME`.
pub fn run_resource(args: &RemoveResourceArgs) -> Result<(), Error> {
    let project = super::open_project(args.change.path.as_deref())?;
    let records = replay::records(&project)?;
    let table =
        ResourceName::parse(&args.name).map_or_else(|_| args.name.clone(), |name| name.plural);
    let Some(record) = records.iter().find(|record| record.table == table) else {
        let tables: Vec<&str> = records.iter().map(|record| record.table.as_str()).collect();
        return Err(Error::CannotRemove {
            what: args.name.clone(),
            reason: "the project has no such resource".to_owned(),
            remedy: if tables.is_empty() {
                "this project has no resources made by `plinth add resource`".to_owned()
            } else {
                format!("its resources are: {}", tables.join(", "))
            },
        });
    };
    let referring: Vec<&str> = records
        .iter()
        .filter(|other| other.table != record.table)
        .filter(|other| {
            add_resource::read_resource(&other.arguments()).is_ok_and(|resource| {
                resource
                    .fields
                    .iter()
                    .any(|field| field.referenced_table() == Some(record.table.as_str()))
            })
        })
        .map(|other| other.table.as_str())
        .collect();
    if !referring.is_empty() {
        return Err(Error::CannotRemove {
            what: record.table.clone(),
            reason: format!("{} refer to its rows", referring.join(", ")),
            remedy: format!(
                "remove them first: `plinth remove resource {}`",
                referring[0]
            ),
        });
    }
    let kept: Vec<ResourceRecord> = records
        .iter()
        .filter(|other| other.table != record.table)
        .cloned()
        .collect();
    let drop = drop_migration(&project, &record.table)?;
    let rebuild = Rebuild {
        project: &project,
        labels: Labels {
            yours: "your project".to_owned(),
            old: format!("with {}", record.table),
            new: format!("without {}", record.table),
        },
        env_before: None,
        restore: &[],
        steps: Vec::new(),
        created: vec![drop],
        command: format!("plinth remove resource {}", record.table),
        mode: mode(args.change.dry_run, args.change.yes),
    };
    rebuild::run(&rebuild, || {
        replay::render(&project, &project.metadata, &kept)
    })
}

/// Shows (`--dry-run`) or writes, asking unless `--yes`.
fn mode(dry_run: bool, yes: bool) -> Mode {
    if dry_run {
        Mode::Show
    } else {
        Mode::Apply {
            verify: false,
            ask: !yes,
        }
    }
}

/// The migration that drops `table`, numbered after the project's last.
fn drop_migration(project: &Project, table: &str) -> Result<(PathBuf, Vec<u8>), Error> {
    let draft = Draft::on_disk(&project.root);
    let names = draft.file_names(Path::new(MIGRATIONS))?;
    let name = generate::next_migration(&names, &format!("drop_{table}"));
    let source = template::file(DROP)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .ok_or_else(|| Error::Template {
            file: DROP.to_owned(),
            reason: "missing from this build".to_owned(),
        })?;
    let text = template::render_str(DROP, source, &serde_json::json!({ "table": table }))?;
    Ok((
        Path::new(MIGRATIONS).join(format!("{name}.sql")),
        text.into_bytes(),
    ))
}
