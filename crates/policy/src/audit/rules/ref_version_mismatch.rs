//! ## What it does
//! zizmor's `ref-version-mismatch`, offline part. Reports a `uses:` pinned
//! to a commit SHA whose version comment disagrees with the version comment
//! of the same action at the same SHA earlier in the file (`@1a44… # v3.8.2`
//! on one line, `@1a44… # v3.8.1` on another): one of them is wrong, and
//! Renovate or Dependabot may stop refreshing it. The first comment is taken
//! as the reference, so confidence is medium. A shorter version of the same
//! release (`# v1` beside `# v1.0.0`) agrees.
//!
//! Not reported: a mismatch that only the action's repository can reveal (a
//! single pin whose comment names another release); resolving tags needs
//! the network, which zizmor's online mode does and this offline rule does
//! not. A SHA pin with no version comment at all is `pin-comment`'s finding
//! (regular persona here, where zizmor reports it under this name with the
//! pedantic persona); `# zizmor: ignore[ref-version-mismatch]` silences it
//! too.
//!
//! ## Why is this bad?
//! The comment is what reviewers read and what update tools rewrite. A
//! comment that names the wrong release hides what actually runs, and a bot
//! that cannot match it may silently stop updating the pin.
//!
//! ## Example
//! ```yaml
//!       - uses: actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7 # v3.8.2
//!       - uses: actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7 # v3.8.1
//! ```
//!
//! ## Fix
//! Write the release the SHA is tagged with on every line
//! (`ci-intel-policy pin` rewrites the comments):
//! ```yaml
//!       - uses: actions/setup-node@1a4442cacd436585916779262731d5b162bc6ec7 # v3.8.2
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[ref-version-mismatch]` on the `uses:` line.

use std::collections::HashMap;

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use super::unpinned_uses::all_uses;
use crate::audit::model::{Ctx, Hit, RefShape, ref_shape};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "ref-version-mismatch",
    title: "Version comment disagrees with another pin of the same commit",
    default_severity: Severity::Medium,
    persona: Persona::Regular,
    check,
};

/// The version a comment names (`v1.2.3`, `1.2.3`, `tag=v1.2.3`), without
/// a leading `v`, or `None` for a comment that is not a version.
fn comment_version(comment: &str) -> Option<&str> {
    let first = comment.split_whitespace().next()?;
    let first = first.strip_prefix("tag=").unwrap_or(first);
    let bare = first
        .strip_prefix('v')
        .or_else(|| first.strip_prefix('V'))
        .unwrap_or(first);
    bare.starts_with(|c: char| c.is_ascii_digit())
        .then_some(bare)
}

/// Do two versions name the same release, one possibly less precisely
/// (`1`, `1.0` and `1.0.0` agree; `1.0.0` and `1.0.1` do not)?
fn agree(a: &str, b: &str) -> bool {
    a.split('.').zip(b.split('.')).all(|(x, y)| x == y)
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    // action (lower case, with its path) and SHA -> (version, line) first seen
    let mut seen: HashMap<(String, String), (String, u32)> = HashMap::new();
    for uses in all_uses(ctx) {
        let (Some(name), Some(git_ref)) = (uses.action_name(), uses.git_ref()) else {
            continue;
        };
        if ref_shape(git_ref) != RefShape::Sha {
            continue;
        }
        let Some(version) = ctx
            .src
            .trailing_comment(uses.pos.line, &uses.raw)
            .and_then(comment_version)
        else {
            continue;
        };
        let key = (name, git_ref.to_ascii_lowercase());
        match seen.get(&key) {
            None => {
                seen.insert(key, (version.to_owned(), uses.pos.line));
            }
            Some((first, _)) if agree(first, version) => {}
            Some((first, line)) => hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Medium,
                    uses.pos,
                    &uses.raw,
                    format!(
                        "`{}` says v{version}, but the same commit is labelled v{first} on line {line}: one of the comments is wrong",
                        uses.raw
                    ),
                )
                .confidence(Confidence::Medium)
                .fix("write the release the SHA is tagged with (`ci-intel-policy pin` rewrites the comments)"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{agree, comment_version};

    #[test]
    fn versions() {
        assert_eq!(comment_version("v3.8.2 more"), Some("3.8.2"));
        assert_eq!(comment_version("tag=v1.2.3"), Some("1.2.3"));
        assert_eq!(comment_version("some comment"), None);
        assert!(agree("1", "1.0.0") && agree("1.0", "1.0.0") && agree("2.7.0", "2.7.0"));
        assert!(!agree("3.8.1", "3.8.2"));
    }
}
