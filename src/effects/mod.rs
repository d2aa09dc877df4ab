//! Side effects: the only modules that write files, run git, ask at the terminal or print.

pub mod base;
pub mod git;
pub mod interrupt;
pub mod prompt;
pub mod report;
pub mod write;
