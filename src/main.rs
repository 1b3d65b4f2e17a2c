//! autovenv: activates the Python virtual environment of the project you
//! `cd` into. Data flows one way: environment and file system -> detect ->
//! plan -> render -> stdout.

use std::process::ExitCode;

use clap::Parser;

mod bytes;
mod cli;
mod cmd;
mod config;
mod detect;
mod engine;
mod known;
mod message;
mod plan;
mod shell;
mod state;
mod trust;
mod venv;
mod which;

use cli::{Cli, Command};

fn main() -> ExitCode {
    // A panic is a bug; it still gets one line, never a backtrace in the
    // middle of someone's prompt.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("autovenv: internal error{at}; please report it");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let result = match cli.command {
        Command::Hook { shell } => cmd::hook::run(shell),
        Command::Export {
            target,
            user_deactivate,
        } => cmd::export::run(target, user_deactivate),
        Command::Status { dir, json } => cmd::status::run(dir, json),
        Command::Allow { path, recursive } => cmd::allow::allow(path, recursive),
        Command::Deny { path } => cmd::allow::deny(path),
        Command::New { python, name } => cmd::new::run(python, name),
        Command::List { json } => cmd::list::run(json),
        Command::Doctor => cmd::doctor::run(),
        Command::Watch { dir, json } => cmd::watch::run(dir, json),
        Command::Completions { shell } => cmd::completions::completions(shell),
        Command::Man { dir } => cmd::completions::man(dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            message::problem(&format!("{e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// `autovenv status | head -1` is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
