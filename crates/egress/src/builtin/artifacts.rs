//! ## What it allows
//! `results-receiver.actions.githubusercontent.com` and
//! `*.blob.core.windows.net`.
//!
//! ## Why a job needs it
//! `actions/upload-artifact` and `actions/download-artifact` (v4 and
//! later) ask the results service for a signed URL, then move the bytes
//! to and from Azure Blob Storage directly.
//!
//! ## Narrowing
//! `*.blob.core.windows.net` allows every Azure storage account, not only
//! GitHub's: a step could upload to an account of its own. Drop this
//! group (and `cache` and `logs`, which need the same names) from
//! `egress.builtin` when the job neither uploads artifacts nor uses the
//! cache, and accept that the runner's final log upload then fails; or
//! accept the risk and watch `ci-intel-egress report`.

use super::Group;

pub const GROUP: Group = Group {
    id: "artifacts",
    title: "workflow artifacts (results service and Azure Blob Storage)",
    names: &[
        "results-receiver.actions.githubusercontent.com",
        "*.blob.core.windows.net",
    ],
};
