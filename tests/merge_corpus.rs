//! plinth's three-way merge (`upgrade::merge`) gives what `git merge-file --diff3` gives,
//! byte for byte and conflict for conflict, on random (base, yours, new) triples: texts
//! of a few distinct lines (so that changes meet and overlap often), each side the base
//! with random lines replaced, inserted and deleted, and now and then no newline at the
//! end.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

use std::fs;
use std::process::Command;

use plinth::upgrade::merge::{Labels, Merged, three_way};
use proptest::prelude::*;

const LINES: [&str; 8] = [
    "fn a() {",
    "}",
    "",
    "    x += 1;",
    "// note",
    "use y;",
    "b",
    "c",
];

/// One change to a text: at a position (taken modulo its length), a line replaced, a line
/// inserted, or a line deleted.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, usize),
    Insert(usize, usize),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..LINES.len()).prop_map(|(at, line)| Edit::Replace(at, line)),
        (any::<usize>(), 0..LINES.len()).prop_map(|(at, line)| Edit::Insert(at, line)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

fn apply(base: &[usize], edits: &[Edit]) -> Vec<usize> {
    let mut lines = base.to_vec();
    for edit in edits {
        match *edit {
            Edit::Replace(at, line) if !lines.is_empty() => {
                let at = at % lines.len();
                lines[at] = line;
            }
            Edit::Insert(at, line) => lines.insert(at % (lines.len() + 1), line),
            Edit::Delete(at) if !lines.is_empty() => {
                lines.remove(at % lines.len());
            }
            Edit::Replace(..) | Edit::Delete(_) => {}
        }
    }
    lines
}

/// The lines as text; without the last line's newline when `open_ended`.
fn text(lines: &[usize], open_ended: bool) -> String {
    let mut text: String = lines
        .iter()
        .flat_map(|&line| {
            [
                LINES[line],
                "
",
            ]
        })
        .collect();
    if open_ended {
        text.pop();
    }
    text
}

/// What `git merge-file` makes of the triple, and whether it found conflicts.
fn git_merge_file(base: &str, yours: &str, new: &str) -> (String, bool) {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let path = |name: &str| scratch.path().join(name);
    fs::write(path("base"), base).expect("write");
    fs::write(path("yours"), yours).expect("write");
    fs::write(path("new"), new).expect("write");
    let output = Command::new("git")
        .args(["merge-file", "-p", "--diff3"])
        .args(["-L", "your project", "-L", "plinth OLD", "-L", "plinth NEW"])
        .arg(path("yours"))
        .arg(path("base"))
        .arg(path("new"))
        .output()
        .expect("git runs");
    let code = output.status.code().expect("an exit code");
    assert!(
        (0..128).contains(&code),
        "git merge-file failed: {output:?}"
    );
    (String::from_utf8(output.stdout).expect("utf-8"), code > 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn merges_as_git_merge_file_does(
        base in prop::collection::vec(0..LINES.len(), 0..24),
        yours in prop::collection::vec(edit(), 0..5),
        new in prop::collection::vec(edit(), 0..5),
        open_ended in prop::array::uniform3(prop::bool::weighted(0.15)),
    ) {
        let base_text = text(&base, open_ended[0]);
        let yours_text = text(&apply(&base, &yours), open_ended[1]);
        let new_text = text(&apply(&base, &new), open_ended[2]);
        let labels = Labels {
            yours: "your project".to_owned(),
            old: "plinth OLD".to_owned(),
            new: "plinth NEW".to_owned(),
        };
        let merged = three_way(base_text.as_bytes(), yours_text.as_bytes(), new_text.as_bytes(), &labels)
            .expect("merges");
        let (expected, conflicted) = git_merge_file(&base_text, &yours_text, &new_text);
        prop_assert_eq!(String::from_utf8_lossy(merged.text()), expected);
        prop_assert_eq!(matches!(merged, Merged::Conflicted(_)), conflicted);
    }
}
