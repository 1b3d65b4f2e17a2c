//! Lines for people, on stderr, each starting with `autovenv: `.

use std::io::Write;

use crate::config::Config;

/// A line decided on before it is printed (the hook's messages are worked
/// out with its memo, then shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// What changed: silenced by AUTOVENV_QUIET=1.
    Info(String),
    /// Something is wrong and the user should know what to do.
    Problem(String),
}

pub fn show(config: &Config, messages: &[Message]) {
    for m in messages {
        match m {
            Message::Info(text) => info(config, text),
            Message::Problem(text) => problem(text),
        }
    }
}

/// The lines `show` would print, for the hook to print later.
pub fn texts(config: &Config, messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            Message::Info(_) if config.quiet => None,
            Message::Info(text) | Message::Problem(text) => Some(text.replace('\n', " ")),
        })
        .collect()
}

/// Informational: silenced by AUTOVENV_QUIET=1.
pub fn info(config: &Config, text: &str) {
    if !config.quiet {
        line(text);
    }
}

/// Something is wrong and the user should know what to do.
pub fn problem(text: &str) {
    line(text);
}

fn line(text: &str) {
    // One line each, whatever the text holds.
    let flat = text.replace('\n', " ");
    let _ = writeln!(std::io::stderr().lock(), "autovenv: {flat}");
}
