//! A throw-away copy of the hub, as a consumer's runner checks it out under
//! `_actions/OWNER/ci-intel/<sha>/`: `actions/`, `scripts/` and a
//! `dist/manifest.json` the test writes (a fake release or an unreleased
//! commit).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Value, json};

use crate::action::Action;
use crate::sha256_hex;

/// The manifest format this harness writes (see dist/README.md).
pub const MANIFEST_SCHEMA: &str = "ci-intel-dist-manifest/v1";

/// The real repository root (this package lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// Copy a directory tree; file permissions are kept (`fs::copy` does).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| {
                format!("copying {} to {}", entry.path().display(), target.display())
            })?;
        }
    }
    Ok(())
}

/// Every regular file under `dir` (recursively); empty when `dir` is missing.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            files.extend(files_under(&entry.path())?);
        } else {
            files.push(entry.path());
        }
    }
    Ok(files)
}

/// A hub checkout in a temporary directory.
#[derive(Debug)]
pub struct Hub {
    /// The checkout root (`$GITHUB_ACTION_PATH/../..`).
    pub root: PathBuf,
}

impl Hub {
    /// Copy `actions/` and `scripts/` of the real repository to `dir` and
    /// write the unreleased manifest and a placeholder `Cargo.toml` (the
    /// build-from-source tests use a fake `cargo`).
    pub fn create(dir: &Path) -> Result<Hub> {
        let real = repo_root();
        for sub in ["actions", "scripts"] {
            copy_dir(&real.join(sub), &dir.join(sub))?;
        }
        fs::copy(real.join("action.yml"), dir.join("action.yml"))?;
        fs::create_dir_all(dir.join("dist"))?;
        fs::copy(
            real.join("dist/manifest.json"),
            dir.join("dist/manifest.json"),
        )?;
        fs::write(
            dir.join("Cargo.toml"),
            "# placeholder: the harness builds with a fake cargo\n[workspace]\n",
        )?;
        Ok(Hub {
            root: dir.to_path_buf(),
        })
    }

    /// Replace `dist/manifest.json`.
    pub fn write_manifest(&self, manifest: &Value) -> Result<()> {
        let text = serde_json::to_string_pretty(manifest)?;
        fs::write(self.root.join("dist/manifest.json"), text + "\n")?;
        Ok(())
    }

    /// Write raw text as `dist/manifest.json` (malformed-manifest tests).
    pub fn write_manifest_text(&self, text: &str) -> Result<()> {
        fs::write(self.root.join("dist/manifest.json"), text)?;
        Ok(())
    }

    /// The composite action `actions/<name>/action.yml` of this checkout.
    pub fn action(&self, name: &str) -> Result<Action> {
        Action::load(&self.root.join("actions").join(name).join("action.yml"))
    }

    /// The repository's root `action.yml`.
    pub fn root_action(&self) -> Result<Action> {
        Action::load(&self.root.join("action.yml"))
    }
}

/// One asset of a fake release.
#[derive(Debug, Clone)]
pub struct Asset<'a> {
    pub tool: &'a str,
    pub target: &'a str,
    pub file: &'a str,
    pub bytes: &'a [u8],
}

/// A released manifest listing `assets` under `download_base`.
pub fn released_manifest(version: &str, download_base: &str, assets: &[Asset<'_>]) -> Value {
    let mut by_tool = serde_json::Map::new();
    for asset in assets {
        let entry = by_tool
            .entry(asset.tool.to_owned())
            .or_insert_with(|| json!({}));
        if let Some(map) = entry.as_object_mut() {
            map.insert(
                asset.target.to_owned(),
                json!({
                    "file": asset.file,
                    "size": asset.bytes.len(),
                    "sha256": sha256_hex(asset.bytes),
                }),
            );
        }
    }
    json!({
        "schema": MANIFEST_SCHEMA,
        "version": version,
        "release_tag": format!("v{version}"),
        "download_base": download_base,
        "assets": by_tool,
    })
}

/// The unreleased manifest (what every commit between releases carries).
pub fn unreleased_manifest() -> Value {
    json!({
        "schema": MANIFEST_SCHEMA,
        "version": null,
        "release_tag": null,
        "download_base": null,
        "assets": {},
    })
}

static TELEMETRY_BINARY: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
static TELEMETRY_BYTES: OnceLock<std::result::Result<Arc<Vec<u8>>, String>> = OnceLock::new();

/// The bytes of [`telemetry_binary`], read once and shared (it is large).
pub fn telemetry_bytes() -> Result<Arc<Vec<u8>>> {
    TELEMETRY_BYTES
        .get_or_init(|| {
            telemetry_binary()
                .and_then(|path| {
                    fs::read(&path).with_context(|| format!("reading {}", path.display()))
                })
                .map(Arc::new)
                .map_err(|e| format!("{e:#}"))
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// The real `ci-intel-telemetry` binary, built once per test process with
/// the cargo that runs the tests (same target directory and profile).
pub fn telemetry_binary() -> Result<PathBuf> {
    TELEMETRY_BINARY
        .get_or_init(|| {
            build_bin("ci-intel-telemetry", "ci-intel-telemetry").map_err(|e| format!("{e:#}"))
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// Build `bin` of `package` with the cargo that runs the tests (same target
/// directory and profile) and return the executable's path.
pub fn build_bin(package: &str, bin: &str) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--message-format=json",
            "-p",
            package,
            "--bin",
            bin,
        ])
        .current_dir(repo_root())
        .output()
        .with_context(|| format!("running {cargo} build -p {package}"))?;
    if !output.status.success() {
        bail!(
            "cargo build -p {package} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-artifact"
            && message["target"]["name"] == bin
            && let Some(exe) = message["executable"].as_str()
        {
            return Ok(PathBuf::from(exe));
        }
    }
    bail!("cargo build -p {package} reported no executable for {bin}")
}
