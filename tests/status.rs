//! `autovenv status` and `export json`: what they say, checked against the
//! schemas documented in docs/json.md.

use std::path::Path;

use serde_json::Value;

use crate::util::schema::validate;
use crate::util::{self, World};

fn status(world: &World, dir: &Path, extra_env: &[(&str, &str)]) -> Value {
    let mut c = world.autovenv();
    c.args(["status", "--json"]).arg(dir);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "status");
    v
}

#[test]
fn status_json_in_every_situation_matches_the_documented_schema() {
    let world = World::new();
    let ready = world.path("ready");
    util::make_venv_by_hand(&ready.join("venv"));
    world.allow(&ready);
    let untrusted = world.path("untrusted");
    util::make_venv_by_hand(&untrusted.join(".venv"));
    let central = world.path("central-user");
    util::make_venv_by_hand(&world.central.join("flask2"));
    world.mkdir(&central);
    std::fs::write(central.join(".venv-name"), "flask2\n").unwrap();
    let refused = world.path("refused");
    world.mkdir(&refused);
    std::fs::write(refused.join(".venv-name"), "../etc\n").unwrap();
    let nothing = world.path("nothing");
    world.mkdir(&nothing);

    let v = status(&world, &ready, &[]);
    assert_eq!(v["reason"], "ready");
    assert_eq!(v["action"], "activate");
    assert_eq!(v["project"]["marker"], "venv-dir");
    assert_eq!(v["project"]["root"], ready.to_str().unwrap());
    assert_eq!(v["environment"]["prompt"], "ready");
    assert_eq!(v["environment"]["healthy"], true);
    assert_eq!(v["trust"]["how"], "allowed");

    let v = status(&world, &untrusted, &[]);
    assert_eq!(v["reason"], "untrusted");
    assert_eq!(v["action"], "none");
    assert_eq!(v["trust"]["trusted"], false);
    assert_eq!(
        v["trust"]["allow_command"],
        format!("autovenv allow {}", untrusted.display())
    );

    let v = status(&world, &central, &[]);
    assert_eq!(v["project"]["marker"], "name-file");
    assert_eq!(v["project"]["name"], "flask2");
    assert_eq!(v["trust"]["how"], "central");
    assert_eq!(
        v["environment"]["path"],
        world.central.join("flask2").to_str().unwrap()
    );

    let v = status(&world, &refused, &[]);
    assert_eq!(v["reason"], "unusable");
    assert_eq!(v["environment"], Value::Null);
    assert!(v["problems"][0].as_str().unwrap().contains("refused"));

    let v = status(&world, &nothing, &[]);
    assert_eq!(v["reason"], "no-project");
    assert_eq!(v["project"], Value::Null);
    assert_eq!(v["trust"], Value::Null);

    let v = status(&world, &nothing, &[("AUTOVENV_TRUST", "all")]);
    assert_eq!(v["action"], "none");
    let v = status(&world, &untrusted, &[("AUTOVENV_TRUST", "all")]);
    assert_eq!(v["trust"]["how"], "trust-all");

    // Something activated by hand is reported and left alone.
    let hand = world.path("hand/env");
    util::make_venv_by_hand(&hand);
    let v = status(&world, &ready, &[("VIRTUAL_ENV", hand.to_str().unwrap())]);
    assert_eq!(v["shell"]["activated_by"], "outside");
    assert_eq!(v["shell"]["active"], hand.to_str().unwrap());
    assert_eq!(v["action"], "none");
}

#[test]
fn status_text_says_what_and_why() {
    let world = World::new();
    let untrusted = world.path("cloned");
    util::make_venv_by_hand(&untrusted.join("venv"));
    let out = world
        .autovenv()
        .arg("status")
        .arg(&untrusted)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "project:     {} (decided by the folder venv)",
            untrusted.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "no, untrusted; to activate it, run: autovenv allow {}",
            untrusted.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("this shell:  no environment active"),
        "{text}"
    );
    assert!(
        text.contains("the hook:    nothing until the environment is allowed"),
        "{text}"
    );

    let missing = world
        .autovenv()
        .args(["status", "/nonexistent/dir"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr),
        "autovenv: /nonexistent/dir is not a folder\n"
    );
}

#[test]
fn export_json_matches_the_documented_schema() {
    let world = World::new();
    let a = world.path("a");
    let b = world.path("b");
    for p in [&a, &b] {
        util::make_venv_by_hand(&p.join("venv"));
        world.allow(p);
    }
    let export = |dir: &Path, env: &[(String, String)]| -> Value {
        let mut c = world.autovenv();
        c.args(["export", "json"]).current_dir(dir).env("PWD", dir);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        validate(&v, "export");
        v
    };
    let on = export(&a, &[]);
    assert_eq!(on["changed"], true);
    assert_eq!(on["set"]["VIRTUAL_ENV"], a.join("venv").to_str().unwrap());
    assert_eq!(
        on["set"]["PATH"],
        format!("{}:{}", a.join("venv/bin").display(), util::BASE_PATH)
    );
    // Carry the result into the next call, as a tool would.
    let carried: Vec<(String, String)> = on["set"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let same = export(&a, &carried);
    assert_eq!(same["changed"], false);
    let switch = export(&b, &carried);
    assert_eq!(
        switch["set"]["VIRTUAL_ENV"],
        b.join("venv").to_str().unwrap()
    );
    assert_eq!(
        switch["set"]["PATH"],
        format!("{}:{}", b.join("venv/bin").display(), util::BASE_PATH)
    );
    let out = export(&world.root, &carried);
    assert_eq!(out["set"]["PATH"], util::BASE_PATH);
    let unset: Vec<&str> = out["unset"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        unset,
        ["VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "__AUTOVENV_STATE"]
    );
}
