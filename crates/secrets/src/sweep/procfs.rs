//! Reading environments: this process's own, and every `<proc>/<pid>/environ`.
//!
//! `environ` is the environment a process was started with, as
//! NUL-separated `NAME=value` entries. Another user's process answers
//! "permission denied", a kernel thread or a process that exits while we
//! look answers "no such process" (or vanishes from the directory): both are
//! counted, neither is an error, because a job cannot read what it does not
//! own and processes come and go.

use std::io;
use std::path::{Path, PathBuf};

use crate::report::ProcessRef;
use crate::text::display_text;

/// `ESRCH`, what Linux answers for the `environ` of a kernel thread or of a
/// process that exited between `readdir` and `read`.
const NO_SUCH_PROCESS: i32 = 3;

/// One `NAME=value` entry, as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: Vec<u8>,
    pub value: Vec<u8>,
}

/// The environment of one process.
#[derive(Debug, Clone)]
pub struct ProcessEnv {
    pub process: ProcessRef,
    /// True for the sweep's own environment (read from the process, not
    /// from `/proc`).
    pub is_self: bool,
    pub vars: Vec<EnvVar>,
    /// How to reach a path the process names: `(root, cwd)` prefixes for
    /// absolute and relative paths (`<proc>/<pid>/root` and `<proc>/<pid>/cwd`,
    /// so a file is read in the process's own mount namespace and working
    /// directory). `None` for this process: paths are read as they are.
    pub fs_view: Option<(PathBuf, PathBuf)>,
}

impl ProcessEnv {
    /// The value of `name` in this environment, if present and non-empty.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.vars
            .iter()
            .find(|v| v.name == name.as_bytes())
            .map(|v| v.value.as_slice())
            .filter(|v| !v.is_empty())
    }

    /// Where to read `path`, a path taken from this process's environment.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match &self.fs_view {
            None => path.to_path_buf(),
            Some((root, cwd)) => match path.strip_prefix("/") {
                Ok(relative_to_root) => root.join(relative_to_root),
                Err(_) => cwd.join(path),
            },
        }
    }
}

/// Split an `environ` block into variables. Entries without `=` are not
/// variables (nothing a program could read with `getenv`) and are dropped.
pub fn parse_environ(block: &[u8]) -> Vec<EnvVar> {
    block
        .split(|&b| b == 0)
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| {
            let eq = entry.iter().position(|&b| b == b'=')?;
            Some(EnvVar {
                name: entry[..eq].to_vec(),
                value: entry[eq + 1..].to_vec(),
            })
        })
        .collect()
}

/// This process's environment, from the standard library (so it also works
/// where there is no `/proc`).
pub fn own_environment() -> ProcessEnv {
    let vars = std::env::vars_os()
        .map(|(name, value)| EnvVar {
            name: name.into_encoded_bytes(),
            value: value.into_encoded_bytes(),
        })
        .collect();
    let comm = std::fs::read("/proc/self/comm")
        .ok()
        .map(|bytes| display_text(trim_newline(&bytes)))
        .filter(|c| !c.is_empty())
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|p| p.file_name().map(|n| display_text(n.as_encoded_bytes())))
        })
        .unwrap_or_else(|| crate::TOOL.to_owned());
    ProcessEnv {
        process: ProcessRef {
            pid: std::process::id(),
            comm,
        },
        is_self: true,
        vars,
        fs_view: None,
    }
}

/// What reading one `<proc>/<pid>` gave.
#[derive(Debug)]
pub enum ProcessRead {
    Read(ProcessEnv),
    /// Permission denied (another user's process) or another I/O error.
    Unreadable {
        process: ProcessRef,
        reason: String,
    },
    /// Exited while we looked, or a kernel thread with no environment.
    Gone {
        pid: u32,
    },
}

/// The numeric entries of `proc_root`, sorted. An unreadable or missing
/// root is an error for the caller to judge.
pub fn list_pids(proc_root: &Path) -> io::Result<Vec<u32>> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir(proc_root)? {
        // An entry that disappears while listing is a process that exited.
        let Ok(entry) = entry else { continue };
        if let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) {
            pids.push(pid);
        }
    }
    pids.sort_unstable();
    Ok(pids)
}

/// Read the environment of `pid` under `proc_root`.
pub fn read_process(proc_root: &Path, pid: u32) -> ProcessRead {
    let dir = proc_root.join(pid.to_string());
    let comm = std::fs::read(dir.join("comm"))
        .map(|bytes| display_text(trim_newline(&bytes)))
        .unwrap_or_else(|_| "?".to_owned());
    let process = ProcessRef { pid, comm };
    match std::fs::read(dir.join("environ")) {
        Ok(block) => ProcessRead::Read(ProcessEnv {
            process,
            is_self: false,
            vars: parse_environ(&block),
            fs_view: Some((dir.join("root"), dir.join("cwd"))),
        }),
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(NO_SUCH_PROCESS) =>
        {
            ProcessRead::Gone { pid }
        }
        Err(e) => ProcessRead::Unreadable {
            process,
            reason: e.to_string(),
        },
    }
}

/// True when `proc_root` is this machine's `/proc`, where our own pid is
/// the process already read through [`own_environment`].
pub fn is_system_proc(proc_root: &Path) -> bool {
    match (proc_root.canonicalize(), Path::new("/proc").canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\n").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environ_splits_on_nul_and_first_equals() {
        let vars = parse_environ(b"A=1\0B=x=y\0NOEQUALS\0\0C=\0");
        let pairs: Vec<(&[u8], &[u8])> = vars
            .iter()
            .map(|v| (v.name.as_slice(), v.value.as_slice()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (&b"A"[..], &b"1"[..]),
                (&b"B"[..], &b"x=y"[..]),
                (&b"C"[..], &b""[..])
            ]
        );
    }

    #[test]
    fn a_missing_process_is_gone_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_process(dir.path(), 4242),
            ProcessRead::Gone { pid: 4242 }
        ));
    }

    #[test]
    fn paths_resolve_inside_the_process_view() {
        let env = ProcessEnv {
            process: ProcessRef {
                pid: 7,
                comm: "x".into(),
            },
            is_self: false,
            vars: Vec::new(),
            fs_view: Some(("/proc/7/root".into(), "/proc/7/cwd".into())),
        };
        assert_eq!(
            env.resolve(Path::new("/etc/key.json")),
            Path::new("/proc/7/root/etc/key.json")
        );
        assert_eq!(
            env.resolve(Path::new("key.json")),
            Path::new("/proc/7/cwd/key.json")
        );
    }

    #[test]
    fn own_environment_reads_this_process() {
        let own = own_environment();
        assert!(own.is_self);
        assert_eq!(own.process.pid, std::process::id());
        assert_eq!(own.vars.len(), std::env::vars_os().count());
    }
}
