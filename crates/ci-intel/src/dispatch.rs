//! `ci-intel <tool> ARGS`: run `ci-intel-<tool>` found beside this binary or
//! on PATH, the way cargo finds `cargo-<sub>`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ci_intel_core::{ExitCode, Failure};

/// Locate `ci-intel-<tool>`: next to the running binary first (a release
/// unpacks all tools together), then each PATH entry.
pub fn find_tool(
    tool: &str,
    beside: Option<&Path>,
    path_var: Option<&std::ffi::OsStr>,
) -> Option<PathBuf> {
    if tool.is_empty() || tool.contains(['/', '\\']) || tool.starts_with('.') {
        return None;
    }
    let name = format!("ci-intel-{tool}{}", std::env::consts::EXE_SUFFIX);
    let beside = beside.map(|dir| dir.join(&name));
    let on_path = path_var
        .map(|p| {
            std::env::split_paths(p)
                .map(|dir| dir.join(&name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    beside
        .into_iter()
        .chain(on_path)
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Run the tool and return its exit code. A tool killed by a signal is an
/// infrastructure error, never a pass.
pub fn run_tool(tool: &str, args: &[OsString]) -> Result<ExitCode, Failure> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf));
    let path_var = std::env::var_os("PATH");
    let Some(binary) = find_tool(tool, beside.as_deref(), path_var.as_deref()) else {
        return Err(Failure::usage(format!(
            "no such command `{tool}`: ci-intel-{tool} is neither beside this binary nor on PATH. Built-in commands: init, doctor, check, sarif"
        )));
    };
    let status = std::process::Command::new(&binary)
        .args(args)
        .status()
        .map_err(|e| Failure::infra(format!("cannot run {}: {e}", binary.display())))?;
    Ok(match status.code() {
        Some(0) => ExitCode::Pass,
        Some(1) => ExitCode::Deny,
        Some(2) => ExitCode::Usage,
        Some(_) | None => ExitCode::Infra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executable(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\nexit 0\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        path
    }

    #[test]
    fn prefers_the_binary_beside_then_path() {
        let beside = tempfile::tempdir().unwrap();
        let on_path = tempfile::tempdir().unwrap();
        let b = executable(beside.path(), "ci-intel-telemetry");
        let p = executable(on_path.path(), "ci-intel-telemetry");
        let path_var = std::env::join_paths([on_path.path()]).unwrap();
        assert_eq!(
            find_tool("telemetry", Some(beside.path()), Some(&path_var)),
            Some(b)
        );
        assert_eq!(find_tool("telemetry", None, Some(&path_var)), Some(p));
        assert_eq!(
            find_tool("nope", Some(beside.path()), Some(&path_var)),
            None
        );
    }

    #[test]
    fn refuses_path_tricks_and_non_executables() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ci-intel-plain"), "not executable").unwrap();
        assert_eq!(find_tool("plain", Some(dir.path()), None), None);
        assert_eq!(find_tool("../x", Some(dir.path()), None), None);
        assert_eq!(find_tool("", Some(dir.path()), None), None);
    }
}
