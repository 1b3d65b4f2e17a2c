//! `autovenv list`: central environments and trusted projects.

use super::*;

#[test]
fn list_shows_central_environments_and_trusted_projects() {
    let world = World::new();
    make_venv(&world.central.join("flask2"), "2.0", &[]);
    broken_venv(&world, &world.central.join("old"));
    world.mkdir(&world.central.join("not-an-env"));
    let app = world.path("client_app");
    make_venv(&app.join("venv"), "1.1", &[]);
    world.allow(&app);
    let gone = world.path("gone_app");
    make_venv(&gone.join(".venv"), "1.0", &[]);
    world.allow(&gone);
    std::fs::remove_dir_all(&gone).unwrap();
    // A project naming flask2: known because it is the one `list` runs in.
    let user = world.path("personal_app");
    world.mkdir(&user);
    std::fs::write(user.join(".venv-name"), "flask2\n").unwrap();

    let out = run_in(&world, &user, &["list"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{text}"))
    };
    assert!(line("flask2").contains("healthy"));
    assert!(line("flask2").contains(user.to_str().unwrap()));
    assert!(line("  old").contains("broken"));
    assert!(!text.contains("not-an-env"));
    assert!(line("client_app").contains("healthy"));
    assert!(line("gone_app").contains("gone"));
    assert!(text.contains("others may name these too"), "{text}");

    let out = run_in(&world, &user, &["list", "--json"], &[]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    let envs = v["central"]["environments"].as_array().unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["flask2", "old"]);
    assert_eq!(envs[0]["healthy"], true);
    assert_eq!(envs[0]["used_by"][0], user.to_str().unwrap());
    assert_eq!(envs[1]["healthy"], false);
    assert!(
        envs[1]["problem"]
            .as_str()
            .unwrap()
            .contains("which is gone")
    );
    let trusted = v["trusted"].as_array().unwrap();
    assert_eq!(trusted.len(), 2);
    let by_project = |p: &Path| {
        trusted
            .iter()
            .find(|t| t["project"] == p.to_str().unwrap())
            .unwrap()
    };
    assert_eq!(by_project(&app)["exists"], true);
    assert_eq!(by_project(&app)["healthy"], true);
    assert_eq!(by_project(&gone)["exists"], false);

    // Run elsewhere, the project naming flask2 is not known.
    let v: Value =
        serde_json::from_slice(&run_in(&world, &world.root, &["list", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(
        v["central"]["environments"][0]["used_by"],
        serde_json::json!([])
    );
}

#[test]
fn list_knows_the_projects_made_with_new_name() {
    let world = World::new();
    let project = world.path("personal_app");
    world.mkdir(&project);
    let py = quick_python(&world);
    let out = run_in(
        &world,
        &project,
        &["new", "--python", py.to_str().unwrap(), "--name", "flask2"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Known from anywhere, not only from inside the project.
    let out = run_in(&world, &world.root, &["list", "--json"], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(
        v["central"]["environments"][0]["used_by"],
        serde_json::json!([project.to_str().unwrap()])
    );
    // Once its .venv-name names something else, it no longer counts.
    std::fs::write(project.join(".venv-name"), "other\n").unwrap();
    let v: Value =
        serde_json::from_slice(&run_in(&world, &world.root, &["list", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(
        v["central"]["environments"][0]["used_by"],
        serde_json::json!([])
    );
}

#[test]
fn list_with_nothing_and_with_an_unknown_central_folder() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["list", "--json"], &[]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(v["central"]["environments"], serde_json::json!([]));
    assert_eq!(v["trusted"], serde_json::json!([]));

    // No HOME and no AUTOVENV_HOME: the central folder is unknown, said so.
    let mut c = Command::new(bin());
    c.env_clear()
        .env("PATH", BASE_PATH)
        .env("AUTOVENV_DATA_DIR", &world.data)
        .current_dir(&world.root)
        .args(["list", "--json"]);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(v["central"]["folder"], Value::Null);
    assert!(
        v["central"]["problem"]
            .as_str()
            .unwrap()
            .contains("AUTOVENV_HOME")
    );
}

#[test]
fn list_fails_when_the_trust_store_cannot_be_read() {
    let world = World::new();
    let not_a_folder = world.tmp.path().join("file");
    std::fs::write(&not_a_folder, "x").unwrap();
    let out = run_in(
        &world,
        &world.root,
        &["list", "--json"],
        &[("AUTOVENV_DATA_DIR", not_a_folder.as_os_str())],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(v["problems"].as_array().unwrap().len(), 1);
    assert_messages_are_lines(&out);
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}
