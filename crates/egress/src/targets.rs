//! `HOST:PORT` targets of `ci-intel-egress smoke`, the built-in ones, and
//! whether a set of targets agrees with an allowlist.

use std::fmt;
use std::net::IpAddr;

use crate::allowlist::{Allowlist, EntryError, NamePattern, normalize_name};

/// Where a smoke target points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Host {
    /// A host name, lower case, no trailing dot.
    Name(String),
    /// A hard-coded address.
    Addr(IpAddr),
}

/// A `HOST:PORT` target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    pub host: Host,
    pub port: u16,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Name(name) => write!(f, "{name}:{}", self.port),
            Host::Addr(IpAddr::V6(v6)) => write!(f, "[{v6}]:{}", self.port),
            Host::Addr(IpAddr::V4(v4)) => write!(f, "{v4}:{}", self.port),
        }
    }
}

fn refuse(entry: &str, reason: impl Into<String>) -> EntryError {
    EntryError {
        entry: entry.to_owned(),
        reason: reason.into(),
    }
}

/// Parse `name:443`, `192.0.2.1:80` or `[2001:db8::1]:443`.
pub fn parse_target(entry: &str) -> Result<Target, EntryError> {
    let text = entry.trim();
    let expected = "expected HOST:PORT (`api.github.com:443`, `192.0.2.1:80`, `[2001:db8::1]:443`)";
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let Some((inside, port)) = rest.split_once("]:") else {
            return Err(refuse(
                entry,
                format!("an IPv6 target without `]:PORT`; {expected}"),
            ));
        };
        let addr: IpAddr = inside.parse().map_err(|_| {
            refuse(
                entry,
                format!("`{inside}` is not an IPv6 address; {expected}"),
            )
        })?;
        (Host::Addr(addr), port)
    } else {
        let Some((host, port)) = text.rsplit_once(':') else {
            return Err(refuse(entry, format!("no port; {expected}")));
        };
        if host.contains(':') {
            return Err(refuse(
                entry,
                format!("an IPv6 address needs brackets; {expected}"),
            ));
        }
        let host = match host.parse::<IpAddr>() {
            Ok(addr) => Host::Addr(addr),
            Err(_) => match NamePattern::parse(host) {
                Ok(NamePattern::Exact(name)) => Host::Name(name),
                Ok(NamePattern::Wildcard(_)) => {
                    return Err(refuse(entry, "a smoke target is one host, not a wildcard"));
                }
                Err(error) => return Err(refuse(entry, error.reason)),
            },
        };
        (host, port)
    };
    let port: u16 = port.parse().ok().filter(|p| *p != 0).ok_or_else(|| {
        refuse(
            entry,
            format!("`{port}` is not a port (1-65535); {expected}"),
        )
    })?;
    Ok(Target { host, port })
}

/// The built-in target that must be reachable: an endpoint of the `runner`
/// group, which every job needs.
pub const BUILTIN_ALLOWED: &[&str] = &["api.github.com:443"];

/// The built-in targets that must be unreachable: a well-known name that no
/// job needs (`example.com`, reserved by IANA, so it always resolves
/// upstream: a refusal is ours), a hard-coded public address (a public DNS
/// resolver's HTTPS port, a common way around a DNS allowlist) and the
/// cloud metadata address.
pub const BUILTIN_DENIED: &[&str] = &["example.com:443", "1.1.1.1:443", "169.254.169.254:80"];

/// The built-in targets, parsed.
pub fn builtin_targets() -> (Vec<Target>, Vec<Target>) {
    let parse = |list: &[&str]| list.iter().filter_map(|t| parse_target(t).ok()).collect();
    (parse(BUILTIN_ALLOWED), parse(BUILTIN_DENIED))
}

/// Whether the allowlist permits a target (a name through `allow`, an
/// address through `allow_cidrs`).
pub fn allowed_by(list: &Allowlist, target: &Target) -> bool {
    match &target.host {
        Host::Name(name) => list.allows_name(&normalize_name(name)),
        Host::Addr(addr) => list.allows_addr(*addr),
    }
}

/// A target that contradicts the allowlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    pub target: Target,
    /// True when the target is expected to be allowed (and is not).
    pub expected_allowed: bool,
}

/// The targets whose expectation the allowlist cannot meet.
pub fn contradictions(
    list: &Allowlist,
    allowed: &[Target],
    denied: &[Target],
) -> Vec<Contradiction> {
    let mut found = Vec::new();
    for target in allowed {
        if !allowed_by(list, target) {
            found.push(Contradiction {
                target: target.clone(),
                expected_allowed: true,
            });
        }
    }
    for target in denied {
        if allowed_by(list, target) {
            found.push(Contradiction {
                target: target.clone(),
                expected_allowed: false,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn targets_parse_in_every_form() {
        assert_eq!(
            parse_target("API.github.com:443").unwrap().to_string(),
            "api.github.com:443"
        );
        assert_eq!(
            parse_target("[2001:db8::1]:80").unwrap().to_string(),
            "[2001:db8::1]:80"
        );
        assert_eq!(
            parse_target("192.0.2.1:53").unwrap().host,
            Host::Addr("192.0.2.1".parse().unwrap())
        );
        for (bad, fragment) in [
            ("example.com", "no port"),
            ("example.com:0", "not a port"),
            ("example.com:99999", "not a port"),
            ("2001:db8::1:443", "brackets"),
            ("[2001:db8::1:443", "`]:PORT`"),
            ("*.example.com:443", "wildcard"),
            ("bad host.com:1", "not allowed"),
        ] {
            let err = parse_target(bad).unwrap_err();
            assert!(err.reason.contains(fragment), "{bad}: {err}");
        }
    }

    #[test]
    fn builtin_targets_parse_and_agree_with_the_builtin_list() {
        let (allowed, denied) = builtin_targets();
        assert_eq!(allowed.len(), BUILTIN_ALLOWED.len());
        assert_eq!(denied.len(), BUILTIN_DENIED.len());
        let mut list = Allowlist::default();
        for group in crate::builtin::GROUPS {
            for pattern in group.patterns() {
                list.push_name(pattern);
            }
        }
        assert_eq!(contradictions(&list, &allowed, &denied), vec![]);
        list.push_cidr(crate::allowlist::parse_cidr("1.1.1.0/24").unwrap());
        let found = contradictions(&list, &allowed, &denied);
        assert_eq!(found.len(), 1);
        assert!(!found[0].expected_allowed);
    }
}
