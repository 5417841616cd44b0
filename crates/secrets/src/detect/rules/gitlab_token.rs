//! A GitLab token.
//!
//! ## What it finds
//!
//! GitLab's prefixed tokens: personal, project and group access tokens
//! (`glpat-`), deploy tokens (`gldt-`), runner authentication tokens
//! (`glrt-`), pipeline trigger tokens (`glptt-`), CI/CD job tokens
//! (`glcbt-`), feed tokens (`glft-`), feature-flag client tokens
//! (`glffct-`), incoming mail tokens (`glimt-`), agent tokens (`glagent-`),
//! OAuth application secrets (`gloas-`), SCIM tokens (`glsoat-`) and runner
//! registration tokens (`GR1348941`), followed by at least 20 characters of
//! `A-Z a-z 0-9 _ -` (newer, routable tokens also carry `.`-separated
//! parts). The random part must have at least 3.5 bits of entropy per
//! character.
//!
//! gitleaks: `gitlab-pat`, `gitlab-pat-routable`, `gitlab-deploy-token`,
//! `gitlab-runner-authentication-token`,
//! `gitlab-runner-authentication-token-routable`, `gitlab-ptt`, `gitlab-rrt`,
//! `gitlab-cicd-job-token`, `gitlab-feature-flag-client-token`,
//! `gitlab-feed-token`, `gitlab-incoming-mail-token`,
//! `gitlab-kubernetes-agent-token`, `gitlab-oauth-app-secret`,
//! `gitlab-scim-token`.
//!
//! ## Not a finding
//!
//! Placeholders (`glpat-xxxxxxxxxxxxxxxxxxxx`, `glpat-<your token>`), fewer
//! than 20 characters after the prefix.
//!
//! ## Fix
//!
//! Revoke the token (the user's, project's or group's Access tokens page;
//! runners: reset the registration), remove it from the history.

use regex::Regex;

use super::{ends_cleanly, pattern};
use crate::detect::entropy::shannon;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "gitlab-token",
    title: "GitLab access, deploy, runner or trigger token",
    gitleaks: &[
        "gitlab-pat",
        "gitlab-pat-routable",
        "gitlab-deploy-token",
        "gitlab-runner-authentication-token",
        "gitlab-runner-authentication-token-routable",
        "gitlab-ptt",
        "gitlab-rrt",
        "gitlab-cicd-job-token",
        "gitlab-feature-flag-client-token",
        "gitlab-feed-token",
        "gitlab-incoming-mail-token",
        "gitlab-kubernetes-agent-token",
        "gitlab-oauth-app-secret",
        "gitlab-scim-token",
    ],
    keywords: &[
        "glpat-",
        "gldt-",
        "glrt-",
        "glptt-",
        "glcbt-",
        "glft-",
        "glffct-",
        "glimt-",
        "glagent-",
        "gloas-",
        "glsoat-",
        "gr1348941",
    ],
    severity: Severity::Critical,
    min_entropy: 3.0,
    scope: Scope::LINE,
};

const MIN_ENTROPY: f64 = 3.5;

#[derive(Debug)]
pub struct GitlabToken {
    pattern: Regex,
}

impl GitlabToken {
    pub fn new() -> Self {
        GitlabToken {
            pattern: pattern(
                r"\b(gl(?:pat|dt|rt|ptt|cbt|ft|ffct|imt|agent|oas|soat)-|GR1348941)([0-9A-Za-z_\-]{20,64}(?:\.[0-9A-Za-z_\-]{2,64}){0,3})",
            ),
        }
    }
}

impl Rule for GitlabToken {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(whole), Some(prefix), Some(random)) = (caps.get(0), caps.get(1), caps.get(2))
            else {
                continue;
            };
            if ends_cleanly(text, whole.end()) && shannon(random.as_str()) >= MIN_ENTROPY {
                hits.push(Hit::new(&INFO, whole.start(), whole.end(), prefix.len()));
            }
        }
    }
}
