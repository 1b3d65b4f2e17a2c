//! Lines for people, on stderr, each starting with `autovenv: `.

use std::io::Write;

use crate::config::Config;

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
