//! SIGKILL in the middle of `allow`: at each of its file system calls (by
//! strace), and at moments spread over its run.

use super::*;

/// After `allow victim` was killed somewhere: every earlier record is there
/// byte for byte; `status` reads the victim back as trusted or not, never
/// damaged; `list` reads back exactly the earlier projects and, if trusted,
/// the victim; and the only new file that is not hidden is the victim's
/// record.
fn assert_store_whole(s: &Store, data: &Path, victim: &Path, what: &str) {
    let now = contents(data);
    for (rel, bytes) in &s.before {
        assert_eq!(
            now.get(rel),
            Some(bytes),
            "{what}: {} changed",
            rel.display()
        );
    }
    let was_trusted = s.earlier.iter().any(|p| p == victim);
    let victim_trusted = s.trusted(data, victim);
    let mut expected = s.earlier.clone();
    if victim_trusted && !was_trusted {
        expected.push(victim.to_path_buf());
    }
    expected.sort();
    assert_eq!(s.listed(data), expected, "{what}");
    let new_records: Vec<&PathBuf> = now
        .iter()
        .filter(|(rel, bytes)| {
            bytes.is_some()
                && !s.before.contains_key(*rel)
                && !rel.file_name().unwrap().as_bytes().starts_with(b".")
        })
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(
        new_records.len(),
        expected.len() - s.earlier.len(),
        "{what}: {new_records:?}"
    );
}

/// The store a kill left takes the next `allow`.
fn assert_allow_works(s: &Store, data: &Path, victim: &Path, what: &str) {
    let out = s
        .autovenv(data, &s.world.root, &["allow".as_ref(), victim.as_ref()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{what}: {}", stderr(&out));
    assert!(s.trusted(data, victim), "{what}");
}

/// The system calls that touch files, among those `strace` may kill at.
const FILE_CALLS: &str = "open,openat,creat,mkdir,mkdirat,write,pwrite64,writev,fsync,fdatasync,\
                          ftruncate,rename,renameat,renameat2,link,linkat,unlink,unlinkat,close";

#[test]
fn sigkill_before_each_file_call_of_allow_loses_nothing() {
    let Some(strace) = util::required_tool("strace") else {
        return;
    };
    let s = store();
    // A new record, and one written over (allowed again).
    for victim in [&s.fresh, &s.earlier[0]] {
        let data = s.copy_of_data();
        let trace = data.with_extension("trace");
        let out = Command::new(&strace)
            .args(["-f", "-qq", "-e", &format!("trace={FILE_CALLS}"), "-o"])
            .arg(&trace)
            .arg(util::bin())
            .arg("allow")
            .arg(victim)
            .env_clear()
            .envs(s.world.env())
            .env("AUTOVENV_DATA_DIR", &data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let mut calls: BTreeMap<String, usize> = BTreeMap::new();
        for line in std::fs::read_to_string(&trace).unwrap().lines() {
            // "PID name(args) = result"
            let call = line.split_whitespace().nth(1).unwrap_or_default();
            if let Some((name, _)) = call.split_once('(') {
                *calls.entry(name.to_string()).or_default() += 1;
            }
        }
        assert!(calls.contains_key("write"), "no write traced: {calls:?}");
        for (name, count) in &calls {
            for k in 1..=*count {
                let what = format!("allow {} killed at {name} #{k}", victim.display());
                let data = s.copy_of_data();
                let out = Command::new(&strace)
                    .args(["-f", "-qq", "-o", "/dev/null", "-e"])
                    .arg(format!("trace={name}"))
                    .arg("-e")
                    .arg(format!("inject={name}:signal=SIGKILL:when={k}"))
                    .arg(util::bin())
                    .arg("allow")
                    .arg(victim)
                    .env_clear()
                    .envs(s.world.env())
                    .env("AUTOVENV_DATA_DIR", &data)
                    .output()
                    .unwrap();
                // strace ends as its tracee did.
                let killed = out.status.signal() == Some(9) || out.status.code() == Some(137);
                assert!(
                    killed,
                    "{what}: not killed: {:?} {}",
                    out.status,
                    stderr(&out)
                );
                assert_store_whole(&s, &data, victim, &what);
                assert_allow_works(&s, &data, victim, &what);
            }
        }
    }
}

#[test]
fn sigkill_at_any_moment_of_allow_loses_nothing() {
    let s = store();
    let allow = |data: &Path, victim: &Path| {
        let mut c = s.autovenv(data, &s.world.root, &["allow".as_ref(), victim.as_ref()]);
        c.stderr(std::process::Stdio::null());
        c
    };
    // How long an allow takes here, so that the kills are spread over it.
    let took = (0..5)
        .map(|_| {
            let data = s.copy_of_data();
            let start = Instant::now();
            assert!(allow(&data, &s.fresh).status().unwrap().success());
            start.elapsed()
        })
        .min()
        .unwrap();
    let runs = 200;
    let mut killed = 0;
    for i in 0..runs {
        // Alternately a new record and one written over.
        let victim = if i % 2 == 0 { &s.fresh } else { &s.earlier[0] };
        let delay = took * 3 / 2 * i / runs;
        let data = s.copy_of_data();
        let mut child = allow(&data, victim).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            killed += 1;
        }
        let what = format!("allow {} killed after {delay:?}", victim.display());
        assert_store_whole(&s, &data, victim, &what);
        std::fs::remove_dir_all(&data).unwrap();
    }
    eprintln!("{killed} of {runs} allows killed before they ended (one takes {took:?} at best)");
    assert!(killed > 0, "no allow was killed: the kills came too late");
}
