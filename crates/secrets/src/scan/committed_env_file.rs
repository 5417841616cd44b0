//! A committed environment file.
//!
//! ## What it finds
//!
//! Any file named `.env` or `.env.<something>` (`.env.local`,
//! `.env.production`, `config/.env.staging`), whatever it contains, even
//! when it is empty or holds no secret the other rules recognise. dotenv
//! files exist to hold a machine's secrets outside the code; one in the
//! repository means that boundary has already failed, or will the next time
//! someone fills it in. Reported once per file, at line 1.
//!
//! ## Not a finding
//!
//! Templates meant to be committed: names ending in `.example`, `.sample`,
//! `.template` or `.dist` (`.env.example`, `.env.local.sample`); other
//! names that merely contain `env` (`.envrc`, `env.txt`, `environment.yml`);
//! `.env` files that `.gitignore` excludes (they are not committed, and a
//! tree walk does not see them).
//!
//! ## Fix
//!
//! `git rm --cached` the file, add it to `.gitignore`, rotate whatever it
//! held, and commit a `.env.example` with the names and no values instead.

use std::path::Path;

use ci_intel_core::Severity;

/// The rule id.
pub const RULE_ID: &str = "committed-env-file";

/// One line, for listings and SARIF.
pub const TITLE: &str = "Committed environment file";

/// Its severity: high, so the default gate fails.
pub const SEVERITY: Severity = Severity::High;

/// Suffixes of environment files meant to be committed.
const TEMPLATE_SUFFIXES: &[&str] = &[".example", ".sample", ".template", ".dist"];

/// True when `path`'s file name makes it a committed environment file.
pub fn is_env_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let is_env = name == ".env" || (name.starts_with(".env.") && name.len() > ".env.".len());
    is_env
        && !TEMPLATE_SUFFIXES
            .iter()
            .any(|suffix| name.to_ascii_lowercase().ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_files_fire_and_templates_stay_quiet() {
        for fires in [
            ".env",
            ".env.local",
            ".env.production",
            "config/.env.staging",
            "a/b/.env",
        ] {
            assert!(is_env_file(Path::new(fires)), "{fires} must fire");
        }
        for quiet in [
            ".env.example",
            ".env.sample",
            ".env.local.sample",
            ".env.template",
            ".env.dist",
            ".env.EXAMPLE",
            ".envrc",
            "env.txt",
            "environment.yml",
            ".env.",
            "dotenv",
            "x.env",
        ] {
            assert!(!is_env_file(Path::new(quiet)), "{quiet} must stay quiet");
        }
    }
}
