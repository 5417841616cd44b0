//! The allowlist a job gets: the kept built-in groups, `egress.allow` and
//! `egress.allow_cidrs`, and the command line's `--allow`/`--allow-cidr`,
//! which may not add to a list the org locked.

use ci_intel_core::Failure;

use crate::allowlist::{Allowlist, NamePattern, parse_cidr};
use crate::config::EgressConfig;

/// Whether the org locked `key` (or a parent of it).
pub fn is_locked(locked: &[String], key: &str) -> bool {
    locked
        .iter()
        .any(|k| k == key || key.starts_with(&format!("{k}.")))
}

/// Build the effective allowlist. Every entry must parse (exit 2 names the
/// key and the entry otherwise); a flag that would widen a locked list is
/// refused.
pub fn build(
    config: &EgressConfig,
    flag_names: &[String],
    flag_cidrs: &[String],
    locked: &[String],
) -> Result<Allowlist, Failure> {
    let mut list = Allowlist::default();
    for group in &config.builtin {
        for pattern in group.group().patterns() {
            list.push_name(pattern);
        }
    }
    let mut configured = Vec::new();
    for entry in &config.allow {
        let pattern = NamePattern::parse(entry)
            .map_err(|e| Failure::usage(format!("egress.allow entry {e}")))?;
        configured.push(pattern.clone());
        list.push_name(pattern);
    }
    let names_locked = is_locked(locked, "egress.allow");
    for entry in flag_names {
        let pattern =
            NamePattern::parse(entry).map_err(|e| Failure::usage(format!("--allow {e}")))?;
        if names_locked && !configured.iter().any(|have| pattern.covered_by(have)) {
            return Err(Failure::usage(format!(
                "--allow {pattern}: egress.allow is locked by the org policy and does not cover it; a repository may only allow fewer names"
            )));
        }
        list.push_name(pattern);
    }
    let mut configured_cidrs = Vec::new();
    for entry in &config.allow_cidrs {
        let net = parse_cidr(entry)
            .map_err(|e| Failure::usage(format!("egress.allow_cidrs entry {e}")))?;
        configured_cidrs.push(net);
        list.push_cidr(net);
    }
    let cidrs_locked = is_locked(locked, "egress.allow_cidrs");
    for entry in flag_cidrs {
        let net = parse_cidr(entry).map_err(|e| Failure::usage(format!("--allow-cidr {e}")))?;
        if cidrs_locked && !configured_cidrs.iter().any(|have| have.contains(&net)) {
            return Err(Failure::usage(format!(
                "--allow-cidr {net}: egress.allow_cidrs is locked by the org policy and does not contain it; a repository may only allow fewer ranges"
            )));
        }
        list.push_cidr(net);
    }
    Ok(list)
}

/// Check an interface pattern of `egress.local_interfaces`: a Linux
/// interface name (1 to 15 bytes of letters, digits, `_`, `.`, `-`),
/// optionally ending in `*`.
pub fn parse_interface(entry: &str) -> Result<String, crate::allowlist::EntryError> {
    let refuse = |reason: &str| crate::allowlist::EntryError {
        entry: entry.to_owned(),
        reason: reason.to_owned(),
    };
    let stem = entry.strip_suffix('*').unwrap_or(entry);
    if stem.is_empty() && !entry.ends_with('*') || entry.len() > 15 {
        return Err(refuse(
            "an interface name has 1 to 15 bytes (a trailing `*` matches the rest)",
        ));
    }
    if stem.is_empty() {
        return Err(refuse(
            "`*` alone would exempt every interface, which is no filtering at all",
        ));
    }
    if !stem
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(refuse(
            "only letters, digits, `_`, `.` and `-` (and a trailing `*`)",
        ));
    }
    Ok(entry.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn flags_may_not_widen_a_locked_list() {
        let config = EgressConfig {
            allow: vec!["*.pypi.org".into()],
            allow_cidrs: vec!["192.0.2.0/24".into()],
            ..EgressConfig::default()
        };
        let locked = vec!["egress.allow".to_owned(), "egress.allow_cidrs".to_owned()];
        assert!(
            build(
                &config,
                &["files.pypi.org".into()],
                &["192.0.2.8".into()],
                &locked
            )
            .is_ok()
        );
        let err = build(&config, &["crates.io".into()], &[], &locked).unwrap_err();
        assert!(err.message.contains("locked"), "{err}");
        let err = build(&config, &[], &["198.51.100.1".into()], &locked).unwrap_err();
        assert!(err.message.contains("allow_cidrs is locked"), "{err}");
        let list = build(&config, &["crates.io".into()], &[], &[]).unwrap();
        assert!(list.allows_name("crates.io"));
        assert!(list.allows_name("api.github.com"));
        assert!(is_locked(&["egress".to_owned()], "egress.allow"));
    }

    #[test]
    fn invalid_entries_are_usage_errors_naming_the_key() {
        let config = EgressConfig {
            allow: vec!["bad name".into()],
            ..EgressConfig::default()
        };
        let err = build(&config, &[], &[], &[]).unwrap_err();
        assert_eq!(err.code, ci_intel_core::ExitCode::Usage);
        assert!(err.message.starts_with("egress.allow entry"), "{err}");
    }

    #[test]
    fn interface_patterns() {
        assert!(parse_interface("br-*").is_ok());
        assert!(parse_interface("docker0").is_ok());
        assert!(parse_interface("*").is_err());
        assert!(parse_interface("").is_err());
        assert!(parse_interface("a\"b").is_err());
        assert!(parse_interface("abcdefghijklmnop").is_err());
    }
}
