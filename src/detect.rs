//! Directory -> project root, marker and environment. Pure: it reads the
//! filesystem and the settings, and knows nothing of any shell.
//!
//! Every file system question it asks is recorded as a [`Probe`], with the
//! answer it got. The hook replays those probes with shell builtins before
//! each prompt: while every answer is the same, nothing can have changed and
//! no process is started (docs/behaviour.md).

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::bytes;
use crate::config::Config;
use crate::venv::{self, Venv};

pub const NAME_FILE: &str = ".venv-name";
/// A name file holds one short name; this much is read at the most.
const NAME_FILE_LIMIT: u64 = 4096;
const NAME_LIMIT: usize = 255;

/// One question asked of the file system, with the answer it got.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Probe {
    /// `path` exists (following links) — or, with `link`, the name exists
    /// even as a dangling link.
    Exists { path: PathBuf, link: bool },
    /// The opposite of `Exists`.
    Missing { path: PathBuf, link: bool },
    /// The file's first line (up to `\n`, without it) is exactly `line`.
    FirstLine { path: PathBuf, line: Vec<u8> },
    /// An answer the shell cannot check with builtins: ask again each time.
    Volatile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// `.venv-name` naming a central environment.
    NameFile {
        file: PathBuf,
        name: Option<OsString>,
    },
    /// A folder from AUTOVENV_DIRS that is an environment.
    VenvDir { name: OsString },
    /// A `.venv` file holding a name (`name`) or a path to an environment.
    VenvFile {
        file: PathBuf,
        name: Option<OsString>,
    },
    /// A uv project (its `pyproject.toml`) under `UV_PROJECT_ENVIRONMENT`.
    Uv { pyproject: PathBuf },
    /// A Poetry project whose environment is in Poetry's own folder.
    Poetry { pyproject: PathBuf },
    /// A Pipfile whose environment is in Pipenv's own folder.
    Pipenv { pipfile: PathBuf },
    /// A Hatch project whose default environment is in Hatch's data folder.
    Hatch { pyproject: PathBuf },
    /// A `.python-version` naming a pyenv-virtualenv environment.
    Pyenv { file: PathBuf, name: OsString },
}

impl Marker {
    /// The stable code of `status --json` and `watch --json`.
    pub fn code(&self) -> &'static str {
        match self {
            Marker::NameFile { .. } => "name-file",
            Marker::VenvDir { .. } => "venv-dir",
            Marker::VenvFile { .. } => "venv-file",
            Marker::Uv { .. } => "uv",
            Marker::Poetry { .. } => "poetry",
            Marker::Pipenv { .. } => "pipenv",
            Marker::Hatch { .. } => "hatch",
            Marker::Pyenv { .. } => "pyenv-virtualenv",
        }
    }

    /// The tool whose rule decided, as people know it.
    pub fn tool(&self) -> &'static str {
        match self {
            Marker::NameFile { .. } | Marker::VenvDir { .. } => "autovenv",
            Marker::VenvFile { .. } => "a .venv file",
            Marker::Uv { .. } => "uv",
            Marker::Poetry { .. } => "Poetry",
            Marker::Pipenv { .. } => "Pipenv",
            Marker::Hatch { .. } => "Hatch",
            Marker::Pyenv { .. } => "pyenv-virtualenv",
        }
    }

    /// The name the marker gives, where it gives one.
    pub fn name(&self) -> Option<&OsString> {
        match self {
            Marker::NameFile { name, .. } | Marker::VenvFile { name, .. } => name.as_ref(),
            Marker::Pyenv { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The file or folder that is the marker, in the project at `root`.
    pub fn path(&self, root: &Path) -> PathBuf {
        match self {
            Marker::NameFile { file, .. } => file.clone(),
            Marker::VenvDir { name } => root.join(name),
            Marker::VenvFile { file, .. } | Marker::Pyenv { file, .. } => file.clone(),
            Marker::Uv { pyproject }
            | Marker::Poetry { pyproject }
            | Marker::Hatch { pyproject } => pyproject.clone(),
            Marker::Pipenv { pipfile } => pipfile.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub root: PathBuf,
    pub marker: Marker,
    /// The environment, or why this marker gives none.
    pub venv: Result<Venv, String>,
    /// The environment is in a central folder (autovenv's, or a tool's own,
    /// owned by the user), where a repository cannot plant one: trusted
    /// without asking (SPEC §4, docs/trust.md).
    pub central: bool,
}

impl Project {
    /// Trusted without `allow`: see `central`.
    pub fn is_central(&self) -> bool {
        self.central
    }
}

/// A project with no environment anywhere, and the command that makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub root: PathBuf,
    /// The file that shows what kind of project it is (`poetry.lock`...).
    pub file: PathBuf,
    pub command: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub dir: PathBuf,
    pub project: Option<Project>,
    pub probes: Vec<Probe>,
    /// What the search asks about in every folder (`Tools::folder_names`).
    pub names: Vec<OsString>,
    /// A question the file system would not answer (permission denied):
    /// the result cannot be trusted, and nothing should change.
    pub unreadable: Option<String>,
    /// Where no project is found but one of the tools' files is.
    pub hint: Option<Hint>,
}

/// Asks the file system, and records each question with its answer.
#[derive(Default)]
pub(crate) struct Prober {
    pub(crate) probes: Vec<Probe>,
    unreadable: Option<String>,
}

impl Prober {
    pub(crate) fn exists(&mut self, path: PathBuf) -> bool {
        let found = self.answer(&path, std::fs::metadata(&path));
        self.record(path, found, false)
    }

    /// The answer to `exists`, from a question asked another way (an open
    /// that found the folder, or found nothing there).
    pub(crate) fn known(&mut self, path: PathBuf, found: bool) -> bool {
        self.record(path, found, false)
    }

    pub(crate) fn link_exists(&mut self, path: PathBuf) -> bool {
        let found = self.answer(&path, std::fs::symlink_metadata(&path));
        self.record(path, found, true)
    }

    /// Whether `dir` is an environment, by [`venv::shape_by`], with both of
    /// its questions recorded (both are asked even when the first answer is
    /// no, so that the hook notices either one appearing).
    pub(crate) fn is_venv(&mut self, dir: &Path) -> bool {
        let shape = venv::shape_by(dir, |path, link| {
            if link {
                self.link_exists(path)
            } else {
                self.exists(path)
            }
        });
        shape == venv::Shape::Venv
    }

    /// Not there (no such file, a loop of links, a file where a folder
    /// would be) is an answer; anything else (permission denied) means the
    /// search cannot tell, and is kept to be reported.
    fn answer(&mut self, path: &Path, result: std::io::Result<std::fs::Metadata>) -> bool {
        use std::io::ErrorKind::{NotADirectory, NotFound};
        match result {
            Ok(_) => true,
            Err(e) if matches!(e.kind(), NotFound | NotADirectory) || is_loop_or_too_long(&e) => {
                false
            }
            Err(e) => {
                if self.unreadable.is_none() {
                    self.unreadable = Some(format!(
                        "cannot look into {} ({e}); nothing changes until you cd elsewhere",
                        bytes::display_path(path.parent().unwrap_or(path))
                    ));
                }
                false
            }
        }
    }

    fn record(&mut self, path: PathBuf, found: bool, link: bool) -> bool {
        self.probes.push(if found {
            Probe::Exists { path, link }
        } else {
            Probe::Missing { path, link }
        });
        found
    }
}

/// The tools' folders (`Tools::open`) with the questions that found them,
/// asked once for every search of one run: `export` searches for the
/// folder, for the statements of leaving and for the folder a command line
/// comes back to, and each asked the same questions again. Not kept past
/// the run, so a long-running `watch` sees a tool's folder appear.
pub struct Seen {
    tools: crate::locate::Tools,
    probes: Vec<Probe>,
    unreadable: Option<String>,
}

impl Seen {
    pub fn open(config: &Config) -> Seen {
        let mut prober = Prober::default();
        let tools = crate::locate::Tools::open(config, &mut prober);
        Seen {
            tools,
            probes: prober.probes,
            unreadable: prober.unreadable,
        }
    }

    /// A prober that starts with the questions already asked.
    fn prober(&self) -> Prober {
        Prober {
            probes: self.probes.clone(),
            unreadable: self.unreadable.clone(),
        }
    }
}

/// Searches `dir` and its parents for the nearest marker.
pub fn detect(dir: &Path, config: &Config) -> Detection {
    detect_in(dir, config, &Seen::open(config))
}

/// [`detect`] with the tools' folders already looked up.
pub fn detect_in(dir: &Path, config: &Config, seen: &Seen) -> Detection {
    let mut prober = seen.prober();
    let mut project = None;
    let tools = &seen.tools;
    for (depth, candidate) in dir.ancestors().enumerate() {
        if let Some(found) = markers_in(candidate, config, &mut prober)
            .or_else(|| tools.in_dir(candidate, depth, config, &mut prober))
        {
            project = Some(found);
            break;
        }
    }
    let hint = match project {
        None => crate::locate::hint(dir, config),
        Some(_) => None,
    };
    Detection {
        dir: dir.to_path_buf(),
        project,
        probes: prober.probes,
        names: tools.folder_names(config),
        unreadable: prober.unreadable,
        hint,
    }
}

/// What a search finds in a folder with no project and no hint: only the
/// tools' folders asked about. `dir` is left empty: the hook applies it
/// wherever its own walk finds no marker (src/region.rs).
pub fn nothing(config: &Config, seen: &Seen) -> Detection {
    let prober = seen.prober();
    Detection {
        dir: PathBuf::new(),
        project: None,
        probes: prober.probes,
        names: seen.tools.folder_names(config),
        unreadable: prober.unreadable,
        hint: None,
    }
}

fn markers_in(dir: &Path, config: &Config, prober: &mut Prober) -> Option<Project> {
    let name_file = dir.join(NAME_FILE);
    if prober.exists(name_file.clone()) {
        return Some(name_file_project(dir, name_file, config, prober));
    }
    for name in &config.venv_dirs {
        let candidate = dir.join(name);
        if !prober.exists(candidate.clone()) {
            continue;
        }
        // The questions inside the folder cover it: if it goes, their
        // answers change or stay "no marker here", which is still right.
        prober.probes.pop();
        if prober.is_venv(&candidate) {
            return Some(Project {
                root: dir.to_path_buf(),
                marker: Marker::VenvDir { name: name.clone() },
                venv: venv::load(&candidate, Some(dir)),
                central: false,
            });
        }
    }
    None
}

/// ELOOP and ENAMETOOLONG (ErrorKind::FilesystemLoop is not stable yet).
fn is_loop_or_too_long(e: &std::io::Error) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const CODES: [i32; 2] = [40, 36];
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const CODES: [i32; 2] = [62, 63];
    e.raw_os_error().is_some_and(|c| CODES.contains(&c))
}

fn name_file_project(dir: &Path, file: PathBuf, config: &Config, prober: &mut Prober) -> Project {
    let read = read_name_file(&file);
    let first_line = read.as_ref().ok().and_then(|raw| stable_first_line(raw));
    prober.probes.push(match first_line {
        Some(line) => Probe::FirstLine {
            path: file.clone(),
            line,
        },
        None => Probe::Volatile,
    });
    let name = read.and_then(|raw| parse_name(&raw, &file));
    let venv = name.clone().and_then(|name| {
        let central = config.central.clone()?;
        let env = central.join(&name);
        if prober.is_venv(&env) {
            venv::load(&env, Some(dir))
        } else {
            Err(format!(
                "{} names '{}', but there is no such environment in {}; create it with: autovenv new --name {}",
                bytes::display_path(&file),
                bytes::display(name.as_bytes()),
                bytes::display_path(&central),
                bytes::display(name.as_bytes()),
            ))
        }
    });
    Project {
        root: dir.to_path_buf(),
        marker: Marker::NameFile {
            file,
            name: name.ok(),
        },
        venv,
        central: true,
    }
}

/// A `.venv-name` file's bytes, refused when larger than a name file can
/// sensibly be. Everything that reads one reads it here.
pub fn read_name_file(file: &Path) -> Result<Vec<u8>, String> {
    let shown = bytes::display_path(file);
    let handle = std::fs::File::open(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut raw = Vec::new();
    handle
        .take(NAME_FILE_LIMIT + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if raw.len() as u64 > NAME_FILE_LIMIT {
        return Err(format!(
            "{shown} is refused: it is larger than {NAME_FILE_LIMIT} bytes; it should hold one environment name"
        ));
    }
    Ok(raw)
}

/// The first line, when it alone decides the name: it is not blank (so later
/// lines do not matter) and has no NUL byte (which shells cannot read).
pub(crate) fn stable_first_line(raw: &[u8]) -> Option<Vec<u8>> {
    let line = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    if line.contains(&0) || line.trim_ascii().is_empty() {
        return None;
    }
    Some(line.to_vec())
}

/// The first non-empty line, trimmed, when it is a valid name (docs/detection.md).
pub fn parse_name(raw: &[u8], file: &Path) -> Result<OsString, String> {
    let shown = bytes::display_path(file);
    let line = raw
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty());
    let Some(name) = line else {
        return Err(format!(
            "{shown} is refused: it is empty; write the name of an environment in it"
        ));
    };
    validate_name(name).map_err(|why| format!("{shown} is refused: {why}"))?;
    Ok(bytes::os(name).to_os_string())
}

/// A name is letters, digits, `.`, `_` and `-`, not `.` or `..`, at most
/// 255 bytes: it can only ever name a folder directly inside the central one.
pub fn validate_name(name: &[u8]) -> Result<(), String> {
    if name == b"." || name == b".." {
        return Err(format!(
            "'{}' is not an environment name",
            bytes::display(name)
        ));
    }
    if name.len() > NAME_LIMIT {
        return Err(format!("the name is longer than {NAME_LIMIT} bytes"));
    }
    if let Some(bad) = name
        .iter()
        .find(|&&b| !(b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'))
    {
        let what = if *bad == b'/' {
            "a path".to_string()
        } else {
            format!("'{}'", bytes::display(&[*bad]))
        };
        return Err(format!(
            "'{}' is not an environment name: it holds {what}; use letters, digits, '.', '_' and '-'",
            bytes::display(name)
        ));
    }
    Ok(())
}

/// The logical directory the shell is in: `$PWD` when it names the same
/// directory as the process's working directory (symlinks kept, as the
/// shell shows it), else the physical one.
pub fn current_dir(pwd: Option<OsString>) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let physical = std::env::current_dir()?;
    if let Some(pwd) = pwd.filter(|p| p.as_bytes().starts_with(b"/")) {
        let logical = PathBuf::from(pwd);
        let dot = std::fs::metadata(".")?;
        if let Ok(meta) = std::fs::metadata(&logical)
            && meta.dev() == dot.dev()
            && meta.ino() == dot.ino()
            && !logical.components().any(|c| {
                matches!(
                    c,
                    std::path::Component::ParentDir | std::path::Component::CurDir
                )
            })
        {
            return Ok(logical);
        }
    }
    Ok(physical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::fs;

    fn config(central: &Path) -> Config {
        Config::from_snapshot(&crate::snapshot::Snapshot::from_pairs(
            [
                ("HOME", std::ffi::OsStr::new("/nonexistent-home")),
                ("AUTOVENV_HOME", central.as_os_str()),
            ],
            None,
        ))
    }

    /// A folder that looks like an environment to detection (no Python
    /// needed: detection reads, it never runs).
    pub fn fake_venv(dir: &Path, cfg: &str) {
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(dir.join("pyvenv.cfg"), cfg).unwrap();
        std::os::unix::fs::symlink("/usr/bin/python3", dir.join("bin/python")).unwrap();
    }

    const CFG: &str = "home = /usr/bin\nversion = 3.11.7\n";

    #[test]
    fn nothing_found() {
        let tmp = tempfile::tempdir().unwrap();
        let d = detect(tmp.path(), &config(&tmp.path().join("central")));
        assert_eq!(d.project, None);
        // three questions per level: .venv-name, venv, .venv; and one per
        // other tool whose folder is not there (Poetry's, Pipenv's, Hatch's,
        // pyenv's), none per level for them
        assert_eq!(d.probes.len(), 3 * tmp.path().ancestors().count() + 4);
    }

    #[test]
    fn one_look_at_the_tools_folders_serves_every_search_of_a_run() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("p");
        fake_venv(&project.join(".venv"), CFG);
        let elsewhere = tmp.path().join("q");
        fs::create_dir(&elsewhere).unwrap();
        let config = config(&tmp.path().join("central"));
        let seen = Seen::open(&config);
        for dir in [&project, &elsewhere] {
            assert_eq!(detect_in(dir, &config, &seen), detect(dir, &config));
        }
        // With no folder walked, only the tools' folders are asked about.
        let none = nothing(&config, &seen);
        assert_eq!(none.probes, detect(&elsewhere, &config).probes[..4]);
        assert_eq!(none.names, detect(&elsewhere, &config).names);
    }

    #[test]
    fn nearest_marker_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let outer = tmp.path().join("outer");
        let inner = outer.join("inner");
        fake_venv(&outer.join("venv"), CFG);
        fake_venv(&inner.join(".venv"), CFG);
        fs::create_dir_all(inner.join("deep/er")).unwrap();
        let c = config(&tmp.path().join("central"));

        let p = detect(&inner.join("deep/er"), &c).project.unwrap();
        assert_eq!(p.root, inner);
        assert_eq!(
            p.marker,
            Marker::VenvDir {
                name: ".venv".into()
            }
        );
        let v = p.venv.unwrap();
        assert_eq!(v.path, inner.join(".venv"));
        assert_eq!(v.prompt, "inner");
        assert_eq!(v.version.as_deref(), Some("3.11.7"));

        let p = detect(&outer, &c).project.unwrap();
        assert_eq!(p.root, outer);
        assert_eq!(p.venv.unwrap().prompt, "outer");
    }

    #[test]
    fn venv_listed_first_wins_within_a_folder() {
        let tmp = tempfile::tempdir().unwrap();
        fake_venv(&tmp.path().join("venv"), CFG);
        fake_venv(&tmp.path().join(".venv"), CFG);
        let p = detect(tmp.path(), &config(&tmp.path().join("c")))
            .project
            .unwrap();
        assert_eq!(
            p.marker,
            Marker::VenvDir {
                name: "venv".into()
            }
        );
    }

    #[test]
    fn folder_named_venv_that_is_not_one_is_no_marker() {
        let tmp = tempfile::tempdir().unwrap();
        let parent = tmp.path().join("p");
        fake_venv(&parent.join("venv"), CFG);
        let child = parent.join("child");
        fs::create_dir_all(child.join("venv/bin")).unwrap(); // no pyvenv.cfg
        let d = detect(&child, &config(&tmp.path().join("c")));
        assert_eq!(d.project.unwrap().root, parent);
        // The missing pieces are watched so that the hook sees them appear.
        assert!(d.probes.contains(&Probe::Missing {
            path: child.join("venv/pyvenv.cfg"),
            link: false
        }));
        assert!(d.probes.contains(&Probe::Missing {
            path: child.join("venv/bin/python"),
            link: true
        }));
    }

    #[test]
    fn broken_base_interpreter_still_marks_the_project() {
        let tmp = tempfile::tempdir().unwrap();
        let v = tmp.path().join("venv");
        fs::create_dir_all(v.join("bin")).unwrap();
        fs::write(v.join("pyvenv.cfg"), CFG).unwrap();
        std::os::unix::fs::symlink("/nonexistent/python3", v.join("bin/python")).unwrap();
        let p = detect(tmp.path(), &config(&tmp.path().join("c")))
            .project
            .unwrap();
        let venv = p.venv.unwrap();
        assert!(crate::venv::health(&venv).unwrap_err().contains("broken"));
    }

    #[test]
    fn name_file_beats_venv_folder_and_resolves_centrally() {
        let tmp = tempfile::tempdir().unwrap();
        let central = tmp.path().join("central");
        fake_venv(&central.join("flask2"), CFG);
        let proj = tmp.path().join("proj");
        fake_venv(&proj.join("venv"), CFG);
        fs::write(proj.join(NAME_FILE), "\n  flask2  \r\n").unwrap();
        let d = detect(&proj, &config(&central));
        let p = d.project.unwrap();
        assert!(p.is_central());
        let v = p.venv.unwrap();
        assert_eq!(v.path, central.join("flask2"));
        assert_eq!(v.prompt, "flask2");
        // first line is blank: the shell cannot check it alone
        assert!(d.probes.contains(&Probe::Volatile));
    }

    #[test]
    fn name_file_first_line_is_watched() {
        let tmp = tempfile::tempdir().unwrap();
        let central = tmp.path().join("central");
        fs::create_dir_all(tmp.path().join("p")).unwrap();
        fs::write(tmp.path().join("p").join(NAME_FILE), "missing\n").unwrap();
        let d = detect(&tmp.path().join("p"), &config(&central));
        assert!(d.probes.contains(&Probe::FirstLine {
            path: tmp.path().join("p").join(NAME_FILE),
            line: b"missing".to_vec()
        }));
        let err = d.project.unwrap().venv.unwrap_err();
        assert!(err.contains("autovenv new --name missing"), "{err}");
    }

    #[test]
    fn invalid_names_are_refused() {
        let f = Path::new("/p/.venv-name");
        for bad in [
            &b"../x"[..],
            b"/etc",
            b"a/b",
            b".",
            b"..",
            b"a b",
            b"\xff\xfe",
            b"x$(id)",
        ] {
            assert!(parse_name(bad, f).is_err(), "{bad:?}");
        }
        assert!(parse_name(b"", f).unwrap_err().contains("empty"));
        assert!(parse_name(b" \n\t\n", f).unwrap_err().contains("empty"));
        assert!(parse_name(&[b'a'; 256], f).unwrap_err().contains("255"));
        assert_eq!(parse_name(&[b'a'; 255], f).unwrap().len(), 255);
        assert_eq!(
            parse_name(b"Flask-2.0_x\nignored", f).unwrap(),
            "Flask-2.0_x"
        );
    }

    #[test]
    fn refused_name_file_stops_the_search() {
        let tmp = tempfile::tempdir().unwrap();
        fake_venv(&tmp.path().join("venv"), CFG);
        let child = tmp.path().join("child");
        fs::create_dir_all(&child).unwrap();
        fs::write(child.join(NAME_FILE), "../../etc").unwrap();
        let p = detect(&child, &config(&tmp.path().join("c")))
            .project
            .unwrap();
        assert_eq!(p.root, child);
        assert!(p.venv.unwrap_err().contains("refused"));
    }

    #[test]
    fn huge_and_binary_name_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let c = config(&tmp.path().join("c"));
        fs::write(tmp.path().join(NAME_FILE), vec![b'a'; 1 << 20]).unwrap();
        let d = detect(tmp.path(), &c);
        assert!(d.project.unwrap().venv.unwrap_err().contains("larger"));
        fs::write(tmp.path().join(NAME_FILE), b"\x00\x01\x02bin").unwrap();
        let d = detect(tmp.path(), &c);
        assert!(d.project.unwrap().venv.unwrap_err().contains("refused"));
        assert!(d.probes.contains(&Probe::Volatile));
    }
}

#[cfg(test)]
mod fuzz {
    //! `.venv-name` holds whatever a repository put there: the reader answers
    //! with a valid name or a refusal, never a panic, and a name it accepts
    //! can only ever be a plain folder name.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn name_reader_accepts_only_plain_names(raw in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(name) = parse_name(&raw, Path::new("/p/.venv-name")) {
                let b = name.as_bytes();
                prop_assert!(!b.is_empty() && b.len() <= 255);
                prop_assert!(b != b"." && b != b"..");
                prop_assert!(b.iter().all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c)));
                let joined = Path::new("/central").join(&name);
                prop_assert_eq!(joined.parent(), Some(Path::new("/central")));
            }
            let _ = stable_first_line(&raw);
        }

        #[test]
        fn cfg_parser_never_panics(raw in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = crate::venv::parse_cfg(&raw);
        }
    }
}

/// An empty prober, for the locators' own tests.
#[cfg(test)]
pub(crate) fn tests_prober() -> Prober {
    Prober::default()
}
