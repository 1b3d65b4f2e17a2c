//! `autovenv completions SHELL` and `autovenv man`: both generated from the
//! clap definitions in cli.rs, so they cannot drift from the real options.
//! They are printed by the binary (not written by a build script), so a
//! package build or a user can produce them for exactly the binary at hand.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::bytes;
use crate::cli::Cli;
use crate::shell::Shell;

pub fn completions(shell: Shell) -> Result<()> {
    let target = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        other => anyhow::bail!(
            "no completions for {} yet (bash, zsh and fish have them)",
            crate::cli::shell_name(other)
        ),
    };
    // Into memory first: the generator cannot report a closed pipe, and
    // `autovenv completions bash | head` must not be an error.
    let mut out = Vec::new();
    clap_complete::generate(target, &mut Cli::command(), "autovenv", &mut out);
    std::io::stdout().write_all(&out)?;
    Ok(())
}

pub fn man(dir: Option<PathBuf>) -> Result<()> {
    let command = Cli::command();
    let Some(dir) = dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(command).render(&mut out)?;
        std::io::stdout().write_all(&out)?;
        return Ok(());
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create {}", bytes::display_path(&dir)))?;
    clap_mangen::generate_to(command, &dir).with_context(|| {
        format!(
            "cannot write the manual pages into {}",
            bytes::display_path(&dir)
        )
    })?;
    Ok(())
}
