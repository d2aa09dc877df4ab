//! What `plinth upgrade` and `plinth remove` share: the project's files brought to a new
//! render of its records, merged with the base plinth generated before and the project's
//! own files (`upgrade::reconcile`), `Cargo.toml` merged by its keys and the lock
//! following it. Everything is computed in memory first; then shown (`--dry-run`,
//! `--check`), checked in a copy (`--verify`), or written all at once, and the new render
//! becomes the project's base.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::change::cargo_toml::MANIFEST;
use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::change::lockfile;
use crate::change::plan::Plan;
use crate::effects::base::{self, Keeping};
use crate::effects::git;
use crate::effects::interrupt;
use crate::effects::prompt;
use crate::effects::report;
use crate::effects::write;
use crate::error::Error;
use crate::project::Project;
use crate::render::template;
use crate::upgrade::manifest::{self, ManifestMerge};
use crate::upgrade::merge::Labels;
use crate::upgrade::reconcile::{self, Base, Fate, PlinthsEnv, Sides};
use crate::upgrade::steps::Step;

/// One rebuild of a project, as a command asks for it.
pub struct Rebuild<'a> {
    /// The project.
    pub project: &'a Project,
    /// The names of the three sides in conflict markers.
    pub labels: Labels,
    /// The `.env` plinth makes for the project's records before the change, when it can
    /// be made (by `remove`), and its secrets: `.env` is then merged three ways, not only
    /// extended.
    pub env_before: Option<PlinthsEnv>,
    /// Deleted files to bring back.
    pub restore: &'a [PathBuf],
    /// What a merge cannot express, to do first (`upgrade::steps`).
    pub steps: Vec<Step>,
    /// Files the change creates beyond the render (a migration that drops a table).
    pub created: Vec<(PathBuf, Vec<u8>)>,
    /// The command, for the base's commit message.
    pub command: String,
    /// Whether to show, check or write.
    pub mode: Mode,
}

/// What a rebuild does with the change once computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--dry-run`: show it with diffs, write nothing.
    Show,
    /// `--check`: write nothing; exit 1 when something would change.
    Check,
    /// Write it.
    Apply {
        /// `--verify`: `cargo check` an upgraded copy first.
        verify: bool,
        /// Ask before writing (at a terminal, without `--yes`).
        ask: bool,
    },
}

/// Runs the rebuild, with `render` making the project's new files (called once the
/// project is known to be clean and to have a base).
pub fn run(
    rebuild: &Rebuild<'_>,
    render: impl FnOnce() -> Result<FileTree, Error>,
) -> Result<(), Error> {
    let project = rebuild.project;
    let root = &project.root;
    if let Mode::Apply { .. } = rebuild.mode {
        refuse_uncommitted(root)?;
    }
    let (mut base, keeping) = read_base(root)?;
    let new = render()?;
    let labels = &rebuild.labels;
    report::status(
        "Rebuilding",
        format!(
            "`{}`: {} → {}",
            project.metadata.name, labels.old, labels.new
        ),
    );
    let mut draft = Draft::on_disk(root);
    for step in &rebuild.steps {
        if !step.applies_to(&project.metadata.version) {
            continue;
        }
        let recorded = match &mut base {
            Base::Recorded(files) => Some(files),
            Base::Listed(_) => None,
        };
        if let Some(done) = step.run(&mut draft, recorded)? {
            report::status(
                "Stepped",
                format!("{done} (plinth {}: {})", step.since, step.why),
            );
        }
    }
    let sides = Sides {
        base: &base,
        new: &new,
        labels,
        restore: rebuild.restore,
        env_before: rebuild.env_before.as_ref(),
    };
    let fates = reconcile::reconcile(&mut draft, &sides)?;
    let merged = merge_manifest(&mut draft, &base, &new)?;
    settle_lock(&mut draft, &base, &new)?;
    for (path, contents) in &rebuild.created {
        draft.write(path, contents.as_slice())?;
        report::status("Created", path.display());
    }
    let next = base::made(new, keeping)?;
    next.stage(&mut draft, root)?;
    let plan = draft.into_plan();
    let conflicted: Vec<PathBuf> = fates
        .iter()
        .filter(|(_, fate)| *fate == Fate::Conflicted)
        .map(|(path, _)| path.clone())
        .collect();
    report_fates(&fates, &merged, rebuild.restore);

    let changed = plan
        .effective()
        .filter(|change| !change.path.starts_with(".plinth"))
        .count();
    let (verify, ask) = match rebuild.mode {
        Mode::Check => {
            return match changed {
                0 => {
                    report::status("Finished", "up to date");
                    Ok(())
                }
                count => Err(Error::UpgradeAvailable(count)),
            };
        }
        Mode::Show => {
            print!("{}", plan.describe());
            println!("Nothing was changed (--dry-run).");
            return Ok(());
        }
        Mode::Apply { verify, ask } => (verify, ask),
    };
    if changed == 0 {
        report::status("Finished", "nothing to change");
        return Ok(());
    }
    if verify {
        self::verify(project, &plan, &conflicted)?;
    }
    if ask && prompt::interactive() && !prompt::confirm("Apply these changes?")? {
        return Err(Error::Cancelled);
    }
    // The files and the base they are merged from change together, or neither does.
    let watch = interrupt::watch();
    write::apply_changes(root, &plan)?;
    next.record(root, &rebuild.command);
    drop(watch);
    if conflicted.is_empty() {
        report::status(
            "Finished",
            format!("now as {}: `cargo check` and commit", labels.new),
        );
        Ok(())
    } else {
        Err(Error::UpgradeConflicts(conflicted))
    }
}

/// The lock: plinth's new one where the project's is still plinth's old one; otherwise
/// the project's, extended with what the merged `Cargo.toml` needs.
fn settle_lock(draft: &mut Draft, base: &Base, new: &FileTree) -> Result<(), Error> {
    let path = Path::new(lockfile::LOCK);
    let yours = draft.read(path)?.map(<[u8]>::to_vec);
    let untouched =
        yours.is_some() && base.contents(path, yours.as_deref(), None) == yours.as_deref();
    match new.get(path) {
        Some(new) if untouched => draft.write(path, new),
        _ => lockfile::settle(draft, &template::shipped_lock()?),
    }
}

/// Refuses a work tree with uncommitted changes: the upgrade's are to be reviewed and
/// undone with git on their own.
fn refuse_uncommitted(root: &Path) -> Result<(), Error> {
    match git::uncommitted(root).map_err(|error| Error::Git(error.message().to_owned()))? {
        Some(paths) if !paths.is_empty() => Err(Error::Uncommitted(paths)),
        _ => Ok(()),
    }
}

/// The project's base and where the next one goes: recorded in full, or only listed in a
/// clone's table (the next is recorded in git then).
fn read_base(root: &Path) -> Result<(Base, Keeping), Error> {
    if let Some((files, keeping)) = base::read(root) {
        return Ok((Base::Recorded(files), keeping));
    }
    let listed = std::fs::read_to_string(root.join(base::TABLE))
        .ok()
        .and_then(|text| base::read_table(&text))
        .ok_or(Error::NoBase {
            base_ref: git::BASE_REF,
        })?;
    report::note(
        "only the table of the base is here (a clone without plinth's ref): files you changed are merged two ways, without plinth's old version",
    );
    let keeping = if git::is_repository(root) {
        Keeping::Git
    } else {
        Keeping::Folder
    };
    Ok((Base::Listed(listed), keeping))
}

/// Merges `Cargo.toml` by its keys into the draft.
fn merge_manifest(draft: &mut Draft, base: &Base, new: &FileTree) -> Result<ManifestMerge, Error> {
    let path = Path::new(MANIFEST);
    let bad = |reason: String| Error::BadManifest {
        path: path.to_path_buf(),
        reason,
    };
    let yours = draft
        .read_text(path)?
        .ok_or_else(|| bad("the project has no Cargo.toml".to_owned()))?;
    let new = new
        .get(path)
        .ok_or_else(|| bad("plinth generated no Cargo.toml".to_owned()))?;
    let old = base
        .contents(path, Some(yours.as_bytes()), Some(new))
        .map(String::from_utf8_lossy);
    let new = String::from_utf8_lossy(new);
    let merged = manifest::merge(old.as_deref(), &yours, &new).map_err(bad)?;
    draft.write(path, merged.text.as_bytes())?;
    Ok(merged)
}

/// Says what happened to each file, and to each key of `Cargo.toml`.
fn report_fates(fates: &[(PathBuf, Fate)], manifest: &ManifestMerge, restore: &[PathBuf]) {
    for (path, fate) in fates {
        let path = path.display();
        match fate {
            Fate::Replaced => report::status("Replaced", path),
            Fate::Created => report::status("Created", path),
            Fate::Merged => report::status("Merged", format!("{path} (your changes kept)")),
            Fate::Removed => report::status("Removed", format!("{path} (no longer generated)")),
            Fate::Restored => report::status("Restored", path),
            Fate::Conflicted => report::warning(format!(
                "{path}: your changes and plinth's overlap; marked with `<<<<<<< your project`"
            )),
            Fate::KeptDeleted => report::skipped(
                "Kept",
                format!(
                    "{path} deleted, as you left it (`--restore {path}` brings plinth's new version)"
                ),
            ),
            Fate::KeptChanged => report::skipped(
                "Kept",
                format!("{path}: plinth no longer generates it, and you changed it"),
            ),
            Fate::KeptMigration => report::skipped(
                "Kept",
                format!("{path}: a migration is never rewritten (a database may have run it)"),
            ),
            Fate::Extended(names) => {
                report::status("Extended", format!("{path}: {}", names.join(", ")));
            }
        }
    }
    for change in &manifest.changed {
        report::status("Updated", format!("{MANIFEST}: {change}"));
    }
    for kept in &manifest.kept {
        report::skipped("Kept", format!("{MANIFEST}: {kept}"));
    }
    for path in restore {
        if !fates
            .iter()
            .any(|(done, fate)| done == path && *fate == Fate::Restored)
        {
            report::note(format!(
                "`--restore {}`: not a generated file you deleted, so nothing to restore",
                path.display()
            ));
        }
    }
    report::status("Summary", summary(fates, manifest));
}

/// The counts of what happened, in one line: `2 replaced, 1 merged, 1 conflicted`.
fn summary(fates: &[(PathBuf, Fate)], manifest: &ManifestMerge) -> String {
    let count = |wanted: fn(&Fate) -> bool| fates.iter().filter(|(_, fate)| wanted(fate)).count();
    let counts = [
        (count(|fate| *fate == Fate::Replaced), "replaced"),
        (
            count(|fate| matches!(fate, Fate::Created | Fate::Restored)),
            "created",
        ),
        (count(|fate| *fate == Fate::Merged), "merged cleanly"),
        (count(|fate| *fate == Fate::Conflicted), "with conflicts"),
        (count(|fate| *fate == Fate::Removed), "removed"),
        (count(|fate| *fate == Fate::KeptDeleted), "kept deleted"),
        (
            count(|fate| matches!(fate, Fate::KeptChanged | Fate::KeptMigration)),
            "kept as you have them",
        ),
        (count(|fate| matches!(fate, Fate::Extended(_))), "extended"),
        (manifest.changed.len(), "updated in Cargo.toml"),
        (manifest.kept.len(), "kept as yours in Cargo.toml"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!("{count} {what}"))
        .collect();
    if parts.is_empty() {
        "no file to change".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Checks the upgraded project in a copy (`cargo check --all-targets`), with the
/// project's own build folder so that its dependencies are not built again.
fn verify(project: &Project, plan: &Plan, conflicted: &[PathBuf]) -> Result<(), Error> {
    if !conflicted.is_empty() {
        return Err(Error::VerifyFailed(format!(
            "it would leave conflicts to resolve in {} file(s)",
            conflicted.len()
        )));
    }
    report::status(
        "Verifying",
        "`cargo check --all-targets` on an upgraded copy",
    );
    let scratch = tempfile::tempdir().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let copy = scratch.path().join(&project.metadata.name);
    copy_project(&project.root, &copy)?;
    write::apply_changes(&copy, plan)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| project.root.join("target"), PathBuf::from);
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["check", "--all-targets", "--quiet", "--manifest-path"])
        .arg(copy.join(MANIFEST))
        .arg("--target-dir")
        .arg(target)
        .output()
        .map_err(|source| Error::Write {
            path: PathBuf::from("cargo"),
            source,
        })?;
    if output.status.success() {
        report::status("Verified", "the upgraded project checks");
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let tail = lines[lines.len().saturating_sub(40)..].join("\n");
    Err(Error::VerifyFailed(tail))
}

/// Copies the project's files to `to`, but its build folder and repository.
fn copy_project(from: &Path, to: &Path) -> Result<(), Error> {
    write::write_tree(&write::read_tree(from, &["target", ".git"])?, to)
}
