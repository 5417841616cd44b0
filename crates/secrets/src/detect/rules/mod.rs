//! Built-in rules, one per file.

mod github_pat_classic;

use super::Rule;

/// Every built-in rule.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![Box::new(github_pat_classic::GithubPatClassic::new())]
}
