//! `Plan`: every file a command would create, modify or delete, and every change it
//! cannot make safely, computed before anything is written. `--dry-run`
//! prints it; otherwise it is applied only when it has no conflict.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::change::lockfile;
use crate::error::Conflict;

/// One file's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the project root.
    pub path: PathBuf,
    /// The contents before, `None` when the file is new.
    pub before: Option<Vec<u8>>,
    /// The contents after, `None` when the file is deleted.
    pub after: Option<Vec<u8>>,
}

/// What happens to a file, in the words of Rails' generators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The file is new.
    Create,
    /// The file exists and changes.
    Modify,
    /// The file exists and stays as it is.
    Identical,
    /// The file exists and is deleted.
    Delete,
}

impl Action {
    /// The word `--dry-run` and confirmations show: `create`, `modify`…
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Modify => "modify",
            Action::Identical => "identical",
            Action::Delete => "delete",
        }
    }

    /// The word for it once done: `Created`, `Modified`…
    #[must_use]
    pub fn done(self) -> &'static str {
        match self {
            Action::Create => "Created",
            Action::Modify => "Modified",
            Action::Identical => "Kept",
            Action::Delete => "Deleted",
        }
    }
}

impl FileChange {
    /// What happens to the file.
    #[must_use]
    pub fn action(&self) -> Action {
        match (&self.before, &self.after) {
            (None, _) => Action::Create,
            (Some(_), None) => Action::Delete,
            (Some(before), Some(after)) if before == after => Action::Identical,
            (Some(_), Some(_)) => Action::Modify,
        }
    }

    /// A unified diff of a modification (empty for other actions). A Cargo.lock's is of
    /// its packages and versions, not of its checksums and dependency lists.
    #[must_use]
    pub fn diff(&self) -> String {
        let (Some(before), Some(after)) = (&self.before, &self.after) else {
            return String::new();
        };
        let mut before = String::from_utf8_lossy(before).into_owned();
        let mut after = String::from_utf8_lossy(after).into_owned();
        if self.path == Path::new(lockfile::LOCK) {
            before = lockfile::package_list(&before);
            after = lockfile::package_list(&after);
        }
        let path = self.path.display().to_string();
        TextDiff::from_lines(&before, &after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string()
    }
}

/// Everything one command would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every file touched, in path order.
    pub changes: Vec<FileChange>,
    /// Every change refused.
    pub conflicts: Vec<Conflict>,
}

impl Plan {
    /// The files that would change on disk.
    pub fn effective(&self) -> impl Iterator<Item = &FileChange> {
        self.changes
            .iter()
            .filter(|change| change.action() != Action::Identical)
    }

    /// The plan less the changes inside `folder`, and whether there were any: what a
    /// user is shown when `folder` is plinth's own bookkeeping.
    #[must_use]
    pub fn outside(&self, folder: &Path) -> (Plan, bool) {
        let (inside, outside): (Vec<FileChange>, Vec<FileChange>) = self
            .changes
            .iter()
            .cloned()
            .partition(|change| change.path.starts_with(folder));
        let shown = Plan {
            changes: outside,
            conflicts: self.conflicts.clone(),
        };
        let hidden = inside
            .iter()
            .any(|change| change.action() != Action::Identical);
        (shown, hidden)
    }

    /// Whether applying the plan changes nothing.
    #[must_use]
    pub fn is_noop(&self) -> bool {
        self.effective().next().is_none()
    }

    /// The changes as `--dry-run` prints them: one line per file, with a
    /// diff for each modification. (Conflicts are reported as the error.)
    #[must_use]
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for change in &self.changes {
            let word = change.action().word();
            let _ = writeln!(out, "{word:>10}  {}", change.path.display());
            if change.action() == Action::Modify {
                for line in change.diff().lines() {
                    let _ = writeln!(out, "            {line}");
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{Action, FileChange, Plan};

    fn change(before: Option<&str>, after: &str) -> FileChange {
        FileChange {
            path: "src/main.rs".into(),
            before: before.map(|text| text.as_bytes().to_vec()),
            after: Some(after.as_bytes().to_vec()),
        }
    }

    #[test]
    fn each_file_is_classified_like_rails_generators_do() {
        assert_eq!(change(None, "a").action(), Action::Create);
        assert_eq!(change(Some("a"), "a").action(), Action::Identical);
        assert_eq!(change(Some("a"), "b").action(), Action::Modify);
    }

    #[test]
    fn the_description_shows_a_unified_diff_for_modifications_only() {
        let plan = Plan {
            changes: vec![
                change(Some("one\ntwo\n"), "one\n2\n"),
                FileChange {
                    path: "new.rs".into(),
                    before: None,
                    after: Some(b"x".to_vec()),
                },
            ],
            conflicts: Vec::new(),
        };
        let text = plan.describe();
        assert!(text.contains("    modify  src/main.rs\n"), "{text}");
        assert!(text.contains("--- a/src/main.rs"), "{text}");
        assert!(text.contains("-two\n") && text.contains("+2\n"), "{text}");
        assert!(text.contains("    create  new.rs\n"), "{text}");
        assert!(!plan.is_noop());
    }

    #[test]
    fn a_plan_of_identical_files_is_a_no_op() {
        let plan = Plan {
            changes: vec![change(Some("a"), "a")],
            conflicts: Vec::new(),
        };
        assert!(plan.is_noop());
    }
}
