//! The command line, as clap types only: the doc comments are the help.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::shell::Shell;

/// Activates the Python virtual environment of the project you `cd` into,
/// and deactivates it when you leave.
///
/// Put the hook in your shell's rc file, then just cd around:
///   bash: eval "$(autovenv hook bash)"   (~/.bashrc)
///   zsh:  eval "$(autovenv hook zsh)"    (~/.zshrc)
///   fish: autovenv hook fish | source    (~/.config/fish/config.fish)
///   nu:   source ~/.autovenv.nu              (config.nu; once before:
///         autovenv hook nu | save -f ~/.autovenv.nu)
///   xonsh: (~/.xonshrc)
///     execx(__import__('subprocess').check_output(['autovenv', 'hook', 'xonsh'], text=True))
///   elvish: eval (autovenv hook elvish | slurp)    (~/.config/elvish/rc.elv)
#[derive(Debug, Parser)]
// Verbatim: the set-up lines are one per line, as they are typed.
#[command(name = "autovenv", version, max_term_width = 100, verbatim_doc_comment)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the hook for a shell, to load from its rc file
    ///
    /// Example: eval "$(autovenv hook bash)"
    ///
    /// With --non-interactive: the statements that activate, once, what
    /// applies to the current directory, for shells that never show a
    /// prompt (scripts, `bash -c`, cron, coding agents), loaded from
    /// BASH_ENV, ~/.zshenv or config.fish. Prints nothing in an interactive
    /// shell, and nothing on stderr unless something is wrong.
    ///
    /// Example: [[ $- == *i* ]] || eval "$(autovenv hook bash --non-interactive)"
    Hook {
        /// bash, zsh, fish, nu, xonsh or elvish
        shell: Shell,
        /// The one-shot statements for a shell that never prompts
        #[arg(long)]
        non_interactive: bool,
    },

    /// Print the statements that bring this shell to the right state
    /// (called by the hook)
    ///
    /// Prints nothing when nothing is to change. `export json` prints the
    /// same change as JSON, for other tools; `export dotenv` prints what
    /// `autovenv exec` would change, as KEY=value lines for environment
    /// files (systemd, docker, python-dotenv, coding agents).
    ///
    /// Examples: autovenv export json; autovenv export dotenv --dir ~/src/app > app.env
    #[command(hide = true)]
    Export(ExportArgs),

    /// Show what applies here: the project, its environment, whether it is
    /// trusted, what this shell has active and what the hook would do
    ///
    /// Example: autovenv status ~/src/client_flask_app --json
    Status {
        /// The directory to look at (default: here)
        dir: Option<PathBuf>,
        /// Print JSON (the format is in docs/json.md)
        #[arg(long)]
        json: bool,
    },

    /// Trust the environment of the project at PATH, so that it activates
    ///
    /// A venv folder that came with a cloned repository or an archive could
    /// hold anything; autovenv puts its bin/ on PATH only once you allow it.
    ///
    /// Examples: autovenv allow; autovenv allow --recursive ~/src
    Allow {
        /// A project folder, or any folder inside one (default: here)
        path: Option<PathBuf>,
        /// Allow every project found under PATH
        #[arg(long, short)]
        recursive: bool,
    },

    /// Take back the trust given with `allow`; the shell deactivates it at
    /// the next prompt
    ///
    /// Example: autovenv deny ~/Downloads/some-repo
    Deny {
        /// A project folder, or any folder inside one (default: here)
        path: Option<PathBuf>,
    },

    /// Create a virtual environment for the project here; it is trusted,
    /// and the next prompt activates it
    ///
    /// Without --name: a `venv` folder here (the first name in
    /// AUTOVENV_DIRS), made with `python3 -m venv --prompt PROJECT venv`, or
    /// with `uv venv` when AUTOVENV_CREATOR=uv and uv is on PATH.
    ///
    /// With --name: an environment of that name in the central folder
    /// (AUTOVENV_HOME, else WORKON_HOME, else ~/.virtualenvs), and a
    /// .venv-name file here that names it.
    ///
    /// Nothing is half-made: if creating fails or is interrupted, what was
    /// made is removed again.
    ///
    /// Examples: autovenv new; autovenv new --python python3.12 --name flask2
    New {
        /// The Python to create it with: a name on PATH or a path (default:
        /// python3; with uv, any request uv understands, such as 3.12)
        #[arg(long, value_name = "EXE")]
        python: Option<OsString>,
        /// Create a central environment with this name (letters, digits,
        /// '.', '_' and '-') and name it in .venv-name here
        #[arg(long, value_name = "NAME")]
        name: Option<OsString>,
    },

    /// List central environments and trusted projects, with their Python
    /// version and health
    ///
    /// Which projects use a central environment is known only for projects
    /// autovenv has met: made with `autovenv new --name`, trusted, or the
    /// one you are in.
    ///
    /// Examples: autovenv list; autovenv list --json | jq '.central.environments[].name'
    List {
        /// Print JSON (the format is in docs/json.md)
        #[arg(long)]
        json: bool,
    },

    /// Check the setup: hook loaded in this shell and in its rc file,
    /// central folder, broken or moved environments, PATH order, other
    /// tools that switch environments
    ///
    /// Exits 0 when all is well, 1 with a list of what to fix.
    ///
    /// Example: autovenv doctor
    Doctor,

    /// Stay in the foreground and print a line each time what applies to
    /// DIR changes (for editors and status bars)
    ///
    /// The first line is what applies now. Ends on Ctrl-C, and when DIR is
    /// removed.
    ///
    /// Example: autovenv watch ~/src/client_flask_app --json
    Watch {
        /// The directory to watch (default: here)
        dir: Option<PathBuf>,
        /// Print one JSON object per line (the format is in docs/json.md)
        #[arg(long)]
        json: bool,
    },

    /// Run a command with the environment that applies to DIR, as the hook
    /// would activate it
    ///
    /// The command replaces autovenv (same process, its own exit status and
    /// signals). An environment activated by hand or inherited is replaced,
    /// not stacked. An untrusted or unusable environment is refused and the
    /// command is not run (exit 1). Where no project applies, the command
    /// runs unchanged, unless --require. A command that is not found exits
    /// 127, one that cannot be run 126. Works with no hook loaded, from
    /// cron, and under `env -i`.
    ///
    /// Examples: autovenv exec -- python manage.py migrate;
    /// autovenv exec --dir ~/src/app --require -- pytest -q
    Exec(ExecArgs),

    /// Print shell completions for autovenv
    ///
    /// Examples:
    ///   bash: autovenv completions bash > ~/.local/share/bash-completion/completions/autovenv
    ///   zsh:  autovenv completions zsh > "${fpath[1]}/_autovenv"
    ///   fish: autovenv completions fish > ~/.config/fish/completions/autovenv.fish
    Completions {
        /// bash, zsh or fish
        shell: Shell,
    },

    /// Print the manual page (roff), or write one page per command
    ///
    /// Examples: autovenv man | man -l -; autovenv man --dir ~/.local/share/man/man1
    Man {
        /// Write autovenv.1 and a page per command (autovenv-new.1, ...)
        /// into this folder instead
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// `exec`'s arguments.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ExecArgs {
    /// The directory whose environment applies (default: here); the
    /// command still runs in the current directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Fail (exit 1, the command not run) when no project applies to DIR
    #[arg(long)]
    pub require: bool,
    /// The command and its arguments, after `--` (everything from the
    /// command on is passed as it is, options included; a mistyped option
    /// of exec's own before it is a usage error, not a command)
    #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// `export`'s arguments. The hook's own call is recognised without clap
/// (`main.rs`), filling this same struct.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ExportArgs {
    /// bash, zsh, fish, nu, xonsh, elvish, json or dotenv
    pub target: ExportTarget,
    /// json and dotenv: the change for DIR instead of the current
    /// directory
    #[arg(long, value_name = "DIR", conflicts_with = "local")]
    pub dir: Option<PathBuf>,
    /// dotenv: every value as it is, unquoted, for readers that take the
    /// text after `=` literally (docker run --env-file)
    #[arg(long)]
    pub literal: bool,
    /// The user typed `deactivate`: switch this project off until the
    /// shell leaves it
    #[arg(long, hide = true)]
    pub user_deactivate: bool,
    /// The hook's shell-local bookkeeping (its presence means the hook
    /// is calling)
    #[arg(long, hide = true)]
    pub local: Option<OsString>,
    /// Non-empty when a venv's own activate script is in charge
    #[arg(long, hide = true)]
    pub foreign: Option<OsString>,
    /// Non-empty when the shell dropped its check (an `autovenv`
    /// command was typed): send it again even if unchanged
    #[arg(long, hide = true)]
    pub stale: Option<OsString>,
    /// Which build's hook is calling (bash, zsh, fish): another build's,
    /// or none, is given this build's hook to load first
    #[arg(long, hide = true)]
    pub hook: Option<OsString>,
    /// The directory changed in the middle of a command line that started
    /// in this one: hold the messages for the prompt, and leave ready what
    /// brings the shell back here without a process
    #[arg(long, hide = true)]
    pub back_to: Option<OsString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "nushell")]
    Nu,
    Xonsh,
    Elvish,
    Json,
    /// `KEY=value` lines for environment files (docs/dotenv.md)
    Dotenv,
}

impl ExportTarget {
    pub fn shell(self) -> Option<Shell> {
        match self {
            ExportTarget::Bash => Some(Shell::Bash),
            ExportTarget::Zsh => Some(Shell::Zsh),
            ExportTarget::Fish => Some(Shell::Fish),
            ExportTarget::Nu => Some(Shell::Nu),
            ExportTarget::Xonsh => Some(Shell::Xonsh),
            ExportTarget::Elvish => Some(Shell::Elvish),
            ExportTarget::Json | ExportTarget::Dotenv => None,
        }
    }
}

// The shells' names and the lines that load the hook, in one place: the
// help above shows them, and `doctor` looks for them in rc files and tells
// people what to add.

/// A shell's name as `autovenv hook NAME` takes it: clap's spelling of the
/// [`Shell`] value, so there is only one.
pub fn shell_name(shell: Shell) -> String {
    shell
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

/// The shell a name means, spelt exactly as `autovenv hook` takes it.
pub fn shell_named(name: &[u8]) -> Option<Shell> {
    let name = std::str::from_utf8(name).ok()?;
    Shell::value_variants()
        .iter()
        .copied()
        .find(|&shell| shell_name(shell) == name)
}

/// The line that loads the hook from a shell's rc file.
pub fn hook_line(shell: Shell) -> String {
    let name = shell_name(shell);
    match shell {
        Shell::Bash | Shell::Zsh => format!("eval \"$(autovenv hook {name})\""),
        // fish 3.1 has no `$(...)`; its hook is read by `source` from a pipe.
        Shell::Fish => format!("autovenv hook {name} | source"),
        // nushell has no eval: the hook is saved once and sourced from
        // config.nu (docs/installation.md has both lines).
        Shell::Nu => "source ~/.autovenv.nu".into(),
        // Not `$(…)`: xonsh's capture can lose the end of a long output
        // when the machine is busy (docs/installation.md).
        Shell::Xonsh => {
            format!(
                "execx(__import__('subprocess').check_output(['autovenv', 'hook', '{name}'], text=True))"
            )
        }
        Shell::Elvish => format!("eval (autovenv hook {name} | slurp)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn shell_names_are_clap_values() {
        let names: Vec<String> = Shell::value_variants()
            .iter()
            .map(|&s| shell_name(s))
            .collect();
        assert_eq!(names, ["bash", "zsh", "fish", "nu", "xonsh", "elvish"]);
        for &shell in Shell::value_variants() {
            assert_eq!(shell_named(shell_name(shell).as_bytes()), Some(shell));
        }
        assert_eq!(shell_named(b"Bash"), None);
        assert_eq!(shell_named(b"tcsh"), None);
        assert_eq!(shell_named(b"\xff"), None);
    }

    /// The help's doc comment cannot call `hook_line`; this keeps the two
    /// from drifting apart.
    #[test]
    fn the_help_shows_each_hook_line() {
        let help = Cli::command().render_long_help().to_string();
        for &shell in Shell::value_variants() {
            assert!(help.contains(&hook_line(shell)), "{help}");
        }
    }
}
