//! Exit codes every ci-intel tool shares, and the error type that carries one.
//!
//! The contract (DESIGN.md): 0 pass, 1 a gate denied, 2 usage or configuration
//! error, 3 infrastructure error. Nothing that went wrong may map to 0, so the
//! only way to produce [`ExitCode::Pass`] is an [`Outcome`] whose verdict passed.

use std::fmt;

/// The process exit code of a ci-intel tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitCode {
    /// Every gate passed.
    Pass = 0,
    /// A gate denied: a finding at or above the failing severity, or an empty
    /// input the caller did not allow.
    Deny = 1,
    /// The command line or the configuration is wrong; the user must fix it.
    Usage = 2,
    /// Something outside the user's input failed: network, registry, disk.
    Infra = 3,
}

impl ExitCode {
    /// The numeric code handed to the operating system.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The more severe of two codes. Usage and infrastructure errors outrank a
    /// denial because a run that could not check something cannot vouch for it.
    pub fn worst(self, other: ExitCode) -> ExitCode {
        self.max(other)
    }

    /// A short word for summaries.
    pub fn label(self) -> &'static str {
        match self {
            ExitCode::Pass => "pass",
            ExitCode::Deny => "deny",
            ExitCode::Usage => "usage-error",
            ExitCode::Infra => "infra-error",
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        // The enum's discriminants are 0..=3, so the cast cannot truncate.
        std::process::ExitCode::from(code.code() as u8)
    }
}

/// An error that knows which exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub code: ExitCode,
    pub message: String,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: ExitCode::Usage,
            message: message.into(),
        }
    }

    /// An infrastructure error (exit 3).
    pub fn infra(message: impl Into<String>) -> Self {
        Failure {
            code: ExitCode::Infra,
            message: message.into(),
        }
    }

    /// A gate denial that is not expressed as findings (exit 1).
    pub fn deny(message: impl Into<String>) -> Self {
        Failure {
            code: ExitCode::Deny,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Classify an arbitrary error: a [`Failure`] anywhere in the chain decides the
/// code; anything else is an infrastructure error, never a pass.
pub fn classify(error: &anyhow::Error) -> ExitCode {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Failure>().map(|f| f.code))
        .unwrap_or(ExitCode::Infra)
}

/// Print an error the way every tool does (`error: ...` with its causes) and
/// return its exit code.
pub fn report_error(tool: &str, error: &anyhow::Error) -> ExitCode {
    let code = classify(error);
    eprintln!("{tool}: error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_design() {
        assert_eq!(ExitCode::Pass.code(), 0);
        assert_eq!(ExitCode::Deny.code(), 1);
        assert_eq!(ExitCode::Usage.code(), 2);
        assert_eq!(ExitCode::Infra.code(), 3);
    }

    #[test]
    fn worst_prefers_errors_over_denials_and_never_yields_pass() {
        assert_eq!(ExitCode::Pass.worst(ExitCode::Deny), ExitCode::Deny);
        assert_eq!(ExitCode::Deny.worst(ExitCode::Usage), ExitCode::Usage);
        assert_eq!(ExitCode::Infra.worst(ExitCode::Usage), ExitCode::Infra);
        assert_eq!(ExitCode::Pass.worst(ExitCode::Pass), ExitCode::Pass);
    }

    #[test]
    fn unclassified_errors_are_infrastructure_errors_not_passes() {
        let err = anyhow::anyhow!("disk on fire");
        assert_eq!(classify(&err), ExitCode::Infra);
    }

    #[test]
    fn a_failure_deep_in_the_chain_decides_the_code() {
        let err = anyhow::Error::new(Failure::usage("bad flag")).context("while parsing");
        assert_eq!(classify(&err), ExitCode::Usage);
    }
}
