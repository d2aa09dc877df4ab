//! The three-way merge of one text file: what plinth generated before (the base), the
//! project's file (yours) and what plinth generates now (new). libgit2's merge of one
//! file, the xdiff algorithm `git merge-file` runs, set up as git's defaults are (its
//! conflicts simplified as `git merge-file` does), with diff3 markers that say whose each
//! side is. `tests/merge_corpus.rs` checks it against `git merge-file` itself.

use git2::{MergeFileInput, MergeFileOptions};

/// The names the conflict markers give the three sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The project's file: `your project`.
    pub yours: String,
    /// The base: `plinth 0.1.0`.
    pub old: String,
    /// What this plinth generates: `plinth 0.2.0`.
    pub new: String,
}

/// A merge's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// Every change of both sides fits: the merged text.
    Clean(Vec<u8>),
    /// Some changes overlap: the text with conflict markers around each overlap.
    Conflicted(Vec<u8>),
}

impl Merged {
    /// The text, markers and all.
    #[must_use]
    pub fn text(&self) -> &[u8] {
        match self {
            Merged::Clean(text) | Merged::Conflicted(text) => text,
        }
    }
}

/// A line put before each side and taken off the result. git2 reads an empty merge
/// result from a null pointer, which is undefined behaviour; with the same first line on
/// every side the result is never empty, and xdiff, which sets aside the lines all sides
/// share at the start, merges the rest as it would have.
const ANCHOR: &[u8] = b"\x01plinth: the start of the file\x01\n";

/// Merges the changes from `base` to `new` into `yours`.
pub fn three_way(
    base: &[u8],
    yours: &[u8],
    new: &[u8],
    labels: &Labels,
) -> Result<Merged, git2::Error> {
    // git2's `merge_file`, unlike its other entry points, does not initialise libgit2,
    // which then fails without a message; making a `Buf` initialises it.
    drop(git2::Buf::new());
    let anchored = |text: &[u8]| [ANCHOR, text].concat();
    let (base, yours, new) = (anchored(base), anchored(yours), anchored(new));
    let input = |content| {
        let mut input = MergeFileInput::new();
        input.content(content);
        input
    };
    let mut options = MergeFileOptions::new();
    options
        .style_diff3(true)
        // `git merge-file` merges at git's XDL_MERGE_ZEALOUS_ALNUM level.
        .simplify_alnum(true)
        .our_label(labels.yours.as_str())
        .ancestor_label(labels.old.as_str())
        .their_label(labels.new.as_str());
    let result = git2::merge_file(
        &input(&base),
        &input(&yours),
        &input(&new),
        Some(&mut options),
    )?;
    let text = result
        .content()
        .strip_prefix(ANCHOR)
        .ok_or_else(|| git2::Error::from_str("the merge lost the first line all sides share"))?
        .to_vec();
    Ok(if result.is_automergeable() {
        Merged::Clean(text)
    } else {
        Merged::Conflicted(text)
    })
}

/// Settles the conflicts that are two insertions at a `plinth:` marker: lines the user
/// added where plinth's features insert theirs, and lines plinth's new version inserts
/// there. Each side only adds, the marker says where, and an edit of plinth's goes last
/// at its marker, so both are kept: the user's, then plinth's. Every other conflict stays.
#[must_use]
pub fn settle_marker_insertions(merged: Merged, labels: &Labels) -> Merged {
    let Merged::Conflicted(text) = merged else {
        return merged;
    };
    let text = match String::from_utf8(text) {
        Ok(text) => text,
        Err(binary) => return Merged::Conflicted(binary.into_bytes()),
    };
    let open = format!("<<<<<<< {}", labels.yours);
    let base = format!("||||||| {}", labels.old);
    let close = format!(">>>>>>> {}", labels.new);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut left = false;
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        if line.trim_end_matches('\n') != open {
            out.push_str(line);
            at += 1;
            continue;
        }
        // A hunk: <<<<<<< yours ||||||| base ======= new >>>>>>>.
        let find = |from: usize, marker: &str| {
            (from..lines.len()).find(|&index| lines[index].trim_end_matches('\n') == marker)
        };
        let hunk = find(at + 1, &base).and_then(|middle| {
            let split = find(middle + 1, "=======")?;
            let end = find(split + 1, &close)?;
            Some((middle, split, end))
        });
        let Some((middle, split, end)) = hunk else {
            out.push_str(line);
            at += 1;
            continue;
        };
        let only_insertions = split == middle + 1;
        let at_marker = lines
            .get(end + 1)
            .is_some_and(|next| next.contains("plinth:"));
        if only_insertions && at_marker {
            lines[at + 1..middle]
                .iter()
                .for_each(|line| out.push_str(line));
            lines[split + 1..end]
                .iter()
                .for_each(|line| out.push_str(line));
        } else {
            left = true;
            lines[at..=end].iter().for_each(|line| out.push_str(line));
        }
        at = end + 1;
    }
    if left {
        Merged::Conflicted(out.into_bytes())
    } else {
        Merged::Clean(out.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::{Labels, Merged, settle_marker_insertions, three_way};

    fn labels() -> Labels {
        Labels {
            yours: "your project".to_owned(),
            old: "plinth 0.1.0".to_owned(),
            new: "plinth 0.2.0".to_owned(),
        }
    }

    #[test]
    fn changes_to_different_lines_merge_cleanly() {
        let base = b"a\nb\nc\nd\ne\n";
        let yours = b"A\nb\nc\nd\ne\n";
        let new = b"a\nb\nc\nd\nE\n";
        let merged = three_way(base, yours, new, &labels()).expect("merges");
        assert_eq!(merged, Merged::Clean(b"A\nb\nc\nd\nE\n".to_vec()));
    }

    #[test]
    fn an_overlap_is_marked_with_all_three_sides_named() {
        let merged = three_way(
            b"a\nb\nc\n",
            b"a\nB\nc\n",
            "a\nβ\nc\n".as_bytes(),
            &labels(),
        )
        .expect("merges");
        let Merged::Conflicted(text) = merged else {
            panic!("expected a conflict");
        };
        assert_eq!(
            String::from_utf8(text).expect("utf-8"),
            "a\n<<<<<<< your project\nB\n||||||| plinth 0.1.0\nb\n=======\nβ\n>>>>>>> plinth 0.2.0\nc\n"
        );
    }

    #[test]
    fn two_insertions_at_a_marker_keep_both_and_other_conflicts_stay() {
        let base = "let app = Router::new()\n    // plinth:routes\n    ;\nfn a() {}\n";
        let yours = "let app = Router::new()\n    .route(\"/mine\")\n    // plinth:routes\n    ;\nfn a() { mine }\n";
        let new = "let app = Router::new()\n    .route(\"/new\")\n    // plinth:routes\n    ;\nfn a() {}\n";
        let merged = three_way(base.as_bytes(), yours.as_bytes(), new.as_bytes(), &labels())
            .expect("merges");
        assert!(
            matches!(merged, Merged::Conflicted(_)),
            "git conflicts here"
        );
        assert_eq!(
            settle_marker_insertions(merged, &labels()),
            Merged::Clean(
                "let app = Router::new()\n    .route(\"/mine\")\n    .route(\"/new\")\n    // plinth:routes\n    ;\nfn a() { mine }\n"
                    .as_bytes()
                    .to_vec()
            )
        );
        let elsewhere =
            three_way(b"a\nb\nc\n", b"a\nB\nc\n", b"a\nX\nc\n", &labels()).expect("merges");
        assert_eq!(
            settle_marker_insertions(elsewhere.clone(), &labels()),
            elsewhere
        );
    }
}
