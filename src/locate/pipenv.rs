//! Pipenv's central environments, found as Pipenv finds them (pypa/pipenv
//! pipenv/utils/venv_locator.py `name`, `_sanitize`, `_get_virtualenv_hash`
//! and `get_location`; pipenv/utils/pipfile.py `find_pipfile`;
//! pipenv/utils/shell.py `get_workon_home`; pipenv/environments.py):
//!
//! - the project is the nearest folder with a `Pipfile`, looking in at most
//!   `PIPENV_MAX_DEPTH` (10) folders, the current one included, through
//!   the real path (Pipenv resolves the folder it starts from);
//! - the environment is `{name}-{hash}` in `WORKON_HOME`, else
//!   `${XDG_DATA_HOME:-~/.local/share}/virtualenvs`: `name` is the
//!   project folder's name with ` &$`!*@"()[]\\\r\n\t` made `_` and cut to
//!   42 characters, `hash` the first 8 characters of the URL-safe base64
//!   of the first 6 bytes of the SHA-256 of the Pipfile's path;
//!   `PIPENV_PYTHON` adds `-{python}`, and `PIPENV_CUSTOM_VENV_NAME`
//!   replaces the whole name;
//! - `PIPENV_VENV_IN_PROJECT`, else the Pipfile's `[pipenv]
//!   venv_in_project`, puts it in the project's `.venv` (the venv-folder
//!   rule's business).
//!
//! Checked against Pipenv 2026.10.3 (`pipenv --venv`).

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::bytes;
use crate::config::{Config, is_plain_name};
use crate::detect::{Marker, Prober, Project};
use crate::venv;

pub fn locate(dir: &Path, home: &Path, config: &Config, prober: &mut Prober) -> Option<Project> {
    let pipfile = dir.join("Pipfile");
    if !prober.exists(pipfile.clone()) {
        return None;
    }
    let project = |venv: Result<venv::Venv, String>, central: bool| Project {
        root: dir.to_path_buf(),
        marker: Marker::Pipenv {
            pipfile: pipfile.clone(),
        },
        venv,
        central,
    };
    let table = match super::read_toml(&pipfile) {
        Ok(t) => t,
        Err(why) => return Some(project(Err(why), false)),
    };
    let t = &config.tools;
    if t.pipenv_in_project
        .or_else(|| in_project_setting(&table))
        .unwrap_or(false)
    {
        return None;
    }
    let name = match &t.pipenv_custom_name {
        Some(custom) if is_plain_name(custom) => custom.as_bytes().to_vec(),
        Some(custom) => {
            return Some(project(
                Err(format!(
                    "PIPENV_CUSTOM_VENV_NAME '{}' is not a folder name",
                    bytes::display(custom.as_bytes())
                )),
                false,
            ));
        }
        None => {
            let real = std::fs::canonicalize(dir).ok()?;
            let mut name = env_name(&real);
            if let Some(python) = &t.pipenv_python {
                // An absolute PIPENV_PYTHON adds its file name.
                let python = Path::new(python);
                let suffix = if python.is_absolute() {
                    python.file_name().map(|n| n.as_bytes()).unwrap_or_default()
                } else {
                    python.as_os_str().as_bytes()
                };
                name.push(b'-');
                name.extend_from_slice(suffix);
            }
            name
        }
    };
    if name.contains(&b'/') {
        return None;
    }
    let env = home.join(bytes::os(&name));
    if !prober.is_venv(&env) {
        return None;
    }
    let central = super::owned_by_user(&env, config);
    Some(project(venv::load(&env, Some(dir)), central))
}

/// `{sanitised folder name}-{hash}` for the project whose real path is
/// `real`.
pub fn env_name(real: &Path) -> Vec<u8> {
    let folder = real.file_name().map(|n| n.as_bytes()).unwrap_or_default();
    let mut name = sanitize(folder);
    name.push(b'-');
    name.extend_from_slice(hash(&real.join("Pipfile")).as_bytes());
    name
}

pub fn hash(pipfile: &Path) -> String {
    let digest = Sha256::digest(pipfile.as_os_str().as_bytes());
    super::urlsafe_base64_8(&digest[..6])
}

/// Pipenv's `_sanitize`, on characters (a byte that is not UTF-8 counts as
/// one, as Python's file system decoding makes it).
pub fn sanitize(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut count = 0;
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            if count == 42 {
                return out;
            }
            count += 1;
            if " &$`!*@\"()[]\\\r\n\t".contains(c) {
                out.push(b'_');
            } else {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        for &b in chunk.invalid() {
            if count == 42 {
                return out;
            }
            count += 1;
            out.push(b);
        }
    }
    out
}

/// The Pipfile's `[pipenv] venv_in_project`, where it says.
pub fn in_project_setting(table: &toml::Table) -> Option<bool> {
    match super::toml_get(table, &["pipenv", "venv_in_project"])? {
        toml::Value::Boolean(b) => Some(*b),
        toml::Value::String(s) => Some(!s.is_empty()),
        toml::Value::Integer(i) => Some(*i != 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_hashes_as_pipenv_makes_them() {
        // Made by Pipenv 2026.10.3: `pipenv --venv` in /tmp/kw/pipproj
        // printed ~/.local/share/virtualenvs/pipproj-0unthnQJ.
        assert_eq!(env_name(Path::new("/tmp/kw/pipproj")), b"pipproj-0unthnQJ");
        assert_eq!(sanitize(b"my app (v2) [x]"), b"my_app__v2___x_");
        assert_eq!(sanitize("é".repeat(50).as_bytes()).len(), 84);
        assert_eq!(sanitize(b"bad\xffname"), b"bad\xffname");
    }

    #[test]
    fn in_project_from_the_pipfile() {
        let t: toml::Table = "[pipenv]\nventy = 1\n".parse().unwrap();
        assert_eq!(in_project_setting(&t), None);
        let t: toml::Table = "[pipenv]\nvenv_in_project = true\n".parse().unwrap();
        assert_eq!(in_project_setting(&t), Some(true));
    }
}
