#![allow(clippy::unwrap_used)]
//! Building manifests from the file system: what is recorded, what is an
//! error (never a silent skip), and that the same tree at another place
//! has the same root digest.

use std::path::{Path, PathBuf};

use ci_intel_core::ExitCode;
use ci_intel_manifest::{
    Change, DiffOptions, EntryKind, Options, diff, manifest_of_roots, parse_manifest,
};

fn tree(root: &Path) {
    std::fs::create_dir_all(root.join("d/e")).unwrap();
    std::fs::write(root.join("d/e/f.txt"), b"f\n").unwrap();
    std::fs::write(root.join("top"), vec![1u8; 100_000]).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("d/e/f.txt", root.join("ln")).unwrap();
}

#[test]
fn entries_are_sorted_with_kinds_sizes_modes_and_targets() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let m = manifest_of_roots(&[dir.path().to_path_buf()], &Options::default()).unwrap();
    let paths: Vec<&str> = m.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["d", "d/e", "d/e/f.txt", "ln", "top"]);
    assert_eq!(m.entries[0].kind, EntryKind::Dir);
    assert_eq!(m.entries[2].size, Some(2));
    assert_eq!(
        m.entries[2].blake3.as_deref(),
        Some(blake3::hash(b"f\n").to_hex().as_str())
    );
    assert_eq!(m.entries[3].target.as_deref(), Some("d/e/f.txt"));
    assert_eq!((m.files, m.bytes), (2, 100_002));
    // The canonical bytes parse back to the same manifest.
    assert_eq!(parse_manifest(&m.to_canonical_bytes()).unwrap(), m);
}

#[test]
fn the_same_tree_elsewhere_has_the_same_root_digest() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let b_inner = b.path().join("deeper/place");
    tree(a.path());
    tree(&b_inner);
    let ma = manifest_of_roots(&[a.path().to_path_buf()], &Options::default()).unwrap();
    let mb = manifest_of_roots(
        std::slice::from_ref(&b_inner),
        &Options {
            threads: 1,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(ma.root_digest, mb.root_digest);
    assert!(diff(&ma, &mb, &DiffOptions::default()).is_empty());
    std::fs::write(b_inner.join("top"), vec![2u8; 100_000]).unwrap();
    let mc = manifest_of_roots(&[b_inner], &Options::default()).unwrap();
    assert_ne!(ma.root_digest, mc.root_digest);
    let d = diff(&ma, &mc, &DiffOptions::default());
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].path.as_str(), d[0].change), ("top", Change::Content));
}

#[test]
fn several_roots_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    tree(&one);
    std::fs::create_dir_all(&two).unwrap();
    std::fs::write(two.join("x"), b"x").unwrap();
    let single = dir.path().join("single.txt");
    std::fs::write(&single, b"s").unwrap();
    let m = manifest_of_roots(&[one, two.clone(), single], &Options::default()).unwrap();
    assert_eq!(m.roots.len(), 3);
    let last = m.entries.last().unwrap();
    assert_eq!(
        (last.root, last.path.as_str(), last.kind),
        (2, "", EntryKind::File)
    );
    assert_eq!(m.display_path(1, "x"), format!("{}/x", two.display()));
    assert_eq!(parse_manifest(&m.to_canonical_bytes()).unwrap(), m);
}

fn fails(roots: &[PathBuf], options: &Options, code: ExitCode, words: &str) {
    let failure = manifest_of_roots(roots, options).unwrap_err();
    assert_eq!(failure.code, code, "{}", failure.message);
    assert!(failure.message.contains(words), "{}", failure.message);
}

#[test]
fn overlapping_and_missing_roots_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    fails(
        &[dir.path().to_path_buf(), dir.path().join("d")],
        &Options::default(),
        ExitCode::Usage,
        "lies inside",
    );
    fails(
        &[dir.path().join("absent")],
        &Options::default(),
        ExitCode::Infra,
        "absent",
    );
    let allowed = Options {
        allow_missing_roots: true,
        ..Options::default()
    };
    assert!(
        manifest_of_roots(&[dir.path().join("absent")], &allowed)
            .unwrap()
            .entries
            .is_empty()
    );
}

#[cfg(unix)]
#[test]
fn device_files_and_fifos_are_errors() {
    fails(
        &[PathBuf::from("/dev/null")],
        &Options::default(),
        ExitCode::Usage,
        "character device",
    );
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.map(|s| s.success()).unwrap_or(false) {
        fails(
            &[dir.path().to_path_buf()],
            &Options::default(),
            ExitCode::Usage,
            "FIFO",
        );
    } else {
        ci_intel_testkit::skip_or_fail("mkfifo is not available");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_roots_are_errors_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    tree(&root);
    std::os::unix::fs::symlink("../../etc/passwd", root.join("d/out")).unwrap();
    fails(
        std::slice::from_ref(&root),
        &Options::default(),
        ExitCode::Usage,
        "outside the paths",
    );
    std::fs::remove_file(root.join("d/out")).unwrap();
    std::os::unix::fs::symlink("/usr/bin/python3", root.join("python")).unwrap();
    fails(
        std::slice::from_ref(&root),
        &Options::default(),
        ExitCode::Usage,
        "outside the paths",
    );
    let allowed = Options {
        allow_external_symlinks: true,
        ..Options::default()
    };
    let m = manifest_of_roots(std::slice::from_ref(&root), &allowed).unwrap();
    assert!(
        m.entries
            .iter()
            .any(|e| e.target.as_deref() == Some("/usr/bin/python3"))
    );
    // A link into another root is inside.
    std::fs::remove_file(root.join("python")).unwrap();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::os::unix::fs::symlink("../other", root.join("sibling")).unwrap();
    assert!(manifest_of_roots(&[root, other], &Options::default()).is_ok());
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_errors() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff-name");
    if std::fs::write(dir.path().join(name), b"x").is_err() {
        ci_intel_testkit::skip_or_fail("the file system refuses non-UTF-8 names");
        return;
    }
    fails(
        &[dir.path().to_path_buf()],
        &Options::default(),
        ExitCode::Usage,
        "not UTF-8",
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_errors() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, b"x").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&file).is_ok() {
        // root reads anything: the error path cannot be reached here.
        eprintln!("SKIPPED: running with privileges that read mode-000 files");
        return;
    }
    fails(
        &[dir.path().to_path_buf()],
        &Options::default(),
        ExitCode::Infra,
        "cannot read",
    );
}
