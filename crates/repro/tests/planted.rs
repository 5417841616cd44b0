#![allow(clippy::unwrap_used)]
//! A small real project (C with make) with a planted non-determinism:
//! an embedded build time, an unordered directory walk, an absolute path.
//! The double build must deny each one, naming the output that differs,
//! and pass once the project is fixed.

use std::path::{Path, PathBuf};

use ci_intel_repro::compare::CompareOptions;
use ci_intel_repro::double::{From, RunRequest, run};
use ci_intel_repro::variations::DEFAULT;

#[derive(Clone, Copy, PartialEq)]
enum Plant {
    BuildTime,
    DirectoryOrder,
    AbsolutePath,
}

/// The project: `hello` embeds build-info.h, and `inventory.txt` lists the
/// data files. Each plant switches one rule back to its careless form.
fn project(dir: &Path, plant: Option<Plant>) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    for name in [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ] {
        std::fs::write(dir.join("data").join(name), format!("{name}\n")).unwrap();
    }
    std::fs::write(
        dir.join("hello.c"),
        "#include <stdio.h>\n#include \"build-info.h\"\nint main(void) { printf(\"built %s from %s\\n\", BUILT, SOURCE); return 0; }\n",
    )
    .unwrap();
    let time = if plant == Some(Plant::BuildTime) {
        "date -u +%Y-%m-%dT%H:%M:%S"
    } else {
        "date -u -d @$$SOURCE_DATE_EPOCH +%Y-%m-%dT%H:%M:%S"
    };
    let source = if plant == Some(Plant::AbsolutePath) {
        "$(CURDIR)/hello.c"
    } else {
        "hello.c"
    };
    let walk = if plant == Some(Plant::DirectoryOrder) {
        "find data -type f"
    } else {
        "find data -type f | LC_ALL=C sort"
    };
    std::fs::write(
        dir.join("Makefile"),
        format!(
            "all: hello inventory.txt\n\
             build-info.h:\n\
             \techo \"#define BUILT \\\"$$({time})\\\"\" > $@\n\
             \techo '#define SOURCE \"{source}\"' >> $@\n\
             hello: hello.c build-info.h\n\
             \tcc -O1 -o $@ hello.c\n\
             inventory.txt:\n\
             \t{walk} > $@\n"
        ),
    )
    .unwrap();
}

/// tmpfs lists a directory in creation order, so the file-order
/// variation bites there (ext4 hashes names).
fn work_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    base.join(format!("ci-intel-repro-planted-{}", std::process::id()))
}

fn double_build(plant: Option<Plant>, label: &str) -> ci_intel_repro::compare::Report {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), plant);
    let work = work_dir().join(label);
    let report = run(&RunRequest {
        source: dir.path().to_path_buf(),
        from: From::All,
        outputs: vec!["hello".to_owned(), "inventory.txt".to_owned()],
        command: vec!["make".to_owned(), "--no-print-directory".to_owned()],
        variations: DEFAULT.to_vec(),
        source_date_epoch: Some(1_700_000_000),
        work_dir: Some(work.clone()),
        keep: false,
        compare: CompareOptions::default(),
    })
    .unwrap();
    let _ = std::fs::remove_dir_all(&work);
    report
}

fn peers() -> bool {
    ci_intel_testkit::tool("CI_INTEL_CC", "cc").is_some()
        && ci_intel_testkit::tool("CI_INTEL_MAKE", "make").is_some()
}

fn differing(report: &ci_intel_repro::compare::Report) -> Vec<&str> {
    report.differences.iter().map(|d| d.path.as_str()).collect()
}

#[test]
fn an_embedded_build_time_is_denied() {
    if !peers() || ci_intel_testkit::tool("CI_INTEL_FAKETIME", "faketime").is_none() {
        return;
    }
    let report = double_build(Some(Plant::BuildTime), "time");
    assert_eq!(differing(&report), ["hello"], "{:?}", report.notes);
    let hello = &report.differences[0];
    assert_eq!(hello.format, "elf");
    assert!(
        hello.details.iter().any(|d| d.location.contains(".rodata")),
        "{:?}",
        hello.details
    );
}

#[test]
fn an_unordered_directory_walk_is_denied() {
    if !peers() {
        return;
    }
    let report = double_build(Some(Plant::DirectoryOrder), "order");
    assert_eq!(differing(&report), ["inventory.txt"], "{:?}", report.notes);
    let inventory = &report.differences[0];
    assert_eq!(inventory.format, "text");
    assert!(
        inventory.ordering_only,
        "only the order of the lines differs"
    );
}

#[test]
fn an_absolute_path_is_denied() {
    if !peers() {
        return;
    }
    let report = double_build(Some(Plant::AbsolutePath), "path");
    assert_eq!(differing(&report), ["hello"], "{:?}", report.notes);
}

#[test]
fn the_fixed_project_passes() {
    if !peers() {
        return;
    }
    let report = double_build(None, "fixed");
    assert!(report.identical(), "{:#?}", report.differences);
    assert_eq!(report.files, 2);
    let build = report.build.as_ref().unwrap();
    let variations: Vec<&str> = build["variations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        variations.contains(&"build_path") && variations.contains(&"file_order"),
        "{variations:?}"
    );
}
