//! ## What it allows
//! `*.actions.githubusercontent.com`.
//!
//! ## Why a job needs it
//! A job with `permissions: id-token: write` requests its OIDC token from
//! `$ACTIONS_ID_TOKEN_REQUEST_URL`, a URL under
//! `*.actions.githubusercontent.com` (the token's issuer is
//! `token.actions.githubusercontent.com`). The cloud's token exchange
//! endpoint (`sts.amazonaws.com`, `sts.googleapis.com`,
//! `login.microsoftonline.com`...) is the job's own choice: add it to
//! `egress.allow`.
//!
//! ## Narrowing
//! Drop it when the job does not request an OIDC token; the `runner`
//! group allows the same wildcard, so dropping it alone changes nothing.

use super::Group;

pub const GROUP: Group = Group {
    id: "oidc",
    title: "the job's OIDC token (id-token: write)",
    names: &["*.actions.githubusercontent.com"],
};
