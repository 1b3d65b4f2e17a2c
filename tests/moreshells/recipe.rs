//! docs/recipes.md: the `export json` recipe for shells without a hook of
//! their own, run as written (docs/examples/apply-export-json.py).

use std::collections::BTreeMap;
use std::process::Command;

use crate::util::{self, BASE_PATH, World};

fn recipe() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/apply-export-json.py")
}

/// Runs the recipe for `dir` with `env`, returning the environment it ends with.
fn apply(env: &BTreeMap<String, String>, dir: &std::path::Path) -> BTreeMap<String, String> {
    // The interpreter itself: pyenv's shim would put its own folders on PATH.
    let python = util::real_python();
    // -E: the PYTHONHOME the test sets is not for the recipe's own Python.
    let out = Command::new(python)
        .arg("-E")
        .arg(recipe())
        .arg(dir)
        .env_clear()
        .envs(env)
        .env("AUTOVENV", util::bin())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: BTreeMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
    got.remove("AUTOVENV");
    got
}

#[test]
fn export_json_recipe_activates_and_restores() {
    let world = World::new();
    let client = world.path("client_flask_app");
    let personal = world.path("personal_app");
    world.venv(&client.join("venv"), "1.1.4");
    world.venv(&personal.join("venv"), "2.0.3");
    world.allow(&client);
    world.allow(&personal);
    let mut start: BTreeMap<String, String> = world
        .env()
        .into_iter()
        .map(|(k, v)| (k.into_string().unwrap(), v.into_string().unwrap()))
        .collect();
    start.insert("PYTHONHOME".into(), "/opt/py".into());

    let inside = apply(&start, &client);
    let venv = client.join("venv").display().to_string();
    assert_eq!(inside["VIRTUAL_ENV"], venv);
    assert_eq!(inside["PATH"], format!("{venv}/bin:{BASE_PATH}"));
    assert!(!inside.contains_key("PYTHONHOME"));

    // The right python, run in the environment the recipe made.
    let python = Command::new(format!("{venv}/bin/python"))
        .args(["-c", "import flaskish; print(flaskish.VERSION)"])
        .env_clear()
        .envs(&inside)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&python.stdout).trim(), "1.1.4");

    let switched = apply(&inside, &personal);
    let other = personal.join("venv").display().to_string();
    assert_eq!(switched["VIRTUAL_ENV"], other);
    assert_eq!(switched["PATH"], format!("{other}/bin:{BASE_PATH}"));

    let mut edited = switched.clone();
    edited.insert("PATH".into(), format!("/mine:{}", switched["PATH"]));
    let left = apply(&edited, &world.root);
    assert_eq!(left["PATH"], format!("/mine:{BASE_PATH}"), "byte for byte");
    assert_eq!(left["PYTHONHOME"], "/opt/py");
    assert!(!left.contains_key("VIRTUAL_ENV"));
    assert!(!left.contains_key("__AUTOVENV_STATE"));
    let mut expected = start.clone();
    expected.insert("PATH".into(), format!("/mine:{BASE_PATH}"));
    expected.insert("PWD".into(), world.root.display().to_string());
    assert_eq!(left, expected, "nothing else is left behind");
}
