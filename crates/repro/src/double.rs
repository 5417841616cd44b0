//! `run`: build twice from two copies of the tree, normalised alike and
//! varied between the two, and compare the outputs by manifest.

use std::path::{Path, PathBuf};
use std::process::Command;

use ci_intel_core::Failure;
use ci_intel_manifest::{Options, manifest_of_files};
use globset::{Glob, GlobSetBuilder};
use serde_json::json;

use crate::compare::{CompareOptions, Report, compare_manifests};
use crate::variations::{Side, Variation, sides};

/// Which files of the source are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum From {
    /// The committed tree (`git archive HEAD`).
    Head,
    /// Tracked and untracked-but-not-ignored files as they are on disk.
    Worktree,
    /// Every file under the source directory (no git needed).
    All,
}

/// A double build.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub source: PathBuf,
    pub from: From,
    pub outputs: Vec<String>,
    pub command: Vec<String>,
    pub variations: Vec<Variation>,
    pub source_date_epoch: Option<u64>,
    /// Where the copies go (default: a new temporary folder, removed after).
    pub work_dir: Option<PathBuf>,
    pub keep: bool,
    pub compare: CompareOptions,
}

/// Run both builds and compare.
pub fn run(req: &RunRequest) -> Result<Report, Failure> {
    if req.command.is_empty() {
        return Err(Failure::usage("no build command: give it after `--`"));
    }
    if req.outputs.is_empty() {
        return Err(Failure::usage(
            "no --outputs: name the files the build produces (globs relative to the tree)",
        ));
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in &req.outputs {
        builder.add(
            Glob::new(pattern)
                .map_err(|e| Failure::usage(format!("--outputs `{pattern}`: {e}")))?,
        );
    }
    let globs = builder
        .build()
        .map_err(|e| Failure::usage(format!("--outputs: {e}")))?;
    let mut notes = Vec::new();
    let mut variations = req.variations.clone();
    let faketime = which("faketime");
    if variations.contains(&Variation::Time) && faketime.is_none() {
        variations.retain(|v| *v != Variation::Time);
        notes.push(
            "variation `time` skipped: faketime is not installed (apt-get install faketime)"
                .to_owned(),
        );
    }
    if cfg!(not(unix)) {
        variations.retain(|v| *v != Variation::Umask);
    }
    let epoch = match req.source_date_epoch {
        Some(epoch) => epoch,
        None => commit_time(&req.source).unwrap_or_else(|| {
            notes.push(
                "SOURCE_DATE_EPOCH: not a git checkout, using 0 (give --source-date-epoch)"
                    .to_owned(),
            );
            0
        }),
    };
    let mut temp = None;
    let work = match &req.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
            dir.clone()
        }
        None => {
            let made = tempfile::Builder::new()
                .prefix("ci-intel-repro.")
                .tempdir()
                .map_err(|e| Failure::infra(format!("cannot create a work folder: {e}")))?;
            let path = made.path().to_path_buf();
            temp = Some(made);
            path
        }
    };
    let snapshot = work.join("snapshot");
    take_snapshot(&req.source, req.from, &snapshot)?;
    let (side_a, side_b) = sides(&variations, epoch);
    let vary_path = variations.contains(&Variation::BuildPath);
    let vary_order = variations.contains(&Variation::FileOrder);
    let mut manifests = Vec::new();
    let mut order_effective = false;
    let mut first_listing = None;
    for (name, side) in [("a", &side_a), ("b", &side_b)] {
        let tree = if vary_path {
            if name == "a" {
                work.join("a/build")
            } else {
                work.join("b/nested/deeper/build")
            }
        } else {
            work.join("build")
        };
        let reverse = vary_order && name == "b";
        copy_tree(&snapshot, &tree, reverse)?;
        let listing = listing(&tree);
        match &first_listing {
            None => first_listing = Some(listing),
            Some(first) => order_effective = *first != listing,
        }
        build(&tree, &req.command, side, faketime.as_deref(), name)?;
        let out = work.join(format!("out-{name}"));
        let found = collect(&tree, &globs, &out)?;
        if found.is_empty() {
            return Err(Failure::deny(format!(
                "build {name}: --outputs {:?} matched no file in {}: nothing to compare is not a pass",
                req.outputs,
                tree.display()
            )));
        }
        let manifest = manifest_of_files(
            &out,
            &found,
            &Options {
                allow_external_symlinks: true,
                ..Options::default()
            },
        )?;
        if !vary_path {
            std::fs::remove_dir_all(&tree).map_err(|e| io(&tree, &e))?;
        }
        manifests.push((out, manifest));
    }
    if vary_order && !order_effective {
        notes.push("variation `file_order`: this file system lists directories in the same order for both copies (ext4 hashes names); use --work-dir on tmpfs (/dev/shm) for it to bite".to_owned());
    }
    let (out_a, ma) = &manifests[0];
    let (out_b, mb) = &manifests[1];
    let mut report =
        compare_manifests(out_a, out_b, ma, mb, Some(out_a), Some(out_b), &req.compare);
    report.notes = notes;
    report.build = Some(json!({
        "command": req.command,
        "source": req.source.display().to_string(),
        "from": format!("{:?}", req.from).to_lowercase(),
        "source_date_epoch": epoch,
        "variations": variations.iter().map(|v| v.name()).collect::<Vec<_>>(),
        "a": side_a,
        "b": side_b,
        "work_dir": if req.keep || req.work_dir.is_some() { Some(work.display().to_string()) } else { None },
    }));
    if req.work_dir.is_some() && !req.keep {
        let _ = std::fs::remove_dir_all(work.join("snapshot"));
        let _ = std::fs::remove_dir_all(work.join("a"));
        let _ = std::fs::remove_dir_all(work.join("b"));
    }
    if req.keep
        && let Some(temp) = temp
    {
        // Keep the temporary folder for diagnosis.
        let _ = temp.keep();
    }
    Ok(report)
}

fn io(path: &Path, e: &std::io::Error) -> Failure {
    Failure::infra(format!("{}: {e}", path.display()))
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|c| c.is_file())
}

fn commit_time(source: &Path) -> Option<u64> {
    let out = Command::new("git")
        .arg("-C")
        .arg(source)
        .args(["log", "-1", "--format=%ct"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn git_files(source: &Path, args: &[&str]) -> Result<Vec<String>, Failure> {
    let out = Command::new("git")
        .arg("-C")
        .arg(source)
        .args(args)
        .output()
        .map_err(|e| Failure::infra(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Failure::usage(format!(
            "{} is not a git checkout ({}); use --from all",
            source.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// The files to build from, materialised once in `dest`.
fn take_snapshot(source: &Path, from: From, dest: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dest).map_err(|e| io(dest, &e))?;
    match from {
        From::Head => {
            let out = Command::new("git")
                .arg("-C")
                .arg(source)
                .args(["archive", "--format=tar", "HEAD"])
                .output()
                .map_err(|e| Failure::infra(format!("cannot run git archive: {e}")))?;
            if !out.status.success() {
                return Err(Failure::usage(format!(
                    "git archive HEAD in {} failed: {}; use --from worktree or all",
                    source.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            tar::Archive::new(std::io::Cursor::new(out.stdout))
                .unpack(dest)
                .map_err(|e| io(dest, &e))
        }
        From::Worktree => {
            let files = git_files(
                source,
                &[
                    "ls-files",
                    "-z",
                    "--cached",
                    "--others",
                    "--exclude-standard",
                ],
            )?;
            for file in files {
                let from = source.join(&file);
                let Ok(meta) = std::fs::symlink_metadata(&from) else {
                    continue; // deleted but still in the index
                };
                let to = dest.join(&file);
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io(parent, &e))?;
                }
                copy_one(&from, &to, &meta)?;
            }
            Ok(())
        }
        From::All => copy_tree(source, dest, false),
    }
}

fn copy_one(from: &Path, to: &Path, meta: &std::fs::Metadata) -> Result<(), Failure> {
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from).map_err(|e| io(from, &e))?;
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, to).map_err(|e| io(to, &e))?;
        #[cfg(not(unix))]
        let _ = target;
        Ok(())
    } else {
        std::fs::copy(from, to)
            .map(|_| ())
            .map_err(|e| io(from, &e))
    }
}

/// Copy `from` into `to`: directories first, then files in sorted order,
/// or in reverse order for the varied side (file order).
fn copy_tree(from: &Path, to: &Path, reverse: bool) -> Result<(), Failure> {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    walk(from, Path::new(""), &mut dirs, &mut files)?;
    std::fs::create_dir_all(to).map_err(|e| io(to, &e))?;
    for dir in &dirs {
        std::fs::create_dir_all(to.join(dir)).map_err(|e| io(&to.join(dir), &e))?;
    }
    if reverse {
        files.reverse();
    }
    for file in files {
        let source = from.join(&file);
        let meta = std::fs::symlink_metadata(&source).map_err(|e| io(&source, &e))?;
        copy_one(&source, &to.join(&file), &meta)?;
    }
    Ok(())
}

fn walk(
    root: &Path,
    rel: &Path,
    dirs: &mut Vec<PathBuf>,
    files: &mut Vec<PathBuf>,
) -> Result<(), Failure> {
    let dir = root.join(rel);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| io(&dir, &e))?
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    names.sort();
    for name in names {
        if name == ".git" {
            continue;
        }
        let child = rel.join(&name);
        let meta =
            std::fs::symlink_metadata(root.join(&child)).map_err(|e| io(&root.join(&child), &e))?;
        if meta.is_dir() {
            dirs.push(child.clone());
            walk(root, &child, dirs, files)?;
        } else {
            files.push(child);
        }
    }
    Ok(())
}

/// Directory listings in the order the file system gives them.
fn listing(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                out.push(entry.file_name().to_string_lossy().into_owned());
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(entry.path());
                }
            }
        }
    }
    out
}

fn build(
    tree: &Path,
    command: &[String],
    side: &Side,
    faketime: Option<&Path>,
    name: &str,
) -> Result<(), Failure> {
    let mut argv: Vec<String> = Vec::new();
    if let (Some(spec), Some(faketime)) = (side.faketime, faketime) {
        argv.extend([
            faketime.display().to_string(),
            "-f".to_owned(),
            spec.to_owned(),
        ]);
    }
    argv.extend(command.iter().cloned());
    let mut process = if cfg!(unix) && side.umask.is_some() {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "umask {} && exec \"$@\"",
                side.umask.unwrap_or("0022")
            ))
            .arg("ci-intel-repro")
            .args(&argv);
        c
    } else {
        let mut c = Command::new(&argv[0]);
        c.args(&argv[1..]);
        c
    };
    process.current_dir(tree).envs(&side.env);
    if !side.env.contains_key("LANGUAGE") {
        process.env_remove("LANGUAGE");
    }
    if !side.env.contains_key("CI_INTEL_REPRO_CAPTURE_ENVIRONMENT") {
        process.env_remove("CI_INTEL_REPRO_CAPTURE_ENVIRONMENT");
    }
    eprintln!("ci-intel-repro: build {name} in {}", tree.display());
    let status = process.status().map_err(|e| {
        Failure::usage(format!(
            "cannot run the build command {:?}: {e}",
            command[0]
        ))
    })?;
    if !status.success() {
        return Err(Failure::infra(format!(
            "build {name} failed ({status}) in {}: a build that does not finish cannot be compared",
            tree.display()
        )));
    }
    Ok(())
}

/// Copy the outputs matching `globs` from `tree` into `out`; their paths.
fn collect(tree: &Path, globs: &globset::GlobSet, out: &Path) -> Result<Vec<String>, Failure> {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    walk(tree, Path::new(""), &mut dirs, &mut files)?;
    let mut found = Vec::new();
    for file in files {
        let rel = file.to_string_lossy().replace('\\', "/");
        if !globs.is_match(&rel) {
            continue;
        }
        let to = out.join(&file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, &e))?;
        }
        let from = tree.join(&file);
        let meta = std::fs::symlink_metadata(&from).map_err(|e| io(&from, &e))?;
        copy_one(&from, &to, &meta)?;
        found.push(rel);
    }
    found.sort();
    Ok(found)
}
