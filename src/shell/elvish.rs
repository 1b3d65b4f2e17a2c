//! elvish: given the same data as nushell and xonsh (`nu.rs`), the steps,
//! the memo and the check, but written as one elvish value, a map literal,
//! that the hook in `shell/autovenv.elv` evaluates in a namespace holding
//! nothing but `path:` and `str:`, and applies with `set-env`, `unset-env`
//! and list edits of `$paths`. Every string is quoted for elvish, so every
//! byte but NUL survives: elvish strings are bytes, and `"\xNN"` writes one.
//!
//! The check is the one part that is code: a closure that compares two
//! lists, one built from `$E:NAME` and globs, one of the answers the binary
//! saw (`render_check` says why it is built that way).

use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::prompt_label;
use crate::detect::Probe;
use crate::plan::Step;
use crate::settle::{Check, HookUpdate};

/// Quotes bytes as one elvish word. Inside single quotes only `'` is
/// special (written `''`); control characters and bytes that are not UTF-8
/// are written outside them as `"\xNN"`, which elvish turns back into the
/// same byte. The parts join into one word, as `'a'"\x0a"'b'`, so the
/// output stays on one line.
pub fn quote(value: &[u8]) -> String {
    let mut out = String::new();
    let mut open = false;
    let escaped = |out: &mut String, open: &mut bool, byte: u8| {
        if *open {
            out.push('\'');
            *open = false;
        }
        let _ = write!(out, "\"\\x{byte:02x}\"");
    };
    for chunk in value.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                let mut buf = [0u8; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    escaped(&mut out, &mut open, b);
                }
                continue;
            }
            if !open {
                out.push('\'');
                open = true;
            }
            if c == '\'' {
                out.push_str("''");
            } else {
                out.push(c);
            }
        }
        for &b in chunk.invalid() {
            escaped(&mut out, &mut open, b);
        }
    }
    if open {
        out.push('\'');
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

fn path_word(p: &Path) -> String {
    quote(p.as_os_str().as_bytes())
}

/// One step as an elvish map, or None when elvish has nothing to do for it.
fn step(step: &Step) -> Option<String> {
    Some(match step {
        // PATH as a string: elvish keeps `$paths` in step with it.
        Step::Set(name, value) => {
            format!("[&op=set &name={name} &value={}]", quote(value.as_bytes()))
        }
        Step::Unset(name) => format!("[&op=unset &name={name}]"),
        Step::PathPrepend(entry) => format!("[&op=prepend &path={}]", path_word(entry)),
        Step::PathRemove(entry) => format!("[&op=remove &path={}]", path_word(entry)),
        // elvish looks commands up afresh each time: nothing to forget.
        Step::Rehash => return None,
        Step::Prompt(None) => "[&op=prompt &name=$nil]".into(),
        Step::Prompt(Some(name)) => format!(
            "[&op=prompt &name={}]",
            quote(prompt_label(name.as_bytes()).as_bytes())
        ),
        // `deactivate` is a function the hook defines once, as in nushell:
        // typed with nothing of autovenv's active, the binary says so.
        Step::DeactivateCommand(_) => return None,
        // A POSIX venv's activate script, inherited with its variables
        // exported: they go, as its own `deactivate` would take them.
        Step::ForgetScript => "[&op=forget]".into(),
    })
}

fn steps(list: &[Step]) -> String {
    let items: Vec<String> = list.iter().filter_map(step).collect();
    format!("[{}]", items.join(" "))
}

/// What `autovenv export elvish` prints without the hook: the steps alone.
pub fn render(list: &[Step]) -> String {
    format!("[&steps={}]\n", steps(list))
}

/// The byte the variables' values are joined with, as in `mod.rs`.
const JOIN: u8 = 0x1f;

/// The check as an elvish closure that outputs `$true` while nothing has
/// changed, or `$nil` (ask the binary at every prompt) when it is volatile.
///
/// One `eq` of two lists, built with no command substitution where it can
/// be helped: elvish charges 15-25 µs for each value a command outputs,
/// and nothing for a glob, whose matches are the list's items directly. So
/// the variables are one string joined from `$E:NAME`, and a path is asked
/// with a glob that can match only itself (its last letter as the wildcard
/// `?[set:x]`), which gives the path when the name is there and nothing
/// when it is not. A glob sees names as `lstat` does: a dangling link is
/// there. That is what `link` probes ask; for the others, it means that a
/// link whose target goes is noticed at the next cd, and a dangling link
/// where a marker would be costs a process at each prompt.
pub fn render_check(check: &Check) -> String {
    if check.is_volatile() {
        return "$nil".into();
    }
    let mut now: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    if super::can_join(check) {
        if !check.vars.is_empty() {
            let mut joined_now = String::new();
            let mut joined_seen = Vec::new();
            for (i, (name, value)) in check.vars.iter().enumerate() {
                if i > 0 {
                    joined_now.push_str("\"\\x1f\"");
                    joined_seen.push(JOIN);
                }
                let _ = write!(joined_now, "$E:{name}");
                joined_seen.extend_from_slice(value.as_bytes());
            }
            now.push(joined_now);
            seen.push(quote(&joined_seen));
        }
    } else {
        for (name, value) in &check.vars {
            now.push(format!("$E:{name}"));
            seen.push(quote(value.as_bytes()));
        }
    }
    for (name, is_set) in &check.set_flags {
        now.push(format!("(has-env {name})"));
        seen.push(if *is_set { "$true" } else { "$false" }.into());
    }
    for probe in &check.probes {
        match probe {
            Probe::Exists { path, link } | Probe::Missing { path, link } => {
                let there = matches!(probe, Probe::Exists { .. });
                match glob(path) {
                    Some(g) => {
                        now.push(g);
                        if there {
                            seen.push(path_word(path));
                        }
                    }
                    // A name a glob cannot spell: asked with commands.
                    None => {
                        now.push(format!(
                            "({})",
                            if *link {
                                link_exists(path)
                            } else {
                                let p = path_word(path);
                                format!(
                                    "or (path:is-regular &follow-symlink {p}) (path:is-dir &follow-symlink {p})"
                                )
                            }
                        ));
                        seen.push(if there { "$true" } else { "$false" }.into());
                    }
                }
            }
            Probe::FirstLine { path, line } => {
                // read-upto keeps the "\n" it stops at; a file with no line
                // end is one line. A file that is gone throws, and the hook
                // counts a check that throws as failed.
                now.push(format!(
                    "(str:trim-suffix (read-upto \"\\n\" < {}) \"\\n\")",
                    path_word(path)
                ));
                seen.push(quote(line));
            }
            Probe::Volatile => return "$nil".into(),
        }
    }
    format!("{{ eq [{}] [{}] }}", now.join(" "), seen.join(" "))
}

/// A glob that matches `path` and nothing else, when its last letter can
/// be the wildcard's set (an ASCII letter or digit; marker names end in
/// one): the rest is quoted, so nothing in it is a wildcard.
fn glob(path: &Path) -> Option<String> {
    let bytes = path.as_os_str().as_bytes();
    let (&last, rest) = bytes.split_last()?;
    if !last.is_ascii_alphanumeric() || rest.last() == Some(&b'/') || rest.is_empty() {
        return None;
    }
    Some(format!(
        "{}?[set:{}][nomatch-ok]",
        quote(rest),
        last as char
    ))
}

/// Whether the name exists, even as a dangling link, with commands (for a
/// name [`glob`] cannot spell): the folder is listed only when the name
/// does not resolve.
fn link_exists(path: &Path) -> String {
    let p = path_word(path);
    let dir = path.parent().unwrap_or(Path::new("/"));
    let name = path.file_name().map(|n| n.as_bytes()).unwrap_or_default();
    // The glob's results are the folder as written, a slash, and the name.
    let mut listed = dir.as_os_str().as_bytes().to_vec();
    if listed.last() != Some(&b'/') {
        listed.push(b'/');
    }
    let glob = quote(&listed);
    listed.extend_from_slice(name);
    format!(
        "or (path:is-regular &follow-symlink {p}) (path:is-dir &follow-symlink {p}) (has-value [{glob}*[nomatch-ok][match-hidden]] {})",
        quote(&listed)
    )
}

/// One map literal on one line, nothing when there is nothing to do:
/// `steps` (in order), `memo`, and `check` (`$nil`: ask at every prompt),
/// each present only when it changes.
pub fn render_update(update: &HookUpdate) -> String {
    let mut parts = Vec::new();
    let items = steps(&update.steps);
    if items != "[]" {
        parts.push(format!("&steps={items}"));
    }
    if let Some(memo) = &update.memo {
        parts.push(format!("&memo={}", quote(memo.as_bytes())));
    }
    if let Some(c) = &update.check {
        parts.push(format!("&check={}", render_check(c)));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("[{}]\n", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", "'plain'"),
            (b"", "''"),
            (b"it's", "'it''s'"),
            (b"a \"b\" \\", r#"'a "b" \'"#),
            (b"$(x) `y` {z}", "'$(x) `y` {z}'"),
            ("ütf-8".as_bytes(), "'ütf-8'"),
            (b"new\nline\t", r#"'new'"\x0a"'line'"\x09""#),
            (b"bad\xff", r#"'bad'"\xff""#),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), *want, "{input:?}");
        }
    }

    #[test]
    fn nothing_to_do_prints_nothing() {
        assert_eq!(render_update(&HookUpdate::default()), "");
    }

    #[test]
    fn a_volatile_check_is_nil() {
        assert_eq!(render_check(&Check::volatile()), "$nil");
    }
}

#[cfg(test)]
mod round_trip {
    //! Random byte strings through the real hook's `apply`: the update as
    //! the binary prints it, applied by elvish, read back byte for byte.

    use super::*;
    use proptest::prelude::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    use std::process::Command;

    fn value() -> impl Strategy<Value = Vec<u8>> {
        let special = prop::sample::select(vec![
            b'\'', b'"', b'\\', b'$', b'`', b'\n', b'\t', b'\r', b' ', b'-', b'!', b'%', b'*',
            b'{', b'}', b'(', b')', b'[', b']', b';', b'&', b'|', b'<', b'>', b'~', b'#', b'@',
            b'^', 0x1b, 0x7f, 0x80, 0xc3, 0xa9, 0xc2, 0x85, 0xff, 0xfe, 0xed, 0xa0, b'a', b'0',
        ]);
        let byte = prop_oneof![3 => special, 1 => 1u8..=255u8];
        prop::collection::vec(byte, 0..40)
    }

    fn run(elvish: &std::path::Path, values: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let hook = super::super::hook_with_stand_in(
            super::super::Shell::Elvish,
            dir.path(),
            values
                .iter()
                .map(|v| OsString::from_vec(v.clone()))
                .collect(),
        );
        let mut script = format!(
            // A stand-in for the line editor's namespace: `-c` has none.
            "var edit: = (ns [&prompt={{ }} &before-readline=[] &add-var~={{|n v| }}])\nvar hook-ns = (eval &on-end={{|ns| put $ns }} (slurp < {}))\n$hook-ns[__autovenv_apply~]\n",
            quote(hook.as_os_str().as_bytes())
        );
        for i in 0..values.len() {
            script.push_str(&format!("print $E:RT_{i}\"\\x00\"\n"));
        }
        let out = Command::new(elvish)
            .args(["-norc", "-c", &script])
            .output()
            .expect("elvish runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<Vec<u8>> = out.stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        got.pop();
        got
    }

    #[test]
    fn elvish() {
        let Some(exe) = super::super::test_shell("elvish") else {
            return;
        };
        let mut runner = crate::shell::round_trip_runner(16);
        runner
            .run(&prop::collection::vec(value(), 128), |values| {
                let got = run(&exe, &values);
                prop_assert_eq!(&got, &values);
                Ok(())
            })
            .unwrap();
    }
}
