//! ## What it allows
//! `results-receiver.actions.githubusercontent.com`,
//! `artifactcache.actions.githubusercontent.com` and
//! `*.blob.core.windows.net`.
//!
//! ## Why a job needs it
//! `actions/cache` (cache service v2) gets signed URLs from the results
//! service and transfers the archive with Azure Blob Storage; the legacy
//! v1 service is `artifactcache.actions.githubusercontent.com`.
//!
//! ## Narrowing
//! Drop it when the job does not use `actions/cache` or a `setup-*`
//! action's built-in cache. See `artifacts` about `*.blob.core.windows.net`.

use super::Group;

pub const GROUP: Group = Group {
    id: "cache",
    title: "actions/cache (results service, legacy cache service, Azure Blob Storage)",
    names: &[
        "results-receiver.actions.githubusercontent.com",
        "artifactcache.actions.githubusercontent.com",
        "*.blob.core.windows.net",
    ],
};
