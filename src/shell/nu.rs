//! nushell: it has no `eval`, so the binary prints data, one JSON object,
//! that the hook in `shell/autovenv.nu` applies with `load-env`, `hide-env`
//! and list operations on `$env.PATH`. The check is data too: the hook
//! compares it with builtins (`path exists`, `path type`, `open --raw`), so
//! an idle prompt starts no process.
//!
//! nushell strings are UTF-8 and so are its environment variables: a value
//! that is not UTF-8 cannot be given to it. An update that would need one is
//! refused whole (one `autovenv:` line, nothing changed; docs/installation.md).

use std::os::unix::ffi::OsStrExt;

use serde_json::{Value, json};

use super::prompt_label;
use crate::bytes;
use crate::detect::Probe;
use crate::plan::Step;
use crate::settle::{Check, HookUpdate};
use crate::state::STATE_VAR;

/// A nushell string literal for the hook script (the binary's path): double
/// quotes, with nushell's backslash escapes for `"`, `\` and every control
/// character. Invalid UTF-8 cannot be written in nushell at all and is
/// replaced (a binary at such a path cannot be run from nushell either).
pub fn quote(value: &[u8]) -> String {
    let mut out = String::from("\"");
    for c in String::from_utf8_lossy(value).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as a JSON string, or None when nushell cannot hold it.
fn text(value: &[u8]) -> Option<Value> {
    std::str::from_utf8(value).ok().map(|s| json!(s))
}

/// How a shell that is given data takes it: how each value is written
/// (None: it cannot be held), and whether it has commands to define and
/// a venv's script bookkeeping to drop. xonsh (`xonsh.rs`) takes the same
/// data with every value escaped.
#[derive(Clone, Copy)]
pub(super) struct Data {
    pub enc: fn(&[u8]) -> Option<Value>,
    pub commands: bool,
}

const NU: Data = Data {
    enc: text,
    commands: false,
};

fn step(data: Data, step: &Step) -> Option<Value> {
    let text = data.enc;
    Some(match step {
        // PATH is a list in nushell.
        Step::Set("PATH", value) => {
            let parts: Option<Vec<Value>> = if value.is_empty() {
                Some(Vec::new())
            } else {
                bytes::split_colons(value)
                    .iter()
                    .map(|p| text(p.as_bytes()))
                    .collect()
            };
            json!({"op": "set", "name": "PATH", "value": parts?})
        }
        Step::Set(name, value) => {
            json!({"op": "set", "name": name, "value": text(value.as_bytes())?})
        }
        Step::Unset(name) => json!({"op": "unset", "name": name}),
        Step::PathPrepend(entry) => {
            json!({"op": "prepend", "path": text(entry.as_os_str().as_bytes())?})
        }
        Step::PathRemove(entry) => {
            json!({"op": "remove", "path": text(entry.as_os_str().as_bytes())?})
        }
        // nushell looks commands up afresh each time: nothing to forget.
        Step::Rehash => return Some(Value::Null),
        Step::Prompt(None) => json!({"op": "prompt", "name": null}),
        Step::Prompt(Some(name)) => {
            json!({"op": "prompt", "name": prompt_label(name.as_bytes())})
        }
        // `deactivate` is a command the hook defines once (nushell defines
        // commands when it parses, not while it runs); typed with nothing
        // of autovenv's active, the binary says so.
        Step::DeactivateCommand(on) if data.commands => json!({"op": "deactivate", "on": on}),
        Step::DeactivateCommand(_) => return Some(Value::Null),
        // A venv's activate.nu is an overlay: it keeps nothing in variables
        // for the hook to drop (`overlay hide activate` ends it).
        Step::ForgetScript if data.commands => json!({"op": "forget"}),
        Step::ForgetScript => return Some(Value::Null),
    })
}

/// The steps as a JSON list, or None when one of them cannot be held.
fn steps(data: Data, steps: &[Step]) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    for s in steps {
        let v = step(data, s)?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Some(out)
}

/// What `autovenv export nu` prints without the hook: the steps alone.
pub fn render(list: &[Step]) -> String {
    render_with(NU, list)
}

pub(super) fn render_with(data: Data, list: &[Step]) -> String {
    match steps(data, list) {
        Some(list) => format!("{}\n", json!({ "steps": list })),
        None => format!("{}\n", json!({ "refused": refusal() })),
    }
}

fn refusal() -> String {
    "autovenv: this environment's path or a value it sets is not valid UTF-8, which nushell cannot hold; it stays off here (docs/installation.md)".into()
}

/// The check as data for the hook's `__autovenv_unchanged`; null (ask the
/// binary at every prompt) when it needs a value nushell cannot hold.
/// `skip`: variables left out of it.
fn check(data: Data, check: &Check, skip: &[&str]) -> Value {
    let text = data.enc;
    if check.is_volatile() {
        return Value::Null;
    }
    // One record, compared whole with `$env | select -o ...names`: its
    // columns sorted (as JSON objects here are), unset and empty as null.
    let mut env = std::collections::BTreeMap::new();
    for (name, value) in &check.vars {
        if skip.contains(name) {
            continue;
        }
        let v = if value.is_empty() {
            Value::Null
        } else {
            match text(value.as_bytes()) {
                Some(v) => v,
                None => return Value::Null,
            }
        };
        env.insert(*name, v);
    }
    let mut set = Vec::new();
    for (name, is_set) in &check.set_flags {
        if *is_set {
            set.push(json!(name));
        } else {
            env.insert(*name, Value::Null);
        }
    }
    let names: Vec<&str> = env.keys().copied().collect();
    let (mut exists, mut missing, mut exists_link, mut missing_link, mut lines) =
        (vec![], vec![], vec![], vec![], vec![]);
    for probe in &check.probes {
        let (list, path) = match probe {
            Probe::Exists { path, link: false } => (&mut exists, path),
            Probe::Missing { path, link: false } => (&mut missing, path),
            Probe::Exists { path, link: true } => (&mut exists_link, path),
            Probe::Missing { path, link: true } => (&mut missing_link, path),
            Probe::FirstLine { path, line } => {
                let (Some(p), Some(l)) = (text(path.as_os_str().as_bytes()), text(line)) else {
                    return Value::Null;
                };
                lines.push(json!({"path": p, "line": l}));
                continue;
            }
            Probe::Volatile => return Value::Null,
        };
        let Some(p) = text(path.as_os_str().as_bytes()) else {
            return Value::Null;
        };
        list.push(p);
    }
    json!({
        "names": names, "env": env, "set": set,
        "exists": exists, "missing": missing,
        "exists_link": exists_link, "missing_link": missing_link,
        "lines": lines,
    })
}

pub fn render_check(check_in: &Check) -> String {
    check(NU, check_in, &[]).to_string()
}

pub(super) fn render_check_with(data: Data, check_in: &Check) -> String {
    check(data, check_in, &[]).to_string()
}

/// One JSON object on one line, nothing when there is nothing to do:
/// `steps` (in order), `memo`, and `check` (null: ask at every prompt),
/// each present only when it changes. Or, when a value cannot be held,
/// `refused` (the line to show) and a check that holds until something
/// else changes, and nothing else: the shell keeps what it has.
pub fn render_update(update: &HookUpdate) -> String {
    render_update_with(NU, update)
}

pub(super) fn render_update_with(data: Data, update: &HookUpdate) -> String {
    let mut obj = serde_json::Map::new();
    match steps(data, &update.steps) {
        Some(list) => {
            if !list.is_empty() {
                obj.insert("steps".into(), Value::Array(list));
            }
            if let Some(memo) = &update.memo {
                obj.insert("memo".into(), json!(memo));
            }
            if let Some(c) = &update.check {
                obj.insert("check".into(), check(data, c, &[]));
            }
        }
        None => {
            obj.insert("refused".into(), json!(refusal()));
            // The check describes the shell after the refused change;
            // without the two variables the change would have set, it
            // describes the shell as it stays.
            if let Some(c) = &update.check {
                obj.insert("check".into(), check(data, c, &["VIRTUAL_ENV", STATE_VAR]));
            }
        }
    }
    if obj.is_empty() && update.steps.is_empty() {
        return String::new();
    }
    format!("{}\n", Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    #[test]
    fn quoting_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", r#""plain""#),
            (b"", r#""""#),
            (b"it's", r#""it's""#),
            (b"a \"b\" \\", r#""a \"b\" \\""#),
            (b"$(x) `y` (z)", r#""$(x) `y` (z)""#),
            ("ütf-8".as_bytes(), "\"ütf-8\""),
            (b"new\nline\t", r#""new\u{a}line\u{9}""#),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), *want, "{input:?}");
        }
    }

    #[test]
    fn a_value_nushell_cannot_hold_refuses_the_whole_update() {
        let update = HookUpdate {
            steps: vec![
                Step::Set("VIRTUAL_ENV_PROMPT", "fine".into()),
                Step::Set("VIRTUAL_ENV", OsString::from_vec(b"/p/\xff/venv".to_vec())),
            ],
            memo: Some("{}".into()),
            check: Some(Check {
                vars: vec![
                    ("PWD", "/p".into()),
                    ("VIRTUAL_ENV", OsString::from_vec(b"/p/\xff/venv".to_vec())),
                ],
                ..Check::default()
            }),
            ..HookUpdate::default()
        };
        let out: Value = serde_json::from_str(&render_update(&update)).unwrap();
        assert!(out["refused"].as_str().unwrap().starts_with("autovenv: "));
        assert_eq!(out.get("steps"), None);
        assert_eq!(out.get("memo"), None);
        assert_eq!(out["check"]["names"], json!(["PWD"]));
    }

    #[test]
    fn nothing_to_do_prints_nothing() {
        assert_eq!(render_update(&HookUpdate::default()), "");
    }
}

/// The nushell the unit tests run: `AUTOVENV_TEST_NU`, else `nu` on PATH,
/// else None with the reason printed (a failure under
/// AUTOVENV_TEST_REQUIRE_SHELLS=1).
#[cfg(test)]
pub(crate) fn test_nu() -> Option<std::path::PathBuf> {
    let env = crate::snapshot::Snapshot::capture();
    if let Some(nu) = env.non_empty("AUTOVENV_TEST_NU") {
        return Some(nu.into());
    }
    super::test_shell("nu")
}

#[cfg(test)]
mod round_trip {
    //! Random strings through the real hook's `__autovenv_apply`: the
    //! update as the binary prints it, applied by nushell, read back.
    //! Values nushell can hold only (UTF-8; the rest is refused, above).

    use super::*;
    use proptest::prelude::*;
    use std::ffi::OsString;
    use std::process::Command;

    fn value() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            '\'', '"', '\\', '$', '`', '\n', '\t', '\r', ' ', '-', '!', '%', '*', '{', '}', '(',
            ')', ';', '&', '|', '<', '>', '~', '#', '^', '\u{1b}', '\u{7f}', '\u{1f}', 'é', 'ü',
            '\u{fffd}', '€', '𝄞', 'a', '0',
        ]);
        let c = prop_oneof![3 => special, 1 => any::<char>().prop_filter("no NUL", |c| *c != '\0')];
        prop::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
    }

    fn run(nu: &std::path::Path, values: &[String]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let hook = super::super::hook_with_stand_in(
            super::super::Shell::Nu,
            dir.path(),
            values.iter().map(OsString::from).collect(),
        );
        let mut script = format!(
            "source {}\n__autovenv_apply\n",
            quote(hook.as_os_str().as_bytes())
        );
        for i in 0..values.len() {
            script.push_str(&format!("print -n $\"($env.RT_{i})(char nul)\"\n"));
        }
        let out = Command::new(nu)
            .args(["--no-config-file", "-c", &script])
            .output()
            .expect("nu runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut got: Vec<String> = text.split('\0').map(str::to_string).collect();
        got.pop();
        got
    }

    #[test]
    fn nu() {
        let Some(exe) = test_nu() else { return };
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
