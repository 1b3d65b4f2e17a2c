//! A command line that leaves and comes back (a jump function that returns,
//! `pushd x; make; popd`) changes nothing seen from the prompt: the switch
//! into the project happens at once (what runs there gets its Python), at
//! most one process runs, and coming back undoes it with none and says
//! nothing. In zsh and fish a function's `cd`s run the hook; in bash they
//! do not (the DEBUG trap stays out of functions), so there the line typed
//! at the prompt is the case.

use super::*;

/// A function that goes to `$1`, and back to `$2`.
fn jump_function(sh: Sh) -> &'static str {
    match sh {
        Sh::Fish => {
            "function jump; cd $argv[1]; python -c 'import flaskish; print(flaskish.VERSION)' > $argv[3]; cd $argv[2]; end"
        }
        _ => {
            "jump() { cd \"$1\"; python -c 'import flaskish; print(flaskish.VERSION)' > \"$3\"; cd \"$2\"; }"
        }
    }
}

/// The line that goes to `to`, runs python there and comes back to `back`:
/// a call of the jump function, or in bash the same typed out.
fn jump(sh: Sh, to: &Path, back: &Path, seen: &Path) -> String {
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    match sh {
        Sh::Bash => format!(
            "cd {}; python -c 'import flaskish; print(flaskish.VERSION)' > {}; cd {}",
            q(to),
            q(seen),
            q(back)
        ),
        _ => format!("jump {} {} {}", q(to), q(back), q(seen)),
    }
}

per_shell!(a_jump_there_and_back_costs_one_process, |sh: Sh| {
    let p = places();
    let seen = p.world.root.join("seen");
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    t.run(jump_function(sh));
    t.cd(&p.outside).idle();
    t.mark("before");
    t.run(jump(sh, &p.project, &p.outside, &seen));
    t.mark("after");
    for _ in 0..3 {
        t.idle();
    }
    t.mark("idle");
    let Some(trace) = t.execute() else { return };
    let w = trace.between("before", "after");
    assert_eq!(
        w.autovenv_execs(),
        1,
        "one process for the way in, none back: {w:#?}"
    );
    let idle = trace.between("after", "idle");
    assert_eq!(idle.autovenv_execs(), 0, "the prompts after: {idle:#?}");
    // The project's Python ran inside the function.
    assert_eq!(std::fs::read_to_string(&seen).unwrap().trim(), "1.1.4");
});

per_shell!(a_jump_there_and_back_leaves_no_trace, |sh: Sh| {
    let p = places();
    let seen = p.world.root.join("seen");
    let mut s = Script::new(sh, &p.world);
    s.run(jump_function(sh));
    s.cd(&p.outside);
    s.run(jump(sh, &p.project, &p.outside, &seen));
    let after = s.snap();
    // One line that ends somewhere else is announced at the prompt.
    s.run(format!("{}; {}", sh.cd(&p.project), sh.cd(&p.sibling)));
    let moved = s.snap();
    let ran = s.execute();
    ran.snaps[after].assert_inactive(BASE_PATH, &base_prompt(sh));
    assert_eq!(std::fs::read_to_string(&seen).unwrap().trim(), "1.1.4");
    ran.snaps[moved].assert_active(&p.sibling.join(".venv"), "personal_app", "2.0.3", BASE_PATH);
    let messages = ran.messages();
    // Nothing about the jump; the line that moved says what it did.
    assert_eq!(
        messages,
        [
            "autovenv: activated client_flask_app (Python 3.11.7)",
            "autovenv: deactivated client_flask_app",
            "autovenv: activated personal_app (Python 3.11.7)",
        ],
        "{messages:#?}"
    );
});

/// A line typed inside a project that leaves every project and comes back
/// (`cd ..; make; cd -`): what ran outside had no environment, leaving
/// used the statements the binary kept ready and coming back undid them,
/// so no process runs and nothing is said (src/region.rs).
fn out_and_back(sh: Sh, out: &Path, back: &Path, seen: &Path) -> String {
    let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
    let value = match sh {
        Sh::Fish => "\"$VIRTUAL_ENV\"",
        _ => "\"${VIRTUAL_ENV-}\"",
    };
    format!(
        "cd {}; printf '[%s]' {value} > {}; cd {}",
        q(out),
        q(seen),
        q(back)
    )
}

per_shell!(a_jump_out_and_back_costs_nothing, |sh: Sh| {
    let p = places();
    let seen = p.world.root.join("seen");
    let home = p.project.join("src");
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    t.cd(&home).idle();
    t.mark("before");
    t.run(out_and_back(sh, &p.outside, &home, &seen));
    t.idle();
    t.mark("after");
    let Some(trace) = t.execute() else { return };
    let w = trace.between("before", "after");
    assert!(w.execs.is_empty() && w.spawns.is_empty(), "{w:#?}");
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "[]");

    let mut s = Script::new(sh, &p.world);
    s.cd(&home);
    s.run(out_and_back(sh, &p.outside, &home, &seen));
    let after = s.snap();
    let ran = s.execute();
    ran.snaps[after].assert_active(
        &p.project.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "[]");
    assert_eq!(
        ran.messages(),
        ["autovenv: activated client_flask_app (Python 3.11.7)"],
        "nothing about the way out and back"
    );
});
