//! ## What it does
//! zizmor's `forbidden-uses`. Opt-in: with `policy.forbidden_uses.allow`
//! set, reports every `uses:` of another repository that matches none of
//! its patterns; with `policy.forbidden_uses.deny` set, reports every one
//! that matches one of its patterns. Both lists may be set (an org denylist
//! under a repository allowlist): a reference must pass both. Patterns are
//! zizmor's repository patterns (see the `policy.forbidden_uses` keys in
//! docs/config.md); an invalid pattern is a configuration error.
//!
//! pre-commit hooks hosted on github.com (`repos[].repo` with its `rev`)
//! are judged as `owner/repo@rev` too.
//!
//! Not reported: local (`./`, `$/`) and `docker://` references, and anything
//! while neither list is set. References are judged as written: an impostor
//! commit or an action cloned by a `run:` step is not seen.
//!
//! ## Why is this bad?
//! An organisation often vets the actions it trusts with its tokens, or
//! bans a compromised one. A reference outside that list runs code nobody
//! approved.
//!
//! ## Example
//! ```yaml
//! # .ci-intel/config.yml
//! policy:
//!   forbidden_uses:
//!     allow: ["actions/*", "github/codeql-action/*"]
//! ```
//! ```yaml
//!       - uses: tj-actions/changed-files@ed68ef82c095e0d48ec87eccea555d944a631a4c # v46.0.5
//! ```
//!
//! ## Fix
//! Replace the reference with an allowed action, or add its pattern to the
//! allowlist after vetting it.
//!
//! ## Ignore
//! `# ci-intel: ignore[forbidden-uses]` on the `uses:` line.

use ci_intel_core::{Failure, Severity};

use super::Rule;
use super::unpinned_uses::all_uses;
use crate::audit::facts::pre_commit_uses;
use crate::audit::model::{Ctx, Hit, UsesTarget};
use crate::config::{ForbiddenUses, Persona};

pub const RULE: Rule = Rule {
    id: "forbidden-uses",
    title: "`uses:` outside the configured allowlist or on the denylist",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

/// A repository pattern, lower-cased and split.
#[derive(Debug, PartialEq, Eq)]
struct Pattern {
    owner: String,
    /// `None` for `owner/*` and `*`.
    repo: Option<String>,
    /// `Some("*")` for `owner/repo/*`.
    path: Option<String>,
    git_ref: Option<String>,
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s != "*"
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn parse(pattern: &str) -> Result<Pattern, String> {
    let p = pattern.trim().to_ascii_lowercase();
    if p == "*" {
        return Ok(Pattern {
            owner: "*".into(),
            repo: None,
            path: None,
            git_ref: None,
        });
    }
    let (target, git_ref) = match p.split_once('@') {
        Some((t, r)) if !r.is_empty() && !r.contains('*') => (t.to_owned(), Some(r.to_owned())),
        Some(_) => return Err("the ref after `@` must be a plain name".into()),
        None => (p.clone(), None),
    };
    let mut parts = target.splitn(3, '/');
    let owner = parts.next().unwrap_or("").to_owned();
    let repo = parts.next().unwrap_or("").to_owned();
    let path = parts.next().map(str::to_owned);
    if !is_name(&owner) {
        return Err("the owner must be a name".into());
    }
    if repo == "*" {
        if path.is_some() || git_ref.is_some() {
            return Err("`owner/*` takes nothing after it".into());
        }
        return Ok(Pattern {
            owner,
            repo: None,
            path: None,
            git_ref: None,
        });
    }
    if !is_name(&repo) {
        return Err("expected `owner/repo`, `owner/*` or `*`".into());
    }
    if let Some(path) = &path {
        let wildcard = path == "*";
        if path.is_empty() || (!wildcard && path.contains('*')) || (wildcard && git_ref.is_some()) {
            return Err("the path must be a plain path or `*` (without a ref)".into());
        }
    }
    Ok(Pattern {
        owner,
        repo: Some(repo),
        path,
        git_ref,
    })
}

/// Whether `pattern` is a repository pattern; the error says why not.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    parse(pattern).map(|_| ())
}

/// Check every pattern of the section; an invalid one is a usage error
/// naming the key.
pub fn validate(section: &ForbiddenUses) -> Result<(), Failure> {
    let lists = [
        ("allow", section.allow.as_deref().unwrap_or(&[])),
        ("deny", section.deny.as_slice()),
    ];
    for (key, list) in lists {
        for (i, pattern) in list.iter().enumerate() {
            parse(pattern).map_err(|why| {
                Failure::usage(format!(
                    "policy.forbidden_uses.{key}[{i}]: `{pattern}` is not a repository pattern: {why} (accepted: `owner/repo[/path][@ref]`, `owner/repo/*`, `owner/*`, `*`)"
                ))
            })?;
        }
    }
    Ok(())
}

fn matches(
    pattern: &Pattern,
    owner: &str,
    repo: &str,
    path: Option<&str>,
    git_ref: Option<&str>,
) -> bool {
    if pattern.owner == "*" {
        return true;
    }
    if pattern.owner != owner.to_ascii_lowercase() {
        return false;
    }
    let Some(p_repo) = &pattern.repo else {
        return true;
    };
    if *p_repo != repo.to_ascii_lowercase() {
        return false;
    }
    let path = path.map(|p| p.trim_end_matches('/').to_ascii_lowercase());
    match pattern.path.as_deref() {
        Some("*") => return true,
        Some(p) if path.as_deref() != Some(p.trim_end_matches('/')) => return false,
        None if path.is_some() => return false,
        _ => {}
    }
    match &pattern.git_ref {
        Some(r) => git_ref.is_some_and(|g| g.eq_ignore_ascii_case(r)),
        None => true,
    }
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let section = &ctx.opts.policy.forbidden_uses;
    if section.allow.is_none() && section.deny.is_empty() {
        return;
    }
    let compile =
        |list: &[String]| -> Vec<Pattern> { list.iter().filter_map(|p| parse(p).ok()).collect() };
    let allow = section.allow.as_deref().map(compile);
    let deny = compile(&section.deny);
    for uses in all_uses(ctx).into_iter().chain(pre_commit_uses(ctx)) {
        let UsesTarget::Remote {
            owner,
            repo,
            path,
            git_ref,
        } = &uses.target
        else {
            continue;
        };
        let hit = |p: &Pattern| matches(p, owner, repo, path.as_deref(), git_ref.as_deref());
        let why = if deny.iter().any(hit) {
            "matches `policy.forbidden_uses.deny`"
        } else if allow.as_ref().is_some_and(|a| !a.iter().any(hit)) {
            "matches no pattern of `policy.forbidden_uses.allow`"
        } else {
            continue;
        };
        hits.push(
            Hit::new(
                RULE.id,
                Severity::High,
                uses.pos,
                &uses.raw,
                format!("`{}` is forbidden: it {why}", uses.raw),
            )
            .fix("use an allowed action, or vet this one and add it to the allowlist"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, uses: &str) -> bool {
        let p = parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        let u = crate::audit::model::Uses::parse(uses, Default::default());
        let UsesTarget::Remote {
            owner,
            repo,
            path,
            git_ref,
        } = &u.target
        else {
            return false;
        };
        matches(&p, owner, repo, path.as_deref(), git_ref.as_deref())
    }

    #[test]
    fn zizmor_repository_patterns() {
        assert!(m("*", "a/b@v1"));
        assert!(m("actions/*", "Actions/cache/save@v3"));
        assert!(m("actions/cache", "actions/cache@v3"));
        assert!(!m("actions/cache", "actions/cache/save@v3"));
        assert!(m("github/codeql-action/*", "github/codeql-action@v2"));
        assert!(m("github/codeql-action/*", "github/codeql-action/init@v2"));
        assert!(m(
            "github/codeql-action/init",
            "github/codeql-action/init@v2"
        ));
        assert!(!m("github/codeql-action/init", "github/codeql-action@v2"));
        assert!(m(
            "github/codeql-action/init@v2",
            "github/codeql-action/init@v2"
        ));
        assert!(!m(
            "github/codeql-action/init@v2",
            "github/codeql-action/init@main"
        ));
        assert!(m("actions/checkout@v4", "actions/checkout@v4"));
        assert!(!m("actions/checkout@v3", "actions/checkout@v4"));
    }

    #[test]
    fn invalid_patterns() {
        for bad in ["*/*", "", "a", "a/b/*@v1", "*/b", "a/b@", "a/*/c", "a b/c"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
