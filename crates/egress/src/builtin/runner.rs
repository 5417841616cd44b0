//! ## What it allows
//! `github.com`, `api.github.com` and `*.actions.githubusercontent.com`:
//! the runner's own connection to GitHub Actions.
//!
//! ## Why a job needs it
//! The runner process (Runner.Worker) streams the live log, reports step
//! results, renews the job's lease and fetches its job message through
//! `*.actions.githubusercontent.com` (`pipelines.`, `broker.`,
//! `run-actions-*.`...), and many steps call the REST API. GitHub's
//! "Communicating with self-hosted runners" lists these three as needed
//! for essential operations. Without them the job hangs and is cancelled.
//!
//! ## Narrowing
//! Keep it. A job whose runner cannot reach these fails, whatever it does.

use super::Group;

pub const GROUP: Group = Group {
    id: "runner",
    title: "the runner's connection to GitHub Actions (essential)",
    names: &[
        "github.com",
        "api.github.com",
        "*.actions.githubusercontent.com",
    ],
};
