//! `ci-intel check --evidence DIR [--sign-key FILE]`: one statement per
//! gate, written by ci-intel-evidence's library. Everything is resolved
//! before the gates run, so a missing commit or a bad key is a usage error
//! (exit 2) and never a run whose evidence could not be written.

use std::path::{Path, PathBuf};

use ci_intel_core::{Failure, RunnerEnv};
use ci_intel_evidence::keys::SigningKey;
use ci_intel_evidence::statement::ToolRef;

use crate::check::CheckOutcome;

/// What to write and how.
#[derive(Debug)]
pub struct Request {
    pub dir: PathBuf,
    commit: String,
    repository: String,
    key: Option<SigningKey>,
}

impl Request {
    /// Resolve the commit (`git rev-parse HEAD` in `checked`, else
    /// `$GITHUB_SHA`) and read the key; refuse (exit 2) when the commit is
    /// unknown.
    pub fn prepare(
        checked: &Path,
        dir: PathBuf,
        sign_key: Option<&Path>,
        env: &RunnerEnv,
    ) -> Result<Request, Failure> {
        let commit = ci_intel_evidence::resolve_commit(checked, env).ok_or_else(|| {
            Failure::usage(format!(
                "--evidence: the checked commit is unknown: {} is not a git checkout with a commit and GITHUB_SHA is not set; evidence must name the commit it is about",
                checked.display()
            ))
        })?;
        let key = sign_key.map(SigningKey::from_pem_file).transpose()?;
        Ok(Request {
            dir,
            commit,
            repository: ci_intel_evidence::repository_name(checked, env),
            key,
        })
    }

    pub fn signed(&self) -> bool {
        self.key.is_some()
    }

    /// Write the statements of `outcome`'s gates. Without a loaded
    /// configuration no gate ran and nothing is written.
    pub fn write(&self, outcome: &CheckOutcome) -> Result<Vec<PathBuf>, Failure> {
        let Some(loaded) = &outcome.config else {
            eprintln!(
                "ci-intel: evidence: none written: the configuration did not load, so no gate ran"
            );
            return Ok(Vec::new());
        };
        let request = ci_intel_evidence::CheckEvidence {
            dir: &self.dir,
            commit: self.commit.clone(),
            repository: self.repository.clone(),
            tool: ToolRef {
                name: crate::TOOL.to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            sign_key: self.key.as_ref(),
        };
        ci_intel_evidence::write_check_evidence(&request, &outcome.gates, loaded)
    }
}
