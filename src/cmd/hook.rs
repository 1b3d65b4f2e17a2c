use std::io::Write;

use anyhow::{Context, Result};

use crate::shell::Shell;

pub fn run(shell: Shell) -> Result<()> {
    // The path of this very binary goes into the hook, so the hook keeps
    // working whatever PATH later becomes.
    let binary = std::env::current_exe().context("cannot find the autovenv binary's own path")?;
    let initial = super::export::initial_statements(shell).unwrap_or_default();
    std::io::stdout().write_all(shell.hook(&binary, &initial).as_bytes())?;
    Ok(())
}
