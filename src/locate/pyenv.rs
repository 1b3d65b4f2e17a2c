//! pyenv-virtualenv environments named by `.python-version`.
//!
//! pyenv reads the first word of each line of `.python-version`, skipping
//! blank lines and `#` comments, and refuses a version that would leave
//! `$PYENV_ROOT/versions` (pyenv/pyenv libexec/pyenv-version-file-read).
//! pyenv-virtualenv makes an environment at `versions/X.Y.Z/envs/NAME` and
//! a link `versions/NAME` to it (pyenv/pyenv-virtualenv
//! bin/pyenv-virtualenv), so the first entry names either. It is an
//! environment when it holds `pyvenv.cfg` and `bin/python`; a plain
//! interpreter (`3.12.1`, `system`) is none, and no marker.
//!
//! `PYENV_VERSION`, which beats the file for pyenv, is not followed: it is
//! not a property of a folder.
//!
//! Checked against pyenv 2.6.30 with pyenv-virtualenv 1.4.0 (`pyenv virtualenv`).

use std::ffi::OsString;
use std::path::Path;

use crate::bytes;
use crate::detect::{Marker, Prober, Project};
use crate::venv;

/// pyenv reads at most 1024 bytes of a line; a version file is tiny.
const LIMIT: u64 = 4096;

pub fn locate(
    dir: &Path,
    versions: &Path,
    config: &crate::config::Config,
    prober: &mut Prober,
) -> Option<Project> {
    let file = dir.join(".python-version");
    if !prober.exists(file.clone()) {
        return None;
    }
    // A file that cannot be read, or is too large, names nothing (pyenv
    // itself ignores such a file). The first line is watched where it alone
    // decides (pyenv writes one line); otherwise only the file's existence,
    // and an edit is seen at the next `cd`: an idle prompt starts nothing.
    let raw = super::read_bounded(&file, LIMIT).ok().flatten();
    if let Some(line) = raw.as_deref().and_then(crate::detect::stable_first_line)
        && !line.trim_ascii_start().starts_with(b"#")
    {
        prober.probes.push(crate::detect::Probe::FirstLine {
            path: file.clone(),
            line,
        });
    }
    let name = first_entry(&raw?)?;
    let env = versions.join(&name);
    if !prober.is_venv(&env) {
        return None;
    }
    Some(Project {
        root: dir.to_path_buf(),
        marker: Marker::Pyenv {
            file,
            name: name.clone(),
        },
        venv: venv::load(&env, Some(dir)),
        central: super::owned_by_user(&env, config),
    })
}

/// Whether `versions/` holds an environment at all. Most pyenv users keep
/// interpreters only; for them a `.python-version` can name no environment,
/// and asking for one in every folder of the walk would be wasted on every
/// prompt. Instead the hook watches where pyenv-virtualenv's first
/// environment for each interpreter goes (`versions/X.Y.Z/envs`), so that
/// `pyenv virtualenv` is still seen at the next prompt.
pub fn holds_environments(versions: &Path, prober: &mut Prober) -> bool {
    let mut interpreters = Vec::new();
    for entry in std::fs::read_dir(versions).into_iter().flatten().flatten() {
        let path = entry.path();
        if venv::is_venv(&path) {
            return true;
        }
        let envs = path.join("envs");
        // The open answers the probe too: opened, it is there; not found,
        // it is not (anything else is asked again, as `exists` asks).
        let answer = match std::fs::read_dir(&envs) {
            Ok(entries) => {
                if entries.flatten().any(|e| venv::is_venv(&e.path())) {
                    return true;
                }
                Some(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(false),
            Err(_) => None,
        };
        interpreters.push((envs, answer));
    }
    interpreters.sort();
    for (envs, answer) in interpreters {
        match answer {
            Some(found) => prober.known(envs, found),
            None => prober.exists(envs),
        };
    }
    false
}

/// The first entry, when it can only name something inside `versions/`:
/// plain names joined by `/` (`3.12.1/envs/web`), no `.` or `..`.
pub fn first_entry(raw: &[u8]) -> Option<OsString> {
    let word = raw
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            line.split(|b| b.is_ascii_whitespace())
                .find(|w| !w.is_empty())
        })
        .find(|w| !w.starts_with(b"#"))?;
    let safe = word.len() <= 255
        && word.split(|&b| b == b'/').all(|part| {
            !part.is_empty() && part != b"." && part != b".." && part.iter().all(|&b| b != 0)
        });
    safe.then(|| bytes::os(word).to_os_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_entry_as_pyenv_reads_it() {
        assert_eq!(first_entry(b"web-env\n"), Some("web-env".into()));
        assert_eq!(
            first_entry(b"\n# comment\n  3.12.1 3.11\n"),
            Some("3.12.1".into())
        );
        assert_eq!(
            first_entry(b"3.12.1/envs/web\n"),
            Some("3.12.1/envs/web".into())
        );
        assert_eq!(first_entry(b"../../etc\n"), None);
        assert_eq!(first_entry(b"/abs\n"), None);
        assert_eq!(first_entry(b""), None);
    }
}
