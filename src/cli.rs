//! The command line, as clap types only: the doc comments are the help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::shell::Shell;

/// Activates the Python virtual environment of the project you `cd` into,
/// and deactivates it when you leave.
///
/// Put the hook in your shell's rc file, then just cd around:
///   bash: eval "$(autovenv hook bash)"   (~/.bashrc)
///   zsh:  eval "$(autovenv hook zsh)"    (~/.zshrc)
///   fish: autovenv hook fish | source    (~/.config/fish/config.fish)
#[derive(Debug, Parser)]
#[command(name = "autovenv", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the hook for a shell, to load from its rc file
    ///
    /// Example: eval "$(autovenv hook bash)"
    Hook {
        /// bash, zsh or fish
        shell: Shell,
    },

    /// Print the statements that bring this shell to the right state
    /// (called by the hook)
    ///
    /// Prints nothing when nothing is to change. `export json` prints the
    /// same change as JSON, for other tools.
    ///
    /// Example: autovenv export json
    #[command(hide = true)]
    Export {
        /// bash, zsh, fish or json
        target: ExportTarget,
        /// The user typed `deactivate`: switch this project off until the
        /// shell leaves it
        #[arg(long, hide = true)]
        user_deactivate: bool,
    },

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    Bash,
    Zsh,
    Fish,
    Json,
}

impl ExportTarget {
    pub fn shell(self) -> Option<Shell> {
        match self {
            ExportTarget::Bash => Some(Shell::Bash),
            ExportTarget::Zsh => Some(Shell::Zsh),
            ExportTarget::Fish => Some(Shell::Fish),
            ExportTarget::Json => None,
        }
    }
}
