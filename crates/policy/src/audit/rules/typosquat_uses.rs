//! ## What it does
//! zizmor's `typosquat-uses`. Reports `uses:` whose `owner/repo` is one
//! typing mistake (a character left out, repeated, swapped with its
//! neighbour, or replaced) away from a popular action owned by someone else
//! (the list of popular actions, with its source, is in
//! `crates/policy/data/actions.txt`). Offline we cannot tell whether the
//! misspelled repository exists, so confidence is low.
//!
//! Not reported: near-misses under the same owner (`actions/chckout`: the
//! owner already holds that name, the reference just fails), and names two
//! or more mistakes away.
//!
//! ## Why is this bad?
//! Whoever registers `action/checkout` or `dokcer/login-action` gets their
//! code run, with your secrets, by every workflow that mistyped the name.
//!
//! ## Example
//! ```yaml
//!       - uses: action/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
//! ```
//!
//! ## Fix
//! ```yaml
//!       - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[typosquat-uses]` on the `uses:` line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use super::unpinned_uses::all_uses;
use crate::audit::data::lists;
use crate::audit::model::{Ctx, Hit};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "typosquat-uses",
    title: "Action name one typo away from a popular action",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

/// True when `a` and `b` differ by exactly one omission, insertion,
/// substitution or swap of adjacent characters.
fn one_typo(a: &[char], b: &[char]) -> bool {
    if a == b {
        return false;
    }
    match a.len().abs_diff(b.len()) {
        0 => {
            let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match diffs.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => {
            let (long, short) = if a.len() > b.len() { (a, b) } else { (b, a) };
            let first = (0..short.len())
                .find(|&i| long[i] != short[i])
                .unwrap_or(short.len());
            long[first + 1..] == short[first..]
        }
        _ => false,
    }
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for uses in all_uses(ctx) {
        let Some(repository) = uses.repository() else {
            continue;
        };
        let slug = repository.to_ascii_lowercase();
        let Some((owner, _)) = slug.split_once('/') else {
            continue;
        };
        if lists().contains("popular", &slug) {
            continue;
        }
        let chars: Vec<char> = slug.chars().collect();
        let Some(target) = lists().entries("popular").find(|popular| {
            let target_owner = popular.split('/').next().unwrap_or("");
            target_owner != owner && one_typo(&chars, &popular.chars().collect::<Vec<_>>())
        }) else {
            continue;
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                uses.pos,
                &uses.raw,
                format!(
                    "`{repository}` is one typo away from the popular `{target}`, owned by someone else"
                ),
            )
            .confidence(Confidence::Low)
            .fix(format!("did you mean `{target}`?")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::one_typo;

    fn t(a: &str, b: &str) -> bool {
        one_typo(
            &a.chars().collect::<Vec<_>>(),
            &b.chars().collect::<Vec<_>>(),
        )
    }

    #[test]
    fn typos() {
        assert!(t("action/checkout", "actions/checkout"));
        assert!(t("cations/checkout", "actions/checkout"));
        assert!(t("acti0ns/checkout", "actions/checkout"));
        assert!(t("actiions/checkout", "actions/checkout"));
        assert!(t("dokcer/login-action", "docker/login-action"));
        assert!(!t("actions/checkout", "actions/checkout"));
        assert!(!t("example/thing", "actions/checkout"));
        assert!(!t("ab", "ba_x"));
    }
}
