//! Changes without a cd take effect at the next prompt (docs/behaviour.md).

use super::*;

per_shell!(name_file_created_edited_removed, |sh: Sh| {
    let world = World::new();
    let one = world.venv(&world.central.join("one"), "1.0");
    let two = world.venv(&world.central.join("two"), "2.0");
    let plain = world.path("plain");
    let sub = plain.join("sub/deeper");
    world.mkdir(&sub);
    // In a parent of the current folder: where the search looked.
    let file = sh.quote(plain.join(".venv-name").as_os_str().as_encoded_bytes());
    let mut s = Script::new(sh, &world);
    s.cd(&sub);
    let before = s.snap();
    s.run(format!("printf 'one\\n' > {file}"));
    let created = s.snap();
    // Same length, new content: only the content says it changed.
    s.run(format!("printf 'two\\n' > {file}"));
    let edited = s.snap();
    s.run(format!("command rm {file}"));
    let removed = s.snap();
    let ran = s.execute();
    let prompt = base_prompt(sh);
    ran.snaps[before].assert_inactive(BASE_PATH, &prompt);
    ran.snaps[created].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[edited].assert_active(&two, "two", "2.0", BASE_PATH);
    ran.snaps[removed].assert_inactive(BASE_PATH, &prompt);
});

per_shell!(name_file_in_a_parent_reached_through_a_symlink, |sh: Sh| {
    // The shell is in logical/sub, a symbolic link to elsewhere/sub: the
    // search goes up the path the user typed (logical/), not the physical
    // one (elsewhere/), and so must the questions the prompt asks.
    let world = World::new();
    let one = world.venv(&world.central.join("one"), "1.0");
    world.venv(&world.central.join("two"), "2.0");
    let real = world.path("elsewhere/sub");
    world.mkdir(&real);
    let logical = world.path("logical");
    world.mkdir(&logical);
    std::os::unix::fs::symlink(&real, logical.join("sub")).unwrap();
    let file = |dir: &Path| sh.quote(dir.join(".venv-name").as_os_str().as_encoded_bytes());
    let mut s = Script::new(sh, &world);
    s.cd(&logical.join("sub"));
    let before = s.snap();
    s.run(format!("printf 'one\\n' > {}", file(&logical)));
    let logical_parent = s.snap();
    s.run(format!(
        "printf 'two\\n' > {}",
        file(&world.path("elsewhere"))
    ));
    let physical_parent = s.snap();
    s.run(format!("command rm {}", file(&logical)));
    let removed = s.snap();
    let ran = s.execute();
    let prompt = base_prompt(sh);
    ran.snaps[before].assert_inactive(BASE_PATH, &prompt);
    ran.snaps[logical_parent].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[physical_parent].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[removed].assert_inactive(BASE_PATH, &prompt);
});

per_shell!(
    a_folder_above_swapped_for_a_symlink_then_a_marker,
    |sh: Sh| {
        // The shell sits in w/p/c/d/e. Folder d is moved elsewhere and a
        // symbolic link left in its place, so $PWD still leads to the shell's
        // folder, but its physical parents are now elsewhere. A .venv-name
        // then written in w/p/c (where the search, going up $PWD, looks) takes
        // effect at the next prompt. (A check naming its questions relative to
        // the physical folder, `../../.venv-name`, missed this.)
        let world = World::new();
        let one = world.venv(&world.central.join("one"), "1.0");
        let c = world.path("w/p/c");
        world.mkdir(&c.join("d/e"));
        world.mkdir(&world.path("moved"));
        let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
        let mut s = Script::new(sh, &world);
        s.cd(&c.join("d/e"));
        let before = s.snap();
        s.run(format!(
            "command mv {} {}; command ln -s {} {}",
            q(&c.join("d")),
            q(&world.path("moved/d")),
            q(&world.path("moved/d")),
            q(&c.join("d"))
        ));
        s.run(format!("printf 'one\\n' > {}", q(&c.join(".venv-name"))));
        let marked = s.snap();
        let ran = s.execute();
        ran.snaps[before].assert_inactive(BASE_PATH, &base_prompt(sh));
        ran.snaps[marked].assert_active(&one, "one", "1.0", BASE_PATH);
    }
);

per_shell!(nearer_venv_appearing_takes_over, |sh: Sh| {
    let p = places();
    // Made elsewhere, moved in whole (a rename), as `python -m venv` would
    // leave it.
    let staged = p.world.venv(&p.world.tmp.path().join("staged/venv"), "4.0");
    let src = p.project.join("src");
    let arrived = src.join("venv");
    let bin = util::bin();
    let mut s = Script::new(sh, &p.world);
    s.cd(&src);
    let before = s.snap();
    s.run(format!(
        "command mv {} {}",
        sh.quote(staged.as_os_str().as_encoded_bytes()),
        sh.quote(arrived.as_os_str().as_encoded_bytes())
    ));
    // The nearest marker wins, and it is not trusted yet: nothing active.
    let untrusted = s.snap();
    // Trusted by another process (not this shell's `autovenv` function):
    // the trust record appearing is what the next prompt notices.
    s.run(format!(
        "command {} allow . 2>/dev/null",
        sh.quote(bin.as_os_str().as_encoded_bytes())
    ));
    let trusted = s.snap();
    let ran = s.execute();
    ran.snaps[before].assert_active(
        &p.project.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    ran.snaps[untrusted].assert_inactive(BASE_PATH, &base_prompt(sh));
    ran.snaps[trusted].assert_active(&arrived, "src", "4.0", BASE_PATH);
});

per_shell!(active_venv_removed_deactivates, |sh: Sh| {
    let p = places();
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.deep);
    let before = s.snap();
    s.run(format!(
        "command rm -rf {}",
        sh.quote(p.project.join("venv").as_os_str().as_encoded_bytes())
    ));
    let removed = s.snap();
    let ran = s.execute();
    ran.snaps[before].assert_active(
        &p.project.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    let gone = &ran.snaps[removed];
    assert_eq!(gone.var("VIRTUAL_ENV"), None, "{gone:#?}");
    assert_eq!(gone.path(), BASE_PATH);
    assert_eq!(gone.prompt, base_prompt(sh));
});

per_shell!(typed_allow_and_deny_take_effect, |sh: Sh| {
    let world = World::new();
    let project = world.path("cloned_repo");
    let venv = world.venv(&project.join(".venv"), "3.3");
    world.mkdir(&project.join("pkg"));
    let mut s = Script::new(sh, &world);
    s.cd(&project.join("pkg"));
    let untrusted = s.snap();
    s.run("autovenv allow 2>/dev/null");
    let allowed = s.snap();
    s.run("autovenv deny 2>/dev/null");
    let denied = s.snap();
    let ran = s.execute();
    let prompt = base_prompt(sh);
    ran.snaps[untrusted].assert_inactive(BASE_PATH, &prompt);
    ran.snaps[allowed].assert_active(&venv, "cloned_repo", "3.3", BASE_PATH);
    ran.snaps[denied].assert_inactive(BASE_PATH, &prompt);
});

// At depth 50, after a `cd` down there that started no process (the hook's
// own walk decided it) and after one that ran the binary: a marker
// created, edited and removed halfway up, and the environment deleted, each
// take effect at the next prompt (src/region.rs).
per_shell!(changes_far_above_are_seen_at_depth_50, |sh: Sh| {
    let world = World::new();
    let one = world.venv(&world.central.join("one"), "1.0");
    let two = world.venv(&world.central.join("two"), "2.0");
    let project = world.path("p");
    let venv = world.venv(&project.join("venv"), "3.0");
    world.allow(&project);
    let mut deep = project.clone();
    let mut half = project.clone();
    for i in 1..=50 {
        deep.push(format!("d{i}"));
        if i == 25 {
            half = deep.clone();
        }
    }
    world.mkdir(&deep);
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    let file = q(&half.join(".venv-name"));
    let mut s = Script::new(sh, &world);
    let mut snaps = Vec::new();
    // First by the hook's walk (a cd within the project), then by the
    // binary (a cd from outside straight down).
    for entry in [&project, &world.root] {
        s.cd(entry);
        s.cd(&deep);
        let before = s.snap();
        s.run(format!("printf 'one\\n' > {file}"));
        let created = s.snap();
        s.run(format!("printf 'two\\n' > {file}"));
        let edited = s.snap();
        s.run(format!("command rm {file}"));
        let removed = s.snap();
        snaps.push((before, created, edited, removed));
    }
    s.run(format!("command rm -rf {}", q(&project.join("venv"))));
    let gone = s.snap();
    let ran = s.execute();
    for (before, created, edited, removed) in snaps {
        ran.snaps[before].assert_active(&venv, "p", "3.0", BASE_PATH);
        ran.snaps[created].assert_active(&one, "one", "1.0", BASE_PATH);
        ran.snaps[edited].assert_active(&two, "two", "2.0", BASE_PATH);
        ran.snaps[removed].assert_active(&venv, "p", "3.0", BASE_PATH);
    }
    ran.snaps[gone].assert_inactive(BASE_PATH, &base_prompt(sh));
});

/// A project `p` with an environment of its own (version 3.0), allowed,
/// and a central environment `one` (1.0) for the markers a test writes:
/// (one, p, p's environment).
fn project_and_one(world: &World) -> (PathBuf, PathBuf, PathBuf) {
    let one = world.venv(&world.central.join("one"), "1.0");
    let project = world.path("p");
    let venv = world.venv(&project.join("venv"), "3.0");
    world.allow(&project);
    (one, project, venv)
}

/// Runs `s` and asserts what was active at each of `want` (a snapshot, its
/// folder, and None: nothing active; Some(false): the project's `venv`;
/// Some(true): `one`).
fn assert_where(
    sh: Sh,
    s: &Script,
    want: Vec<(usize, PathBuf, Option<bool>)>,
    one: &Path,
    venv: &Path,
) {
    let ran = s.execute();
    for (snap, dir, active) in want {
        eprintln!("at {}", dir.display());
        match active {
            None => ran.snaps[snap].assert_inactive(BASE_PATH, &base_prompt(sh)),
            Some(false) => ran.snaps[snap].assert_active(venv, "p", "3.0", BASE_PATH),
            Some(true) => ran.snaps[snap].assert_active(one, "one", "1.0", BASE_PATH),
        }
    }
}

/// Dates `dirs` (below `root`) an hour back, as in a project worked in
/// for a while: the hook's walk knows a folder only while it is older than
/// the stamp (made 2 s back), and the tests' folders are seconds old.
fn age_an_hour(root: &Path, dirs: &[&str]) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for dir in dirs {
        let f = std::fs::File::open(root.join(dir)).unwrap();
        f.set_modified(hour_ago).unwrap();
    }
}

// Folders made just before the binary's run (`git clone`, then `cd`) are
// newer than its stamp, dated two seconds back, and were asked their names
// at every prompt until the binary ran again. The hook makes a stamp of its
// own and takes it at a prompt three seconds later, only if no folder
// changed since it was made; a marker written after that is still seen.
per_shell!(new_folders_get_the_hooks_own_stamp, |sh: Sh| {
    let world = World::new();
    let (one, project, venv) = project_and_one(&world);
    let deep = project.join("a/b/c");
    world.mkdir(&deep);
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    let noted = |n: usize| world.path(&format!("stamp-{n}"));
    let note = |s: &mut Script, n: usize| {
        s.run(format!(
            "printf '%s\\n' \"$__autovenv_stamp\" > {}",
            q(&noted(n))
        ));
    };
    let mut s = Script::new(sh, &world);
    s.cd(&project);
    note(&mut s, 0);
    s.cd(&deep);
    // Made here; a file added to a/b before it is three seconds old.
    s.run(":");
    s.run(format!("printf '' > {}", q(&project.join("a/b/notes"))));
    s.run("sleep 3");
    note(&mut s, 1);
    s.run("sleep 3");
    note(&mut s, 2);
    let renewed = s.snap();
    s.run(format!(
        "printf 'one\\n' > {}",
        q(&project.join("a/b/.venv-name"))
    ));
    let created = s.snap();
    s.run(format!("command rm {}", q(&project.join("a/b/.venv-name"))));
    let removed = s.snap();
    s.run(format!("printf 'one\\n' > {}", q(&deep.join(".venv-name"))));
    let deepest = s.snap();
    let ran = s.execute();
    let read = |n: usize| {
        let text = std::fs::read_to_string(noted(n)).unwrap();
        text.trim_end().to_string()
    };
    let binarys = read(0);
    assert!(
        !binarys.is_empty() && !binarys.ends_with("-r1"),
        "{binarys}"
    );
    assert_eq!(
        read(1),
        binarys,
        "a/b changed after the hook's stamp was made"
    );
    assert_eq!(read(2), format!("{binarys}-r1"));
    ran.snaps[renewed].assert_active(&venv, "p", "3.0", BASE_PATH);
    ran.snaps[created].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[removed].assert_active(&venv, "p", "3.0", BASE_PATH);
    ran.snaps[deepest].assert_active(&one, "one", "1.0", BASE_PATH);
});

// Where the hook's stamp cannot be written (a data folder made read-only
// under the shell), the hook says nothing, keeps asking the new folder its
// names, and sees a marker written there.
per_shell!(the_hooks_own_stamp_where_it_cannot_be_written, |sh: Sh| {
    // Runs as `nobody`, whose interpreter must be reachable: the system's.
    let Some(system_python) = util::system_python_for_nobody() else {
        return;
    };
    let world = World::new();
    let make = |dir: &Path, version: &str| {
        util::make_venv_by_hand_with(dir, &system_python);
        util::write_flaskish(dir, version);
        dir.to_path_buf()
    };
    let one = make(&world.central.join("one"), "1.0");
    let project = world.path("p");
    let venv = make(&project.join("venv"), "3.0");
    world.allow(&project);
    world.mkdir(&project.join("a"));
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    let stamps = world.data.join("stamps");
    let mut s = Script::new(sh, &world);
    s.as_nobody(&world);
    s.cd(&project);
    // (Made by the binary just now, as the shell's user.)
    s.run(format!("chmod 555 {}", q(&stamps)));
    s.cd(&project.join("a"));
    s.run(":");
    s.run("sleep 3");
    s.run(":");
    let kept = s.snap();
    s.run(format!(
        "printf 'one\\n' > {}",
        q(&project.join("a/.venv-name"))
    ));
    let created = s.snap();
    s.run(format!("chmod 755 {}", q(&stamps)));
    let ran = s.execute();
    ran.snaps[kept].assert_active(&venv, "p", "3.0", BASE_PATH);
    ran.snaps[created].assert_active(&one, "one", "1.0", BASE_PATH);
    let noise: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.contains("ermission") || l.contains("warning") || l.contains("rror"))
        .collect();
    assert!(noise.is_empty(), "{noise:#?}");
});

// The hook's stamp vouches only for what the hook saw after making it: a
// folder below known from an earlier walk, and the folders above the
// project root the binary found clean, are asked their names again, so
// a marker written in one of them before the stamp was made is seen.
per_shell!(
    the_hooks_own_stamp_vouches_only_for_what_it_saw,
    |sh: Sh| {
        let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
        for above in [true, false] {
            let world = World::new();
            let (one, project, _) = project_and_one(&world);
            world.mkdir(&project.join("a/b"));
            let noted = world.path("stamp");
            let (marker, goal) = if above {
                (world.root.join(".venv-name"), world.root.clone())
            } else {
                (project.join("a/b/.venv-name"), project.join("a/b"))
            };
            let mut s = Script::new(sh, &world);
            s.cd(&project);
            // The marker is written where the search does not look from
            // p/a, a second (bash before 5.1 compares whole seconds)
            // before the prompt that makes the hook's stamp, which the
            // prompt three seconds later takes.
            let write = format!("printf 'one\\n' > {}; sleep 1", q(&marker));
            if above {
                s.run(write);
                s.cd(&project.join("a"));
                s.run(":");
            } else {
                s.cd(&project.join("a/b"));
                s.cd(&project.join("a"));
                s.run(write);
            }
            s.run("sleep 3");
            s.run(format!(
                "printf '%s\\n' \"$__autovenv_stamp\" > {}",
                q(&noted)
            ));
            s.cd(&goal);
            let there = s.snap();
            let ran = s.execute();
            let stamp = std::fs::read_to_string(&noted).unwrap();
            assert!(stamp.trim_end().ends_with("-r1"), "{stamp}");
            eprintln!("marker {}", marker.display());
            ran.snaps[there].assert_active(&one, "one", "1.0", BASE_PATH);
        }
    }
);

// Moving up keeps the folders below known to the hook's walk: a marker
// written in one of them after that is still seen on the way back down.
per_shell!(a_marker_below_is_seen_after_moving_up, |sh: Sh| {
    let world = World::new();
    let (one, project, venv) = project_and_one(&world);
    let deep = project.join("a/b/c");
    world.mkdir(&deep);
    age_an_hour(&project, &["a", "a/b", "a/b/c"]);
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    let mut s = Script::new(sh, &world);
    s.cd(&project);
    s.cd(&deep);
    s.cd(&project);
    s.run(format!(
        "printf 'one\\n' > {}",
        q(&project.join("a/.venv-name"))
    ));
    let above = s.snap();
    s.cd(&deep);
    let down = s.snap();
    s.cd(&project.join("a/b"));
    let middle = s.snap();
    let ran = s.execute();
    ran.snaps[above].assert_active(&venv, "p", "3.0", BASE_PATH);
    ran.snaps[down].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[middle].assert_active(&one, "one", "1.0", BASE_PATH);
});

// In a project whose folders are older than the stamp, as most are, the
// hook's walk takes its quick ways (fish: with no command substitution):
// into a folder right below, back to a known one, up to the top. Each
// still sees a marker where there is one, and a name with a wildcard in
// it is not taken for a pattern.
per_shell!(quick_ways_in_old_folders_still_see_markers, |sh: Sh| {
    let world = World::new();
    let (one, project, venv) = project_and_one(&world);
    for dir in ["a/b/c", "x", "a?", "ab/c"] {
        world.mkdir(&project.join(dir));
    }
    for dir in ["x", "ab"] {
        std::fs::write(project.join(dir).join(".venv-name"), "one\n").unwrap();
    }
    age_an_hour(&project, &["a", "a/b", "a/b/c", "x", "a?", "ab", "ab/c"]);
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    let mut s = Script::new(sh, &world);
    let mut want = Vec::new();
    let mut at = |s: &mut Script, dir: &str, named: bool| {
        s.cd(&project.join(dir));
        want.push((s.snap(), dir.to_string(), named));
    };
    at(&mut s, "", false);
    at(&mut s, "x", true);
    at(&mut s, "", false);
    at(&mut s, "a", false);
    at(&mut s, "a/b", false);
    at(&mut s, "a/b/c", false);
    at(&mut s, "a", false);
    s.run(format!(
        "printf 'one\\n' > {}",
        q(&project.join("a/b/c/.venv-name"))
    ));
    at(&mut s, "a/b/c", true);
    at(&mut s, "", false);
    at(&mut s, "a?", false);
    at(&mut s, "ab/c", true);
    let ran = s.execute();
    for (snap, dir, named) in want {
        eprintln!("at p/{dir}");
        if named {
            ran.snaps[snap].assert_active(&one, "one", "1.0", BASE_PATH);
        } else {
            ran.snaps[snap].assert_active(&venv, "p", "3.0", BASE_PATH);
        }
    }
});

// Leaving a project through folders above its root that are older than
// the stamp, as most are: the hook knows those the binary found clean (to
// the folder beside the project, up to the folder above, further away the
// long way). A marker written in one of them since, and one in a folder it
// never knew, even dated back, are still seen.
per_shell!(
    leaving_through_old_folders_above_still_sees_markers,
    |sh: Sh| {
        let world = World::new();
        let (one, project, venv) = project_and_one(&world);
        let w = world.root.clone();
        let beside = world.path("out");
        let far = world.path("far/away");
        world.mkdir(&beside);
        world.mkdir(&far);
        age_an_hour(&w, &["", "out", "far", "far/away"]);
        let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
        let mut s = Script::new(sh, &world);
        let mut want = Vec::new();
        let mut at = |s: &mut Script, dir: &Path, active: Option<bool>| {
            s.cd(dir);
            want.push((s.snap(), dir.to_path_buf(), active));
        };
        at(&mut s, &project, Some(false));
        at(&mut s, &beside, None);
        at(&mut s, &project, Some(false));
        at(&mut s, &w, None);
        at(&mut s, &project, Some(false));
        at(&mut s, &far, None);
        at(&mut s, &project, Some(false));
        s.run(format!("printf 'one\\n' > {}", q(&w.join(".venv-name"))));
        at(&mut s, &beside, Some(true));
        at(&mut s, &project, Some(false));
        at(&mut s, &w, Some(true));
        s.run(format!("command rm {}", q(&w.join(".venv-name"))));
        at(&mut s, &project, Some(false));
        at(&mut s, &beside, None);
        at(&mut s, &project, Some(false));
        // A marker in the folder beside, which the hook never knew, with its
        // folder dated back as if nothing had changed there.
        s.run(format!(
            "printf 'one\\n' > {} && command touch -d '1 hour ago' {}",
            q(&beside.join(".venv-name")),
            q(&beside)
        ));
        at(&mut s, &beside, Some(true));
        assert_where(sh, &s, want, &one, &venv);
    }
);

// Leaving for a folder right below one further up than the project's
// parent (`cd ~/Downloads` from ~/code/app): fish takes that way with no
// command substitution too. The folder itself is asked its names (a marker
// there, its folder dated back, is seen), and one above it by its `-ot`.
per_shell!(
    leaving_for_a_folder_beside_the_projects_parent_sees_markers,
    |sh: Sh| {
        let world = World::new();
        let one = world.venv(&world.central.join("one"), "1.0");
        let project = world.path("code/p");
        let venv = world.venv(&project.join("venv"), "3.0");
        world.allow(&project);
        let w = world.root.clone();
        let dl = world.path("dl");
        world.mkdir(&dl);
        age_an_hour(&w, &["", "code", "code/p", "dl"]);
        let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
        let mut s = Script::new(sh, &world);
        let mut want = Vec::new();
        let mut at = |s: &mut Script, dir: &Path, active: Option<bool>| {
            s.cd(dir);
            want.push((s.snap(), dir.to_path_buf(), active));
        };
        at(&mut s, &project, Some(false));
        at(&mut s, &dl, None);
        at(&mut s, &project, Some(false));
        s.run(format!(
            "printf 'one\\n' > {} && command touch -d '1 hour ago' {}",
            q(&dl.join(".venv-name")),
            q(&dl)
        ));
        at(&mut s, &dl, Some(true));
        s.run(format!("command rm {}", q(&dl.join(".venv-name"))));
        at(&mut s, &project, Some(false));
        s.run(format!("printf 'one\\n' > {}", q(&w.join(".venv-name"))));
        at(&mut s, &dl, Some(true));
        s.run(format!("command rm {}", q(&w.join(".venv-name"))));
        at(&mut s, &project, Some(false));
        at(&mut s, &dl, None);
        assert_where(sh, &s, want, &one, &venv);
    }
);

// Where no stamp can be made (a file stands where the stamps folder
// would be), the hook asks every folder its names itself: moving within a
// project and leaving still give the right environment, and a marker
// written above is still seen at the next prompt.
per_shell!(without_a_stamp_every_question_is_asked, |sh: Sh| {
    let world = World::new();
    let (one, project, venv) = project_and_one(&world);
    std::fs::write(world.data.join("stamps"), "not a folder").unwrap();
    let deep = project.join("a/b/c");
    world.mkdir(&deep);
    let outside = world.path("elsewhere");
    world.mkdir(&outside);
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    let mut s = Script::new(sh, &world);
    s.cd(&project);
    s.cd(&deep);
    let down = s.snap();
    s.run(format!(
        "printf 'one\\n' > {}",
        q(&project.join("a/.venv-name"))
    ));
    let marked = s.snap();
    s.run(format!("command rm {}", q(&project.join("a/.venv-name"))));
    s.cd(&outside);
    let left = s.snap();
    let ran = s.execute();
    ran.snaps[down].assert_active(&venv, "p", "3.0", BASE_PATH);
    ran.snaps[marked].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[left].assert_inactive(BASE_PATH, &base_prompt(sh));
    assert!(
        world.data.join("stamps").is_file(),
        "the file in the way is left as it was"
    );
});
