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

#[cfg(test)]
mod tests {
    use super::{Labels, Merged, three_way};

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
}
