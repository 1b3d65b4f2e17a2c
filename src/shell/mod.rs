//! Rendering plans for one shell: syntax and quoting live here, and nothing
//! here knows how a directory was searched.

use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::plan::Step;
use crate::settle::{Check, HookUpdate};

pub mod elvish;
pub mod fish;
pub mod nu;
pub mod posix;
pub mod xonsh;

/// The byte a check joins the variables' values with (the unit separator):
/// one comparison costs a shell a fraction of a dozen.
const JOIN: u8 = 0x1f;

/// The hook scripts, and their ids (`Shell::hook_id`).
const BASH_HOOK: &str = include_str!("../../shell/autovenv.bash");
const ZSH_HOOK: &str = include_str!("../../shell/autovenv.zsh");
const FISH_HOOK: &str = include_str!("../../shell/autovenv.fish");
const BASH_HOOK_ID: u64 = hook_id_of(BASH_HOOK);
const ZSH_HOOK_ID: u64 = hook_id_of(ZSH_HOOK);
const FISH_HOOK_ID: u64 = hook_id_of(FISH_HOOK);
const NU_HOOK: &str = include_str!("../../shell/autovenv.nu");
const XONSH_HOOK: &str = include_str!("../../shell/autovenv.xsh");
const ELVISH_HOOK: &str = include_str!("../../shell/autovenv.elv");
const NU_HOOK_ID: u64 = hook_id_of(NU_HOOK);
const XONSH_HOOK_ID: u64 = hook_id_of(XONSH_HOOK);
const ELVISH_HOOK_ID: u64 = hook_id_of(ELVISH_HOOK);

/// FNV-1a over the version and `script`, computed at build time. Only
/// ever compared for equality with what a hook of some build passes: any
/// change of the script or of the version changes it.
const fn hook_id_of(script: &str) -> u64 {
    const fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
        let mut i = 0;
        while i < bytes.len() {
            h ^= bytes[i] as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        h
    }
    fnv(
        fnv(0xcbf2_9ce4_8422_2325, env!("CARGO_PKG_VERSION").as_bytes()),
        script.as_bytes(),
    )
}

/// Whether the check may compare its variables as one joined string: only
/// if no value holds the separator itself could two different sets of
/// values join alike. Otherwise they are compared one by one.
fn can_join(check: &Check) -> bool {
    !check.vars.iter().any(|(_, v)| v.as_bytes().contains(&JOIN))
}

/// The region's settings for the hook's walk (src/region.rs), each value
/// quoted by `quote`; an empty value is `''` in every shell that walks.
/// `__autovenv_known`, the deepest folder the hook's own walks have found
/// clean since, starts empty with every decision: what they found was for
/// the names and stamp of the one before.
fn region_settings(
    region: &crate::region::Region,
    quote: fn(&[u8]) -> String,
) -> [(&'static str, String); 6] {
    let q = |p: Option<&std::path::Path>| {
        p.map(|p| quote(p.as_os_str().as_encoded_bytes()))
            .unwrap_or_else(|| "''".into())
    };
    [
        ("__autovenv_top", q(region.top.as_deref())),
        ("__autovenv_vdir", q(Some(&region.here))),
        ("__autovenv_stamp", q(region.stamp.as_deref())),
        (
            "__autovenv_moves",
            if region.moves { "1" } else { "''" }.into(),
        ),
        (
            "__autovenv_maxdepth",
            region
                .max_depth
                .map(|d| d.to_string())
                .unwrap_or_else(|| "''".into()),
        ),
        ("__autovenv_known", "''".into()),
    ]
}

/// For the quoting round trips of the shells that are given data: `shell`'s
/// hook saved in `dir`, with a stand-in for the binary that prints the
/// update setting `RT_0`, `RT_1`... to `values`.
#[cfg(test)]
fn hook_with_stand_in(
    shell: Shell,
    dir: &std::path::Path,
    values: Vec<std::ffi::OsString>,
) -> std::path::PathBuf {
    let steps = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let name: &'static str = Box::leak(format!("RT_{i}").into_boxed_str());
            crate::plan::Step::Set(name, v)
        })
        .collect();
    let update = HookUpdate {
        steps,
        ..HookUpdate::default()
    };
    let data = dir.join("update");
    std::fs::write(&data, shell.render_update(&update)).unwrap();
    let fake = dir.join("fake-autovenv");
    std::fs::write(&fake, format!("#!/bin/sh\nexec cat '{}'\n", data.display())).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let hook = dir.join("hook");
    std::fs::write(&hook, shell.hook(&fake, "")).unwrap();
    hook
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    /// nushell (`nushell` is accepted too).
    #[value(alias = "nushell")]
    Nu,
    Xonsh,
    Elvish,
}

impl Shell {
    /// Whether the hook walks a region (src/region.rs) to decide a `cd`
    /// itself; the others compare `PWD` and ask the binary on a change.
    pub fn knows_regions(self) -> bool {
        matches!(self, Shell::Bash | Shell::Zsh | Shell::Fish)
    }

    /// Shell code for the steps, one statement per line, in order.
    pub fn render(self, steps: &[Step]) -> String {
        match self {
            Shell::Bash | Shell::Zsh => posix::render(self, steps),
            Shell::Fish => fish::render(steps),
            Shell::Nu => nu::render(steps),
            Shell::Xonsh => xonsh::render(steps),
            Shell::Elvish => elvish::render(steps),
        }
    }

    /// The check alone, as the hook defines it.
    pub fn render_check(self, check: &Check) -> String {
        let mut out = String::new();
        match self {
            Shell::Bash | Shell::Zsh => posix::render_check(&mut out, check, self),
            Shell::Fish => fish::render_check(&mut out, check),
            Shell::Nu => out.push_str(&nu::render_check(check)),
            Shell::Xonsh => out.push_str(&xonsh::render_check(check)),
            Shell::Elvish => out.push_str(&elvish::render_check(check)),
        }
        out
    }

    /// A hook update, one statement per line, in the order `HookUpdate`
    /// describes.
    pub fn render_update(self, update: &HookUpdate) -> String {
        // nushell is given data, one object, not statements.
        match self {
            Shell::Nu => return nu::render_update(update),
            Shell::Xonsh => return xonsh::render_update(update),
            Shell::Elvish => return elvish::render_update(update),
            _ => {}
        }
        let mut out = String::new();
        // Statements kept ready for leaving belong to the state they were
        // made in: they go first, and come back last (a Ctrl-C in between
        // leaves none).
        if !update.is_empty() {
            out.push_str(match self {
                Shell::Fish => "set -g __autovenv_leave_ready ''\n",
                _ => "__autovenv_leave_ready=\n",
            });
        }
        if !update.steps.is_empty() {
            out.push_str(&self.render_check(&Check::volatile()));
            out.push_str(&self.render(&update.steps));
        }
        if let Some(memo) = &update.memo {
            match self {
                Shell::Bash | Shell::Zsh => posix::render_memo(&mut out, memo),
                Shell::Fish => fish::render_memo(&mut out, memo),
                Shell::Nu | Shell::Xonsh | Shell::Elvish => {}
            }
        }
        // The way back from leaving ends with this same check, most often:
        // it is then rendered once, as a function both call.
        let shared = update
            .leave
            .as_ref()
            .is_some_and(|l| l.back.check.is_some() && l.back.check == update.check);
        if let Some(check) = &update.check {
            if shared {
                let body = self.render_check(check);
                let _ = match self {
                    Shell::Fish => write!(
                        out,
                        "function __autovenv_recheck\n{body}end\n__autovenv_recheck\n"
                    ),
                    _ => write!(
                        out,
                        "__autovenv_recheck() {{\n{body}}}\n__autovenv_recheck\n"
                    ),
                };
            } else {
                out.push_str(&self.render_check(check));
            }
        }
        for line in &update.said {
            let _ = writeln!(out, "__autovenv_say {}", self.quote(line.as_bytes()));
        }
        if let Some(back) = &update.back {
            let body = self.render_update(&back.update);
            let dir = self.quote(back.dir.as_os_str().as_encoded_bytes());
            match self {
                Shell::Bash | Shell::Zsh => {
                    // A function body may not be empty in bash.
                    let body = if body.is_empty() { ":\n" } else { &body };
                    let _ = write!(
                        out,
                        "__autovenv_back() {{\n{body}}}\n__autovenv_back_dir={dir}\n"
                    );
                }
                // nushell, xonsh and elvish returned above: their hooks are
                // given data, and apply no change in the middle of a line.
                Shell::Fish | Shell::Nu | Shell::Xonsh | Shell::Elvish => {
                    let _ = write!(
                        out,
                        "function __autovenv_back\n{body}end\nset -g __autovenv_back_dir {dir}\n"
                    );
                }
            }
        }
        if let Some(leave) = &update.leave {
            let body = self.render_update(&leave.update);
            let back = if shared {
                let mut back = leave.back.clone();
                back.check = None;
                self.render_update(&back) + "__autovenv_recheck\n"
            } else {
                self.render_update(&leave.back)
            };
            // Kept as strings, not function bodies: the shell then only
            // scans a quoted word when it reads them (parsing two more
            // function bodies cost every activation about half the floor),
            // and the hook evaluates one when it is used.
            let body = self.quote(body.as_bytes());
            let back = self.quote(back.as_bytes());
            // The folders above the root known clean: bash and zsh take
            // the deepest (its ancestors are the others), fish the list.
            let above = match self {
                Shell::Fish => {
                    let above: Vec<String> = leave
                        .above
                        .iter()
                        .map(|d| self.quote(d.as_os_str().as_encoded_bytes()))
                        .collect();
                    // With their `test` words (`-a FOLDER -ot STAMP` each,
                    // the stamp they were looked at after): a walk out of
                    // the project tests them all in one call.
                    let stamp = leave
                        .update
                        .check
                        .as_ref()
                        .and_then(|c| c.region.as_ref())
                        .and_then(|r| r.stamp.as_ref())
                        .map(|s| self.quote(s.as_os_str().as_encoded_bytes()));
                    let words = stamp.map_or_else(String::new, |s| fish::ot_words(&above, &s));
                    format!("{}\nset -g __autovenv_above_ot {words}", above.join(" "))
                }
                _ => leave.above.first().map_or_else(
                    || "''".into(),
                    |d| self.quote(d.as_os_str().as_encoded_bytes()),
                ),
            };
            let _ = match self {
                Shell::Fish => writeln!(
                    out,
                    "set -g __autovenv_leave_code {body}\nset -g __autovenv_back_code {back}\nset -g __autovenv_above {above}\nset -g __autovenv_leave_ready 1"
                ),
                _ => writeln!(
                    out,
                    "__autovenv_leave_code={body}\n__autovenv_back_code={back}\n__autovenv_above={above}\n__autovenv_leave_ready=1"
                ),
            };
        }
        out
    }

    /// Quotes bytes as one word for bash, zsh or fish statements.
    fn quote(self, value: &[u8]) -> String {
        match self {
            Shell::Bash | Shell::Zsh => posix::quote(value),
            Shell::Fish | Shell::Nu | Shell::Xonsh => fish::quote(value),
            Shell::Elvish => elvish::quote(value),
        }
    }

    /// What `autovenv export` prints for the hook to evaluate. bash and zsh
    /// get the statements as lines. fish gets them on one line, joined by
    /// `;`: its hook reads the output with a command substitution, which
    /// splits lines into a list, and a single line arrives as one string
    /// for `eval`. The alternative, piping the lines into `source`, is a
    /// pipe between two builtins, which costs fish about 0.1 ms. No
    /// statement spans lines (quoting writes a newline as `\x0a`).
    pub fn render_for_hook(self, update: &HookUpdate) -> String {
        let lines = self.render_update(update);
        match self {
            Shell::Bash | Shell::Zsh | Shell::Nu | Shell::Xonsh | Shell::Elvish => lines,
            Shell::Fish => {
                let mut out = lines.trim_end_matches('\n').replace('\n', "; ");
                if !out.is_empty() {
                    out.push('\n');
                }
                out
            }
        }
    }

    /// The hook script as this build ships it, before the binary's path
    /// and the first prompt's statements go in.
    fn hook_template(self) -> &'static str {
        match self {
            Shell::Bash => BASH_HOOK,
            Shell::Zsh => ZSH_HOOK,
            Shell::Fish => FISH_HOOK,
            Shell::Nu => NU_HOOK,
            Shell::Xonsh => XONSH_HOOK,
            Shell::Elvish => ELVISH_HOOK,
        }
    }

    /// What every hook of this build passes with every call (`export
    /// --hook ID`): a hash of the hook script and the version. A shell keeps
    /// the hook it loaded while the binary at its path is replaced, and the
    /// statements a newer bash, zsh or fish binary prints call functions of
    /// its own hook (an older one lacks them, or takes other arguments):
    /// `export` then loads its own hook first. nushell, xonsh and elvish
    /// hooks are given data and cannot be loaded that way: their shell is
    /// told once what to do (docs/decisions.md).
    pub fn hook_id(self) -> String {
        let id = match self {
            Shell::Bash => BASH_HOOK_ID,
            Shell::Zsh => ZSH_HOOK_ID,
            Shell::Fish => FISH_HOOK_ID,
            Shell::Nu => NU_HOOK_ID,
            Shell::Xonsh => XONSH_HOOK_ID,
            Shell::Elvish => ELVISH_HOOK_ID,
        };
        format!("{id:016x}")
    }

    /// Whether `export` can load this build's hook into a shell running
    /// another's (`render_reload_for_hook`): bash, zsh and fish evaluate
    /// what it prints; the others are told how (`stale_hook_advice`).
    pub fn reloads_hook(self) -> bool {
        self.stale_hook_advice().is_none()
    }

    /// What a nushell, xonsh or elvish shell running a hook of another
    /// build is told, once: how its hook is loaded again.
    pub fn stale_hook_advice(self) -> Option<&'static str> {
        match self {
            Shell::Nu => Some(
                "this nushell runs a hook saved from another autovenv build; save it again (autovenv hook nu | save -f ~/.autovenv.nu, or the file your config.nu sources) and start a new nu",
            ),
            Shell::Xonsh => Some(
                "this xonsh runs the hook of another autovenv build (the binary was replaced while it ran); start a new xonsh to load this one",
            ),
            Shell::Elvish => Some(
                "this elvish runs the hook of another autovenv build (the binary was replaced while it ran); start a new elvish to load this one",
            ),
            Shell::Bash | Shell::Zsh | Shell::Fish => None,
        }
    }

    /// The hook script with the binary's path quoted for this shell, and
    /// `initial` (statements for the first prompt, maybe none) in place.
    pub fn hook(self, binary: &Path, initial: &str) -> String {
        let script = self.hook_template();
        let quoted = match self {
            Shell::Bash | Shell::Zsh => posix::quote(binary.as_os_str().as_encoded_bytes()),
            Shell::Fish => fish::quote(binary.as_os_str().as_encoded_bytes()),
            // Saved to a file once and sourced at every start: statements
            // for the first prompt of the day it was saved would be stale,
            // so the script has no place for them.
            Shell::Nu => nu::quote(binary.as_os_str().as_encoded_bytes()),
            Shell::Xonsh => xonsh::quote(binary.as_os_str().as_encoded_bytes()),
            // Evaluated at every start: the first prompt's update goes in
            // as a statement that takes it.
            Shell::Elvish => {
                let initial = if initial.is_empty() {
                    String::new()
                } else {
                    format!("__autovenv_take {initial}")
                };
                return script
                    .replace(
                        "@AUTOVENV_BIN@",
                        &elvish::quote(binary.as_os_str().as_encoded_bytes()),
                    )
                    .replace("@AUTOVENV_INITIAL@\n", &initial)
                    .replace("@AUTOVENV_HOOK_ID@", &self.hook_id());
            }
        };
        script
            .replace("@AUTOVENV_BIN@", &quoted)
            .replace("@AUTOVENV_INITIAL@\n", initial)
            .replace("@AUTOVENV_HOOK_ID@", &self.hook_id())
    }

    /// What `export` prints to a bash, zsh or fish hook of another build
    /// (see `hook_id`): this build's hook, loaded again, then `update`,
    /// which must hold everything a freshly loaded hook lacks (the memo,
    /// the check). bash and zsh evaluate the script as it is; a fish hook
    /// reads the output as one line, so there the script is one quoted
    /// word for `eval`. Loading it replaces functions that are running
    /// (the prompt's hook, the one that called the binary): bash runs a
    /// copy of a function's body, and zsh and fish keep a running body
    /// alive while it runs, so each finishes as it began.
    pub fn render_reload_for_hook(self, binary: &Path, update: &HookUpdate) -> String {
        let script = self.hook(binary, "");
        let update = self.render_for_hook(update);
        match self {
            Shell::Fish => format!("eval {}; {update}", fish::quote(script.as_bytes())),
            _ => script + &update,
        }
    }

    /// A short fingerprint of the check as rendered, so that an unchanged
    /// check is not sent to the shell again.
    pub fn check_fingerprint(self, check: &Check) -> String {
        // Only compared with what this same binary produced: a fast
        // non-cryptographic hash will do (no collision can be forced here
        // to any end but an extra run of the binary).
        // The check itself is hashed, not its rendering (which cost half
        // of an activation's instructions); the shell and this build stand
        // for the renderer.
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        format!("{self:?}").hash(&mut hasher);
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        check.hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    }
}

/// The command that trusts the project at `root`, as a user would type it
/// in bash, zsh or fish (a plain path as it is, anything else quoted).
pub fn allow_command(root: &Path) -> String {
    format!("autovenv allow {}", posix::shown(root))
}

/// The prompt prefix as people read it: control characters (which could move
/// the cursor or clear the screen) and invalid UTF-8 shown as `?`.
pub fn prompt_label(name: &[u8]) -> String {
    String::from_utf8_lossy(name)
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{fffd}' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Snapshots of the statements each shell is given for each transition:
    //! any change to generated shell code shows up in review.

    use super::*;
    use crate::plan::{Held, Target, plan_transition};
    use crate::state::{Activation, Current};
    use crate::venv::Venv;
    use std::path::{Path, PathBuf};

    fn venv(path: &str, prompt: &str) -> Venv {
        Venv {
            path: path.into(),
            prompt: prompt.into(),
            version: Some("3.11.7".into()),
            base_home: None,
            virtualenv: false,
        }
    }

    fn target(path: &str, prompt: &str) -> Target {
        Target::Venv {
            venv: venv(path, prompt),
            root: Path::new(path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        }
    }

    fn active(path: &str, pythonhome: Option<&str>) -> Current {
        let a = Activation {
            venv: path.into(),
            root: Path::new(path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            pythonhome: pythonhome.map(Into::into),
            taken_over: false,
        };
        Current {
            virtual_env: Some(PathBuf::from(path)),
            path: Some(format!("{path}/bin:/usr/bin:/bin").into()),
            pythonhome: None,
            pkg_config_path: None,
            state: Some(Ok(a)),
            foreign_script: false,
        }
    }

    fn adopted(path: &str) -> Option<&Path> {
        Some(Path::new(path))
    }

    fn held(adopted: Option<&Path>) -> Held<'_> {
        Held {
            adopted,
            user_deactivate: false,
        }
    }

    /// (name, statements) for every transition, for one shell.
    fn transitions(shell: Shell) -> String {
        let outside = Current {
            path: Some("/usr/bin:/bin".into()),
            pythonhome: Some("/opt/py".into()),
            ..Current::default()
        };
        let a = "/nonexistent/src/client app/venv";
        let b = "/nonexistent/src/it's $(b)/.venv";
        let cases = [
            (
                "activate",
                plan_transition(&outside, &target(a, "client app"), Held::default(), false),
            ),
            (
                "deactivate",
                plan_transition(
                    &active(a, Some("/opt/py")),
                    &Target::Nothing,
                    held(adopted(a)),
                    false,
                ),
            ),
            (
                "switch",
                plan_transition(
                    &active(a, None),
                    &target(b, "it's $(b)"),
                    held(adopted(a)),
                    false,
                ),
            ),
            (
                "adopt",
                plan_transition(
                    &active(a, None),
                    &target(a, "client app"),
                    Held::default(),
                    false,
                ),
            ),
            (
                "no prompt",
                plan_transition(&outside, &target(a, "client app"), Held::default(), true),
            ),
        ];
        let mut out = String::new();
        for (name, outcome) in cases {
            out.push_str(&format!("## {name}\n{}\n", shell.render(&outcome.steps)));
        }
        out
    }

    #[test]
    fn bash_transitions() {
        insta::assert_snapshot!(transitions(Shell::Bash));
    }

    #[test]
    fn zsh_transitions() {
        insta::assert_snapshot!(transitions(Shell::Zsh));
    }

    #[test]
    fn fish_transitions() {
        insta::assert_snapshot!(transitions(Shell::Fish));
    }

    #[test]
    fn nu_transitions() {
        insta::assert_snapshot!(transitions(Shell::Nu));
    }

    #[test]
    fn xonsh_transitions() {
        insta::assert_snapshot!(transitions(Shell::Xonsh));
    }

    #[test]
    fn elvish_transitions() {
        insta::assert_snapshot!(transitions(Shell::Elvish));
    }

    #[test]
    fn hooks_pass_their_own_id() {
        let bin = Path::new("/opt/autovenv");
        let mut ids = Vec::new();
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let id = shell.hook_id();
            let text = shell.hook(bin, "");
            assert!(text.contains(" --hook \"$"), "{shell:?}");
            let set = match shell {
                Shell::Fish => format!("\nset -g __autovenv_hook_id {id}\n"),
                Shell::Zsh => format!("\ntypeset -g __autovenv_hook_id={id}\n"),
                _ => format!("\n__autovenv_hook_id={id}\n"),
            };
            // Set last (a hook loaded in part passes the older id): only the
            // end of the interactive block comes after it.
            let after = text.split(&set).nth(1).unwrap_or_default();
            assert!(matches!(after.trim(), "fi" | "end"), "{shell:?}: {after}");
            ids.push(id);
        }
        // The data hooks keep the id with the rest of their state and pass
        // it beside the memo.
        for (shell, set, pass) in [
            (
                Shell::Nu,
                "    hook: \"{id}\"\n",
                "export nu ...$flags --hook $a.hook --local",
            ),
            (
                Shell::Xonsh,
                "__autovenv_load('/opt/autovenv', '{id}')\n",
                "[\"--hook\", hook_id, \"--local\"",
            ),
            (
                Shell::Elvish,
                "var __autovenv_hook_id = '{id}'\n",
                "--hook $__autovenv_hook_id --local",
            ),
        ] {
            let id = shell.hook_id();
            let text = shell.hook(bin, "");
            assert!(text.contains(&set.replace("{id}", &id)), "{shell:?}");
            assert!(text.contains(pass), "{shell:?}");
            ids.push(id);
        }
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::Nu,
            Shell::Xonsh,
            Shell::Elvish,
        ] {
            let text = shell.hook(bin, "");
            assert!(!text.contains("@AUTOVENV"), "{shell:?}");
            // The id stands for the script as shipped, placeholders and all.
            assert_eq!(
                shell.hook_id(),
                format!("{:016x}", hook_id_of(shell.hook_template())),
                "{shell:?}"
            );
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 6);
    }

    #[test]
    fn checks_per_shell() {
        use crate::detect::Probe;
        let check = Check {
            vars: vec![("PWD", "/p/it's".into()), ("VIRTUAL_ENV", "".into())],
            set_flags: vec![("_OLD_VIRTUAL_PATH", false)],
            probes: vec![
                Probe::Missing {
                    path: "/p/.venv-name".into(),
                    link: false,
                },
                Probe::Exists {
                    path: "/p/venv/pyvenv.cfg".into(),
                    link: false,
                },
                Probe::Exists {
                    path: "/p/venv/bin/python".into(),
                    link: true,
                },
                Probe::Missing {
                    path: "/q/venv/bin/python".into(),
                    link: true,
                },
                Probe::FirstLine {
                    path: "/r/.venv-name".into(),
                    line: b"flask2\r".to_vec(),
                },
            ],
            region: None,
        };
        insta::assert_snapshot!(format!(
            "## bash\n{}\n## fish\n{}",
            Shell::Bash.render_check(&check),
            Shell::Fish.render_check(&check)
        ));
    }

    #[test]
    fn prompt_labels_hide_control_characters() {
        assert_eq!(prompt_label(b"a\x1b[2Jb\n\xff"), "a?[2Jb??");
    }
}

/// The shells unit tests run under: the ones on PATH, and the versions that
/// AUTOVENV_TEST_SHELLS lists (as tests/util does for the integration tests).
#[cfg(test)]
pub(crate) const TEST_SHELLS: [&str; 7] = [
    "bash", "bash-3.2", "bash-4.4", "bash-5.3", "zsh", "fish", "fish-4.7",
];

/// The property-test runner of the quoting round trips through real
/// shells: AUTOVENV_PROPTEST_CASES batches (else `default`), with a fixed
/// seed so that CI is repeatable.
#[cfg(test)]
pub(crate) fn round_trip_runner(default: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let cases = crate::snapshot::Snapshot::capture()
        .get("AUTOVENV_PROPTEST_CASES")
        .and_then(|v| v.to_str().and_then(|s| s.parse().ok()))
        .unwrap_or(default);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    TestRunner::new_with_rng(config, rng)
}

/// For unit tests that run a real shell: its path, or None with the reason
/// printed (a failure when AUTOVENV_TEST_REQUIRE_SHELLS=1, as in CI). `bash`
/// is the one on PATH; `bash-3.2` (any name with a version) is the path
/// AUTOVENV_TEST_SHELLS gives it, as NAME=PATH pairs separated by spaces.
#[cfg(test)]
pub(crate) fn test_shell(name: &str) -> Option<std::path::PathBuf> {
    let env = crate::snapshot::Snapshot::capture();
    let found = if name.contains('-') {
        let listed = env.or_empty("AUTOVENV_TEST_SHELLS");
        listed
            .as_encoded_bytes()
            .split(u8::is_ascii_whitespace)
            .find_map(|pair| pair.strip_prefix(name.as_bytes())?.strip_prefix(b"="))
            .map(|path| std::path::PathBuf::from(crate::bytes::os(path)))
            .filter(|p| p.is_file())
    } else {
        env.get("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    };
    if found.is_none() {
        if env
            .get("AUTOVENV_TEST_REQUIRE_SHELLS")
            .is_some_and(|v| v == "1")
        {
            panic!(
                "{name} is not installed (or not in AUTOVENV_TEST_SHELLS), and AUTOVENV_TEST_REQUIRE_SHELLS=1 requires it"
            );
        }
        eprintln!("SKIPPED: {name} is not installed (or not in AUTOVENV_TEST_SHELLS)");
    }
    found
}

#[cfg(test)]
mod round_trip {
    //! Random byte strings through each real shell's quoting: emit an
    //! assignment, run the shell, read the value back byte for byte.
    //! AUTOVENV_PROPTEST_CASES raises the number of batches (default 16, of
    //! 128 values each, with a fixed seed so CI is repeatable).

    use super::*;
    use proptest::prelude::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    use std::process::Command;

    /// Values weighted towards what breaks quoting.
    fn value() -> impl Strategy<Value = Vec<u8>> {
        let special = prop::sample::select(vec![
            b'\'', b'"', b'\\', b'$', b'`', b'\n', b'\t', b'\r', b' ', b'-', b'!', b'%', b'*',
            b'{', b'}', b'(', b')', b';', b'&', b'|', b'<', b'>', b'~', b'#', 0x1b, 0x7f, 0x80,
            0xc3, 0xa9, 0xff, 0xfe, b'a', b'0',
        ]);
        let byte = prop_oneof![3 => special, 1 => 1u8..=255u8];
        prop::collection::vec(byte, 0..40)
    }

    /// Evaluates the assignments the way the hook does: bash and zsh `eval`
    /// the output of a command substitution; fish reads it with one too and
    /// `eval`s the one string it must get.
    fn run(shell: Shell, exe: &std::path::Path, values: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let steps: Vec<Step> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name: &'static str = Box::leak(format!("RT_{i}").into_boxed_str());
                Step::Set(name, OsString::from_vec(v.clone()))
            })
            .collect();
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let file = std::env::temp_dir().join(format!(
            "autovenv-round-trip-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let update = HookUpdate {
            steps,
            ..HookUpdate::default()
        };
        std::fs::write(&file, shell.render_for_hook(&update)).unwrap();
        let mut script = match shell {
            Shell::Fish => format!(
                "set -l code (cat '{}'); test (count $code) = 1; or exit 3; eval $code\n",
                file.display()
            ),
            _ => format!("code=$(cat '{}'); eval -- \"$code\"\n", file.display()),
        };
        for i in 0..values.len() {
            script.push_str(&match shell {
                Shell::Fish => format!("printf '%s\\0' \"$RT_{i}\"\n"),
                _ => format!("printf '%s\\0' \"$RT_{i}\"\n"),
            });
        }
        let mut cmd = Command::new(exe);
        match shell {
            Shell::Bash => cmd.args(["--norc", "--noprofile", "-c", &script]),
            Shell::Zsh => cmd.args(["--no-rcs", "-c", &script]),
            Shell::Fish => cmd.args(["--no-config", "-c", &script]),
            // nushell is given data: its round trip is in nu.rs.
            Shell::Nu | Shell::Xonsh | Shell::Elvish => {
                unreachable!("given data: their round trips are their own")
            }
        };
        let out = cmd.env("LC_ALL", "C.UTF-8").output().expect("shell runs");
        let _ = std::fs::remove_file(&file);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<Vec<u8>> = out.stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        got.pop(); // after the last NUL
        got
    }

    fn round_trip(shell: Shell, name: &str) {
        let Some(exe) = super::test_shell(name) else {
            return;
        };
        let mut runner = crate::shell::round_trip_runner(16);
        runner
            .run(&prop::collection::vec(value(), 128), |values| {
                let got = run(shell, &exe, &values);
                prop_assert_eq!(got.len(), values.len());
                for (want, got) in values.iter().zip(&got) {
                    prop_assert_eq!(want, got, "value {:?}", String::from_utf8_lossy(want));
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn bash() {
        round_trip(Shell::Bash, "bash");
    }

    #[test]
    fn bash_3_2() {
        round_trip(Shell::Bash, "bash-3.2");
    }

    #[test]
    fn bash_4_4() {
        round_trip(Shell::Bash, "bash-4.4");
    }

    #[test]
    fn bash_5_3() {
        round_trip(Shell::Bash, "bash-5.3");
    }

    #[test]
    fn zsh() {
        round_trip(Shell::Zsh, "zsh");
    }

    #[test]
    fn fish() {
        round_trip(Shell::Fish, "fish");
    }

    #[test]
    fn fish_4_7() {
        round_trip(Shell::Fish, "fish-4.7");
    }
}
