//! ## What it allows
//! `results-receiver.actions.githubusercontent.com` and
//! `*.blob.core.windows.net`.
//!
//! ## Why a job needs it
//! The runner uploads step logs and job summaries (`$GITHUB_STEP_SUMMARY`)
//! to the results service, which stores them in Azure Blob Storage. The
//! egress rules stay in place until the machine is gone, so this upload,
//! which happens after the last step, passes through them.
//!
//! ## Narrowing
//! Keep it on GitHub-hosted runners: without it the job's logs and summary
//! can be missing. See `artifacts` about `*.blob.core.windows.net`.

use super::Group;

pub const GROUP: Group = Group {
    id: "logs",
    title: "step logs and job summaries (results service, Azure Blob Storage)",
    names: &[
        "results-receiver.actions.githubusercontent.com",
        "*.blob.core.windows.net",
    ],
};
