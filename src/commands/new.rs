//! `plinth new`: validate, render the project in memory, write it all at
//! once, then make the first commit.

use std::io::Write;
use std::path::Path;

use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::change::lockfile;
use crate::cli::NewArgs;
use crate::effects::base;
use crate::effects::git;
use crate::effects::prompt;
use crate::effects::report;
use crate::effects::write;
use crate::error::Error;
use crate::features::catalogue::{self, Feature, InFull};
use crate::features::install;
use crate::render::context;
use crate::render::places::Places;
use crate::render::template;
use crate::request::names::ProjectName;
use crate::request::spec::{Database, ProjectSpec, Style};

/// The style `--yes` picks.
const DEFAULT_STYLE: Style = Style::Micro;

/// Runs `plinth new`.
pub fn run(args: &NewArgs) -> Result<(), Error> {
    let spec = resolve(args)?;
    let features = catalogue::resolve(&requested_features(&spec, args)?)?;
    let mut tree = render(&spec, &features)?;
    let parent = spec
        .target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let git = spec.git && wants_repository(parent);
    // What plinth generated is the project's first base (`effects::base`).
    base::start(
        &mut tree,
        if git {
            base::Keeping::Git
        } else {
            base::Keeping::Folder
        },
    )?;
    if args.dry_run {
        print_dry_run(&spec, &tree);
        return Ok(());
    }
    for left in write::remove_stale_staging(parent) {
        report::note(format!(
            "removed `{}`, left by an interrupted plinth run",
            left.display()
        ));
    }
    write::create_project(&tree, &spec.target, |staging| {
        if !git {
            return Ok(());
        }
        let message = format!("Initial commit from plinth {}", crate::VERSION);
        git::init_and_commit(staging, tree.iter(), &message)
            .map_err(|error| Error::Git(error.message().to_owned()))
    })?;
    report::status(
        "Created",
        format!(
            "{} project `{}` at `{}`",
            spec.style.as_str(),
            spec.name,
            spec.target.display()
        ),
    );
    if git {
        report::status(
            "Initialized",
            "git repository on branch `main` with one commit",
        );
    }
    print_next_steps(&spec, &features);
    Ok(())
}

/// Turns the arguments into a validated spec: the name and target first (so
/// a bad name is reported before any question), then the missing answers.
fn resolve(args: &NewArgs) -> Result<ProjectSpec, Error> {
    let name = args
        .path
        .file_name()
        .ok_or_else(|| Error::NoNameInPath(args.path.clone()))?
        .to_str()
        .map_or_else(
            || Err(non_unicode_name(&args.path)),
            |name| ProjectName::parse(name).map_err(Error::InvalidName),
        )?;
    write::check_target_is_free(&args.path)?;
    let style = match args.style {
        Some(style) => style,
        None if args.yes => DEFAULT_STYLE,
        None if prompt::interactive() => prompt::style()?,
        None => {
            return Err(Error::NoTerminal {
                question: "no --style given".to_owned(),
                flags: "`--style micro` or `--style full`, or `--yes` to take the defaults"
                    .to_owned(),
            });
        }
    };
    Ok(ProjectSpec {
        name,
        target: args.path.clone(),
        style,
        db: args.db,
        git: !args.no_git,
    })
}

/// The features the project starts with: a full project's batteries less
/// `--without`, plus `--with`.
fn requested_features(spec: &ProjectSpec, args: &NewArgs) -> Result<Vec<String>, Error> {
    for feature in &args.without {
        let in_full = catalogue::find(feature)?.in_full;
        let refusal = |reason: String, remedy: String| Error::CannotLeaveOut {
            feature: feature.clone(),
            reason,
            remedy,
        };
        if spec.style != Style::Full {
            return Err(refusal(
                format!("a {} project starts without features", spec.style.as_str()),
                "drop `--without`, or add `--style full`".to_owned(),
            ));
        }
        let optional = || {
            format!(
                "the batteries a full project can go without are: {}",
                catalogue::optional_in_full().join(", ")
            )
        };
        match in_full {
            InFull::Optional => {}
            InFull::Always => {
                return Err(refusal(
                    "every full project is built on it".to_owned(),
                    optional(),
                ));
            }
            InFull::Never => {
                return Err(refusal(
                    "a full project does not include it".to_owned(),
                    optional(),
                ));
            }
        }
        if args.with.contains(feature) {
            return Err(refusal(
                "it is also named after `--with`".to_owned(),
                "name it in one of `--with` and `--without`".to_owned(),
            ));
        }
    }
    let batteries: Vec<&str> = match spec.style {
        Style::Micro => Vec::new(),
        Style::Full => catalogue::in_full().map(|feature| feature.id).collect(),
    };
    Ok(batteries
        .iter()
        .filter(|feature| !args.without.iter().any(|left_out| left_out == *feature))
        .map(|feature| (*feature).to_owned())
        .chain(args.with.iter().cloned())
        .collect())
}

fn non_unicode_name(path: &Path) -> Error {
    let lossy = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    match ProjectName::parse(&lossy) {
        Err(problem) => Error::InvalidName(problem),
        Ok(_) => Error::NoNameInPath(path.to_path_buf()),
    }
}

/// Renders the whole project in memory: the style's skeleton, then each
/// feature installed by the same code `plinth add` runs.
pub fn render(spec: &ProjectSpec, features: &[&Feature]) -> Result<FileTree, Error> {
    let places = Places::of(spec.style)?;
    let context = context::for_spec(spec, &places)?;
    let folder = format!("{}/files", spec.style.as_str());
    let dir = template::tree(&folder).ok_or_else(|| Error::Template {
        file: folder.clone(),
        reason: "the style's template folder is missing from this build".to_owned(),
    })?;
    let skeleton = template::render_tree(dir, &install::with_features(&context, &[]))?;
    let mut draft = Draft::in_memory(&skeleton);
    if !features.is_empty() {
        let target = install::Target {
            context: &context,
            places: &places,
            db: spec.db,
            below: &[],
        };
        install::install(&mut draft, &target, &[], features)?;
    }
    lockfile::settle(&mut draft, &template::shipped_lock()?)?;
    draft.into_tree()
}

/// Whether a project in `parent` gets a repository of its own: not inside another work
/// tree (like `cargo new`), which the note says.
fn wants_repository(parent: &Path) -> bool {
    // The parent may not exist yet: ask from its nearest existing ancestor.
    let existing = parent
        .ancestors()
        .find(|folder| folder.as_os_str().is_empty() || folder.exists())
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match git::enclosing_work_tree(existing) {
        Some(work_tree) => {
            report::note(format!(
                "inside the git work tree `{}`; no repository created",
                work_tree.display()
            ));
            false
        }
        None => true,
    }
}

fn print_dry_run(spec: &ProjectSpec, tree: &FileTree) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "Would create {} project `{}` at `{}` ({} files):",
        spec.style.as_str(),
        spec.name,
        spec.target.display(),
        tree.file_count()
    );
    // The base's copy (a project without git) is the project's files again: one line.
    let copy = Path::new(base::FOLDER);
    for path in tree.paths().filter(|path| !path.starts_with(copy)) {
        let _ = writeln!(out, "  {}", path.display());
    }
    let copies = tree.paths().filter(|path| path.starts_with(copy)).count();
    if copies > 0 {
        let _ = writeln!(
            out,
            "  {}/ ({copies} files: those above but .env, the base `plinth upgrade` merges from)",
            copy.display()
        );
    }
    let _ = writeln!(out, "Nothing was written (--dry-run).");
}

fn print_next_steps(spec: &ProjectSpec, features: &[&Feature]) {
    let has = |id: &str| features.iter().any(|feature| feature.id == id);
    let mut steps = vec![format!("cd {}", spec.target.display())];
    if has("db") && spec.db == Database::Postgres {
        steps.push(format!(
            "createdb {}          # the database `.env` names",
            spec.name.as_str().replace('-', "_")
        ));
    }
    match spec.style {
        Style::Full => steps.extend([
            "cargo run -- migrate".to_owned(),
            "cargo run -- createsuperuser".to_owned(),
            "cargo run".to_owned(),
        ]),
        Style::Micro => {
            if has("db") {
                steps.push("cargo run -- migrate".to_owned());
            }
            steps.push("cargo run".to_owned());
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "\nNext steps:");
    for step in steps {
        let _ = writeln!(out, "  {step}");
    }
}
