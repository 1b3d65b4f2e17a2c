//! autovenv: activates the Python virtual environment of the project you
//! `cd` into. Data flows one way: environment and file system -> detect ->
//! plan -> render -> stdout.

use std::process::ExitCode;

use clap::Parser;

mod bytes;
mod cli;
mod cmd;
mod config;
mod create;
mod detect;
mod doctor;
mod dotenv;
mod engine;
mod inventory;
mod known;
mod locate;
mod message;
mod plan;
mod program;
mod records;
mod region;
mod settle;
mod shell;
mod snapshot;
mod state;
mod trust;
mod venv;
mod view;
mod which;

use cli::{Cli, Command, ExportArgs};
use snapshot::Snapshot;

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
    // The hook's call comes first and skips clap: building the whole command
    // line (every subcommand, its help, completions) costs about 60 µs, 6 %
    // of a process start, on every `cd` (docs/performance.md).
    if let Some(args) = hook_export_args(std::env::args_os().skip(1)) {
        return finish(cmd::export::run(&Snapshot::capture(), &args));
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let env = Snapshot::capture();
    let result = match cli.command {
        Command::Hook {
            shell,
            non_interactive,
        } => cmd::hook::run(&env, shell, non_interactive),
        Command::Export(args) => cmd::export::run(&env, &args),
        Command::Status { dir, json } => cmd::status::run(&env, dir, json),
        Command::Allow { path, recursive } => cmd::allow::allow(&env, path, recursive),
        Command::Deny { path } => cmd::allow::deny(&env, path),
        Command::New { python, name } => cmd::new::run(&env, python, name),
        Command::List { json } => cmd::list::run(&env, json),
        Command::Doctor => cmd::doctor::run(&env),
        Command::Watch { dir, json } => cmd::watch::run(&env, dir, json),
        Command::Exec(args) => cmd::exec::run(&env, args),
        Command::Completions { shell } => cmd::completions::completions(shell),
        Command::Man { dir } => cmd::completions::man(dir),
    };
    finish(result)
}

/// `export SHELL [--hook ID] [--user-deactivate] [--local V] [--foreign V]
/// [--stale V] [--back-to DIR]`,
/// exactly as the hooks call it; any other form (options first, `--help`,
/// a wrong name, a repeated option) is left to clap, so its messages and
/// exit codes stay the same.
fn hook_export_args(mut args: impl Iterator<Item = std::ffi::OsString>) -> Option<ExportArgs> {
    use clap::ValueEnum;
    if args.next()? != "export" {
        return None;
    }
    let target = cli::ExportTarget::from_str(args.next()?.to_str()?, false).ok()?;
    let mut call = ExportArgs {
        target,
        dir: None,
        literal: false,
        user_deactivate: false,
        local: None,
        foreign: None,
        stale: None,
        hook: None,
        back_to: None,
    };
    while let Some(arg) = args.next() {
        if arg == "--user-deactivate" && !call.user_deactivate {
            call.user_deactivate = true;
        } else if arg == "--local" && call.local.is_none() {
            call.local = Some(args.next()?);
        } else if arg == "--foreign" && call.foreign.is_none() {
            call.foreign = Some(args.next()?);
        } else if arg == "--stale" && call.stale.is_none() {
            call.stale = Some(args.next()?);
        } else if arg == "--hook" && call.hook.is_none() {
            call.hook = Some(args.next()?);
        } else if arg == "--back-to" && call.back_to.is_none() {
            call.back_to = Some(args.next()?);
        } else {
            return None;
        }
    }
    Some(call)
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            message::problem(&format!("{e:#}"));
            // `exec` exits as a shell does for a command it cannot run.
            match e.downcast_ref::<cmd::exec::CannotRun>() {
                Some(failed) => ExitCode::from(failed.code),
                None => ExitCode::FAILURE,
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use cli::ExportTarget;

    fn parse(args: &[&str]) -> Option<ExportArgs> {
        hook_export_args(args.iter().map(std::ffi::OsString::from))
    }

    fn call(
        target: ExportTarget,
        user_deactivate: bool,
        local: Option<&str>,
        foreign: Option<&str>,
    ) -> ExportArgs {
        ExportArgs {
            target,
            dir: None,
            literal: false,
            user_deactivate,
            local: local.map(Into::into),
            foreign: foreign.map(Into::into),
            stale: None,
            hook: None,
            back_to: None,
        }
    }

    #[test]
    fn the_hooks_calls_skip_clap() {
        assert_eq!(
            parse(&["export", "bash"]),
            Some(call(ExportTarget::Bash, false, None, None))
        );
        assert_eq!(
            parse(&["export", "json"]),
            Some(call(ExportTarget::Json, false, None, None))
        );
        assert_eq!(
            parse(&[
                "export",
                "fish",
                "--user-deactivate",
                "--local",
                "",
                "--foreign",
                "1"
            ]),
            Some(call(ExportTarget::Fish, true, Some(""), Some("1")))
        );
        assert_eq!(
            parse(&[
                "export",
                "zsh",
                "--hook",
                "0123456789abcdef",
                "--local",
                "{}",
                "--foreign",
                "",
                "--stale",
                "1",
                "--back-to",
                "/a dir"
            ]),
            Some(ExportArgs {
                stale: Some("1".into()),
                hook: Some("0123456789abcdef".into()),
                back_to: Some("/a dir".into()),
                ..call(ExportTarget::Zsh, false, Some("{}"), Some(""))
            })
        );
        // A value that looks like an option is still a value.
        assert_eq!(
            parse(&["export", "zsh", "--local", "--foreign", "--foreign", ""]),
            Some(call(ExportTarget::Zsh, false, Some("--foreign"), Some("")))
        );
    }

    #[test]
    fn every_other_form_goes_to_clap() {
        for args in [
            &[][..],
            &["status"],
            &["export"],
            &["export", "csh"],
            &["export", "BASH"],
            &["export", "--user-deactivate", "zsh"],
            &["export", "zsh", "--help"],
            &["export", "zsh", "--user-deactivate", "more"],
            &["export", "zsh", "--user-deactivate", "--user-deactivate"],
            &["export", "zsh", "--local"],
            &["export", "zsh", "--stale", "1", "--stale", "1"],
            &["--version", "export", "bash"],
        ] {
            assert_eq!(parse(args), None, "{args:?}");
        }
        // What the fast path accepts, clap accepts the same way.
        for args in [
            &["export", "bash"][..],
            &["export", "fish", "--user-deactivate"],
            &["export", "bash", "--local", "{}", "--foreign", ""],
            &[
                "export",
                "zsh",
                "--local",
                "",
                "--foreign",
                "",
                "--stale",
                "1",
            ],
        ] {
            let cli = Cli::try_parse_from(std::iter::once("autovenv").chain(args.iter().copied()))
                .expect("clap parses the hook's call");
            let Command::Export(by_clap) = cli.command else {
                panic!("{args:?} is an export");
            };
            assert_eq!(parse(args), Some(by_clap));
        }
    }
}
