//! Finding programs on PATH the way a shell does, without running them.
//! `new` looks for `python3` and `uv`; `doctor` asks which `python` a shell
//! would run first.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::bytes;

/// Every executable file called `name` on `path`, in PATH order. Empty
/// entries (which a shell reads as the current directory) are skipped: a
/// program found that way depends on where the user happens to stand.
pub fn all_on_path(name: &OsStr, path: &OsStr) -> Vec<PathBuf> {
    bytes::split_colons(path)
        .into_iter()
        .filter(|entry| entry.as_bytes().starts_with(b"/"))
        .map(|entry| PathBuf::from(entry).join(name))
        .filter(|candidate| is_executable(candidate))
        .collect()
}

/// The first executable called `name` on `path`.
pub fn on_path(name: &OsStr, path: &OsStr) -> Option<PathBuf> {
    all_on_path(name, path).into_iter().next()
}

/// A regular file (following links) with an execute bit.
pub fn is_executable(file: &Path) -> bool {
    file.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn executable(path: &Path) {
        fs::write(path, "#!/bin/sh\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn finds_in_path_order_and_skips_non_executables() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("c"),
        );
        for d in [&a, &b, &c] {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(a.join("py"), "not executable").unwrap();
        executable(&b.join("py"));
        executable(&c.join("py"));
        fs::create_dir_all(tmp.path().join("d/py")).unwrap(); // a folder
        let path = [&a, &tmp.path().join("d"), &b, &c]
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(":");
        let path = format!("::relative:{path}");
        assert_eq!(
            all_on_path(OsStr::new("py"), OsStr::new(&path)),
            vec![b.join("py"), c.join("py")]
        );
        assert_eq!(on_path(OsStr::new("nope"), OsStr::new(&path)), None);
    }
}
