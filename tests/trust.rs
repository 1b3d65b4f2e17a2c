//! Trust: nothing that arrived with a directory runs until the user says so.

use std::path::{Path, PathBuf};

use crate::util::{self, BASE_PATH, Script, Sh, World, base_prompt};

/// A "cloned repository" whose venv would leave a file behind if anything in
/// it ran: `venv/bin/ls`, and lines appended to its activate scripts.
fn cloned_repo(world: &World) -> (PathBuf, PathBuf) {
    let repo = world.path("cloned-repo");
    let venv = world.venv(&repo.join("venv"), "6.6.6");
    let marker = world.root.join("PWNED_by_repo");
    let evil = format!("touch '{}'\n", marker.display());
    let ls = venv.join("bin/ls");
    std::fs::write(&ls, format!("#!/bin/sh\n{evil}")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ls, std::fs::Permissions::from_mode(0o755)).unwrap();
    for script in ["activate", "activate.fish"] {
        let path = venv.join("bin").join(script);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&evil);
        std::fs::write(&path, text).unwrap();
    }
    (repo, marker)
}

per_shell!(cloned_repository_runs_nothing_until_allowed, |sh: Sh| {
    let world = World::new();
    let (repo, marker) = cloned_repo(&world);
    let mut s = Script::new(sh, &world);
    s.cd(&repo);
    s.run("ls > /dev/null");
    let untrusted = s.snap();
    s.cd(&repo.join("venv"));
    s.cd(&world.root);
    s.cd(&repo);
    let again = s.snap();
    s.run("autovenv allow");
    let allowed = s.snap();
    s.run("autovenv deny");
    let denied = s.snap();
    let ran = s.execute();
    let prompt = base_prompt(sh);

    ran.snaps[untrusted].assert_inactive(BASE_PATH, &prompt);
    ran.snaps[again].assert_inactive(BASE_PATH, &prompt);
    let warnings: Vec<&str> = ran
        .messages()
        .into_iter()
        .filter(|m| m.contains("not trusted"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning, the first time: {:#?}",
        ran.messages()
    );
    assert!(
        warnings[0].ends_with(&format!(
            "to activate it, run: autovenv allow {}",
            repo.display()
        )),
        "{}",
        warnings[0]
    );
    ran.snaps[allowed].assert_active(&repo.join("venv"), "cloned-repo", "6.6.6", BASE_PATH);
    ran.snaps[denied].assert_inactive(BASE_PATH, &prompt);
    // Not even with the environment active did anything of the repo's run.
    assert!(!marker.exists(), "something in the repository ran");
});

per_shell!(
    central_environment_named_by_file_activates_without_allow,
    |sh: Sh| {
        let world = World::new();
        let central = world.venv(&world.central.join("flask2"), "2.0.3");
        let proj = world.path("uses-central");
        world.mkdir(&proj.join("sub"));
        std::fs::write(proj.join(".venv-name"), "flask2\n").unwrap();
        let mut s = Script::new(sh, &world);
        s.cd(&proj.join("sub"));
        let inside = s.snap();
        // Editing the name switches at the next prompt, without a cd.
        world.venv(&world.central.join("flask1"), "1.1.4");
        s.run(format!(
            "printf 'flask1\\n' > {}",
            sh.quote(proj.join(".venv-name").as_os_str().as_encoded_bytes())
        ));
        let edited = s.snap();
        let ran = s.execute();
        ran.snaps[inside].assert_active(&central, "flask2", "2.0.3", BASE_PATH);
        ran.snaps[edited].assert_active(
            &world.central.join("flask1"),
            "flask1",
            "1.1.4",
            BASE_PATH,
        );
    }
);

per_bash!(
    refused_name_files_say_so_once_and_activate_nothing,
    |sh: Sh| {
        let world = World::new();
        world.venv(&world.central.join("x"), "1.0");
        // A venv beside each name file: refusing the marker must not fall back
        // to it.
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("dotdot", b"../x\n".to_vec()),
            ("absolute", b"/etc\n".to_vec()),
            ("empty", b"\n\n".to_vec()),
            ("binary", vec![0, 1, 2, 0xff, 0xfe, b'\n']),
            ("huge", vec![b'a'; 1 << 20]),
        ];
        let mut s = Script::new(sh, &world);
        let mut snaps = Vec::new();
        for (name, content) in &cases {
            let dir = world.path(name);
            world.venv(&dir.join("venv"), "9.9.9");
            world.allow(&dir);
            std::fs::write(dir.join(".venv-name"), content).unwrap();
            s.cd(&dir);
            s.run("true");
            s.run("true");
            snaps.push(s.snap());
            s.cd(&world.root);
        }
        let ran = s.execute();
        for snap in &snaps {
            ran.snaps[*snap].assert_inactive(BASE_PATH, &base_prompt(sh));
        }
        let refused: Vec<&str> = ran
            .messages()
            .into_iter()
            .filter(|m| m.contains(".venv-name"))
            .collect();
        assert_eq!(
            refused.len(),
            cases.len(),
            "one message per bad file: {refused:#?}"
        );
        for (m, (name, _)) in refused.iter().zip(&cases) {
            assert!(m.contains(&format!("/{name}/.venv-name")), "{m}");
        }
    }
);

#[test]
fn allowing_at_once_from_many_processes_loses_nothing() {
    let world = World::new();
    let projects: Vec<PathBuf> = (0..24)
        .map(|i| {
            let p = world.path(&format!("p{i}"));
            util::make_venv_by_hand(&p.join("venv"));
            p
        })
        .collect();
    let children: Vec<_> = projects
        .iter()
        .map(|p| world.autovenv().arg("allow").arg(p).spawn().unwrap())
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    for p in &projects {
        let out = world
            .autovenv()
            .args(["status", "--json"])
            .arg(p)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["trust"]["trusted"], true, "{}", p.display());
    }
}

per_bash!(
    damaged_store_is_reported_once_and_counts_as_untrusted,
    |sh: Sh| {
        let world = World::new();
        let p = world.path("p");
        world.venv(&p.join("venv"), "1.0");
        world.allow(&p);
        // Damage every record.
        for e in std::fs::read_dir(world.data.join("trust")).unwrap() {
            std::fs::write(e.unwrap().path(), b"\0garbage").unwrap();
        }
        let mut s = Script::new(sh, &world);
        s.cd(&p);
        s.run("true");
        s.run("true");
        let snap = s.snap();
        let ran = s.execute();
        ran.snaps[snap].assert_inactive(BASE_PATH, &base_prompt(sh));
        let damaged: Vec<&str> = ran
            .messages()
            .into_iter()
            .filter(|m| m.contains("damaged"))
            .collect();
        assert_eq!(damaged.len(), 1, "{:#?}", ran.messages());
    }
);

per_bash!(trust_all_switches_the_check_off, |sh: Sh| {
    let world = World::new();
    let (repo, marker) = cloned_repo(&world);
    let mut s = Script::new(sh, &world).env("AUTOVENV_TRUST", "all");
    s.cd(&repo);
    let snap = s.snap();
    let ran = s.execute();
    ran.snaps[snap].assert_active(&repo.join("venv"), "cloned-repo", "6.6.6", BASE_PATH);
    assert!(!marker.exists());
});

#[test]
fn allow_recursive_allows_every_project_below() {
    let world = World::new();
    let top = world.path("src");
    let a = top.join("a");
    let b = top.join("group/b");
    util::make_venv_by_hand(&a.join("venv"));
    util::make_venv_by_hand(&b.join(".venv"));
    world.mkdir(&top.join("not-a-project/venv")); // no pyvenv.cfg
    let out = world
        .autovenv()
        .args(["allow", "--recursive"])
        .arg(&top)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("allowed {}", a.join("venv").display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("allowed {}", b.join(".venv").display())),
        "{err}"
    );
    assert!(err.contains("allowed 2 environment(s)"), "{err}");
    for p in [&a, &b] {
        assert!(trusted(&world, p));
    }
    assert!(!trusted(&world, &top.join("not-a-project")));
}

fn trusted(world: &World, p: &Path) -> bool {
    let out = world
        .autovenv()
        .args(["status", "--json"])
        .arg(p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["trust"]["trusted"] == true
}
