//! A full disk and a read-only data folder, each made in a private mount
//! namespace.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The data folder alone on a 64 KiB tmpfs with no space left.
    Full,
    /// The data folder and the central folder on one full tmpfs, as when
    /// the whole home is on one full disk.
    FullHome,
    /// The data folder bind-mounted read-only onto itself.
    ReadOnly,
}

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::Full => "full",
            Fault::FullHome => "full-home",
            Fault::ReadOnly => "read-only",
        }
    }

    /// What the system says, which the one line must pass on.
    fn reason(self) -> &'static str {
        match self {
            Fault::Full | Fault::FullHome => "No space left on device",
            Fault::ReadOnly => "Read-only file system",
        }
    }
}

/// Run in a private mount namespace with $1 the fault, $2 the data folder
/// with the earlier records, $3 an empty folder for the tmpfs, $4 an empty
/// folder for what the command leaves, and the command after them. Sets the
/// fault up, runs the command with AUTOVENV_DATA_DIR (and for full-home
/// AUTOVENV_HOME) on the faulty disk, then copies the data folder (and a
/// central folder left on the disk) into $4, from inside, since the tmpfs
/// goes with the namespace. A problem with the setup itself exits 99.
const FAULT_SCRIPT: &str = r#"
set -eu
fault=$1 seed=$2 disk=$3 after=$4
shift 4
setup() { echo "fault setup: $*" >&2; exit 99; }
case $fault in
full | full-home)
    mount -t tmpfs -o size=64k tmpfs "$disk" || setup "cannot mount a tmpfs on $disk"
    data=$disk/data
    cp -a "$seed" "$data" || setup "cannot copy the records onto the tmpfs"
    if [ "$fault" = full-home ]; then
        export AUTOVENV_HOME="$disk/central"
    fi
    # Fill what is left: head stops at ENOSPC, as it should.
    if head -c 1048576 /dev/zero 2>/dev/null >"$disk/filler"; then
        setup "a 64k tmpfs took 1 MiB"
    fi
    if printf x 2>/dev/null >"$disk/probe"; then setup "the tmpfs is not full"; fi
    rm -f "$disk/probe"
    ;;
read-only)
    data=$seed
    { mount --bind "$data" "$data" && mount -o remount,bind,ro "$data"; } ||
        setup "cannot bind-mount $data read-only"
    if (: >"$data/probe") 2>/dev/null; then setup "$data is still writable"; fi
    ;;
*) setup "no fault named $fault" ;;
esac
export AUTOVENV_DATA_DIR="$data"
set +e
"$@"
status=$?
set -e
cp -a "$data" "$after/data" || setup "cannot copy the data folder out"
if [ "$fault" = full-home ] && [ -e "$AUTOVENV_HOME" ]; then
    cp -a "$AUTOVENV_HOME" "$after/central" || setup "cannot copy the central folder out"
fi
exit "$status"
"#;

/// What a command did under a fault.
struct Faulted {
    out: Output,
    /// The data folder as the command left it.
    data: Contents,
    /// A copy of it, to read back with the binary.
    data_copy: PathBuf,
    /// The central folder on the full disk, if anything left it there.
    central: Option<Contents>,
}

impl Store {
    /// `autovenv ARGS` in `dir` under `fault`, in a mount namespace of its
    /// own (see `faulty`).
    fn under(&self, fault: Fault, dir: &Path, args: &[&OsStr]) -> Faulted {
        let unshare = util::mount_namespace().expect("probed by `faulty`");
        let scratch = tempfile::tempdir_in(self.world.tmp.path()).unwrap();
        let (disk, after) = (scratch.path().join("disk"), scratch.path().join("after"));
        self.world.mkdir(&disk);
        self.world.mkdir(&after);
        let out = Command::new(unshare[0])
            .args(&unshare[1..])
            .args(["sh", "-c", FAULT_SCRIPT, "sh", fault.name()])
            .arg(&self.world.data)
            .arg(&disk)
            .arg(&after)
            .arg(util::bin())
            .args(args)
            .env_clear()
            .envs(self.world.env())
            .current_dir(dir)
            .env("PWD", dir)
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(99), "{}", stderr(&out));
        let data_copy = self.world.tmp.path().join(format!(
            "after-{}",
            scratch.path().file_name().unwrap().to_string_lossy()
        ));
        std::fs::rename(after.join("data"), &data_copy).unwrap();
        let central = after.join("central");
        Faulted {
            out,
            data: contents(&data_copy),
            central: central.exists().then(|| contents(&central)),
            data_copy,
        }
    }
}

/// `store()` (or the unseeded one), where faults can be made; None (the
/// test skipped, with the reason printed) where no mount namespace can be.
fn faulty(make: fn() -> Store) -> Option<Store> {
    util::mount_namespace()?;
    Some(make())
}

/// Exit code 1, nothing on stdout, one `autovenv:` line that passes the
/// system's reason on, and the data folder exactly as before: every earlier
/// record byte for byte, no temporary file left behind.
fn assert_failed_cleanly(s: &Store, fault: Fault, f: &Faulted) {
    let err = stderr(&f.out);
    assert_eq!(f.out.status.code(), Some(1), "{fault:?}: {err}");
    assert_eq!(String::from_utf8_lossy(&f.out.stdout), "", "{fault:?}");
    assert_eq!(err.lines().count(), 1, "{fault:?}: one line: {err}");
    assert!(err.starts_with("autovenv: "), "{fault:?}: {err}");
    assert!(err.contains(fault.reason()), "{fault:?}: {err}");
    assert_eq!(f.data, s.before, "{fault:?}: the data folder changed");
    for p in &s.earlier {
        assert!(s.trusted(&f.data_copy, p), "{fault:?}: {}", p.display());
    }
}

// A new record cannot be written; one allowed again is written anew, and
// when that fails the one there stays as it was.
#[test]
fn allow_on_a_full_or_read_only_data_folder_fails_cleanly() {
    let Some(s) = faulty(store) else {
        return;
    };
    for fault in [Fault::Full, Fault::ReadOnly] {
        for (project, was_trusted) in [(&s.fresh, false), (&s.earlier[0], true)] {
            let f = s.under(fault, &s.world.root, &["allow".as_ref(), project.as_ref()]);
            assert_failed_cleanly(&s, fault, &f);
            assert_eq!(s.trusted(&f.data_copy, project), was_trusted, "{fault:?}");
        }
    }
}

// The first allow makes the store's folders: on a read-only data folder it
// cannot, and says so.
#[test]
fn a_first_allow_on_a_read_only_data_folder_fails_cleanly() {
    let Some(s) = faulty(unseeded_store) else {
        return;
    };
    let args = ["allow".as_ref(), s.fresh.as_ref()];
    let f = s.under(Fault::ReadOnly, &s.world.root, &args);
    assert_failed_cleanly(&s, Fault::ReadOnly, &f);
    assert_eq!(f.data, Contents::new());
}

#[test]
fn deny_on_a_read_only_data_folder_fails_cleanly() {
    let Some(s) = faulty(store) else {
        return;
    };
    let denied = &s.earlier[1];
    let f = s.under(
        Fault::ReadOnly,
        &s.world.root,
        &["deny".as_ref(), denied.as_ref()],
    );
    assert_failed_cleanly(&s, Fault::ReadOnly, &f);
}

// Taking a record away needs no space: on a full disk, deny works, and
// takes away that one record and nothing else.
#[test]
fn deny_on_a_full_data_folder_takes_back_that_record_alone() {
    let Some(s) = faulty(store) else {
        return;
    };
    let denied = &s.earlier[1];
    let f = s.under(
        Fault::Full,
        &s.world.root,
        &["deny".as_ref(), denied.as_ref()],
    );
    let err = stderr(&f.out);
    assert_eq!(f.out.status.code(), Some(0), "{err}");
    assert_eq!(String::from_utf8_lossy(&f.out.stdout), "");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("autovenv: denied "), "{err}");
    let gone: Vec<&PathBuf> = s
        .before
        .keys()
        .filter(|k| !f.data.contains_key(*k))
        .collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    let added: Vec<&PathBuf> = f
        .data
        .keys()
        .filter(|k| !s.before.contains_key(*k))
        .collect();
    assert_eq!(added, Vec::<&PathBuf>::new());
    for (rel, bytes) in &f.data {
        assert_eq!(Some(bytes), s.before.get(rel), "{}", rel.display());
    }
    for p in &s.earlier {
        assert_eq!(s.trusted(&f.data_copy, p), p != denied, "{}", p.display());
    }
}

// `new` trusts what it made: when the trust cannot be recorded, the new
// environment is removed again.
#[test]
fn new_on_a_full_or_read_only_data_folder_fails_and_removes_what_it_made() {
    let Some(s) = faulty(store) else {
        return;
    };
    for fault in [Fault::Full, Fault::ReadOnly] {
        let args = ["new".as_ref(), "--python".as_ref(), s.python.as_os_str()];
        let f = s.under(fault, &s.empty, &args);
        assert_failed_cleanly(&s, fault, &f);
        assert_eq!(contents(&s.empty), Contents::new(), "{fault:?}");
    }
}

// On a full home (central folder and data folder on one full disk), `new
// --name` cannot make the environment: it fails and leaves nothing, in the
// project, on the disk or in the data folder.
#[test]
fn new_name_on_a_full_home_fails_and_leaves_nothing() {
    let Some(s) = faulty(store) else {
        return;
    };
    let args = [
        "new".as_ref(),
        "--name".as_ref(),
        "flask2".as_ref(),
        "--python".as_ref(),
        s.python.as_os_str(),
    ];
    let f = s.under(Fault::FullHome, &s.empty, &args);
    assert_failed_cleanly(&s, Fault::FullHome, &f);
    assert_eq!(f.central, None, "the central folder it made is left");
    assert_eq!(contents(&s.empty), Contents::new());
}

// With the central folder elsewhere, `new --name` makes the environment and
// names it; what it would add to the data folder (the project, for `list`)
// is a courtesy (src/known.rs), skipped when it cannot be written. The data
// folder is left exactly as it was, without a temporary file.
#[test]
fn new_name_with_a_full_or_read_only_data_folder_still_makes_the_environment() {
    let Some(s) = faulty(store) else {
        return;
    };
    for (i, fault) in [Fault::Full, Fault::ReadOnly].into_iter().enumerate() {
        let name = format!("flask{i}");
        let project = s.world.path(&format!("named-{i}"));
        s.world.mkdir(&project);
        let args = [
            "new".as_ref(),
            "--name".as_ref(),
            name.as_ref(),
            "--python".as_ref(),
            s.python.as_os_str(),
        ];
        let f = s.under(fault, &project, &args);
        let err = stderr(&f.out);
        assert_eq!(f.out.status.code(), Some(0), "{fault:?}: {err}");
        assert_eq!(String::from_utf8_lossy(&f.out.stdout), "");
        assert_eq!(err.lines().count(), 1, "{fault:?}: {err}");
        assert!(err.starts_with("autovenv: created "), "{fault:?}: {err}");
        assert_eq!(
            std::fs::read(project.join(".venv-name")).unwrap(),
            format!("{name}\n").as_bytes()
        );
        assert!(s.world.central.join(&name).join("pyvenv.cfg").is_file());
        assert_eq!(f.data, s.before, "{fault:?}: the data folder changed");
    }
}
