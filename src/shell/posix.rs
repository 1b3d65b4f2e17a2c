//! bash and zsh: the same quoting, nearly the same statements.

use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;

use super::{Shell, prompt_label};
use crate::bytes;
use crate::detect::Probe;
use crate::plan::Step;
use crate::settle::Check;

/// Quotes bytes as one word for bash and zsh. Plain text goes in single
/// quotes; anything with a control character or invalid UTF-8 goes in
/// `$'...'` with `\xNN` escapes, so every value stays on one line (a
/// newline inside single quotes would be correct but unreadable in review).
pub fn quote(value: &[u8]) -> String {
    let text = std::str::from_utf8(value).ok();
    let plain = text.is_some_and(|t| !t.chars().any(char::is_control));
    if let (true, Some(text)) = (plain, text) {
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    let mut rest = value;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                push_ansi_c(&mut out, valid);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                push_ansi_c(&mut out, std::str::from_utf8(good).unwrap_or_default());
                let bad_len = e.error_len().unwrap_or(bad.len());
                for b in &bad[..bad_len] {
                    let _ = write!(out, "\\x{b:02x}");
                }
                rest = &bad[bad_len..];
            }
        }
    }
    out.push('\'');
    out
}

fn push_ansi_c(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            c => out.push(c),
        }
    }
}

/// bash expands `PS1` twice: backslash escapes, then (with `promptvars`, on
/// by default) `$`, backticks and `\` again. A name that held `$(cmd)` would
/// otherwise run `cmd` at every prompt.
fn bash_prompt_text(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        match c {
            '\\' => out.push_str(r"\\\\"),
            '$' | '`' => {
                out.push_str(r"\\");
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn render(shell: Shell, steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Set(name, value) => {
                // `\builtin`: evaluated code goes through alias expansion.
                let _ = writeln!(out, "\\builtin export {name}={}", quote(value.as_bytes()));
            }
            Step::Unset(name) => {
                let _ = writeln!(out, "\\builtin unset -v {name}");
            }
            // PATH changes are edits, not values: the statements do not grow
            // with PATH, and PATH stays exported.
            Step::PathPrepend(entry) => {
                let _ = writeln!(
                    out,
                    // Quoted: after `\builtin` the word is no assignment,
                    // and IFS would split it.
                    "\\builtin export PATH={}\"${{PATH:+:$PATH}}\"",
                    quote(entry.as_os_str().as_bytes())
                );
            }
            Step::PathRemove(entry) => {
                let _ = writeln!(
                    out,
                    "__autovenv_path_remove {}",
                    quote(entry.as_os_str().as_bytes())
                );
            }
            Step::Rehash => out.push_str("\\builtin hash -r\n"),
            Step::Prompt(None) => out.push_str("__autovenv_prompt\n"),
            Step::Prompt(Some(name)) => {
                let label = prompt_label(name.as_bytes());
                // zsh escapes `%` and friends itself, knowing its options.
                let text = match shell {
                    Shell::Bash => bash_prompt_text(&label),
                    _ => label,
                };
                let _ = writeln!(out, "__autovenv_prompt {}", quote(text.as_bytes()));
            }
            Step::DeactivateCommand(true) => out.push_str("__autovenv_define_deactivate\n"),
            Step::DeactivateCommand(false) => out.push_str("__autovenv_forget_deactivate\n"),
            Step::ForgetScript => out.push_str("__autovenv_forget_script\n"),
        }
    }
    out
}

/// The hook's memo, as a shell variable that is never exported.
pub fn render_memo(out: &mut String, value: &str) {
    let _ = writeln!(out, "__autovenv_local={}", quote(value.as_bytes()));
}

/// The check as one `[[ ]]` (one builtin call, no process), then the first
/// line of any `.venv-name` that decided the environment, then the region's
/// test (`__autovenv_here`, see `crate::region` and the hooks' walk).
///
/// The deciding variables: bash compares them joined into one string, zsh
/// one by one, an empty one with `-z`. Each is what that shell does
/// fastest, timed in a loop of 2,000 calls (25 variables, 3 of them set):
/// bash 17 µs joined against 23 one by one, zsh 35–50 µs joined against
/// 7 one by one (zsh matches the long right-hand side as a pattern).
pub fn render_check(out: &mut String, check: &Check, shell: Shell) {
    if check.is_volatile() {
        out.push_str("__autovenv_unchanged() { \\builtin return 1; }\n");
        return;
    }
    let q = |p: &std::path::Path| quote(p.as_os_str().as_bytes());
    let mut terms = Vec::new();
    let vars: Vec<_> = check.compared_vars().collect();
    if shell == Shell::Zsh || !super::can_join(check) {
        for (name, value) in &vars {
            terms.push(if value.is_empty() {
                format!("-z ${{{name}-}}")
            } else {
                format!("${{{name}-}} == {}", quote(value.as_bytes()))
            });
        }
        for (name, set) in &check.set_flags {
            let test = if *set { "-n" } else { "-z" };
            terms.push(format!("{test} ${{{name}+x}}"));
        }
    } else if !vars.is_empty() || !check.set_flags.is_empty() {
        let mut seen = Vec::new();
        let mut want = Vec::new();
        for (name, value) in &vars {
            seen.push(format!("${{{name}-}}"));
            want.extend_from_slice(value.as_bytes());
            want.push(super::JOIN);
        }
        for (name, set) in &check.set_flags {
            seen.push(format!("${{{name}+x}}"));
            if *set {
                want.push(b'x');
            }
            want.push(super::JOIN);
        }
        terms.push(format!(
            "{}$'\\x1f' == {}",
            seen.join("$'\\x1f'"),
            quote(&want)
        ));
    }
    let mut lines = Vec::new();
    for probe in check.asked_probes() {
        match probe {
            Probe::Exists { path, link: false } => terms.push(format!("-e {}", q(path))),
            Probe::Exists { path, link: true } => {
                let q = q(path);
                terms.push(format!("( -L {q} || -e {q} )"));
            }
            Probe::Missing { path, link: false } => terms.push(format!("! -e {}", q(path))),
            Probe::Missing { path, link: true } => {
                let q = q(path);
                terms.push(format!("! -L {q} && ! -e {q}"));
            }
            Probe::FirstLine { path, line } => {
                lines.push(format!("__autovenv_line_is {} {}", q(path), quote(line)))
            }
            Probe::Volatile => {}
        }
    }
    let mut parts = Vec::new();
    if !terms.is_empty() {
        parts.push(format!("[[ {} ]]", terms.join(" && ")));
    }
    parts.extend(lines);
    if parts.is_empty() {
        parts.push(":".into());
    }
    match &check.region {
        // The variables and files asked in the check itself (a function
        // call less per prompt: zsh charges about 10 us for one); leaving,
        // tried next when the check fails, reads whether they held from
        // `__autovenv_same_ok`. (A hook that asked `__autovenv_same`
        // instead is of an older build, replaced before it runs this.)
        Some(region) => {
            render_region(out, region);
            let _ = writeln!(
                out,
                "__autovenv_unchanged() {{ __autovenv_same_ok=; {} && __autovenv_same_ok=1 && __autovenv_here; }}",
                parts.join(" && ")
            );
        }
        None => {
            let _ = writeln!(out, "__autovenv_unchanged() {{ {}; }}", parts.join(" && "));
        }
    }
}

/// The region's settings for the hook's walk, the names test, and the test
/// for the folder the decision was made for: one `-ot` per folder.
fn render_region(out: &mut String, region: &crate::region::Region) {
    let q = |p: &std::path::Path| quote(p.as_os_str().as_bytes());
    let settings = super::region_settings(region, quote);
    let sets: Vec<String> = settings
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let _ = writeln!(out, "{}", sets.join(" "));
    let stamp = &settings[2].1;
    let names: Vec<String> = region
        .names
        .iter()
        .map(|n| {
            let n = quote(n.as_bytes());
            format!("! -e $1/{n} && ! -L $1/{n}")
        })
        .collect();
    if !region.keeps_clean {
        let _ = writeln!(
            out,
            "__autovenv_clean() {{ [[ {} ]]; }}",
            names.join(" && ")
        );
    }
    let mut terms = vec![format!("$PWD == {}", q(&region.here))];
    if region.stamp.is_some() {
        for folder in &region.folders {
            terms.push(format!("{} -ot {stamp}", q(folder)));
        }
    }
    let _ = writeln!(
        out,
        "__autovenv_here() {{ [[ {} ]] || __autovenv_walk; }}",
        terms.join(" && ")
    );
}

/// For messages: how a path is typed at a bash or zsh prompt.
pub fn shown(path: &std::path::Path) -> String {
    let b = path.as_os_str().as_bytes();
    if b.iter()
        .all(|&c| c.is_ascii_alphanumeric() || b"/._-+,:@%".contains(&c))
    {
        bytes::display(b)
    } else {
        quote(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", "'plain'"),
            (b"", "''"),
            (b"a b", "'a b'"),
            (b"it's", r"'it'\''s'"),
            (b"$(rm -rf ~)`x`", "'$(rm -rf ~)`x`'"),
            (b"back\\", r"'back\'"),
            (b"-n", "'-n'"),
            ("ütf-8".as_bytes(), "'ütf-8'"),
            (b"new\nline", r"$'new\x0aline'"),
            (b"tab\there's", r"$'tab\x09here\'s'"),
            (b"\xff\xfe\\", r"$'\xff\xfe\\'"),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), *want, "{input:?}");
        }
    }

    /// The variables' comparison passes exactly when every value is the
    /// same, in real bash (joined; a value holding the separator falls back
    /// to one comparison per variable) and zsh (one by one).
    #[test]
    fn joined_variable_check_in_real_shells() {
        use std::process::Command;
        for name in crate::shell::TEST_SHELLS {
            if !matches!(name.split('-').next(), Some("bash" | "zsh")) {
                continue;
            }
            let Some(exe) = crate::shell::test_shell(name) else {
                continue;
            };
            let shell = if name.starts_with("zsh") {
                Shell::Zsh
            } else {
                Shell::Bash
            };
            for a in [&b"one"[..], b"x\x1fy"] {
                let check = Check {
                    vars: vec![("CA", bytes::os(a).to_os_string()), ("CB", "".into())],
                    set_flags: vec![("CF", false)],
                    probes: vec![],
                    region: None,
                };
                let mut code = String::new();
                render_check(&mut code, &check, shell);
                let script = format!(
                    "{code}\nexport CA={qa}\n__autovenv_unchanged && echo same\nCB=1; __autovenv_unchanged || echo changed\nCB=; CF=; __autovenv_unchanged || echo flagged\nunset CF; CA=other; __autovenv_unchanged || echo changed-a\n",
                    qa = quote(a)
                );
                let out = Command::new(&exe).arg("-c").arg(&script).output().unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&out.stdout),
                    "same\nchanged\nflagged\nchanged-a\n",
                    "{name} {a:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }

    #[test]
    fn bash_prompt_text_defuses_expansion() {
        assert_eq!(bash_prompt_text("a$(b)`c`\\"), r"a\\$(b)\\`c\\`\\\\");
    }
}
