//! Licences: SPDX expressions parsed properly (`AND`, `OR`, `WITH`, `+`,
//! parentheses; the `spdx` crate and its licence list), judged against
//! `vuln.licenses.allow` and `deny`.
//!
//! - Several licences declared on one component (a CycloneDX `licenses`
//!   array) must all be acceptable (they are read as `AND`).
//! - An expression passes when some choice of its `OR` branches uses only
//!   acceptable licences. A licence is acceptable when it is not denied and,
//!   if there is an allowlist, is on it. An entry `ID WITH exception`
//!   matches only that combination; a bare `ID` matches the id with or
//!   without an exception.
//! - Deprecated ids (`GPL-2.0`) and GNU's `+` are accepted as written;
//!   free-text names (`Apache License 2.0`), `NOASSERTION`, a missing
//!   licence and unparsable expressions are unknown.

use spdx::{Expression, LicenseReq};

use crate::config::LicensePolicy;
use crate::sbom::{Component, LicenseDecl};

/// What the policy says about one component's licences.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum LicenseOutcome {
    Allowed,
    /// A denied licence is unavoidable: every choice uses one of these.
    Denied {
        licenses: Vec<String>,
    },
    /// No choice uses allowed licences only; these are not on the allowlist.
    NotAllowed {
        licenses: Vec<String>,
    },
    Unknown {
        why: String,
    },
}

/// The licences of one component, judged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LicenseVerdict {
    /// The declared licences joined as one expression (`(A) AND (B)`).
    pub expression: String,
    /// Every licence id the expression names (for comparisons).
    pub ids: Vec<String>,
    #[serde(flatten)]
    pub outcome: LicenseOutcome,
}

fn mode() -> spdx::ParseMode {
    spdx::ParseMode {
        allow_deprecated: true,
        allow_postfix_plus_on_gpl: true,
        ..spdx::ParseMode::STRICT
    }
}

/// Parse one SPDX expression, or say why not.
pub fn parse(text: &str) -> Result<Expression, String> {
    Expression::parse_mode(text.trim(), mode())
        .map_err(|e| format!("`{text}` is not an SPDX licence expression: {}", e.reason))
}

fn name(req: &LicenseReq) -> String {
    match &req.license {
        spdx::LicenseItem::Spdx { id, .. } => id.name.to_owned(),
        other @ spdx::LicenseItem::Other(_) => other.to_string(),
    }
}

fn listed(list: &[String], req: &LicenseReq) -> bool {
    let bare = name(req);
    let full = match &req.addition {
        Some(add) => format!("{bare} WITH {add}"),
        None => bare.clone(),
    };
    list.iter().any(|entry| {
        let entry = entry.trim();
        entry.eq_ignore_ascii_case(&bare) || entry.eq_ignore_ascii_case(&full)
    })
}

/// Judge a component's declared licences.
pub fn judge(component: &Component, policy: &LicensePolicy) -> LicenseVerdict {
    judge_decls(&component.licenses, policy)
}

/// Judge declared licences.
pub fn judge_decls(decls: &[LicenseDecl], policy: &LicensePolicy) -> LicenseVerdict {
    let expression = match decls {
        [] => String::new(),
        [one] => one.text().to_owned(),
        many => many
            .iter()
            .map(|d| format!("({})", d.text()))
            .collect::<Vec<_>>()
            .join(" AND "),
    };
    let unknown = |why: String| LicenseVerdict {
        expression: expression.clone(),
        ids: Vec::new(),
        outcome: LicenseOutcome::Unknown { why },
    };
    if decls.is_empty() {
        return unknown("no licence is declared".to_owned());
    }
    let mut parsed = Vec::new();
    for decl in decls {
        match decl {
            LicenseDecl::NoAssertion => {
                return unknown("the licence is NOASSERTION (not determined)".to_owned());
            }
            LicenseDecl::Name(n) => match parse(n) {
                Ok(e) => parsed.push(e),
                Err(_) => {
                    return unknown(format!(
                        "`{n}` is a licence name, not an SPDX identifier or expression"
                    ));
                }
            },
            LicenseDecl::Expression(t) => match parse(t) {
                Ok(e) => parsed.push(e),
                Err(e) => return unknown(e),
            },
        }
    }
    let mut ids: Vec<String> = parsed
        .iter()
        .flat_map(|e| e.requirements().map(|r| r.req.to_string()))
        .collect();
    ids.sort();
    ids.dedup();
    let deny = &policy.deny;
    let acceptable = |req: &LicenseReq| {
        !listed(deny, req) && policy.allow.as_ref().is_none_or(|allow| listed(allow, req))
    };
    if parsed.iter().all(|e| e.evaluate(acceptable)) {
        return LicenseVerdict {
            expression,
            ids,
            outcome: LicenseOutcome::Allowed,
        };
    }
    let not_denied = |req: &LicenseReq| !listed(deny, req);
    let offending = |pred: &dyn Fn(&LicenseReq) -> bool| -> Vec<String> {
        let mut out: Vec<String> = parsed
            .iter()
            .flat_map(|e| e.requirements().map(|r| r.req.clone()).collect::<Vec<_>>())
            .filter(|r| pred(r))
            .map(|r| r.to_string())
            .collect();
        out.sort();
        out.dedup();
        out
    };
    let outcome = if parsed.iter().all(|e| e.evaluate(not_denied)) {
        LicenseOutcome::NotAllowed {
            licenses: offending(&|r| !acceptable(r)),
        }
    } else {
        LicenseOutcome::Denied {
            licenses: offending(&|r| listed(deny, r)),
        }
    };
    LicenseVerdict {
        expression,
        ids,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: Option<&[&str]>, deny: &[&str]) -> LicensePolicy {
        LicensePolicy {
            allow: allow.map(|a| a.iter().map(|s| (*s).to_owned()).collect()),
            deny: deny.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn outcome(text: &str, p: &LicensePolicy) -> LicenseOutcome {
        judge_decls(&[LicenseDecl::Expression(text.to_owned())], p).outcome
    }

    #[test]
    fn or_needs_one_acceptable_branch_and_needs_all() {
        let p = policy(Some(&["MIT", "Apache-2.0"]), &["GPL-3.0-only"]);
        assert_eq!(outcome("MIT OR GPL-3.0-only", &p), LicenseOutcome::Allowed);
        assert_eq!(
            outcome("MIT AND GPL-3.0-only", &p),
            LicenseOutcome::Denied {
                licenses: vec!["GPL-3.0-only".into()]
            }
        );
        assert_eq!(
            outcome("MIT AND BSD-3-Clause", &p),
            LicenseOutcome::NotAllowed {
                licenses: vec!["BSD-3-Clause".into()]
            }
        );
        assert_eq!(
            outcome("(MIT OR BSD-3-Clause) AND Apache-2.0", &p),
            LicenseOutcome::Allowed
        );
    }

    #[test]
    fn with_exceptions_match_bare_ids_or_exact_combinations() {
        let p = policy(Some(&["GPL-2.0-only WITH Classpath-exception-2.0"]), &[]);
        assert_eq!(
            outcome("GPL-2.0-only WITH Classpath-exception-2.0", &p),
            LicenseOutcome::Allowed
        );
        assert!(matches!(
            outcome("GPL-2.0-only", &p),
            LicenseOutcome::NotAllowed { .. }
        ));
        let bare = policy(None, &["GPL-2.0-only"]);
        assert!(matches!(
            outcome("GPL-2.0-only WITH Classpath-exception-2.0", &bare),
            LicenseOutcome::Denied { .. }
        ));
    }

    #[test]
    fn unknown_names_and_garbage_are_unknown() {
        let p = policy(None, &[]);
        assert!(matches!(
            judge_decls(&[LicenseDecl::Name("Apache License 2.0".into())], &p).outcome,
            LicenseOutcome::Unknown { .. }
        ));
        assert!(matches!(
            outcome("MIT AND", &p),
            LicenseOutcome::Unknown { .. }
        ));
        assert!(matches!(
            outcome("Not-A-Licence", &p),
            LicenseOutcome::Unknown { .. }
        ));
        assert!(matches!(
            judge_decls(&[], &p).outcome,
            LicenseOutcome::Unknown { .. }
        ));
        assert_eq!(outcome("GPL-2.0+", &p), LicenseOutcome::Allowed);
        assert_eq!(outcome("LicenseRef-acme", &p), LicenseOutcome::Allowed);
    }
}
