//! What a virtual environment is: a folder with `pyvenv.cfg` and
//! `bin/python`. This module reads the first and checks the second; it never
//! runs anything inside the environment.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::bytes;

/// Folder names that say nothing about the project; an environment in such a
/// folder is named after the project instead.
pub const GENERIC_NAMES: &[&str] = &["venv", ".venv", "env", ".env"];

/// pyvenv.cfg files are a few hundred bytes; anything far larger is not one.
const CFG_LIMIT: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venv {
    /// The environment's folder, as reached from the shell's directory.
    pub path: PathBuf,
    /// `VIRTUAL_ENV_PROMPT`: the `prompt` of pyvenv.cfg, else a name.
    pub prompt: OsString,
    /// The Python version pyvenv.cfg records (`3.11.7`), if any.
    pub version: Option<String>,
    /// The base interpreter's folder (`home` in pyvenv.cfg).
    pub base_home: Option<PathBuf>,
    /// Made by virtualenv (its pyvenv.cfg has a `virtualenv` line), whose
    /// activate scripts also put `lib/pkgconfig` first on PKG_CONFIG_PATH;
    /// so does autovenv for these, to match them.
    pub virtualenv: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cfg {
    pub prompt: Option<Vec<u8>>,
    pub version: Option<String>,
    pub home: Option<Vec<u8>>,
    pub virtualenv: bool,
}

/// What a folder is, judged by the two files that make an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `pyvenv.cfg` (following links) and `bin/python` (the link itself
    /// counts, so an environment whose base interpreter is gone is still
    /// found, and reported as broken): a marker, and what can be activated.
    Venv,
    /// `pyvenv.cfg` without `bin/python`: an environment that lost its
    /// interpreter. Never a marker (docs/detection.md), but `list` and `doctor` report
    /// it as broken rather than pass over it.
    NoPython,
    /// No `pyvenv.cfg`: not an environment at all.
    NotVenv,
}

/// The one test of what a folder is. The two questions are asked through
/// `exists(path, link)` (`link`: a dangling link counts), so that detection
/// can record them; both are always asked, so that the hook notices either
/// file appearing.
pub fn shape_by(dir: &Path, mut exists: impl FnMut(PathBuf, bool) -> bool) -> Shape {
    let cfg = exists(dir.join("pyvenv.cfg"), false);
    let python = exists(dir.join("bin/python"), true);
    match (cfg, python) {
        (true, true) => Shape::Venv,
        (true, false) => Shape::NoPython,
        (false, _) => Shape::NotVenv,
    }
}

/// [`shape_by`], asking the file system directly.
pub fn shape(dir: &Path) -> Shape {
    shape_by(dir, |path, link| {
        if link {
            path.symlink_metadata().is_ok()
        } else {
            path.exists()
        }
    })
}

/// Whether `dir` is an environment that can be activated ([`Shape::Venv`]).
pub fn is_venv(dir: &Path) -> bool {
    shape(dir) == Shape::Venv
}

pub fn load(dir: &Path, project_root: Option<&Path>) -> Result<Venv, String> {
    let cfg_path = dir.join("pyvenv.cfg");
    let cfg = read_cfg(&cfg_path)?;
    let prompt = match &cfg.prompt {
        Some(p) if !p.is_empty() => OsString::from_vec(p.clone()),
        _ => default_prompt(dir, project_root),
    };
    Ok(Venv {
        path: dir.to_path_buf(),
        prompt,
        version: cfg.version.clone(),
        base_home: cfg.home.as_deref().map(bytes::path),
        virtualenv: cfg.virtualenv,
    })
}

/// The name shown for an environment without a `prompt`: the project
/// folder's name for a generic folder name (`venv`), else the folder's own.
pub fn default_prompt(dir: &Path, project_root: Option<&Path>) -> OsString {
    let own = dir.file_name().map(|n| n.to_os_string());
    let generic = own
        .as_ref()
        .is_none_or(|n| GENERIC_NAMES.iter().any(|g| n == *g));
    if generic && let Some(project) = project_root.and_then(|r| r.file_name()) {
        return project.to_os_string();
    }
    own.unwrap_or_else(|| OsString::from("venv"))
}

pub fn read_cfg(path: &Path) -> Result<Cfg, String> {
    let shown = bytes::display_path(path);
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut raw = Vec::new();
    file.take(CFG_LIMIT + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if raw.len() as u64 > CFG_LIMIT {
        return Err(format!("{shown} is damaged: larger than 64 KiB"));
    }
    let cfg = parse_cfg(&raw);
    if cfg.home.is_none() {
        return Err(format!(
            "{shown} is damaged: it has no 'home' line (recreate the environment)"
        ));
    }
    Ok(cfg)
}

/// Parses `key = value` lines the way Python's `site` module does: keys are
/// case-insensitive, values trimmed. `prompt` is written by `venv` as a
/// Python literal (`'my app'`), by virtualenv as plain text; both are read.
pub fn parse_cfg(raw: &[u8]) -> Cfg {
    let mut cfg = Cfg {
        prompt: None,
        version: None,
        home: None,
        virtualenv: false,
    };
    for line in raw.split(|&b| b == b'\n') {
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = String::from_utf8_lossy(line[..eq].trim_ascii()).to_ascii_lowercase();
        let value = line[eq + 1..].trim_ascii();
        match key.as_str() {
            "prompt" => cfg.prompt = Some(unquote(value)),
            "home" => cfg.home = Some(value.to_vec()),
            "virtualenv" => cfg.virtualenv = true,
            "version" | "version_info" if cfg.version.is_none() || key == "version" => {
                let text = String::from_utf8_lossy(value);
                // virtualenv writes `version_info = 3.11.7.final.0`.
                let short: Vec<&str> = text.split('.').take(3).collect();
                if !short.is_empty()
                    && short
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                {
                    cfg.version = Some(short.join("."));
                }
            }
            _ => {}
        }
    }
    cfg
}

fn unquote(value: &[u8]) -> Vec<u8> {
    let quoted = value.len() >= 2
        && (value[0] == b'\'' || value[0] == b'"')
        && value[value.len() - 1] == value[0];
    if !quoted {
        return value.to_vec();
    }
    let inner = &value[1..value.len() - 1];
    let mut out = Vec::with_capacity(inner.len());
    let mut iter = inner.iter();
    while let Some(&b) = iter.next() {
        if b == b'\\' {
            match iter.next() {
                Some(&next) => out.push(next),
                None => out.push(b),
            }
        } else {
            out.push(b);
        }
    }
    out
}

/// Problems that make an environment unusable although it is there.
pub fn health(venv: &Venv) -> Result<(), String> {
    let python = venv.path.join("bin/python");
    if python.exists() {
        return Ok(());
    }
    let target = missing_link_target(&python)
        .map(|t| format!(" (it points at {}, which is gone)", bytes::display_path(&t)))
        .unwrap_or_default();
    Err(format!(
        "the environment at {} is broken: bin/python does not run{target}; recreate it (python3 -m venv --clear {})",
        bytes::display_path(&venv.path),
        bytes::display_path(&venv.path)
    ))
}

/// The end of the chain of links from `link`: `bin/python` is usually a
/// link to `python3`, itself a link to the base interpreter, and the one
/// worth naming is the last (the interpreter that was removed).
fn missing_link_target(link: &Path) -> Option<PathBuf> {
    let mut current = link.to_path_buf();
    let mut last = None;
    // The kernel's own limit on links followed in one lookup.
    for _ in 0..40 {
        let Ok(next) = std::fs::read_link(&current) else {
            break;
        };
        let next = match current.parent() {
            Some(folder) if next.is_relative() => folder.join(next),
            _ => next,
        };
        last = Some(next.clone());
        current = next;
    }
    last
}

/// Where the environment was created, as its own scripts record it: the
/// `VIRTUAL_ENV=` of `bin/activate`, else the `#!` line of `bin/pip`. None
/// when neither records a plain absolute path (a relocatable environment
/// computes it instead).
pub fn recorded_path(dir: &Path) -> Option<PathBuf> {
    let read = |name: &str| -> Option<Vec<u8>> {
        let file = std::fs::File::open(dir.join(name)).ok()?;
        let mut raw = Vec::new();
        file.take(CFG_LIMIT).read_to_end(&mut raw).ok()?;
        Some(raw)
    };
    if let Some(script) = read("bin/activate") {
        for line in script.split(|&b| b == b'\n') {
            let line = line.trim_ascii();
            let line = line.strip_prefix(b"export ").unwrap_or(line);
            if let Some(value) = line.strip_prefix(b"VIRTUAL_ENV=")
                && let Some(word) = posix_word(value)
                && word.starts_with(b"/")
            {
                return Some(bytes::path(&word));
            }
        }
    }
    for name in ["bin/pip", "bin/pip3"] {
        let Some(script) = read(name) else { continue };
        let first = script.split(|&b| b == b'\n').next().unwrap_or_default();
        let Some(interpreter) = first.strip_prefix(b"#!") else {
            continue;
        };
        let interpreter = interpreter.trim_ascii();
        let interpreter = bytes::path(
            interpreter
                .split(|b| b.is_ascii_whitespace())
                .next()
                .unwrap_or_default(),
        );
        let in_bin = interpreter
            .file_name()
            .is_some_and(|n| n.as_bytes().starts_with(b"python"));
        if let Some(env) = interpreter.parent().and_then(Path::parent)
            && in_bin
            && interpreter.is_absolute()
        {
            return Some(env.to_path_buf());
        }
    }
    None
}

/// The folder the environment was created in, when that is not where it is
/// now: it was moved or copied, and its scripts (pip, activate) still point
/// at the old place.
pub fn moved_from(dir: &Path) -> Option<PathBuf> {
    let recorded = recorded_path(dir)?;
    if recorded == dir {
        return None;
    }
    match (std::fs::canonicalize(&recorded), std::fs::canonicalize(dir)) {
        (Ok(a), Ok(b)) if a == b => None,
        _ => Some(recorded),
    }
}

/// One shell word made only of literal text (`'...'`, `"..."` without
/// expansions, plain characters), as activate scripts write a path; None
/// for anything the shell would compute.
fn posix_word(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\'' => {
                let end = text[i + 1..].iter().position(|&b| b == b'\'')? + i + 1;
                out.extend_from_slice(&text[i + 1..end]);
                i = end + 1;
            }
            b'"' => {
                i += 1;
                loop {
                    match *text.get(i)? {
                        b'"' => break,
                        b'$' | b'`' => return None,
                        b'\\' if matches!(text.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) => {
                            out.push(text[i + 1]);
                            i += 2;
                        }
                        b => {
                            out.push(b);
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            b'\\' => {
                out.push(*text.get(i + 1)?);
                i += 2;
            }
            b' ' | b'\t' | b';' | b'#' => break,
            b'$' | b'`' => return None,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

pub fn version_text(venv: &Venv) -> String {
    version_label(venv.version.as_deref())
}

/// `Python 3.11.7`, or that the version is unknown: the one spelling.
pub fn version_label(version: Option<&str>) -> String {
    match version {
        Some(v) => format!("Python {v}"),
        None => "Python, version unknown".to_string(),
    }
}

pub fn prompt_text(venv: &Venv) -> String {
    bytes::display(venv.prompt.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_venv_cfg() {
        let cfg = parse_cfg(
            b"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\nprompt = 'my app'\n",
        );
        assert_eq!(cfg.home.as_deref(), Some(&b"/usr/bin"[..]));
        assert_eq!(cfg.version.as_deref(), Some("3.11.7"));
        assert_eq!(cfg.prompt.as_deref(), Some(&b"my app"[..]));
    }

    #[test]
    fn parses_virtualenv_cfg() {
        let cfg = parse_cfg(b"home = /usr/bin\nimplementation = CPython\nversion_info = 3.12.1.final.0\nprompt = plain name\n");
        assert_eq!(cfg.version.as_deref(), Some("3.12.1"));
        assert_eq!(cfg.prompt.as_deref(), Some(&b"plain name"[..]));
    }

    #[test]
    fn prompt_literals_unquote() {
        assert_eq!(unquote(br#""it's""#), b"it's");
        assert_eq!(unquote(br"'a\'b'"), b"a'b");
        assert_eq!(unquote(b"'"), b"'");
        assert_eq!(unquote(b"'half"), b"'half");
    }

    #[test]
    fn keys_are_case_insensitive_and_junk_is_skipped() {
        let cfg = parse_cfg(b"\xff\xfe junk\nHOME=/x\nVersion = abc\n");
        assert_eq!(cfg.home.as_deref(), Some(&b"/x"[..]));
        assert_eq!(cfg.version, None);
    }

    #[test]
    fn default_prompt_uses_project_for_generic_folders() {
        let root = Path::new("/src/client_flask_app");
        assert_eq!(
            default_prompt(&root.join("venv"), Some(root)),
            "client_flask_app"
        );
        assert_eq!(
            default_prompt(&root.join(".venv"), Some(root)),
            "client_flask_app"
        );
        assert_eq!(default_prompt(Path::new("/c/flask2"), None), "flask2");
    }

    #[test]
    fn broken_interpreter_is_named_at_the_end_of_its_links() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("venv/bin");
        std::fs::create_dir_all(&bin).unwrap();
        let gone = tmp.path().join("base/python3.9");
        std::os::unix::fs::symlink(&gone, bin.join("python3")).unwrap();
        std::os::unix::fs::symlink("python3", bin.join("python")).unwrap();
        let venv = Venv {
            path: tmp.path().join("venv"),
            prompt: "venv".into(),
            version: None,
            base_home: None,
            virtualenv: false,
        };
        let why = health(&venv).unwrap_err();
        assert!(
            why.contains(&format!("it points at {}, which is gone", gone.display())),
            "{why}"
        );
    }

    #[test]
    fn shell_words_in_activate_scripts() {
        assert_eq!(posix_word(br#""/a b/venv""#).unwrap(), b"/a b/venv");
        assert_eq!(posix_word(b"'/it'\\''s/venv'").unwrap(), b"/it's/venv");
        assert_eq!(posix_word(b"'/it'\"'\"'s/venv'").unwrap(), b"/it's/venv");
        assert_eq!(
            posix_word(b"/plain/venv; export X").unwrap(),
            b"/plain/venv"
        );
        assert_eq!(posix_word(br#""$(cygpath /x)""#), None);
        assert_eq!(posix_word(br#"$(dirname "$0")"#), None);
        assert_eq!(posix_word(b"''"), None);
    }

    #[test]
    fn moved_environments_are_recognised() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("old/venv");
        let new = tmp.path().join("new/venv");
        std::fs::create_dir_all(old.join("bin")).unwrap();
        let activate = format!(
            "# comment\nVIRTUAL_ENV=\"{}\"\nexport VIRTUAL_ENV\n",
            old.display()
        );
        std::fs::write(old.join("bin/activate"), activate).unwrap();
        assert_eq!(recorded_path(&old), Some(old.clone()));
        assert_eq!(moved_from(&old), None);
        std::fs::create_dir_all(tmp.path().join("new")).unwrap();
        std::fs::rename(&old, &new).unwrap();
        assert_eq!(moved_from(&new), Some(old.clone()));

        // No activate script: pip's #! line tells.
        std::fs::remove_file(new.join("bin/activate")).unwrap();
        std::fs::write(
            new.join("bin/pip"),
            format!("#!{}/bin/python3.11\nimport sys\n", old.display()),
        )
        .unwrap();
        assert_eq!(moved_from(&new), Some(old));
        std::fs::write(new.join("bin/pip"), "#!/bin/sh\n").unwrap();
        assert_eq!(recorded_path(&new), None);
    }

    #[test]
    fn one_test_of_what_a_folder_is() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("venv");
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        assert_eq!(shape(&dir), Shape::NotVenv);
        assert_eq!(shape(&tmp.path().join("nothing-here")), Shape::NotVenv);
        // bin/python alone is not an environment.
        std::os::unix::fs::symlink("/nonexistent/python3", dir.join("bin/python")).unwrap();
        assert_eq!(shape(&dir), Shape::NotVenv);
        // pyvenv.cfg and a dangling bin/python: an environment, broken.
        std::fs::write(dir.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        assert_eq!(shape(&dir), Shape::Venv);
        assert!(is_venv(&dir));
        std::fs::remove_file(dir.join("bin/python")).unwrap();
        assert_eq!(shape(&dir), Shape::NoPython);
        assert!(!is_venv(&dir));
        // pyvenv.cfg is followed: a dangling link to it is no environment.
        std::fs::remove_file(dir.join("pyvenv.cfg")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/cfg", dir.join("pyvenv.cfg")).unwrap();
        assert_eq!(shape(&dir), Shape::NotVenv);
    }

    #[test]
    fn both_questions_are_always_asked_in_order() {
        let mut asked = Vec::new();
        let shape = shape_by(Path::new("/p/venv"), |path, link| {
            asked.push((path, link));
            false
        });
        assert_eq!(shape, Shape::NotVenv);
        assert_eq!(
            asked,
            vec![
                (PathBuf::from("/p/venv/pyvenv.cfg"), false),
                (PathBuf::from("/p/venv/bin/python"), true)
            ]
        );
    }

    #[test]
    fn damaged_cfg_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("pyvenv.cfg");
        std::fs::write(&cfg, b"\x00\x01garbage").unwrap();
        assert!(read_cfg(&cfg).unwrap_err().contains("damaged"));
        std::fs::write(&cfg, vec![b'a'; 70 * 1024]).unwrap();
        assert!(read_cfg(&cfg).unwrap_err().contains("64 KiB"));
    }
}
