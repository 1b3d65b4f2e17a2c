//! Paths and values are byte strings on Unix. These helpers keep them that
//! way: nothing here assumes UTF-8.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

pub fn os(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

pub fn path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes.to_vec()))
}

/// Escapes a byte string into printable ASCII so that it can travel inside
/// JSON and environment variables: `%` and every byte outside `!`..=`~` become
/// `%XX`. [`unescape`] is its exact inverse.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (b'!'..=b'~').contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn unescape(text: &str) -> Option<Vec<u8>> {
    let raw = text.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' => {
                let hex = raw.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b if (b'!'..=b'~').contains(&b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

pub fn escape_path(p: &Path) -> String {
    escape(p.as_os_str().as_bytes())
}

pub fn unescape_path(text: &str) -> Option<PathBuf> {
    unescape(text).map(|b| path(&b))
}

/// For messages to people: invalid UTF-8 and control characters shown
/// escaped, so a hostile name cannot move the cursor or ring the bell.
pub fn display(bytes: &[u8]) -> String {
    let lossy = String::from_utf8_lossy(bytes);
    lossy
        .chars()
        .flat_map(char::escape_debug)
        .collect::<String>()
}

pub fn display_path(p: &Path) -> String {
    display(p.as_os_str().as_bytes())
}

/// For JSON: the path as UTF-8, invalid bytes replaced (JSON strings cannot
/// carry them; docs/json.md says so).
pub fn lossy_path(p: &Path) -> String {
    String::from_utf8_lossy(p.as_os_str().as_bytes()).into_owned()
}

/// Splits a colon-separated list (PATH, AUTOVENV_DIRS) into its entries.
pub fn split_colons(value: &OsStr) -> Vec<OsString> {
    value
        .as_bytes()
        .split(|&b| b == b':')
        .map(|part| os(part).to_os_string())
        .collect()
}

pub fn join_colons(parts: &[OsString]) -> OsString {
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        out.extend_from_slice(part.as_bytes());
    }
    OsString::from_vec(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255u8).collect();
        let text = escape(&all);
        assert!(text.bytes().all(|b| (b'!'..=b'~').contains(&b)));
        assert_eq!(unescape(&text).unwrap(), all);
    }

    #[test]
    fn unescape_rejects_damage() {
        assert_eq!(unescape("%4"), None);
        assert_eq!(unescape("%zz"), None);
        assert_eq!(unescape("a b"), None);
    }

    #[test]
    fn colons_split_and_join() {
        let parts = split_colons(OsStr::new("/a::/b"));
        assert_eq!(parts, vec!["/a", "", "/b"]);
        assert_eq!(join_colons(&parts), "/a::/b");
    }

    #[test]
    fn display_escapes_control_and_invalid_bytes() {
        assert_eq!(display(b"a\nb\xff"), "a\\nb\u{fffd}");
    }
}
