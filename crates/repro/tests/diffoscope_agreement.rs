#![allow(clippy::unwrap_used)]
//! The real peer: for every pair of diffoscope's own test data (in
//! ../shared/corpus/repro/diffoscope), ci-intel-repro agrees with
//! diffoscope on whether the files differ and where: the archive members
//! and ELF sections whose contents differ. Metadata that diffoscope shows
//! as a listing (`zipinfo`, `file list`) is compared as "the archive's
//! metadata differs", not member by member.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use ci_intel_repro::formats::explain;

const PAIRS: &[(&str, &str)] = &[
    ("text_ascii1", "text_ascii2"),
    ("text_unicode1", "text_unicode2"),
    ("text_iso8859", "text_unicode1"),
    ("text_order1", "text_order2"),
    ("binary1", "binary2"),
    ("test1.zip", "test2.zip"),
    ("test1.zip", "test3.zip"),
    ("test1.mozzip", "test2.mozzip"),
    ("test1.tar", "test2.tar"),
    ("archive1.tar", "archive2.tar"),
    ("test1.gz", "test2.gz"),
    ("test1.json", "test2.json"),
    ("order1a.json", "order1b.json"),
    ("test1.o", "test2.o"),
    ("test1.a", "test2.a"),
    ("test1.tar", "test1.tar"),
    ("no-perms.tar", "no-perms.tar"),
];

/// Node names diffoscope gives to views of a file rather than to a part
/// of it.
fn is_view(name: &str) -> bool {
    let views = [
        "zipinfo",
        "file list",
        "filetype from file(1)",
        "metadata",
        "encoding",
        "readelf",
        "objdump",
        "strings",
        "xxd",
        "tar ",
        "bsdtar",
        "gzip",
        "zipnote",
        "zipdetails",
    ];
    views.iter().any(|v| name.starts_with(v))
}

/// Where diffoscope's report says the contents differ: member paths and
/// ELF sections (from `--section=NAME`), joined with ` / `.
fn diffoscope_locations(
    node: &serde_json::Value,
    prefix: &str,
    top: bool,
    out: &mut BTreeSet<String>,
) {
    let name = node["source1"].as_str().unwrap_or("");
    let here = if top {
        String::new()
    } else if let Some(section) = name.split("--section=").nth(1) {
        let section = section.split_whitespace().next().unwrap_or("");
        join(prefix, &format!("section {section}"))
    } else if is_view(name) || name == "Pretty-printed" {
        prefix.to_owned()
    } else {
        join(prefix, name.trim_end_matches('/'))
    };
    let details = node["details"].as_array().cloned().unwrap_or_default();
    // A metadata listing (zipinfo, file list...) is not a location; a
    // pretty-printed view of the contents is the file itself.
    let listing = is_view(name) && !name.contains("--section=");
    if node["unified_diff"].is_string() && !listing {
        out.insert(here.clone());
    }
    for child in &details {
        diffoscope_locations(child, &here, false, out);
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix} / {name}")
    }
}

/// What kinds of detail are metadata (diffoscope's listings).
fn is_metadata(what: &str) -> bool {
    matches!(
        what,
        "header" | "mtime" | "mode" | "extra" | "compression" | "comment" | "order" | "os" | "name"
    )
}

fn ours(a: &Path, b: &Path) -> (bool, BTreeSet<String>) {
    let (ba, bb) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    let name = a.file_name().unwrap().to_string_lossy().into_owned();
    let explanation = explain(&name, &ba, &bb);
    let locations = explanation
        .details
        .iter()
        .filter(|d| !is_metadata(&d.what))
        .map(|d| d.location.trim_end_matches('/').to_owned())
        .collect();
    (ba != bb, locations)
}

#[test]
fn we_agree_with_diffoscope_on_whether_and_where_files_differ() {
    let Some(data) = ci_intel_testkit::corpus("repro/diffoscope/tests/data") else {
        return;
    };
    let Some(diffoscope) = ci_intel_testkit::tool("CI_INTEL_DIFFOSCOPE", "diffoscope") else {
        return;
    };
    let mut disagreements = Vec::new();
    for (a, b) in PAIRS {
        let (pa, pb) = (data.join(a), data.join(b));
        let output = Command::new(&diffoscope)
            .args(["--json", "-", "--no-progress"])
            .arg(&pa)
            .arg(&pb)
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "diffoscope {a} {b}: {code:?} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let theirs_differ = code == Some(1);
        let mut theirs = BTreeSet::new();
        if theirs_differ {
            let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            diffoscope_locations(&report, "", true, &mut theirs);
        }
        let (we_differ, ours) = ours(&pa, &pb);
        if we_differ != theirs_differ || ours != theirs {
            disagreements.push(format!("{a} vs {b}: diffoscope {theirs_differ} {theirs:?}, ci-intel-repro {we_differ} {ours:?}"));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn the_formats_are_recognised() {
    let Some(data) = ci_intel_testkit::corpus("repro/diffoscope/tests/data") else {
        return;
    };
    for (a, b, format) in [
        ("test1.zip", "test2.zip", "zip"),
        ("test1.tar", "test2.tar", "tar"),
        ("test1.o", "test2.o", "elf"),
        ("test1.a", "test2.a", "ar"),
        ("test1.gz", "test2.gz", "gzip"),
        ("text_ascii1", "text_ascii2", "text"),
        ("binary1", "binary2", "binary"),
    ] {
        let e = explain(
            a,
            &std::fs::read(data.join(a)).unwrap(),
            &std::fs::read(data.join(b)).unwrap(),
        );
        assert_eq!(e.format, format, "{a}");
        assert!(!e.details.is_empty(), "{a}");
    }
    let order = explain(
        "o",
        &std::fs::read(data.join("text_order1")).unwrap(),
        &std::fs::read(data.join("text_order2")).unwrap(),
    );
    assert!(order.ordering_only);
    let zip = explain(
        "z",
        &std::fs::read(data.join("test1.zip")).unwrap(),
        &std::fs::read(data.join("test2.zip")).unwrap(),
    );
    assert!(
        zip.details
            .iter()
            .any(|d| d.location == "dir/text" && d.what == "mtime"),
        "{:?}",
        zip.details
    );
    assert!(zip.text_diff.as_deref().unwrap_or("").contains("@@"));
}
