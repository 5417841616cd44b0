//! `ci-intel init`: onboard a repository in one command.
//!
//! Writes the caller workflow (the hub pinned as `@<sha> # vX.Y.Z`), a starter
//! `.ci-intel/config.yml` and a Renovate config extending the hub's preset.
//! Every file is planned before anything is written, so a refusal leaves the
//! repository untouched; running twice changes nothing; a user's different
//! file is never overwritten without `--force`.

use std::path::{Path, PathBuf};

use ci_intel_core::Failure;
use serde_json::Value;

use crate::refs;

const WORKFLOW_TEMPLATE: &str = include_str!("../../../templates/workflows/ci-intel.yml");
const CONFIG_TEMPLATE: &str = include_str!("../../../templates/config.yml");
const RENOVATE_TEMPLATE: &str = include_str!("../../../templates/renovate/renovate.json");

pub const WORKFLOW_PATH: &str = ".github/workflows/ci-intel.yml";
pub const CONFIG_PATH: &str = ".ci-intel/config.yml";

/// Where Renovate looks for its config, in its own order of precedence.
const RENOVATE_CONFIGS: [&str; 8] = [
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
];

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub hub: String,
    pub version: String,
    pub sha: String,
    pub branch: String,
    pub force: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Unchanged,
    Overwritten,
    /// An existing Renovate config got the hub preset added to `extends`.
    Extended,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Unchanged => "unchanged",
            Outcome::Overwritten => "overwritten",
            Outcome::Extended => "extended",
        }
    }
}

struct Planned {
    path: String,
    content: String,
    outcome: Outcome,
}

/// Validate the options and onboard `dir`.
pub fn init(options: &InitOptions) -> Result<Vec<(String, Outcome)>, Failure> {
    let sha = validate_pin(options)?;
    if !options.dir.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a directory: pass the repository to onboard",
            options.dir.display()
        )));
    }
    let fill = |template: &str| {
        template
            .replace("__HUB__", &options.hub)
            .replace("__SHA__", &sha)
            .replace("__VERSION__", &options.version)
            .replace("__BRANCH__", &options.branch)
    };
    let mut plan = vec![
        plan_file(
            &options.dir,
            WORKFLOW_PATH,
            fill(WORKFLOW_TEMPLATE),
            options.force,
        )?,
        plan_file(
            &options.dir,
            CONFIG_PATH,
            fill(CONFIG_TEMPLATE),
            options.force,
        )?,
    ];
    plan.push(plan_renovate(options, &fill(RENOVATE_TEMPLATE))?);
    for item in &plan {
        if item.outcome == Outcome::Unchanged {
            continue;
        }
        let path = options.dir.join(&item.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::infra(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, &item.content)
            .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(plan.into_iter().map(|p| (p.path, p.outcome)).collect())
}

/// The pin must be a full commit SHA and the version a release version.
fn validate_pin(options: &InitOptions) -> Result<String, Failure> {
    let hub_ok = options
        .hub
        .split_once('/')
        .is_some_and(|(o, r)| valid_name(o) && valid_name(r));
    if !hub_ok {
        return Err(Failure::usage(format!(
            "--hub `{}` is not OWNER/REPO (e.g. acme/ci-intel)",
            options.hub
        )));
    }
    if !refs::is_version(&options.version) {
        return Err(Failure::usage(format!(
            "--version `{}` is not a release version like v1.4.0; Renovate reads it from the `# vX.Y.Z` comment",
            options.version
        )));
    }
    let sha = options.sha.trim();
    if refs::is_full_sha(sha) {
        return Ok(sha.to_ascii_lowercase());
    }
    let how = format!(
        "find it with `git ls-remote https://github.com/{} refs/tags/{}` (use the peeled `^{{}}` line for annotated tags)",
        options.hub, options.version
    );
    if !sha.is_empty() && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Failure::usage(format!(
            "--sha `{sha}` is a short SHA ({} characters): a pin must be the full 40-character commit SHA; {how}",
            sha.len()
        )));
    }
    Err(Failure::usage(format!(
        "--sha `{sha}` looks like a branch or tag name, which can move: pin to the full 40-character commit SHA of {}; {how}",
        options.version
    )))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn plan_file(dir: &Path, relative: &str, content: String, force: bool) -> Result<Planned, Failure> {
    let path = dir.join(relative);
    let outcome = match std::fs::read_to_string(&path) {
        Ok(existing) if existing == content => Outcome::Unchanged,
        Ok(_) if force => Outcome::Overwritten,
        Ok(_) => {
            return Err(Failure::usage(format!(
                "{relative} already exists with different content; nothing was written. Review it, then run again with --force to replace it"
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Created,
        Err(e) => {
            return Err(Failure::infra(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    Ok(Planned {
        path: relative.to_owned(),
        content,
        outcome,
    })
}

fn plan_renovate(options: &InitOptions, fresh: &str) -> Result<Planned, Failure> {
    let preset = format!(
        "github>{}//templates/renovate/default.json5#{}",
        options.hub, options.version
    );
    let preset_stem = format!("github>{}//templates/renovate/default.json5", options.hub);
    let existing = RENOVATE_CONFIGS
        .iter()
        .map(|name| (*name, options.dir.join(name)))
        .find(|(_, path)| path.is_file());
    let Some((name, path)) = existing else {
        return Ok(Planned {
            path: "renovate.json".to_owned(),
            content: fresh.to_owned(),
            outcome: Outcome::Created,
        });
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failure::infra(format!("cannot read {}: {e}", path.display())))?;
    if text.contains(&preset_stem) {
        // Already extends the hub preset (Renovate keeps its version current).
        return Ok(Planned {
            path: name.to_owned(),
            content: text,
            outcome: Outcome::Unchanged,
        });
    }
    let instruction = format!("add \"{preset}\" to its \"extends\"");
    if !options.force {
        return Err(Failure::usage(format!(
            "{name} already exists and does not extend the ci-intel preset; nothing was written. Either {instruction}, or run again with --force to let init add it"
        )));
    }
    if name.ends_with(".json5")
        || name == ".renovaterc" && serde_json::from_str::<Value>(&text).is_err()
    {
        return Err(Failure::usage(format!(
            "{name} is JSON5, which init does not rewrite (it would lose comments): {instruction} by hand"
        )));
    }
    let mut config: Value = serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "{name} is not valid JSON ({e}); fix it or {instruction} by hand"
        ))
    })?;
    let Some(object) = config.as_object_mut() else {
        return Err(Failure::usage(format!(
            "{name} is not a JSON object; {instruction} by hand"
        )));
    };
    let extends = object
        .entry("extends")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(list) = extends.as_array_mut() else {
        return Err(Failure::usage(format!(
            "{name}: `extends` is not a list; {instruction} by hand"
        )));
    };
    list.push(Value::String(preset));
    let mut content = serde_json::to_string_pretty(&config)
        .map_err(|e| Failure::infra(format!("cannot serialise {name}: {e}")))?;
    content.push('\n');
    Ok(Planned {
        path: name.to_owned(),
        content,
        outcome: Outcome::Extended,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn options(dir: &Path) -> InitOptions {
        InitOptions {
            dir: dir.to_path_buf(),
            hub: "acme/ci-intel".into(),
            version: "v1.4.0".into(),
            sha: SHA.into(),
            branch: "main".into(),
            force: false,
        }
    }

    #[test]
    fn onboards_then_changes_nothing_the_second_time() {
        let dir = tempfile::tempdir().unwrap();
        let first = init(&options(dir.path())).unwrap();
        assert!(
            first.iter().all(|(_, o)| *o == Outcome::Created),
            "{first:?}"
        );
        let workflow = std::fs::read_to_string(dir.path().join(WORKFLOW_PATH)).unwrap();
        assert!(workflow.contains(&format!(
            "uses: acme/ci-intel/.github/workflows/hub.yml@{SHA} # v1.4.0"
        )));
        assert!(
            !workflow.contains("__"),
            "unfilled placeholder in {workflow}"
        );
        let renovate = std::fs::read_to_string(dir.path().join("renovate.json")).unwrap();
        assert!(renovate.contains("github>acme/ci-intel//templates/renovate/default.json5#v1.4.0"));
        let second = init(&options(dir.path())).unwrap();
        assert!(
            second.iter().all(|(_, o)| *o == Outcome::Unchanged),
            "{second:?}"
        );
    }

    #[test]
    fn the_starter_config_loads_with_the_hub_set() {
        let dir = tempfile::tempdir().unwrap();
        init(&options(dir.path())).unwrap();
        let loaded =
            ci_intel_core::config::load(dir.path(), None, &crate::gates::sections()).unwrap();
        assert_eq!(
            loaded.config.hub.repository.as_deref(),
            Some("acme/ci-intel")
        );
    }

    #[test]
    fn branch_names_and_short_shas_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (sha, needle) in [
            ("main", "branch or tag"),
            ("v1.4.0", "branch or tag"),
            ("0123456", "short SHA"),
            ("", "branch or tag"),
        ] {
            let err = init(&InitOptions {
                sha: sha.into(),
                ..options(dir.path())
            })
            .unwrap_err();
            assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
            assert!(err.message.contains(needle), "{sha}: {}", err.message);
        }
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "nothing may be written"
        );
    }

    #[test]
    fn bad_hub_and_version_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            init(&InitOptions {
                hub: "ci-intel".into(),
                ..options(dir.path())
            })
            .is_err()
        );
        assert!(
            init(&InitOptions {
                version: "latest".into(),
                ..options(dir.path())
            })
            .is_err()
        );
    }

    #[test]
    fn uppercase_shas_are_normalised() {
        let dir = tempfile::tempdir().unwrap();
        init(&InitOptions {
            sha: SHA.to_uppercase(),
            ..options(dir.path())
        })
        .unwrap();
        let workflow = std::fs::read_to_string(dir.path().join(WORKFLOW_PATH)).unwrap();
        assert!(workflow.contains(SHA));
    }

    #[test]
    fn a_different_user_file_is_never_overwritten_without_force() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".ci-intel")).unwrap();
        std::fs::write(dir.path().join(CONFIG_PATH), "fail_on: low\n").unwrap();
        let err = init(&options(dir.path())).unwrap_err();
        assert!(
            err.message.contains(".ci-intel/config.yml already exists"),
            "{}",
            err.message
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(CONFIG_PATH)).unwrap(),
            "fail_on: low\n"
        );
        assert!(
            !dir.path().join(WORKFLOW_PATH).exists(),
            "refusal must write nothing"
        );
        let done = init(&InitOptions {
            force: true,
            ..options(dir.path())
        })
        .unwrap();
        assert!(done.contains(&(CONFIG_PATH.to_owned(), Outcome::Overwritten)));
    }

    #[test]
    fn an_existing_renovate_config_is_extended_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("renovate.json"),
            "{\"extends\": [\"config:recommended\"]}\n",
        )
        .unwrap();
        let err = init(&options(dir.path())).unwrap_err();
        assert!(
            err.message.contains("does not extend the ci-intel preset"),
            "{}",
            err.message
        );
        let done = init(&InitOptions {
            force: true,
            ..options(dir.path())
        })
        .unwrap();
        assert!(done.contains(&("renovate.json".to_owned(), Outcome::Extended)));
        let config: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("renovate.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(config["extends"][0], "config:recommended");
        assert_eq!(
            config["extends"][1],
            "github>acme/ci-intel//templates/renovate/default.json5#v1.4.0"
        );
        // And now it is idempotent.
        let again = init(&InitOptions {
            force: true,
            ..options(dir.path())
        })
        .unwrap();
        assert!(
            again.iter().all(|(_, o)| *o == Outcome::Unchanged),
            "{again:?}"
        );
    }

    #[test]
    fn json5_renovate_configs_are_left_to_the_user() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("renovate.json5"),
            "{ // mine\n extends: [] }\n",
        )
        .unwrap();
        let err = init(&InitOptions {
            force: true,
            ..options(dir.path())
        })
        .unwrap_err();
        assert!(err.message.contains("JSON5"), "{}", err.message);
    }
}
