//! Every tool is wired everywhere it must be. A tool is a crate under
//! `crates/` with a `ci-intel-<tool>` binary; for each one this checks the
//! list in the project's definition of done: its gate is registered in the
//! umbrella's one list, a composite action installs it, a reusable workflow
//! calls that action, it has a docs page and a README row, and the release
//! and reproducibility builds include its binary. A new tool that misses
//! any of these fails here, by name.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// `(crate dir, tool)` for every `ci-intel-<tool>` binary crate.
fn tools() -> Vec<(String, String)> {
    let mut tools = Vec::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("src/main.rs").is_file() {
            continue;
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let name = manifest
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap()
            .to_owned();
        if let Some(tool) = name.strip_prefix("ci-intel-") {
            tools.push((
                dir.file_name().unwrap().to_string_lossy().into_owned(),
                tool.to_owned(),
            ));
        }
    }
    tools.sort();
    assert!(tools.len() >= 4, "found too few tools: {tools:?}");
    tools
}

/// Directories under actions/ whose action installs `tool`.
fn actions_installing(tool: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root().join("actions")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("action.yml")) else {
            continue;
        };
        if text.lines().any(|l| {
            l.contains("scripts/install-tool.sh") && l.trim_end().ends_with(&format!(" {tool}"))
        }) {
            found.push(dir.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    found
}

#[test]
fn every_tool_is_registered_installed_called_documented_and_released() {
    let gates = read("crates/ci-intel/src/gates.rs");
    let readme = read("README.md");
    let repro = read("scripts/repro-build.sh");
    let default_packages = repro
        .lines()
        .find(|l| l.contains("packages=(ci-intel"))
        .expect("scripts/repro-build.sh has a default package list");
    let ci = read(".ci/run");
    let ci_repro = ci
        .lines()
        .find(|l| l.starts_with("scripts/repro-build.sh"))
        .expect(".ci/run runs scripts/repro-build.sh");
    let workflows: Vec<(String, String)> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    let mut problems = Vec::new();
    for (dir, tool) in tools() {
        let binary = format!("ci-intel-{tool}");
        let ident = format!("ci_intel_{}", tool.replace('-', "_"));
        if !gates.contains(&ident) {
            problems.push(format!(
                "{binary}: no gate of crates/{dir} in crates/ci-intel/src/gates.rs"
            ));
        }
        let actions = actions_installing(&tool);
        if actions.is_empty() {
            problems.push(format!(
                "{binary}: no actions/*/action.yml runs `install-tool.sh {tool}`"
            ));
        }
        for action in &actions {
            if !root()
                .join("actions")
                .join(action)
                .join("README.md")
                .is_file()
            {
                problems.push(format!("{binary}: actions/{action}/README.md is missing"));
            }
            let called = workflows.iter().any(|(_, text)| {
                text.contains("workflow_call")
                    && text.contains(&format!("uses: $/actions/{action}\n"))
            });
            if !called {
                problems.push(format!(
                    "{binary}: no reusable workflow (on: workflow_call) uses $/actions/{action}"
                ));
            }
        }
        if !root().join(format!("docs/{tool}.md")).is_file() {
            problems.push(format!("{binary}: docs/{tool}.md is missing"));
        }
        if !readme
            .lines()
            .any(|l| l.starts_with('|') && l.contains(&format!("`{binary}`")))
        {
            problems.push(format!("{binary}: no row in README.md's table"));
        }
        let listed = |line: &str| {
            line.split_whitespace()
                .any(|w| w.trim_matches(['(', ')']) == binary)
        };
        if !listed(default_packages) {
            problems.push(format!(
                "{binary}: not in scripts/repro-build.sh's default packages (the release builds)"
            ));
        }
        if !listed(ci_repro) {
            problems.push(format!("{binary}: not in .ci/run's reproducibility check"));
        }
    }
    assert!(
        problems.is_empty(),
        "incomplete tools:\n  {}",
        problems.join("\n  ")
    );
}
