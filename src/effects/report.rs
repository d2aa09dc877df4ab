//! What plinth tells the user, in cargo's manner: right-aligned status words,
//! `error:`, `warning:` and `help:` prefixes. Colour only reaches a terminal
//! and never when `NO_COLOR` is set (anstream strips it otherwise).

use std::fmt::Display;
use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::error::Error;

const GOOD: Style = AnsiColor::Green.on_default().bold();
const NOTE: Style = AnsiColor::Cyan.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();

/// Prints one status line to stderr, like cargo's `Created` lines.
pub fn status(word: &str, message: impl Display) {
    line(GOOD, &format!("{word:>12}"), message);
}

/// Prints a status line for something deliberately left alone.
pub fn skipped(word: &str, message: impl Display) {
    line(WARN, &format!("{word:>12}"), message);
}

/// Prints `warning: …`.
pub fn warning(message: impl Display) {
    line(WARN, "warning:", message);
}

/// Prints `note: …`.
pub fn note(message: impl Display) {
    line(NOTE, "note:", message);
}

/// Prints `error: …` and, when there is a remedy, `help: …`.
pub fn error(error: &Error) {
    line(BAD, "error:", error);
    if let Some(help) = error.help() {
        line(NOTE, "help:", help);
    }
}

fn line(style: Style, prefix: &str, message: impl Display) {
    // A closed stderr leaves nothing to report to; ignoring the failure is
    // the only sensible thing left.
    let _ = writeln!(anstream::stderr(), "{style}{prefix}{style:#} {message}");
}
