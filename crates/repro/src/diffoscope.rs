//! diffoscope, when it is on the PATH, on one differing file pair,
//! bounded by a timeout (it never finishes on big trees).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;
use wait_timeout::ChildExt as _;

/// Bytes of diffoscope's text output kept.
const MAX_OUTPUT: usize = 64 * 1024;

/// What diffoscope said.
#[derive(Debug, Clone, Serialize)]
pub struct Diffoscope {
    /// Its exit code (0 same, 1 different), absent when it was killed.
    pub exit: Option<i32>,
    pub timed_out: bool,
    /// Its text report, truncated.
    pub output: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Diffoscope {
    pub fn summary(&self) -> String {
        match (self.timed_out, self.exit, &self.error) {
            (true, _, _) => "timed out".to_owned(),
            (_, _, Some(e)) => format!("could not run: {e}"),
            (_, Some(0), _) => "no difference".to_owned(),
            (_, Some(1), _) => format!("differences ({} bytes of report)", self.output.len()),
            (_, code, _) => format!("exit {code:?}"),
        }
    }
}

/// diffoscope: `$CI_INTEL_DIFFOSCOPE` or `diffoscope` on the PATH.
pub fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CI_INTEL_DIFFOSCOPE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("diffoscope"))
        .find(|candidate| candidate.is_file())
}

/// Run diffoscope on `a` and `b` for at most `timeout`.
pub fn run(program: &Path, a: &Path, b: &Path, timeout: Duration) -> Diffoscope {
    let mut command = Command::new(program);
    // Its own process group, so a timeout ends the tools it started too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let spawned = command
        .arg("--text")
        .arg("-")
        .arg("--no-progress")
        .arg(a)
        .arg(b)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return Diffoscope {
                exit: None,
                timed_out: false,
                output: String::new(),
                error: Some(format!("{}: {e}", program.display())),
            };
        }
    };
    let mut stdout = child.stdout.take();
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&kept);
    let reader = std::thread::spawn(move || {
        if let Some(out) = stdout.as_mut() {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = out.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                if let Ok(mut kept) = sink.lock()
                    && kept.len() < MAX_OUTPUT
                {
                    let room = MAX_OUTPUT - kept.len();
                    kept.extend_from_slice(&buffer[..n.min(room)]);
                }
            }
        }
    });
    let status = child.wait_timeout(timeout).ok().flatten();
    let timed_out = status.is_none();
    if timed_out {
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = child.kill();
        let _ = child.wait();
    } else {
        let _ = reader.join();
    }
    let output = kept.lock().map(|k| k.clone()).unwrap_or_default();
    Diffoscope {
        exit: status.and_then(|s| s.code()),
        timed_out,
        output: String::from_utf8_lossy(&output).into_owned(),
        error: None,
    }
}
