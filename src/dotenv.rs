//! `KEY=value` lines for environment files. Readers parse them
//! differently (docs/dotenv.md has the table):
//!
//! - bash `set -a; . FILE` and systemd's `EnvironmentFile=`: POSIX quoting;
//!   in double quotes `\` escapes `"`, `\`, `$` and backtick.
//! - python-dotenv: in single quotes `\\` and `\'` are escapes; in double
//!   quotes `\\`, `\"` and `\n`-style escapes are, `${NAME}` is expanded and
//!   `\$` is kept as two characters; the file is read as UTF-8 text, whose
//!   newline translation turns a carriage return into a newline.
//! - docker's `--env-file`: no quoting at all, one line per variable.
//!
//! So a value goes unquoted when it is plain (every reader agrees); else in
//! single quotes when it has no `'` and no `\` (no reader changes a byte
//! there); else in double quotes, `\` and `"` escaped, when it has no `$`
//! and no backtick (the escapes the readers share). A value none of these
//! fit, or that a reader cannot carry at all, is refused: a line for people
//! and nothing printed, never a value read back wrong.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;

use crate::plan::Step;

/// Who reads the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// bash `set -a`, python-dotenv, systemd: quoted where needed.
    Quoting,
    /// docker's `--env-file` and others that take the text after `=` as
    /// it is.
    Literal,
}

/// The lines for the change, sorted by name; an unset variable is written
/// empty (`NAME=`), which is as close as a file of assignments can come:
/// Python ignores an empty `PYTHONHOME`, and autovenv an empty
/// `VIRTUAL_ENV`. Err: one line saying which value cannot be written.
pub fn render(steps: &[Step], readers: Readers) -> Result<String, String> {
    let mut last: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for step in steps {
        match step {
            Step::Set(name, value) => {
                last.insert(name, value.as_bytes());
            }
            Step::Unset(name) => {
                last.insert(name, b"");
            }
            _ => {}
        }
    }
    let mut lines = Vec::new();
    for (name, value) in last {
        let written = match readers {
            Readers::Quoting => quote(value),
            Readers::Literal => literal(value),
        }
        .map_err(|why| format!("{name} holds {why}; nothing was printed"))?;
        lines.push(format!("{name}={written}\n"));
    }
    // python-dotenv before 1.2.3 reads `\\"` at the end of a value as an
    // escaped quote and runs on to the next line's quote, dropping both
    // assignments; a value ending in a backslash is read right there only
    // on the last line, so it goes last (a stable sort keeps the rest by
    // name).
    lines.sort_by_key(|line| line.ends_with("\\\"\n"));
    Ok(lines.concat())
}

/// Characters that every reader takes as they are, unquoted (no `~`, which
/// bash expands after `=` and `:`).
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_./:@%+,=-".contains(c)
}

/// The value for bash, python-dotenv and systemd alike; Err says why not.
pub fn quote(value: &[u8]) -> Result<String, &'static str> {
    let text = std::str::from_utf8(value).map_err(|_| {
        "bytes that are not UTF-8, which python-dotenv and systemd's EnvironmentFile= cannot read"
    })?;
    if text.contains('\r') {
        return Err("a carriage return, which python-dotenv reads back as a newline");
    }
    if text.chars().all(is_plain) {
        return Ok(text.to_string());
    }
    if !text.contains(['\'', '\\']) {
        return Ok(format!("'{text}'"));
    }
    if !text.contains(['$', '`']) {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        return Ok(format!("\"{escaped}\""));
    }
    Err(
        "both a quote or backslash and a '$' or backtick, which no quoting gives python-dotenv and bash alike",
    )
}

/// The value as it is, for readers that do no unquoting; Err says why not.
pub fn literal(value: &[u8]) -> Result<String, &'static str> {
    let text = std::str::from_utf8(value)
        .map_err(|_| "bytes that are not UTF-8, which docker's --env-file refuses")?;
    if text.contains(['\n', '\r']) {
        return Err(
            "a line break, which docker's --env-file cannot carry (it reads one line per variable)",
        );
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_gets_the_quoting_every_reader_shares() {
        for (value, written) in [
            ("/p/venv/bin:/usr/bin", "/p/venv/bin:/usr/bin"),
            ("", ""),
            ("-dash", "-dash"),
            ("space dir", "'space dir'"),
            ("$test", "'$test'"),
            ("`x` $(y) \"z\"", "'`x` $(y) \"z\"'"),
            ("new\nline\ttab", "'new\nline\ttab'"),
            ("~tilde", "'~tilde'"),
            ("ütf-8", "'ütf-8'"),
            ("quote'and\"double", "\"quote'and\\\"double\""),
            ("back\\slash\\", "\"back\\\\slash\\\\\""),
        ] {
            assert_eq!(quote(value.as_bytes()).unwrap(), written, "{value:?}");
        }
    }

    #[test]
    fn what_no_quoting_carries_is_refused() {
        for value in [&b"bad\xff"[..], b"cr\rhere", b"it's $x", b"back\\`x`"] {
            assert!(quote(value).is_err(), "{value:?}");
        }
        assert!(literal(b"new\nline").is_err());
        assert!(literal(b"bad\xfe").is_err());
        assert_eq!(literal(b"it's $x `y`").unwrap(), "it's $x `y`");
    }

    #[test]
    fn lines_are_sorted_and_unsets_are_empty() {
        let steps = [
            Step::Set("VIRTUAL_ENV", "/p/venv".into()),
            Step::Unset("PYTHONHOME"),
            Step::Set("PATH", "/p/venv/bin:/bin".into()),
            Step::Rehash,
        ];
        assert_eq!(
            render(&steps, Readers::Quoting).unwrap(),
            "PATH=/p/venv/bin:/bin\nPYTHONHOME=\nVIRTUAL_ENV=/p/venv\n"
        );
        let trailing = [
            Step::Set("VIRTUAL_ENV_PROMPT", "back\\slash\\".into()),
            Step::Set("__AUTOVENV_STATE", "{\"v\":1}".into()),
            Step::Set("PATH", "/p".into()),
        ];
        assert_eq!(
            render(&trailing, Readers::Quoting).unwrap(),
            "PATH=/p\n__AUTOVENV_STATE='{\"v\":1}'\nVIRTUAL_ENV_PROMPT=\"back\\\\slash\\\\\"\n",
            "a value ending in a backslash goes last"
        );
        let bad = [Step::Set("VIRTUAL_ENV", "/a'b/$c".into())];
        let why = render(&bad, Readers::Quoting).unwrap_err();
        assert!(why.starts_with("VIRTUAL_ENV holds both"), "{why}");
        assert_eq!(
            render(&bad, Readers::Literal).unwrap(),
            "VIRTUAL_ENV=/a'b/$c\n"
        );
    }
}
