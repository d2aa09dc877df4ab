//! A project rendered again from what it records of itself: its style, database and
//! features (`plinth new` and `plinth add`), then each resource in the order it was made
//! (`plinth add resource`, with its fields, flags and migration). For a project nobody
//! has edited, the result is its files, byte for byte, but `.env`, whose secret key is
//! new each time. It is what a project's generated code would be with this plinth.

use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::change::lockfile;
use crate::commands::{add_resource, new};
use crate::error::Error;
use crate::features::catalogue;
use crate::project::{self, Metadata, Project, ResourceRecord};
use crate::render::context;
use crate::render::places::Places;
use crate::render::template;
use crate::request::names::ProjectName;
use crate::request::spec::ProjectSpec;
use crate::resource::generate;

/// The files plinth would make today for the project's records.
pub fn render_again(project: &Project) -> Result<FileTree, Error> {
    render(project, &project.metadata, &records(project)?)
}

/// Every resource the project records, in the order they were made.
pub fn records(project: &Project) -> Result<Vec<ResourceRecord>, Error> {
    let manifest_path = project.root.join("Cargo.toml");
    let bad_manifest = |reason: String| Error::BadManifest {
        path: manifest_path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&manifest_path).map_err(|source| Error::Write {
        path: manifest_path.clone(),
        source,
    })?;
    let document = text
        .parse::<toml_edit::DocumentMut>()
        .map_err(|error| bad_manifest(error.message().to_owned()))?;
    let (records, unrecorded) = project::resource_records(&document);
    if let Some(table) = unrecorded.first() {
        return Err(bad_manifest(format!(
            "the resource `{table}` was recorded by an older plinth, without its fields"
        )));
    }
    Ok(records)
}

/// The files plinth makes for `project` with these features (in `metadata`) and these
/// resources.
pub fn render(
    project: &Project,
    metadata: &Metadata,
    records: &[ResourceRecord],
) -> Result<FileTree, Error> {
    let spec = ProjectSpec {
        name: ProjectName::parse(&metadata.name).map_err(Error::InvalidName)?,
        target: project.root.clone(),
        style: metadata.style,
        db: metadata.db,
        git: false,
    };
    let features = catalogue::resolve(&metadata.features)?;
    let tree = new::render(&spec, &features)?;
    if records.is_empty() {
        return Ok(tree);
    }
    let places = Places::of(metadata.style)?;
    let context = context::for_project(metadata, &places, metadata.db)?;
    let admin = metadata.features.iter().any(|id| id == "admin");
    let mut draft = Draft::in_memory(&tree);
    for record in records {
        let mut resource = add_resource::read_resource(&record.arguments())?;
        resource.migration = Some(record.migration.clone());
        let target = generate::Project {
            root: &project.root,
            places: &places,
            db: metadata.db,
            admin,
            context: &context,
        };
        generate::generate(&mut draft, target, &resource)?;
    }
    lockfile::settle(&mut draft, &template::shipped_lock()?)?;
    draft.into_tree()
}
