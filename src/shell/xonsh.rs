//! xonsh: given the same data as nushell (`nu.rs`), one JSON object, and
//! applied by the Python functions of `shell/autovenv.xsh`; nothing is
//! evaluated. Every value travels escaped (`bytes::escape`: `%XX` for `%`
//! and every byte outside printable ASCII), and the hook turns it back into
//! the same bytes (`os.fsdecode(unquote_to_bytes(...))`: xonsh, like
//! Python, keeps bytes that are not UTF-8 as surrogate escapes and hands
//! programs the original bytes). So every byte but NUL works.

use serde_json::{Value, json};

use super::nu::{self, Data};
use crate::bytes;
use crate::plan::Step;
use crate::settle::{Check, HookUpdate};

fn escaped(value: &[u8]) -> Option<Value> {
    Some(json!(bytes::escape(value)))
}

const XONSH: Data = Data {
    enc: escaped,
    commands: true,
};

/// A Python string literal for the hook script (the binary's path), as
/// the escaped text the hook decodes.
pub fn quote(value: &[u8]) -> String {
    format!(
        "'{}'",
        bytes::escape(value)
            .replace('\\', "\\\\")
            .replace('\'', "\\'")
    )
}

pub fn render(steps: &[Step]) -> String {
    nu::render_with(XONSH, steps)
}

pub fn render_check(check: &Check) -> String {
    nu::render_check_with(XONSH, check)
}

pub fn render_update(update: &HookUpdate) -> String {
    nu::render_update_with(XONSH, update)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_travels_escaped() {
        let all: Vec<u8> = (1..=255u8).collect();
        let out = render(&[Step::Set("X", bytes::os(&all).to_os_string())]);
        let v: Value = serde_json::from_str(&out).unwrap();
        let text = v["steps"][0]["value"].as_str().unwrap();
        assert!(text.bytes().all(|b| (b'!'..=b'~').contains(&b)));
        assert_eq!(bytes::unescape(text).unwrap(), all);
        assert_eq!(quote(b"/a b/it's\\"), r"'/a%20b/it\'s\\'");
    }
}

#[cfg(test)]
mod round_trip {
    //! Random byte strings through the real hook's `apply`: the update as
    //! the binary prints it, applied by xonsh, read back byte for byte.

    use proptest::prelude::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    use std::process::Command;

    fn value() -> impl Strategy<Value = Vec<u8>> {
        let special = prop::sample::select(vec![
            b'\'', b'"', b'\\', b'$', b'`', b'\n', b'\t', b'\r', b' ', b'-', b'!', b'%', b'*',
            b'{', b'}', b'(', b')', b';', b'&', b'|', b'<', b'>', b'~', b'#', b'@', 0x1b, 0x7f,
            0x80, 0xc3, 0xa9, 0xff, 0xfe, 0xed, 0xa0, b'a', b'0',
        ]);
        let byte = prop_oneof![3 => special, 1 => 1u8..=255u8];
        prop::collection::vec(byte, 0..40)
    }

    fn run(xonsh: &std::path::Path, values: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let hook = super::super::hook_with_stand_in(
            super::super::Shell::Xonsh,
            dir.path(),
            values
                .iter()
                .map(|v| OsString::from_vec(v.clone()))
                .collect(),
        );
        let script = format!(
            "execx(open('{}').read())\nimport builtins, os, sys\nbuiltins.__autovenv.apply()\nfor i in range({}):\n    _ = sys.stdout.buffer.write(os.fsencode(${{...}}['RT_%d' % i]) + b'\\0')\n",
            hook.display(),
            values.len()
        );
        let out = Command::new(xonsh)
            .args(["--no-rc", "-c", &script])
            .output()
            .expect("xonsh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<Vec<u8>> = out.stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        got.pop();
        got
    }

    /// Fewer batches than the other shells by default: xonsh takes about a
    /// second to start.
    #[test]
    fn xonsh() {
        let Some(exe) = super::super::test_shell("xonsh") else {
            return;
        };
        let mut runner = crate::shell::round_trip_runner(4);
        runner
            .run(&prop::collection::vec(value(), 128), |values| {
                let got = run(&exe, &values);
                prop_assert_eq!(&got, &values);
                Ok(())
            })
            .unwrap();
    }
}
