//! `autovenv watch`: a line each time what applies to a folder changes.

use super::*;

struct Watch {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Watch {
    fn start(world: &World, dir: &Path, json: bool) -> Watch {
        let mut c = world.autovenv();
        c.current_dir(&world.root).arg("watch").arg(dir);
        if json {
            c.arg("--json");
        }
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    /// The next line, within `limit`.
    fn next(&self, limit: Duration) -> String {
        self.lines
            .recv_timeout(limit)
            .unwrap_or_else(|e| panic!("no line from watch within {limit:?}: {e}"))
    }

    fn next_json(&self, limit: Duration) -> Value {
        let v: Value = serde_json::from_str(&self.next(limit)).unwrap();
        validate(&v, "watch");
        v
    }

    fn finish(self, limit: Duration) -> Output {
        let start = Instant::now();
        let mut child = self.child;
        loop {
            if child.try_wait().unwrap().is_some() {
                return child.wait_with_output().unwrap();
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                panic!("watch did not end within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn watch_sees_a_venv_made_and_removed_within_a_second() {
    let world = World::new();
    let project = world.path("app");
    let deep = project.join("src/pkg");
    world.mkdir(&deep);
    let w = Watch::start(&world, &deep, true);
    let first = w.next_json(Duration::from_secs(5));
    assert_eq!(first["reason"], "no-project");
    assert_eq!(first["directory"], deep.to_str().unwrap());

    make_venv(&project.join("venv"), "1.0", &[]);
    let made = Instant::now();
    // Lines may come while Python is still writing; within a second of it
    // finishing, the last says the environment is there.
    let mut last = w.next_json(Duration::from_secs(5));
    while let Ok(line) = w.lines.recv_timeout(Duration::from_millis(400)) {
        last = serde_json::from_str(&line).unwrap();
        validate(&last, "watch");
    }
    assert!(made.elapsed() < SECOND + Duration::from_millis(400));
    assert_eq!(last["reason"], "untrusted", "{last}");
    assert_eq!(last["environment"], project.join("venv").to_str().unwrap());
    assert_eq!(last["project"], project.to_str().unwrap());
    assert_eq!(last["marker"], "venv-dir");
    assert_eq!(last["healthy"], true);
    assert_eq!(last["trusted"], false);
    assert!(
        last["allow_command"]
            .as_str()
            .unwrap()
            .starts_with("autovenv allow ")
    );

    world.allow(&project);
    let v = w.next_json(SECOND);
    assert_eq!(v["reason"], "ready", "{v}");
    assert_eq!(v["trusted"], true);
    assert_eq!(v["prompt"], "app");

    std::fs::remove_dir_all(project.join("venv")).unwrap();
    let v = w.next_json(SECOND);
    assert_eq!(v["reason"], "no-project", "{v}");
    assert_eq!(v["environment"], Value::Null);

    // And back again: the new folder is watched too.
    make_venv(&project.join("venv"), "1.0", &[]);
    let v = w.next_json(Duration::from_secs(5));
    assert_eq!(
        v["environment"],
        project.join("venv").to_str().unwrap(),
        "{v}"
    );

    // Removing the directory ends the watch, cleanly.
    std::fs::remove_dir_all(&project).unwrap();
    let out = w.finish(SECOND);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is gone; the watch ends"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn watch_follows_a_venv_name_file_in_text() {
    let world = World::new();
    make_venv(&world.central.join("flask2"), "2.0", &[]);
    let project = world.path("personal_app");
    world.mkdir(&project);
    let w = Watch::start(&world, &project, false);
    assert_eq!(
        w.next(Duration::from_secs(5)),
        "no-project: no environment applies here"
    );

    std::fs::write(project.join(".venv-name"), "flask2\n").unwrap();
    let line = w.next(SECOND);
    assert!(
        line.starts_with("ready: ") && line.contains("central/flask2 (flask2, Python "),
        "{line}"
    );

    std::fs::write(project.join(".venv-name"), "missing\n").unwrap();
    let line = w.next(SECOND);
    assert!(
        line.starts_with("unusable: ") && line.contains("autovenv new --name missing"),
        "{line}"
    );

    std::fs::write(project.join(".venv-name"), "../etc\n").unwrap();
    let line = w.next(SECOND);
    assert!(line.contains("refused"), "{line}");
}

#[test]
fn watch_ends_cleanly_on_ctrl_c() {
    let world = World::new();
    let w = Watch::start(&world, &world.root, true);
    w.next_json(Duration::from_secs(5));
    signal(w.child.id(), "INT");
    let out = w.finish(SECOND);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn watch_refuses_a_missing_folder() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["watch", "nowhere"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nowhere is not a folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}
