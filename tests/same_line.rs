//! A `cd` inside a command line (`cd client_flask_app && flask run`): the
//! command after it already runs the project's Python, in every shell and
//! every version (zsh: chpwd; fish: the PWD event; bash: the hook's DEBUG
//! trap, docs/decisions.md), however the folder is changed: `cd`, `pushd`,
//! `popd`, `cd -`, `builtin cd`, a user's own `cd` function, zoxide's `cd`,
//! and with bash-preexec or a DEBUG trap of the user's in place.

use std::path::{Path, PathBuf};

use crate::util::{self, BASE_PATH, Script, Sh, World};

struct Projects {
    world: World,
    client: PathBuf,
    personal: PathBuf,
    plain: PathBuf,
}

/// The seed story's two projects, with different versions of a package.
fn projects() -> Projects {
    let world = World::new();
    let client = world.path("client_flask_app");
    let personal = world.path("personal_app");
    let plain = world.path("plain");
    world.venv(&client.join("venv"), "1.1.4");
    world.venv(&personal.join("venv"), "2.0.3");
    world.mkdir(&plain);
    world.allow(&client);
    world.allow(&personal);
    Projects {
        world,
        client,
        personal,
        plain,
    }
}

/// A command that says which environment's Python ran it, tagged.
fn python(tag: &str) -> String {
    format!("python -c 'import sys, flaskish; print(\"RAN-{tag}\", flaskish.VERSION, sys.prefix)'")
}

fn q(sh: Sh, path: &Path) -> String {
    sh.quote(path.as_os_str().as_encoded_bytes())
}

/// What `python(tag)` printed: the version of `flaskish` it imported and
/// `sys.prefix`, or None when it did not run with either project.
fn ran(out: &util::Ran, tag: &str) -> Option<(String, PathBuf)> {
    let prefix = format!("RAN-{tag} ");
    out.stdout.lines().find_map(|l| {
        let (version, prefix) = l.strip_prefix(&prefix)?.split_once(' ')?;
        Some((version.to_string(), PathBuf::from(prefix)))
    })
}

fn assert_ran(out: &util::Ran, sh: Sh, tag: &str, project: &Path, version: &str) {
    assert_eq!(
        ran(out, tag),
        Some((version.to_string(), project.join("venv"))),
        "{}: `{tag}` ran the wrong Python\nstdout:\n{}\nstderr:\n{}",
        sh.label(),
        out.stdout,
        out.stderr
    );
}

/// Each way of changing folder, on one line with the command after it.
fn every_way_of_changing_folder(
    sh: Sh,
    s: &mut Script,
    p: &Projects,
) -> Vec<(&'static str, PathBuf, &'static str)> {
    let quiet = " > /dev/null";
    let steps = [
        (
            "cd",
            format!("cd {} && ", q(sh, &p.client)),
            &p.client,
            "1.1.4",
        ),
        (
            "cd-cd",
            format!("cd {} && cd {} && ", q(sh, &p.plain), q(sh, &p.personal)),
            &p.personal,
            "2.0.3",
        ),
        (
            "pushd",
            format!("pushd {}{quiet} && ", q(sh, &p.client)),
            &p.client,
            "1.1.4",
        ),
        ("popd", format!("popd{quiet} && "), &p.personal, "2.0.3"),
        ("cd-dash", format!("cd -{quiet} && "), &p.client, "1.1.4"),
        (
            "builtin-cd",
            format!("builtin cd {} && ", q(sh, &p.personal)),
            &p.personal,
            "2.0.3",
        ),
    ];
    let mut want = Vec::new();
    for (tag, prefix, project, version) in steps {
        s.run(format!("{prefix}{}", python(tag)));
        want.push((tag, project.clone(), version));
    }
    // Leaving: nothing of the projects' is left for the next command.
    s.run(format!("cd {} && echo \"PATH-NOW=$PATH\"", q(sh, &p.plain)));
    want
}

fn check_every_way(sh: Sh, out: &util::Ran, want: &[(&'static str, PathBuf, &'static str)]) {
    for (tag, project, version) in want {
        assert_ran(out, sh, tag, project, version);
    }
    // (fish joins PATH with ':' inside double quotes.)
    let path_now = format!("PATH-NOW={BASE_PATH}");
    assert!(
        out.stdout.lines().any(|l| l == path_now),
        "{}: PATH after leaving\n{}",
        sh.label(),
        out.stdout
    );
}

per_shell!(cd_then_python_on_one_line, |sh: Sh| {
    let p = projects();
    let mut s = Script::new(sh, &p.world);
    let want = every_way_of_changing_folder(sh, &mut s, &p);
    check_every_way(sh, &s.execute(), &want);
});

// The user's own `cd` function, defined after the hook (as an rc file that
// loads the hook early would): it ends in `builtin cd`, and the switch
// follows it within the line.
per_shell!(with_a_user_cd_function, |sh: Sh| {
    let p = projects();
    let mut s = Script::new(sh, &p.world);
    let log = p.world.root.join("cd.log");
    s.run(match sh {
        // fish's own `cd` is a function (it does `cd -`): a user's wraps a
        // copy of it.
        Sh::Fish => format!(
            "functions -c cd __fish_cd; function cd; __fish_cd $argv; and echo moved >> {}; end",
            q(sh, &log)
        ),
        _ => format!(
            "cd() {{ builtin cd \"$@\" && echo moved >> {}; }}",
            q(sh, &log)
        ),
    });
    let want = every_way_of_changing_folder(sh, &mut s, &p);
    check_every_way(sh, &s.execute(), &want);
    // Ours did not replace it.
    let moved = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(moved.lines().count() >= 3, "{}: {moved:?}", sh.label());
});

/// The `cd` that `zoxide init SHELL --cmd cd` (zoxide 0.9) defines: a `cd`
/// function that goes through zoxide's helpers to `builtin cd`, loaded after
/// the hook, as its documentation says (the end of the rc file). What calls
/// the zoxide binary (its database) is left out: only a folder that exists
/// is given to it here, which zoxide changes to without asking the database.
/// (fish: zoxide copies fish's own `cd` function, which does `cd -`, as
/// `__zoxide_cd_internal`; it reads it from `$__fish_data_dir`, where fish 4
/// keeps no files, so this copies the loaded function instead.)
fn zoxide_cd(sh: Sh) -> &'static str {
    match sh {
        Sh::Bash => {
            r#"function __zoxide_pwd() { \builtin pwd -L; }
function __zoxide_cd() { \builtin cd -- "$@"; }
function __zoxide_hook() { \builtin local -r retval="$?"; \builtin return "${retval}"; }
if [[ ${PROMPT_COMMAND:=} != *'__zoxide_hook'* ]]; then PROMPT_COMMAND="__zoxide_hook;${PROMPT_COMMAND#;}"; fi
function __zoxide_z() { if [[ $# -eq 0 ]]; then __zoxide_cd ~; elif [[ $# -eq 1 && $1 == '-' ]]; then __zoxide_cd "${OLDPWD}"; elif [[ $# -eq 1 && -d $1 ]]; then __zoxide_cd "$1"; else return 1; fi; }
\builtin unalias cd &>/dev/null || \builtin true
function cd() { __zoxide_z "$@"; }"#
        }
        Sh::Zsh => {
            r#"function __zoxide_pwd() { \builtin pwd -L }
function __zoxide_cd() { \builtin cd -- "$@" }
function __zoxide_hook() { : }
if [[ ${precmd_functions[(Ie)__zoxide_hook]:-} -eq 0 ]] && [[ ${chpwd_functions[(Ie)__zoxide_hook]:-} -eq 0 ]]; then chpwd_functions+=(__zoxide_hook); fi
function __zoxide_z() { if [[ "$#" -eq 0 ]]; then __zoxide_cd ~; elif [[ "$#" -eq 1 ]] && { [[ -d "$1" ]] || [[ "$1" = '-' ]] }; then __zoxide_cd "$1"; else return 1; fi }
\builtin unalias cd &>/dev/null || \builtin true
function cd() { __zoxide_z "$@" }"#
        }
        Sh::Fish => {
            r#"function __zoxide_pwd; builtin pwd -L; end
functions -q cd; and functions -c cd __zoxide_cd_internal
function __zoxide_cd; if set -q __zoxide_loop; return 1; end; __zoxide_loop=1 __zoxide_cd_internal $argv; end
function __zoxide_hook --on-variable PWD; true; end
function __zoxide_z; set -l argc (builtin count $argv); if test $argc -eq 0; __zoxide_cd $HOME; else if test "$argv" = -; __zoxide_cd -; else if test $argc -eq 1 -a -d $argv[1]; __zoxide_cd $argv[1]; else; return 1; end; end
abbr --erase cd &>/dev/null
function cd --wraps=__zoxide_z; __zoxide_z $argv; end"#
        }
    }
}

per_shell!(with_zoxide_cd, |sh: Sh| {
    let p = projects();
    let mut s = Script::new(sh, &p.world);
    for line in zoxide_cd(sh).lines() {
        s.run(line);
    }
    s.run(match sh {
        Sh::Fish => "functions -q __zoxide_z; and echo ZOXIDE-CD",
        _ => "[[ $(type -t cd 2>/dev/null || whence -w cd) == *function* ]] && echo ZOXIDE-CD",
    });
    let want = every_way_of_changing_folder(sh, &mut s, &p);
    let out = s.execute();
    assert!(out.stdout.contains("ZOXIDE-CD"), "{}", out.stderr);
    check_every_way(sh, &out, &want);
});

/// bash-preexec (starship, atuin and iTerm2's shell integration load it),
/// the real one, from beside the repository (never copied into it).
fn bash_preexec() -> Option<PathBuf> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/test-shells/third-party/bash-preexec.sh"
    ));
    if path.is_file() {
        return Some(path);
    }
    crate::util::unavailable(&format!("bash-preexec is not at {}", path.display()))
}

/// The lines an rc file would hold for bash-preexec, with a preexec and a
/// precmd that log. Piped, stdout is no terminal, on which bash-preexec
/// would skip preexec: `__bp_delay_install` turns that check off, and the
/// installation it delays is then started by hand, as the file itself does.
fn bash_preexec_lines(file: &Path, log: &Path) -> String {
    format!(
        "__bp_delay_install=1; source {f}; __bp_install_after_session_init; \
         preexec() {{ echo \"preexec $1\" >> {l}; }}; precmd() {{ echo precmd >> {l}; }}",
        f = q(Sh::Bash, file),
        l = q(Sh::Bash, log)
    )
}

// Loaded before the hook, as the installation guide says: the first command
// line after the first prompt already switches, and bash-preexec's own
// preexec and precmd still run.
per_bash!(with_bash_preexec_loaded_first, |sh: Sh| {
    let Some(bp) = bash_preexec() else { return };
    let p = projects();
    let log = p.world.root.join("bp.log");
    let mut s = Script::new(sh, &p.world);
    // One line, as if read from ~/.bashrc before the first prompt.
    s.run(format!(
        "{}; {}",
        bash_preexec_lines(&bp, &log),
        sh.hook_line()
    ));
    let want = every_way_of_changing_folder(sh, &mut s, &p);
    let out = s.execute_with(false);
    check_every_way(sh, &out, &want);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains("preexec cd ") && logged.contains("precmd"),
        "{}: bash-preexec's hooks: {logged:?}\n{}",
        sh.label(),
        out.stderr
    );
});

// Loaded after the hook: bash-preexec puts its DEBUG trap in at its first
// prompt, after the hook's check has run there, so the first command line
// switches at the next prompt (as every bash did before); from the next
// line on, the hook's trap runs behind bash-preexec's.
per_bash!(with_bash_preexec_loaded_after, |sh: Sh| {
    let Some(bp) = bash_preexec() else { return };
    let p = projects();
    let log = p.world.root.join("bp.log");
    let mut s = Script::new(sh, &p.world);
    s.run(format!(
        "{}; {}",
        sh.hook_line(),
        bash_preexec_lines(&bp, &log)
    ));
    s.run(":");
    let want = every_way_of_changing_folder(sh, &mut s, &p);
    let out = s.execute_with(false);
    check_every_way(sh, &out, &want);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains("preexec cd ") && logged.contains("precmd"),
        "{}: bash-preexec's hooks: {logged:?}",
        sh.label()
    );
});

// A DEBUG trap of the user's, set before the hook loads and set again at
// the prompt later: it keeps running (with the command it was given), and
// the hook's runs behind it.
per_bash!(with_a_user_debug_trap, |sh: Sh| {
    let p = projects();
    let log = p.world.root.join("trap.log");
    let mut s = Script::new(sh, &p.world);
    // (The test's folders are plain names: no quoting inside the quotes.)
    let trap = format!("trap 'echo \"$BASH_COMMAND\" >> {}' DEBUG", log.display());
    s.run(format!("{trap}; {}", sh.hook_line()));
    s.run(format!("cd {} && {}", q(sh, &p.client), python("first")));
    // Set again, at the prompt: the hook's check puts its own back behind it.
    s.run(&trap);
    s.run(format!("cd {} && {}", q(sh, &p.personal), python("again")));
    s.run("echo marker-command");
    let out = s.execute_with(false);
    assert_ran(&out, sh, "first", &p.client, "1.1.4");
    assert_ran(&out, sh, "again", &p.personal, "2.0.3");
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.lines().any(|l| l.starts_with("python -c"))
            && logged.lines().any(|l| l == "echo marker-command"),
        "{}: the user's trap: {logged}",
        sh.label()
    );
});

// AUTOVENV_BASH_DEBUG_TRAP=0 leaves the trap out: no DEBUG trap, and the
// switch waits for the next prompt, as it did before.
per_bash!(the_debug_trap_can_be_left_out, |sh: Sh| {
    let p = projects();
    let mut s = Script::new(sh, &p.world).env("AUTOVENV_BASH_DEBUG_TRAP", "0");
    s.run(format!(
        "cd {} && {}",
        q(sh, &p.client),
        python("same-line")
    ));
    s.run("echo \"TRAP=$(trap -p DEBUG)\"");
    s.run(python("next-line"));
    let out = s.execute();
    assert_eq!(ran(&out, "same-line"), None, "{}", out.stdout);
    assert_ran(&out, sh, "next-line", &p.client, "1.1.4");
    assert!(out.stdout.lines().any(|l| l == "TRAP="), "{}", out.stdout);
});

// A `cd` typed alone, of a user's own `cd` function that runs Python after
// changing folder: in zsh the Python inside the function already runs the
// new project's. (zsh leaves the check of a line that is one `cd` of its
// own builtin to the prompt; a `cd` function is not that.) Not bash: its
// DEBUG trap does not run inside functions; not fish, which does not tell
// a user's `cd` from its own (docs/decisions.md).
#[test]
fn a_lone_cd_of_a_function_that_runs_python() {
    util::run_under("zsh", |sh: Sh| {
        let p = projects();
        let mut s = Script::new(sh, &p.world);
        s.run(format!(
            "cd() {{ builtin cd \"$@\" && {}; }}",
            python("in-cd")
        ));
        s.cd(&p.client);
        let out = s.execute();
        assert_ran(&out, sh, "in-cd", &p.client, "1.1.4");
    });
}
