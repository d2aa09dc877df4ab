//! `plinth upgrade`: the project's generated code brought up to this plinth. Its records
//! are rendered again (`replay`), each file is reconciled with the base plinth generated
//! before and the project's own version (`upgrade::reconcile`), `Cargo.toml` is merged by
//! its keys and the lock follows. Everything is computed in memory first; then shown
//! (`--dry-run`, `--check`), checked in a copy (`--verify`), or written all at once, and
//! the new render becomes the project's base.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::change::cargo_toml::MANIFEST;
use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::change::lockfile;
use crate::change::plan::Plan;
use crate::cli::UpgradeArgs;
use crate::commands::replay;
use crate::effects::base::{self, Keeping};
use crate::effects::git;
use crate::effects::prompt;
use crate::effects::report;
use crate::effects::write;
use crate::error::Error;
use crate::project::{self, Project};
use crate::render::template;
use crate::upgrade::manifest::{self, ManifestMerge};
use crate::upgrade::merge::Labels;
use crate::upgrade::reconcile::{self, Base, Fate, Sides};

/// Runs `plinth upgrade`.
pub fn run(args: &UpgradeArgs) -> Result<(), Error> {
    let start = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let project = project::locate(&start)?;
    let root = &project.root;
    let reads_only = args.dry_run || args.check;
    if !reads_only {
        refuse_uncommitted(root)?;
    }
    let (base, keeping) = read_base(root)?;
    let new = replay::render_again(&project)?;
    let labels = Labels {
        yours: "your project".to_owned(),
        old: format!("plinth {}", project.metadata.version),
        new: format!("plinth {}", crate::VERSION),
    };
    report::status(
        "Upgrading",
        format!(
            "`{}` from {} to {}",
            project.metadata.name, labels.old, labels.new
        ),
    );
    let mut draft = Draft::on_disk(root);
    let sides = Sides {
        base: &base,
        new: &new,
        labels: &labels,
        restore: &args.restore,
    };
    let fates = reconcile::reconcile(&mut draft, &sides)?;
    let merged = merge_manifest(&mut draft, &base, &new)?;
    lockfile::settle(&mut draft, &template::shipped_lock()?)?;
    let next = base::made(new, keeping)?;
    next.stage(&mut draft, root)?;
    let plan = draft.into_plan();
    let conflicted: Vec<PathBuf> = fates
        .iter()
        .filter(|(_, fate)| *fate == Fate::Conflicted)
        .map(|(path, _)| path.clone())
        .collect();
    report_fates(&fates, &merged, &args.restore);

    let changed = plan
        .effective()
        .filter(|change| !change.path.starts_with(".plinth"))
        .count();
    if args.check {
        return match changed {
            0 => {
                report::status("Finished", "up to date");
                Ok(())
            }
            count => Err(Error::UpgradeAvailable(count)),
        };
    }
    if args.dry_run {
        print!("{}", plan.describe());
        println!("Nothing was changed (--dry-run).");
        return Ok(());
    }
    if changed == 0 {
        report::status("Finished", "the project is up to date: nothing to change");
        return Ok(());
    }
    if args.verify {
        verify(&project, &plan, &conflicted)?;
    }
    if !args.yes && prompt::interactive() && !prompt::confirm("Apply these changes?")? {
        return Err(Error::Cancelled);
    }
    write::apply_changes(root, &plan)?;
    next.record(root, "plinth upgrade");
    if conflicted.is_empty() {
        report::status(
            "Finished",
            format!("upgraded to {}: `cargo check` and commit", labels.new),
        );
        Ok(())
    } else {
        Err(Error::UpgradeConflicts(conflicted))
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
        .map(String::from_utf8_lossy)
        .ok_or_else(|| bad("plinth generated no Cargo.toml".to_owned()))?;
    let old = base
        .contents(path, Some(yours.as_bytes()))
        .map(String::from_utf8_lossy);
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
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        std::fs::create_dir_all(to.join(&relative)).map_err(failed(&to.join(&relative)))?;
        let folder = from.join(&relative);
        for entry in std::fs::read_dir(&folder).map_err(failed(&folder))? {
            let entry = entry.map_err(failed(&folder))?;
            let path = relative.join(entry.file_name());
            let kind = entry.file_type().map_err(failed(&entry.path()))?;
            if kind.is_dir() {
                if path != Path::new("target") && path != Path::new(".git") {
                    pending.push(path);
                }
            } else if kind.is_file() {
                std::fs::copy(entry.path(), to.join(&path)).map_err(failed(&entry.path()))?;
            }
        }
    }
    Ok(())
}
