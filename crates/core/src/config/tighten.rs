//! Which direction of a key is tighter, and whether a value loosens another.

use serde_json::Value;

use crate::findings::Severity;

/// The tightening order of a lockable key, read from the schema keyword
/// `x-ci-intel-tighten`. A key without the keyword can be locked only to its
/// exact value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tighten {
    /// `true` is tighter than `false` (an `enabled` switch).
    TrueIsTighter,
    /// `false` is tighter than `true` (an `allow_*` switch).
    FalseIsTighter,
    /// A lower severity threshold fails on more, so it is tighter.
    LowerSeverity,
    /// A higher severity is tighter (a per-rule severity override).
    HigherSeverity,
    /// A wider persona is tighter: `regular` < `pedantic` < `auditor` (the
    /// policy persona).
    Pedantic,
    /// A lower number is tighter (a budget).
    LowerNumber,
    /// A higher number is tighter (a minimum score).
    HigherNumber,
    /// A pin list under which no reference gets a looser policy.
    StricterPins,
    /// A list that keeps only some of the locked items is tighter (an allowlist).
    Subset,
    /// A list that keeps every locked item and may add more is tighter (a
    /// list of things that must be verified).
    Superset,
    /// The locked value only.
    Exact,
}

impl Tighten {
    pub fn from_keyword(keyword: Option<&str>) -> Result<Tighten, String> {
        Ok(match keyword {
            None => Tighten::Exact,
            Some("true") => Tighten::TrueIsTighter,
            Some("false") => Tighten::FalseIsTighter,
            Some("lower-severity") => Tighten::LowerSeverity,
            Some("higher-severity") => Tighten::HigherSeverity,
            Some("pedantic") => Tighten::Pedantic,
            Some("lower") => Tighten::LowerNumber,
            Some("higher") => Tighten::HigherNumber,
            Some("subset") => Tighten::Subset,
            Some("superset") => Tighten::Superset,
            Some("stricter-pins") => Tighten::StricterPins,
            Some(other) => return Err(format!("unknown x-ci-intel-tighten value `{other}`")),
        })
    }

    /// Whether `candidate` is at least as tight as `locked`.
    pub fn allows(self, locked: &Value, candidate: &Value) -> bool {
        match self {
            Tighten::TrueIsTighter => locked == candidate || candidate == &Value::Bool(true),
            Tighten::FalseIsTighter => locked == candidate || candidate == &Value::Bool(false),
            Tighten::LowerSeverity => match (severity(locked), severity(candidate)) {
                (Some(l), Some(c)) => c <= l,
                _ => false,
            },
            Tighten::HigherSeverity => match (severity(locked), severity(candidate)) {
                (Some(l), Some(c)) => c >= l,
                // Unset means the rule's own severity: only an equal value keeps it.
                _ => locked == candidate,
            },
            Tighten::Pedantic => {
                // Personas widen: regular < pedantic < auditor.
                let rank = |v: &Value| match v.as_str() {
                    Some("regular") => Some(0),
                    Some("pedantic") => Some(1),
                    Some("auditor") => Some(2),
                    _ => None,
                };
                locked == candidate
                    || matches!((rank(locked), rank(candidate)), (Some(l), Some(c)) if c >= l)
            }
            Tighten::LowerNumber => match (locked.as_f64(), candidate.as_f64()) {
                (Some(l), Some(c)) => c <= l,
                _ => false,
            },
            Tighten::HigherNumber => match (locked.as_f64(), candidate.as_f64()) {
                (Some(l), Some(c)) => c >= l,
                _ => false,
            },
            Tighten::StricterPins => stricter_pins(locked, candidate),
            Tighten::Subset => match (locked.as_array(), candidate.as_array()) {
                (Some(l), Some(c)) => c.iter().all(|item| l.contains(item)),
                // A list left unset (serialised only when not empty) is empty.
                (None, Some(c)) if locked.is_null() => c.is_empty(),
                _ => false,
            },
            Tighten::Superset => match (locked.as_array(), candidate.as_array()) {
                (Some(l), Some(c)) => l.iter().all(|item| c.contains(item)),
                _ => false,
            },
            Tighten::Exact => locked == candidate,
        }
    }

    /// What a repository may write instead, for the error message.
    pub fn advice(self, locked: &Value) -> String {
        match self {
            Tighten::TrueIsTighter => "only `true` keeps it locked".to_owned(),
            Tighten::FalseIsTighter => "only `false` keeps it locked".to_owned(),
            Tighten::LowerSeverity => {
                let allowed: Vec<&str> = Severity::ALL
                    .into_iter()
                    .filter(|s| severity(locked).is_some_and(|l| *s <= l))
                    .map(Severity::as_str)
                    .collect();
                format!("choose one of: {}", allowed.join(", "))
            }
            Tighten::HigherSeverity => {
                let allowed: Vec<&str> = Severity::ALL
                    .into_iter()
                    .filter(|s| severity(locked).is_some_and(|l| *s >= l))
                    .map(Severity::as_str)
                    .collect();
                if allowed.is_empty() {
                    format!("it must stay {locked}")
                } else {
                    format!("choose one of: {}", allowed.join(", "))
                }
            }
            Tighten::Pedantic => {
                format!("choose {locked} or a wider persona (regular < pedantic < auditor)")
            }
            Tighten::LowerNumber => format!("choose a value at or below {locked}"),
            Tighten::HigherNumber => format!("choose a value at or above {locked}"),
            Tighten::StricterPins => format!(
                "no reference may get a looser policy than under {locked} (add or tighten entries, never loosen)"
            ),
            Tighten::Subset => format!("keep only items from {locked}"),
            Tighten::Superset => format!("keep every item of {locked}; you may add more"),
            Tighten::Exact => format!("it must stay {locked}"),
        }
    }
}

/// The index of the entry of `patterns` that applies to `owner/repo` or
/// `owner/repo/sub/path`: an exact pattern, else (for a subpath)
/// `owner/repo/*`, else `owner/repo`, else (for a root action)
/// `owner/repo/*`, else `owner/*`, else `*`. Patterns match
/// case-insensitively, as GitHub treats owner and repository names. This is
/// the one lookup both the policy gate and the `stricter-pins` lock use.
pub fn most_specific_pattern(patterns: &[&str], repository: &str) -> Option<usize> {
    let repository = repository.to_ascii_lowercase();
    let mut parts = repository.splitn(3, '/');
    let owner = parts.next().unwrap_or_default();
    let repo = parts.next();
    let subpath = parts.next();
    let find = |wanted: &str| {
        patterns
            .iter()
            .position(|pattern| pattern.eq_ignore_ascii_case(wanted))
    };
    let mut order = vec![repository.clone()];
    if let Some(repo) = repo {
        if subpath.is_some() {
            order.push(format!("{owner}/{repo}/*"));
            order.push(format!("{owner}/{repo}"));
        } else {
            order.push(format!("{owner}/{repo}/*"));
        }
        order.push(format!("{owner}/*"));
    }
    order.push("*".to_owned());
    order.iter().find_map(|wanted| find(wanted))
}

/// How strict a pin policy is: `hash-pin` (2) > `ref-pin` (1) > `any` (0);
/// no matching entry means the hub default, `hash-pin`.
fn pin_strictness(policy: Option<&str>) -> Option<u8> {
    match policy {
        None | Some("hash-pin") => Some(2),
        Some("ref-pin") => Some(1),
        Some("any") => Some(0),
        Some(_) => None,
    }
}

/// Whether `candidate` gives every reference a policy at least as strict as
/// `locked` does. Only the pattern levels matter (exact, `owner/repo/*`,
/// `owner/repo`, `owner/*`, `*`), so probing each pattern either list
/// names, the root action and one unnamed subpath of each named repository,
/// one unnamed repository of each named owner, and one unnamed owner covers
/// every reference.
fn stricter_pins(locked: &Value, candidate: &Value) -> bool {
    let parse = |v: &Value| -> Option<Vec<(String, String)>> {
        v.as_array()?
            .iter()
            .map(|rule| {
                Some((
                    rule.get("pattern")?.as_str()?.to_owned(),
                    rule.get("policy")?.as_str()?.to_owned(),
                ))
            })
            .collect()
    };
    let (Some(locked), Some(candidate)) = (parse(locked), parse(candidate)) else {
        return false;
    };
    let effective = |rules: &[(String, String)], probe: &str| {
        let patterns: Vec<&str> = rules.iter().map(|(p, _)| p.as_str()).collect();
        let index = most_specific_pattern(&patterns, probe);
        pin_strictness(index.map(|i| rules[i].1.as_str()))
    };
    // No real name contains a space, so these probes match no exact pattern.
    const UNNAMED: &str = "unnamed repository";
    let mut probes = vec![format!("{UNNAMED}/{UNNAMED}")];
    for (pattern, _) in locked.iter().chain(&candidate) {
        match pattern.split_once('/') {
            Some((owner, "*")) => probes.push(format!("{owner}/{UNNAMED}")),
            Some((owner, rest)) => {
                // The repository's root action, an unnamed subpath of it,
                // and the pattern itself (an exact subpath).
                let repo = rest.split('/').next().unwrap_or(rest);
                probes.push(format!("{owner}/{repo}"));
                probes.push(format!("{owner}/{repo}/{UNNAMED}"));
                if !pattern.ends_with("/*") {
                    probes.push(pattern.clone());
                }
            }
            None => {}
        }
    }
    probes.iter().all(
        |probe| match (effective(&candidate, probe), effective(&locked, probe)) {
            (Some(c), Some(l)) => c >= l,
            _ => false,
        },
    )
}

fn severity(value: &Value) -> Option<Severity> {
    value.as_str().and_then(|s| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_direction_allows_tightening_and_refuses_loosening() {
        let cases = [
            (
                Tighten::TrueIsTighter,
                json!(true),
                json!(true),
                json!(false),
            ),
            (
                Tighten::FalseIsTighter,
                json!(false),
                json!(false),
                json!(true),
            ),
            (
                Tighten::LowerSeverity,
                json!("high"),
                json!("low"),
                json!("critical"),
            ),
            (
                Tighten::HigherSeverity,
                json!("medium"),
                json!("critical"),
                json!("low"),
            ),
            (
                Tighten::Pedantic,
                json!("regular"),
                json!("pedantic"),
                json!("lenient"),
            ),
            (Tighten::LowerNumber, json!(100), json!(50), json!(101)),
            (Tighten::HigherNumber, json!(0.8), json!(0.9), json!(0.5)),
            (
                Tighten::Subset,
                json!(["a", "b"]),
                json!(["a"]),
                json!(["a", "c"]),
            ),
            (
                Tighten::Superset,
                json!(["a", "b"]),
                json!(["a", "b", "c"]),
                json!(["a"]),
            ),
            (Tighten::Exact, json!("x"), json!("x"), json!("y")),
        ];
        for (direction, locked, tighter, looser) in cases {
            assert!(direction.allows(&locked, &locked), "{direction:?} equal");
            assert!(direction.allows(&locked, &tighter), "{direction:?} tighter");
            assert!(!direction.allows(&locked, &looser), "{direction:?} looser");
        }
    }

    #[test]
    fn pin_lists_may_add_or_tighten_entries_but_never_loosen_a_reference() {
        let locked = json!([{"pattern": "*", "policy": "ref-pin"}, {"pattern": "acme/*", "policy": "hash-pin"}]);
        let allows = |c: Value| Tighten::StricterPins.allows(&locked, &c);
        assert!(allows(locked.clone()));
        // Stricter default, and a new exact entry that is as strict as what applied.
        assert!(allows(
            json!([{"pattern": "*", "policy": "hash-pin"}, {"pattern": "acme/*", "policy": "hash-pin"}])
        ));
        assert!(allows(
            json!([{"pattern": "*", "policy": "ref-pin"}, {"pattern": "acme/*", "policy": "hash-pin"}, {"pattern": "other/x", "policy": "hash-pin"}])
        ));
        // Loosening the default, loosening an owner, or carving out a looser exact repo.
        assert!(!allows(
            json!([{"pattern": "*", "policy": "any"}, {"pattern": "acme/*", "policy": "hash-pin"}])
        ));
        assert!(
            !allows(json!([{"pattern": "*", "policy": "ref-pin"}])),
            "dropping acme/* loosens acme"
        );
        assert!(!allows(
            json!([{"pattern": "*", "policy": "ref-pin"}, {"pattern": "acme/*", "policy": "hash-pin"}, {"pattern": "ACME/tool", "policy": "ref-pin"}])
        ));
        // Not a pin list at all.
        assert!(!allows(json!("hash-pin")));
    }

    #[test]
    fn a_false_lock_of_an_enabled_switch_still_allows_turning_it_on() {
        assert!(Tighten::TrueIsTighter.allows(&json!(false), &json!(true)));
    }

    #[test]
    fn wrong_types_never_count_as_tighter() {
        assert!(!Tighten::LowerNumber.allows(&json!(1), &json!("0")));
        assert!(!Tighten::LowerSeverity.allows(&json!("high"), &json!("bogus")));
    }

    #[test]
    fn unknown_keyword_is_an_error() {
        assert!(Tighten::from_keyword(Some("sideways")).is_err());
    }
}
