//! Completions, the man page and `--help`.

use super::*;

per_shell!(completions_load_and_complete, |sh: Sh| {
    let world = World::new();
    let file = world.tmp.path().join("completions");
    let out = run_in(&world, &world.root, &["completions", sh.name()], &[]);
    assert!(out.status.success());
    std::fs::write(&file, &out.stdout).unwrap();
    let q = sh.quote(file.as_os_str().as_bytes());
    // Each shell loads the file and completes `autovenv st` and `autovenv
    // new --`; an error while loading fails the command.
    let (args, script): (&[&str], String) = match sh {
        Sh::Bash => (
            &["--norc", "--noprofile", "-e", "-c"],
            format!(
                "source {q}
complete -p autovenv >/dev/null
COMP_WORDS=(autovenv st); COMP_CWORD=1; COMP_LINE='autovenv st'; COMP_POINT=${{#COMP_LINE}}
_autovenv autovenv st autovenv; printf '%s\\n' \"${{COMPREPLY[@]}}\"
COMP_WORDS=(autovenv new --); COMP_CWORD=2; COMP_LINE='autovenv new --'; COMP_POINT=${{#COMP_LINE}}
_autovenv autovenv -- new; printf '%s\\n' \"${{COMPREPLY[@]}}\""
            ),
        ),
        Sh::Zsh => (
            &["--no-rcs", "-e", "-c"],
            format!(
                "autoload -U compinit; compinit -u -d {d}
source {q}
print -r -- ${{_comps[autovenv]}}
(( ${{+functions[_autovenv]}} )) && print defined",
                d = sh.quote(world.tmp.path().join("zcompdump").as_os_str().as_bytes())
            ),
        ),
        Sh::Fish => (
            &["--no-config", "-c"],
            format!(
                "source {q}; or exit 1\ncomplete -C 'autovenv st'\ncomplete -C 'autovenv new --'"
            ),
        ),
    };
    let out = Command::new(sh.find().unwrap())
        .args(args)
        .arg(&script)
        .env_clear()
        .envs(world.env())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}\n{}", text, stderr(&out));
    assert_eq!(stderr(&out), "", "loading printed errors");
    match sh {
        Sh::Zsh => {
            assert!(text.contains("_autovenv"), "{text}");
            assert!(text.contains("defined"), "{text}");
        }
        _ => {
            assert!(text.lines().any(|l| l.starts_with("status")), "{text}");
            assert!(text.lines().any(|l| l.starts_with("--python")), "{text}");
            assert!(text.lines().any(|l| l.starts_with("--name")), "{text}");
        }
    }
    // The internal command is not offered.
    assert!(!text.lines().any(|l| l.starts_with("export")), "{text}");
});

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["completions", "tcsh"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
}

#[test]
fn the_man_page_comes_from_the_same_definitions() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["man"], &[]);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH autovenv 1"),
        "{page}"
    );
    for command in [
        "new",
        "list",
        "doctor",
        "watch",
        "completions",
        "status",
        "allow",
    ] {
        assert!(
            page.contains(&format!("autovenv\\-{command}(1)")),
            "{command} missing"
        );
    }
    let dir = world.tmp.path().join("man1");
    let out = run_in(
        &world,
        &world.root,
        &["man", "--dir", dir.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for page in [
        "autovenv.1",
        "autovenv-new.1",
        "autovenv-watch.1",
        "autovenv-doctor.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    assert!(
        !dir.join("autovenv-export.1").exists(),
        "the internal command has no page"
    );
    // Rendered by the real man when it is there.
    if util::find_program("man").is_some() {
        let out = Command::new("man")
            .arg("-l")
            .arg(dir.join("autovenv-new.1"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(text.contains("--python"), "{text}");
        assert!(text.contains("Examples: autovenv new"), "{text}");
    }
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let world = World::new();
    for command in [
        "hook",
        "status",
        "allow",
        "deny",
        "new",
        "list",
        "doctor",
        "watch",
        "completions",
        "man",
    ] {
        let out = run_in(&world, &world.root, &[command, "--help"], &[]);
        assert!(out.status.success(), "{command}");
        let text = stdout(&out);
        assert!(
            text.contains("Example: ") || text.contains("Examples:"),
            "{command} --help has no example:\n{text}"
        );
    }
}
