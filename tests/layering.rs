//! The crates' layering, from `cargo metadata`: core depends on no other Peerline crate; the
//! bot (conversations, channels) and the scheduler depend on core and never on each other;
//! only the binary (and the bench) puts them together. A dependency that breaks this fails
//! here, before it becomes a cycle in the design.

use std::{collections::BTreeMap, process::Command};

fn workspace_deps() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let ours: Vec<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                // Normal and build dependencies; tests may use anything.
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .filter_map(|d| d["name"].as_str())
                .filter(|n| ours.iter().any(|o| o == n))
                .map(str::to_owned)
                .collect();
            (p["name"].as_str().unwrap_or_default().to_owned(), deps)
        })
        .collect()
}

#[test]
fn core_stands_alone_and_the_bot_and_scheduler_depend_only_on_core() {
    let deps = workspace_deps();
    let allowed: &[(&str, &[&str])] = &[
        ("peerline-core", &[]),
        ("peerline-bot", &["peerline-core"]),
        ("peerline-scheduler", &["peerline-core"]),
    ];
    for (krate, may) in allowed {
        let actual = deps
            .get(*krate)
            .unwrap_or_else(|| panic!("{krate} is in the workspace: {deps:?}"));
        for d in actual {
            assert!(
                may.contains(&d.as_str()),
                "{krate} must not depend on {d} (allowed: {may:?})"
            );
        }
    }
}
