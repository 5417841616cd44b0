//! ci-intel-evidence's readers: an evidence bundle as a tar archive
//! (`bundle::read_tar`, then `bundle::from_files`) and SARIF logs to merge
//! (`sarif::parse`). The first byte picks the reader. Invariants: tar round
//! trip (the files read, written with `tar_bytes` and read again, are the
//! same files); every file name read is a valid bundle path; the SARIF
//! reader is deterministic and agrees with itself on the re-rendered JSON.
#![no_main]

use ci_intel_evidence::bundle::{from_files, read_tar, tar_bytes, valid_path};
use ci_intel_evidence::sarif;
use ci_intel_fuzz::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        let Ok(files) = read_tar(bytes) else {
            return;
        };
        for name in files.keys() {
            assert!(valid_path(name), "read_tar accepted the path {name:?}");
        }
        let written = tar_bytes(&files, 0).expect("files read from a tar write back");
        let again = read_tar(&written).expect("a tar we wrote reads back");
        assert_eq!(files, again, "tar round trip");
        let _ = from_files(files, "fuzz.tar");
    } else {
        let first = sarif::parse(bytes, "fuzz.sarif");
        let second = sarif::parse(bytes, "fuzz.sarif");
        assert_eq!(format!("{first:?}"), format!("{second:?}"), "determinism");
        if let Some(value) = json(bytes) {
            let rendered = serde_json::to_vec(&value).expect("renders");
            let again = sarif::parse(&rendered, "fuzz.sarif");
            assert_eq!(
                first.is_ok(),
                again.is_ok(),
                "round trip changed the outcome"
            );
        }
    }
});
