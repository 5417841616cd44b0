//! ## What it allows
//! `github.com` and `codeload.github.com`.
//!
//! ## Why a job needs it
//! `actions/checkout` fetches over git's smart HTTP from `github.com`; when
//! git is missing or too old it downloads a tarball through the REST API,
//! which redirects to `codeload.github.com`.
//!
//! ## Narrowing
//! Drop it from `egress.builtin` when the job checks out before the egress
//! step (the usual order is egress first, so keep it then) or never does.

use super::Group;

pub const GROUP: Group = Group {
    id: "checkout",
    title: "actions/checkout (git over HTTPS, tarball fallback)",
    names: &["github.com", "codeload.github.com"],
};
