//! `mutation --diff BASE`: only the mutants on lines a change touched.
//!
//! The touched lines are the lines `git diff BASE` adds or changes in the
//! new files (the one `git diff` reader, `ci_intel_secrets::scan::diff`).
//! A mutant is on a touched line when its file is a changed file and its
//! lines meet a touched line. Report paths and repository paths are
//! compared as path suffixes on `/` boundaries, because reports name files
//! in their own ways (PIT: the package path; Stryker.NET: absolute paths).
//! A mutant whose line the report does not give (mutmut without its
//! sources) counts when its file changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ci_intel_core::Failure;

use super::Mutant;

/// The touched lines of each changed file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    pub files: BTreeMap<String, BTreeSet<u32>>,
}

impl Touched {
    /// Run `git diff BASE` in `repo`.
    pub fn from_git(repo: &Path, base: &str) -> Result<Touched, Failure> {
        let added = ci_intel_secrets::scan::diff::added_lines(repo, base, &[])?;
        let mut files = BTreeMap::new();
        for file in added.files {
            files
                .entry(file.path)
                .or_insert_with(BTreeSet::new)
                .extend(file.lines);
        }
        Ok(Touched { files })
    }

    /// The touched lines of the file a report calls `file`, if it changed.
    fn lines_of(&self, file: &str) -> Option<&BTreeSet<u32>> {
        let file = file.replace('\\', "/");
        self.files
            .iter()
            .find(|(changed, _)| same_file(changed, &file))
            .map(|(_, lines)| lines)
    }

    /// Whether the mutant sits on a touched line.
    pub fn touches(&self, mutant: &Mutant) -> bool {
        let Some(lines) = self.lines_of(&mutant.file) else {
            return false;
        };
        if mutant.line == 0 {
            return true;
        }
        lines
            .range(mutant.line..=mutant.end_line.max(mutant.line))
            .next()
            .is_some()
    }
}

/// Equal, or one is the other's suffix at a `/`.
pub fn same_file(a: &str, b: &str) -> bool {
    let a = a.trim_start_matches("./");
    let b = b.trim_start_matches("./");
    if a == b {
        return true;
    }
    let suffix = |long: &str, short: &str| {
        long.len() > short.len()
            && long.ends_with(short)
            && long.as_bytes()[long.len() - short.len() - 1] == b'/'
    };
    !a.is_empty() && !b.is_empty() && (suffix(a, b) || suffix(b, a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::MutantStatus;

    fn mutant(file: &str, line: u32, end_line: u32) -> Mutant {
        Mutant {
            id: "m".into(),
            file: file.into(),
            line,
            end_line,
            column: None,
            mutator: "x".into(),
            description: "d".into(),
            status: MutantStatus::Survived,
            tool_status: "Survived".into(),
        }
    }

    #[test]
    fn mutants_on_touched_lines_only() {
        let touched = Touched {
            files: BTreeMap::from([(
                "src/main/java/com/example/Calc.java".to_owned(),
                BTreeSet::from([10, 11, 30]),
            )]),
        };
        assert!(touched.touches(&mutant("com/example/Calc.java", 11, 11)));
        assert!(touched.touches(&mutant("com/example/Calc.java", 25, 32)));
        assert!(!touched.touches(&mutant("com/example/Calc.java", 12, 20)));
        assert!(!touched.touches(&mutant("com/example/Other.java", 10, 10)));
        // Line unknown: the file changed, so it counts.
        assert!(touched.touches(&mutant("com/example/Calc.java", 0, 0)));
        // A suffix must start at a folder boundary.
        assert!(!touched.touches(&mutant("ample/Calc.java", 10, 10)));
    }

    #[test]
    fn same_file_compares_suffixes_on_folder_boundaries() {
        assert!(same_file("src/a.rs", "src/a.rs"));
        assert!(same_file("./src/a.rs", "src/a.rs"));
        assert!(same_file("C:/work/proj/src/a.cs", "src/a.cs"));
        assert!(!same_file("src/ba.rs", "a.rs"));
        assert!(!same_file("", "a.rs"));
    }
}
