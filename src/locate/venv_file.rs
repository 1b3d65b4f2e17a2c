//! A `.venv` *file* (where a `.venv` folder is a venv folder): its first
//! line names an environment, or gives a path to one.
//!
//! - A name (no `/`): Pipenv writes one to pick a named environment in its
//!   folder (pypa/pipenv pipenv/utils/venv_locator.py `get_location`: "a
//!   .venv file ... use directory named after content in WORKON_HOME"), and
//!   so do virtualfish and zsh-autoswitch-virtualenv (in `~/.virtualenvs`).
//!   Looked up in autovenv's central folder first, as `.venv-name` is, then
//!   in Pipenv's.
//! - A path (with a `/`, the test of pipenv/utils/shell.py `looks_like_dir`):
//!   absolute, or relative to the file's folder (Pipenv joins it to the
//!   project folder, which is the file's).
//!
//! A `.venv` symlink to an environment is a venv folder, not this.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::bytes;
use crate::config::Config;
use crate::detect::{self, Marker, Prober, Project};
use crate::venv;

const VENV_FILE: &str = ".venv";

/// What a `.venv` file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Name(OsString),
    Path(PathBuf),
}

pub fn locate(dir: &Path, config: &Config, prober: &mut Prober) -> Option<Project> {
    let file = dir.join(VENV_FILE);
    let probed = config.venv_dirs.iter().any(|d| d == VENV_FILE);
    // When `.venv` is a venv folder name, its existence was just asked: a
    // missing one needs no second question.
    let meta = if probed {
        std::fs::metadata(&file).ok()?
    } else {
        if !prober.exists(file.clone()) {
            return None;
        }
        std::fs::metadata(&file).ok()?
    };
    if !meta.is_file() {
        return None;
    }
    if probed {
        // The venv folder's questions (is there a pyvenv.cfg inside?) stay
        // "no" whether the file is there or not: watch the file itself.
        prober.exists(file.clone());
    }
    let target = read(&file, prober).and_then(|raw| parse(&raw, &file));
    let name = match &target {
        Ok(Target::Name(n)) => Some(n.clone()),
        _ => None,
    };
    let (venv, central) = match target {
        Err(why) => (Err(why), false),
        Ok(Target::Name(name)) => by_name(dir, &file, &name, config, prober),
        Ok(Target::Path(path)) => {
            let env = resolve(dir, &path);
            if prober.is_venv(&env) {
                let central = crate::locate::in_central_folder(&env, config);
                (venv::load(&env, Some(dir)), central)
            } else {
                (
                    Err(format!(
                        "{} points at {}, which is not a virtual environment (no pyvenv.cfg and bin/python there)",
                        bytes::display_path(&file),
                        bytes::display_path(&env)
                    )),
                    false,
                )
            }
        }
    };
    Some(Project {
        root: dir.to_path_buf(),
        marker: Marker::VenvFile { file, name },
        venv,
        central,
    })
}

/// A `.venv` file holds one short line; this much is read at the most.
const LIMIT: u64 = 4096;

/// The file's content, with its first line watched. Only the first line
/// decides, so it is watched even when blank; a file whose first line the
/// shell cannot compare (empty, a NUL byte, no line end within the limit)
/// is watched for existence only, and re-read at the next `cd`: the idle
/// prompt never starts a process, even for bad input.
fn read(file: &Path, prober: &mut Prober) -> Result<Vec<u8>, String> {
    let shown = bytes::display_path(file);
    let mut raw = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, LIMIT + 1), &mut raw))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let whole = raw.len() as u64 <= LIMIT;
    let line_end = raw.iter().position(|&b| b == b'\n');
    let line = &raw[..line_end.unwrap_or(raw.len())];
    if !raw.is_empty() && !line.contains(&0) && (line_end.is_some() || whole) {
        prober.probes.push(detect::Probe::FirstLine {
            path: file.to_path_buf(),
            line: line.to_vec(),
        });
    }
    if !whole {
        return Err(format!(
            "{shown} is refused: it is larger than {LIMIT} bytes; it should hold one environment name or path"
        ));
    }
    Ok(raw)
}

/// A name: autovenv's central folder, then Pipenv's.
fn by_name(
    dir: &Path,
    file: &Path,
    name: &OsString,
    config: &Config,
    prober: &mut Prober,
) -> (Result<venv::Venv, String>, bool) {
    let folders: Vec<PathBuf> = [
        config.central.as_ref().ok().cloned(),
        config.tools.pipenv_home.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    for folder in &folders {
        let env = folder.join(name);
        if prober.is_venv(&env) {
            return (venv::load(&env, Some(dir)), true);
        }
    }
    let looked: Vec<String> = folders.iter().map(|f| bytes::display_path(f)).collect();
    (
        Err(format!(
            "{} names '{}', but there is no such environment in {}; create it with: autovenv new --name {}",
            bytes::display_path(file),
            bytes::display(name.as_bytes()),
            if looked.is_empty() {
                "any central folder (HOME is not set)".to_string()
            } else {
                looked.join(" or ")
            },
            bytes::display(name.as_bytes()),
        )),
        false,
    )
}

/// The first line, trimmed: a name, or a path. Anything else (nothing, a
/// NUL, a bad name) is refused with the reason.
pub fn parse(raw: &[u8], file: &Path) -> Result<Target, String> {
    let shown = bytes::display_path(file);
    let line = raw
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if line.is_empty() {
        return Err(format!(
            "{shown} is refused: its first line is empty; write the name of an environment, or a path to one, in it"
        ));
    }
    if line.contains(&0) {
        return Err(format!("{shown} is refused: it holds binary content"));
    }
    if line.contains(&b'/') {
        return Ok(Target::Path(bytes::path(line)));
    }
    detect::validate_name(line).map_err(|why| format!("{shown} is refused: {why}"))?;
    Ok(Target::Name(bytes::os(line).to_os_string()))
}

/// A path relative to the file's folder; one that climbs (`..`) is made
/// canonical, so that `VIRTUAL_ENV` is a plain path.
fn resolve(dir: &Path, path: &Path) -> PathBuf {
    let joined = dir.join(path);
    let climbs = joined
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::CurDir));
    if climbs {
        std::fs::canonicalize(&joined).unwrap_or(joined)
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Probe, detect};
    use std::fs;

    fn config(central: &Path, home: &Path) -> Config {
        Config::from_snapshot(&crate::snapshot::Snapshot::from_pairs(
            [
                ("HOME", home.as_os_str()),
                ("AUTOVENV_HOME", central.as_os_str()),
            ],
            None,
        ))
    }

    fn fake_venv(dir: &Path) {
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(
            dir.join("pyvenv.cfg"),
            "home = /usr/bin\nversion = 3.11.7\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("/usr/bin/python3", dir.join("bin/python")).unwrap();
    }

    #[test]
    fn parses_names_and_paths() {
        let f = Path::new("/p/.venv");
        assert_eq!(parse(b"flask2\n", f), Ok(Target::Name("flask2".into())));
        assert_eq!(
            parse(b"  /opt/envs/x  \r\nmore", f),
            Ok(Target::Path("/opt/envs/x".into()))
        );
        assert_eq!(parse(b"../e", f), Ok(Target::Path("../e".into())));
        assert!(parse(b"", f).unwrap_err().contains("empty"));
        assert!(parse(b"\nname", f).unwrap_err().contains("empty"));
        assert!(parse(b"a\0b", f).unwrap_err().contains("binary"));
        assert!(parse(b"..", f).is_err());
        assert!(parse(b"x$(id)", f).is_err());
    }

    #[test]
    fn a_name_is_central_and_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let central = tmp.path().join("central");
        fake_venv(&central.join("shared"));
        let proj = tmp.path().join("proj");
        fs::create_dir_all(&proj).unwrap();
        fs::write(proj.join(".venv"), "shared\n").unwrap();
        let d = detect(&proj, &config(&central, tmp.path()));
        let p = d.project.unwrap();
        assert_eq!(p.marker.code(), "venv-file");
        assert!(p.is_central());
        assert_eq!(p.venv.unwrap().path, central.join("shared"));
        assert!(d.probes.contains(&Probe::FirstLine {
            path: proj.join(".venv"),
            line: b"shared".to_vec()
        }));
        assert!(d.probes.contains(&Probe::Exists {
            path: proj.join(".venv"),
            link: false
        }));
    }

    #[test]
    fn a_relative_path_is_from_the_files_folder_and_needs_allow() {
        let tmp = tempfile::tempdir().unwrap();
        let proj = tmp.path().join("proj");
        fake_venv(&tmp.path().join("envs/e1"));
        fs::create_dir_all(proj.join("sub")).unwrap();
        fs::write(proj.join(".venv"), "../envs/e1\n").unwrap();
        let c = config(&tmp.path().join("c"), tmp.path());
        let p = detect(&proj.join("sub"), &c).project.unwrap();
        assert_eq!(p.root, proj);
        assert!(!p.is_central());
        let real = fs::canonicalize(tmp.path().join("envs/e1")).unwrap();
        assert_eq!(p.venv.unwrap().path, real);
    }

    #[test]
    fn pointing_at_itself_or_a_loop_activates_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let c = config(&tmp.path().join("c"), tmp.path());
        let proj = tmp.path().join("p");
        fs::create_dir_all(&proj).unwrap();
        fs::write(proj.join(".venv"), "./.venv\n").unwrap();
        let err = detect(&proj, &c).project.unwrap().venv.unwrap_err();
        assert!(err.contains("not a virtual environment"), "{err}");
        std::os::unix::fs::symlink(proj.join("loop2"), proj.join("loop1")).unwrap();
        std::os::unix::fs::symlink(proj.join("loop1"), proj.join("loop2")).unwrap();
        fs::write(
            proj.join(".venv"),
            format!("{}\n", proj.join("loop1").display()),
        )
        .unwrap();
        let d = detect(&proj, &c);
        assert!(d.unreadable.is_none());
        assert!(d.project.unwrap().venv.is_err());
    }

    #[test]
    fn bad_content_is_refused_and_never_makes_the_check_ask_every_prompt() {
        let tmp = tempfile::tempdir().unwrap();
        let c = config(&tmp.path().join("c"), tmp.path());
        let proj = tmp.path().join("p");
        fs::create_dir_all(&proj).unwrap();
        for content in [
            b"".to_vec(),
            b"\nname\n".to_vec(),
            vec![b'a'; 10_000],
            b"a\0b\n".to_vec(),
            b"\xff\xfe\n".to_vec(),
        ] {
            fs::write(proj.join(".venv"), &content).unwrap();
            let d = detect(&proj, &c);
            assert!(!d.probes.contains(&Probe::Volatile), "{content:?}");
            let why = d.project.unwrap().venv.unwrap_err();
            assert!(!why.contains('\n'), "one line: {why}");
        }
    }

    #[test]
    fn a_folder_named_venv_file_is_left_to_the_venv_folder_rule() {
        let tmp = tempfile::tempdir().unwrap();
        let c = config(&tmp.path().join("c"), tmp.path());
        fs::create_dir_all(tmp.path().join("p/.venv")).unwrap();
        assert!(
            locate(
                &tmp.path().join("p"),
                &c,
                &mut crate::detect::tests_prober()
            )
            .is_none()
        );
    }
}
