//! fish: its own quoting and its own statements. POSIX quoting is wrong for
//! fish (`'foo\'` is a syntax error there), so nothing is shared with bash.

use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;

use super::prompt_label;
use crate::bytes;
use crate::detect::Probe;
use crate::plan::Step;
use crate::settle::Check;

/// Quotes bytes as one fish word. Inside fish single quotes only `\` and `'`
/// are special; control characters and invalid UTF-8 are written outside
/// the quotes as `\xHH`, which fish turns back into the same byte.
pub fn quote(value: &[u8]) -> String {
    let mut out = String::new();
    let mut open = false;
    let mut rest = value;
    let push_char = |out: &mut String, c: Option<char>, byte: u8, open: &mut bool| match c {
        Some(c) if !c.is_control() => {
            if !*open {
                out.push('\'');
                *open = true;
            }
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c => out.push(c),
            }
        }
        _ => {
            if *open {
                out.push('\'');
                *open = false;
            }
            let _ = write!(out, "\\x{byte:02x}");
        }
    };
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(v) => (v, &b""[..]),
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                (std::str::from_utf8(good).unwrap_or_default(), bad)
            }
        };
        for c in valid.chars() {
            if c.is_control() {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    push_char(&mut out, None, b, &mut open);
                }
            } else {
                push_char(&mut out, Some(c), 0, &mut open);
            }
        }
        if bad.is_empty() {
            break;
        }
        let bad_len = std::str::from_utf8(bad)
            .err()
            .and_then(|e| e.error_len())
            .unwrap_or(bad.len())
            .max(1);
        for &b in &bad[..bad_len] {
            push_char(&mut out, None, b, &mut open);
        }
        rest = &bad[bad_len..];
    }
    if open {
        out.push('\'');
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

pub fn render(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Set("PATH", value) => {
                // fish keeps PATH as a list and joins it with ':' for
                // programs it starts.
                out.push_str("set -gx PATH");
                if !value.is_empty() {
                    for part in bytes::split_colons(value) {
                        out.push(' ');
                        out.push_str(&quote(part.as_bytes()));
                    }
                }
                out.push('\n');
            }
            Step::Set(name, value) => {
                let _ = writeln!(out, "set -gx {name} {}", quote(value.as_bytes()));
            }
            Step::Unset(name) => {
                let _ = writeln!(out, "set -e {name}");
            }
            Step::PathPrepend(entry) => {
                let _ = writeln!(
                    out,
                    "set -gx PATH {} $PATH",
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
            // fish looks commands up afresh each time: nothing to forget.
            Step::Rehash => {}
            Step::Prompt(None) => out.push_str("__autovenv_prompt\n"),
            Step::Prompt(Some(name)) => {
                let label = prompt_label(name.as_bytes());
                let _ = writeln!(out, "__autovenv_prompt {}", quote(label.as_bytes()));
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
    let _ = writeln!(out, "set -g __autovenv_local {}", quote(value.as_bytes()));
}

/// One `test` call (a builtin) holds every comparison and file question.
pub fn render_check(out: &mut String, check: &Check) {
    if check.is_volatile() {
        out.push_str("function __autovenv_unchanged; return 1; end\n");
        return;
    }
    let mut parts = Vec::new();
    for (name, set) in &check.set_flags {
        parts.push(if *set {
            format!("set -q {name}")
        } else {
            format!("not set -q {name}")
        });
    }
    let mut terms = Vec::new();
    let vars: Vec<_> = check.compared_vars().collect();
    // Joined, the variables cost fish one `test` comparison (an idle prompt
    // went from about 50 to 40 us).
    if !super::can_join(check) {
        for (name, value) in &vars {
            terms.push(format!("\"${name}\" = {}", quote(value.as_bytes())));
        }
    } else if !vars.is_empty() {
        let seen: Vec<String> = vars
            .iter()
            .map(|(name, _)| format!("\"${name}\""))
            .collect();
        let want: Vec<&[u8]> = vars.iter().map(|(_, v)| v.as_bytes()).collect();
        terms.push(format!(
            "{} = {}",
            seen.join("\\x1f"),
            quote(&want.join(&super::JOIN))
        ));
    }
    // Paths asked "is it there" go to one `path filter` call each way: one
    // builtin call for many paths costs a fraction of a `test` term apiece.
    let mut present = Vec::new();
    let mut absent = Vec::new();
    let mut lines = Vec::new();
    for probe in check.asked_probes() {
        match probe {
            Probe::Exists { path, link: false } => present.push(quote(path.as_os_str().as_bytes())),
            Probe::Missing { path, link: false } => absent.push(quote(path.as_os_str().as_bytes())),
            Probe::Exists { path, link: true } => {
                let q = quote(path.as_os_str().as_bytes());
                terms.push(format!("\\( -L {q} -o -e {q} \\)"));
            }
            Probe::Missing { path, link: true } => {
                let q = quote(path.as_os_str().as_bytes());
                terms.push(format!("! -L {q} -a ! -e {q}"));
            }
            Probe::FirstLine { path, line } => lines.push(format!(
                "__autovenv_line_is {} {}",
                quote(path.as_os_str().as_bytes()),
                quote(line)
            )),
            Probe::Volatile => {}
        }
    }
    if !terms.is_empty() {
        parts.push(format!("test {}", terms.join(" -a ")));
    }
    if !absent.is_empty() {
        // -q: true as soon as one of them is there.
        parts.push(format!("not path filter -q -- {}", absent.join(" ")));
    }
    if !present.is_empty() {
        // -vq: true as soon as one of them is not there.
        parts.push(format!("not path filter -vq -- {}", present.join(" ")));
    }
    parts.extend(lines);
    if parts.is_empty() {
        parts.push("true".into());
    }
    match &check.region {
        // The variables and files asked in the check itself, a function
        // call less per prompt; leaving reads whether they held from
        // `__autovenv_same_ok` (see the posix renderer).
        Some(region) => {
            render_region(out, region);
            let _ = writeln!(
                out,
                "function __autovenv_unchanged; set -g __autovenv_same_ok ''; {}; and set -g __autovenv_same_ok 1; and __autovenv_here; end",
                parts.join("; and ")
            );
            out.push_str("function __autovenv_same; test -n \"$__autovenv_same_ok\"; end\n");
        }
        None => {
            let _ = writeln!(
                out,
                "function __autovenv_unchanged; {}; end",
                parts.join("; and ")
            );
        }
    }
}

/// The region's settings for the hook's walk, the names test, and the test
/// for the folder the decision was made for (see the posix renderer).
fn render_region(out: &mut String, region: &crate::region::Region) {
    let q = |p: &std::path::Path| quote(p.as_os_str().as_bytes());
    let settings = super::region_settings(region, quote);
    let sets: Vec<String> = settings
        .iter()
        .map(|(name, value)| format!("set -g {name} {value}"))
        .collect();
    let _ = writeln!(out, "{}", sets.join("; "));
    let stamp = &settings[2].1;
    let known: Vec<String> = region.folders.iter().map(|f| q(f)).collect();
    let _ = writeln!(out, "set -g __autovenv_vchain {}", known.join(" "));
    let names: Vec<String> = region.names.iter().map(|n| quote(n.as_bytes())).collect();
    let links: Vec<String> = names
        .iter()
        .map(|n| format!("! -L \"$argv[1]\"/{n}"))
        .collect();
    // `path filter` follows links; a dangling one is a name too.
    if !region.keeps_clean {
        let _ = writeln!(
            out,
            "function __autovenv_clean; not path filter -q -- \"$argv[1]\"/{{{}}}; and test {}; end",
            names.join(","),
            links.join(" -a ")
        );
    }
    // The region's test reads these: its `test` words, one `-a FOLDER -ot
    // STAMP` per folder, kept with the known folders; the hook's walk
    // leaves the same data.
    let words = match region.stamp {
        Some(_) => ot_words(&known, stamp),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "set -g __autovenv_ot {words}; set -g __autovenv_here_args $__autovenv_ot"
    );
    // Leaving parses what it applies: about 0.1 ms of a fish leave for
    // this one function, already defined by the check it is kept beside.
    if !region.beside {
        out.push_str(HERE);
    }
}

/// The `test` words that ask whether each of `folders` (quoted) is older
/// than `stamp` (quoted): `-a FOLDER -ot STAMP` each, after a first operand
/// of the caller's.
pub(super) fn ot_words(folders: &[String], stamp: &str) -> String {
    folders
        .iter()
        .map(|folder| format!("-a {folder} -ot {stamp}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The region's test, after the binary's run and after the hook's walk
/// alike (both leave data, not code): $PWD is the folder the region was
/// checked at and every known folder is older than the stamp. When one is
/// newer (a home folder written to since), each is asked again, the names
/// of those newer: without that, every prompt there would walk (and the
/// hook makes a stamp of its own for them, `__autovenv_renew`). Defined
/// with every check that has a region, so that a shell still running an
/// older hook gets it (statements kept ready beside one need not).
const HERE: &str = "function __autovenv_here
    test \"$PWD\" = \"$__autovenv_vdir\" $__autovenv_here_args; and return 0
    if test \"$PWD\" = \"$__autovenv_vdir\"
        set -l ok 1
        set -l new ''
        for d in $__autovenv_vchain
            test -n \"$__autovenv_stamp\" -a \"$d\" -ot \"$__autovenv_stamp\"; and continue
            if __autovenv_clean $d
                set new 1
            else
                set ok ''
                break
            end
        end
        if test -n \"$ok\"
            test -z \"$new\"; or __autovenv_renew
            return 0
        end
    end
    __autovenv_walk
end
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", "'plain'"),
            (b"", "''"),
            (b"it's", r"'it\'s'"),
            (b"back\\", r"'back\\'"),
            (b"$(x) `y` \"z\"", "'$(x) `y` \"z\"'"),
            ("ütf-8".as_bytes(), "'ütf-8'"),
            (b"new\nline", r"'new'\x0a'line'"),
            (b"\xffa\xfe", r"\xff'a'\xfe"),
            (b"\t", r"\x09"),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), *want, "{input:?}");
        }
    }

    /// The variables' joined comparison passes exactly when every value is
    /// the same, in real fish; a value holding the separator falls back to
    /// one comparison per variable.
    #[test]
    fn joined_variable_check_in_real_fish() {
        for name in ["fish", "fish-4.7"] {
            joined_check_in(name);
        }
    }

    fn joined_check_in(name: &str) {
        use std::process::Command;
        let Some(exe) = crate::shell::test_shell(name) else {
            return;
        };
        for a in [&b"one"[..], b"x\x1fy", b"it's \n"] {
            let check = Check {
                vars: vec![
                    ("CA", bytes::os(a).to_os_string()),
                    ("CB", "".into()),
                    ("CC", "c".into()),
                ],
                set_flags: vec![("CF", false)],
                probes: vec![],
                region: None,
            };
            let mut code = String::new();
            render_check(&mut code, &check);
            let script = format!(
                "{code}\nset -gx CA {qa}; set -g CC c\n\
                 __autovenv_unchanged; and echo same\n\
                 set CB 1; __autovenv_unchanged; or echo changed\n\
                 set CB ''; __autovenv_unchanged; and echo empty-is-unset\n\
                 set -g CF; __autovenv_unchanged; or echo flagged\n\
                 set -e CF; set CC ''; set CB c; __autovenv_unchanged; or echo moved\n\
                 set CB; set CC c; set CA other; __autovenv_unchanged; or echo changed-a\n",
                qa = quote(a)
            );
            let out = Command::new(&exe)
                .args(["--no-config", "-c", &script])
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                "same\nchanged\nempty-is-unset\nflagged\nmoved\nchanged-a\n",
                "{name} {a:?}: {code}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
