//! Helpers shared by the integration tests: running the binary with an
//! exact environment, and child processes with crafted environments that are
//! killed when the test ends, however it ends.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_ci-intel-secrets");

/// The binary with an empty environment plus `vars`, run in `dir` (so no
/// repository configuration is picked up by accident).
pub fn secrets(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .envs(vars.iter().copied())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null());
    cmd
}

/// Run and capture.
pub fn run(mut cmd: Command) -> Output {
    cmd.output().unwrap()
}

/// The exit code, which must exist (no death by signal).
pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or_else(|| {
        panic!(
            "killed by a signal; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// An absolute path to a program on `PATH`, so a child with a cleared
/// environment can be started without relying on its (absent) `PATH`.
pub fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/bin".into(), "/bin".into()])
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} not found"))
}

/// A `sleep 30` with exactly `vars` as its environment; killed on drop.
pub struct Sleeper(Child);

impl Sleeper {
    pub fn spawn(vars: &[(&str, &str)]) -> Sleeper {
        let child = Command::new(which("sleep"))
            .arg("30")
            .env_clear()
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // `spawn` returns after a successful exec, so /proc/<pid>/environ
        // already is the crafted environment.
        Sleeper(child)
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A proc root holding only symbolic links to the real `/proc/<pid>` of
/// `pids`: the sweep reads those real processes and nothing else on the
/// machine.
pub fn proc_root_of(pids: &[u32]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for pid in pids {
        std::os::unix::fs::symlink(format!("/proc/{pid}"), root.path().join(pid.to_string()))
            .unwrap();
    }
    root
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}
