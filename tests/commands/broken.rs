//! Broken environments (base interpreter gone) are reported, never
//! activated.

use super::*;

#[test]
fn status_reports_a_broken_environment_instead_of_activating_it() {
    let world = World::new();
    let project = world.path("old_app");
    broken_venv(&world, &project.join("venv"));
    world.allow(&project);
    let out = run_in(&world, &project, &["status"], &[]);
    let text = stdout(&out);
    assert!(text.contains("broken"), "{text}");
    assert!(
        text.contains("the hook:    nothing: the environment cannot be used"),
        "{text}"
    );
    // The interpreter that was removed is named, not the link to it.
    assert!(text.contains("/base-venv/python3, which is gone"), "{text}");
    let v: Value =
        serde_json::from_slice(&run_in(&world, &project, &["status", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(v["reason"], "unusable");
    assert_eq!(v["environment"]["healthy"], false);
    assert_eq!(v["action"], "none");
}

per_shell!(a_broken_environment_is_reported_not_activated, |sh: Sh| {
    let world = World::new();
    let project = world.path("old_app");
    broken_venv(&world, &project.join("venv"));
    world.allow(&project);
    let mut s = Script::new(sh, &world);
    s.cd(&project);
    let inside = s.snap();
    s.cd(&project.join("venv"));
    let ran = s.execute();
    ran.snaps[inside].assert_inactive(BASE_PATH, &base_prompt(sh));
    let broken: Vec<&str> = ran
        .messages()
        .into_iter()
        .filter(|m| m.contains("is broken"))
        .collect();
    assert_eq!(
        broken.len(),
        1,
        "said once, not on every prompt: {:#?}",
        ran.messages()
    );
    assert!(broken[0].contains("recreate it"), "{}", broken[0]);
});
