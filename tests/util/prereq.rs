//! What a test needs from the machine (programs, namespaces, privilege),
//! and the one rule for when it is missing: skip, or fail under
//! AUTOVENV_TEST_REQUIRE_SHELLS=1.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// A setting of the test run itself (AUTOVENV_TEST_*, PATH): the tests read
/// their own environment here, and only here.
#[allow(clippy::disallowed_methods)] // the binary's rule (read once, via its Snapshot) is about the binary
pub fn test_setting(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// A program a test needs (a shell, strace, tmux, shellcheck), or None with
/// the reason printed when it is missing; see `unavailable`.
pub fn required_tool(name: &str) -> Option<PathBuf> {
    find_program(name).or_else(|| unavailable(&format!("{name} is not installed; install it")))
}

/// What a test needs is missing here: None, with `why` printed, so that the
/// test is skipped. Under AUTOVENV_TEST_REQUIRE_SHELLS=1 (CI, whose .ci/run
/// installs everything and runs as root) it fails the test instead.
pub fn unavailable<T>(why: &str) -> Option<T> {
    if test_setting("AUTOVENV_TEST_REQUIRE_SHELLS").is_some_and(|v| v == "1") {
        panic!("{why}, and AUTOVENV_TEST_REQUIRE_SHELLS=1 requires it");
    }
    eprintln!("SKIPPED: {why} to run this test");
    None
}

/// How to run a program in a private mount namespace, where a test may
/// mount what it likes and nothing outside sees it: `unshare -m` as root,
/// else `unshare -rm` (a user namespace in which we are root). None, through
/// `unavailable`, where neither works (a container without the privilege, a
/// kernel without user namespaces). Probed once.
pub fn mount_namespace() -> Option<&'static [&'static str]> {
    static PROBED: std::sync::OnceLock<Result<&'static [&'static str], String>> =
        std::sync::OnceLock::new();
    let probed = PROBED.get_or_init(|| {
        let Some(unshare) = find_program("unshare") else {
            return Err("unshare (util-linux) is not installed; install it".into());
        };
        let ways: [&'static [&'static str]; 2] = [&["unshare", "-m"], &["unshare", "-rm"]];
        let mut tried = Vec::new();
        for way in ways {
            let out = Command::new(&unshare).args(&way[1..]).arg("true").output();
            match out {
                Ok(o) if o.status.success() => return Ok(way),
                Ok(o) => tried.push(format!(
                    "`{} true`: {}",
                    way.join(" "),
                    String::from_utf8_lossy(&o.stderr).trim()
                )),
                Err(e) => tried.push(format!("`{} true`: {e}", way.join(" "))),
            }
        }
        Err(format!(
            "no private mount namespace can be made here ({}); run as root, or allow user namespaces",
            tried.join("; ")
        ))
    });
    match probed {
        Ok(way) => Some(way),
        Err(why) => unavailable(why),
    }
}

pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = test_setting("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

/// The system's interpreter, for a test that runs as `nobody` (who cannot
/// reach one under root's home); None, with the reason printed, where there
/// is none.
pub fn system_python_for_nobody() -> Option<PathBuf> {
    let python = PathBuf::from("/usr/bin/python3");
    if python.exists() {
        return Some(python);
    }
    eprintln!("SKIPPED: no /usr/bin/python3 for an unprivileged user");
    None
}
