//! The only module that asks questions (through inquire). It is called only
//! when stdin is a terminal; Esc and Ctrl-C become `Error::Cancelled`.

use std::io::IsTerminal;

use inquire::{Confirm, InquireError, Select};

use crate::error::Error;
use crate::request::spec::Style;

/// Whether there is a person at a terminal to answer questions.
#[must_use]
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks which layout to generate.
pub fn style() -> Result<Style, Error> {
    let choices: Vec<StyleChoice> = Style::ALL.into_iter().map(StyleChoice).collect();
    Select::new("Which style of project?", choices)
        .prompt()
        .map(|choice| choice.0)
        .map_err(from_inquire)
}

/// Asks whether to go ahead; Enter means yes.
pub fn confirm(question: &str) -> Result<bool, Error> {
    Confirm::new(question)
        .with_default(true)
        .prompt()
        .map_err(from_inquire)
}

/// Wraps a style so the list shows its description.
struct StyleChoice(Style);

impl std::fmt::Display for StyleChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.describe())
    }
}

fn from_inquire(error: InquireError) -> Error {
    match error {
        InquireError::OperationCanceled | InquireError::OperationInterrupted => Error::Cancelled,
        other => Error::Prompt(other.to_string()),
    }
}
