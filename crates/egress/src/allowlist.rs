//! The allowlist: name patterns (exact names and `*.` wildcards) and
//! address ranges, and the address ranges that are never allowed through a
//! DNS answer (private, loopback, link-local, cloud metadata...).
//!
//! Every parser here is a plain function over untrusted text that returns
//! an error naming what was expected and what was found; none panics (a
//! proptest holds them to it, and a fuzz target can call them).

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// Why an allowlist entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// The entry as written.
    pub entry: String,
    /// What is wrong, and what would be right.
    pub reason: String,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.entry, self.reason)
    }
}

fn refuse(entry: &str, reason: impl Into<String>) -> EntryError {
    EntryError {
        entry: entry.to_owned(),
        reason: reason.into(),
    }
}

/// A name pattern: `api.github.com` (that name only) or
/// `*.actions.githubusercontent.com` (every name below it, at any depth,
/// but not the name itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NamePattern {
    Exact(String),
    /// The suffix after `*.`, lower case, without a trailing dot.
    Wildcard(String),
}

impl NamePattern {
    /// Parse an entry of `egress.allow` or `--allow`. Case and one trailing
    /// dot are ignored (`API.GitHub.com.` is `api.github.com`).
    pub fn parse(entry: &str) -> Result<NamePattern, EntryError> {
        let text = entry.trim();
        if text.is_empty() {
            return Err(refuse(
                entry,
                "empty; expected a host name (`api.github.com`) or a wildcard (`*.example.com`)",
            ));
        }
        if text.parse::<IpAddr>().is_ok() || text.parse::<IpNet>().is_ok() {
            return Err(refuse(
                entry,
                "an address, not a name; list addresses and ranges under `egress.allow_cidrs` (`--allow-cidr`)",
            ));
        }
        let lower = text.to_ascii_lowercase();
        let lower = lower.strip_suffix('.').unwrap_or(&lower);
        if let Some(suffix) = lower.strip_prefix("*.") {
            if suffix.contains('*') {
                return Err(refuse(
                    entry,
                    "only one `*`, as the whole first label, is supported (`*.example.com`)",
                ));
            }
            validate_name(entry, suffix)?;
            return Ok(NamePattern::Wildcard(suffix.to_owned()));
        }
        if lower.contains('*') {
            return Err(refuse(
                entry,
                "`*` is only allowed as the whole first label (`*.example.com`); write the name without it or as `*.` plus a suffix",
            ));
        }
        validate_name(entry, lower)?;
        Ok(NamePattern::Exact(lower.to_owned()))
    }

    /// Whether `name` (lower case, no trailing dot) is allowed by this pattern.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            NamePattern::Exact(exact) => name == exact,
            NamePattern::Wildcard(suffix) => name
                .strip_suffix(suffix.as_str())
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
        }
    }

    /// The pattern as written in configuration (`*.example.com`).
    pub fn as_config(&self) -> String {
        match self {
            NamePattern::Exact(name) => name.clone(),
            NamePattern::Wildcard(suffix) => format!("*.{suffix}"),
        }
    }

    /// True for `*.` patterns.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, NamePattern::Wildcard(_))
    }

    /// Whether every name this pattern allows is also allowed by `other`.
    pub fn covered_by(&self, other: &NamePattern) -> bool {
        match (self, other) {
            (NamePattern::Exact(name), _) => other.matches(name),
            (NamePattern::Wildcard(mine), NamePattern::Wildcard(theirs)) => {
                mine == theirs || other.matches(mine)
            }
            (NamePattern::Wildcard(_), NamePattern::Exact(_)) => false,
        }
    }
}

impl fmt::Display for NamePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_config())
    }
}

/// Check a lower-case host name: labels of letters, digits, `-` and `_`
/// (the last one appears in service names), 1 to 63 bytes each, not
/// starting or ending with `-`, at most 253 bytes in all, at least two
/// labels.
fn validate_name(entry: &str, name: &str) -> Result<(), EntryError> {
    if name.len() > 253 {
        return Err(refuse(
            entry,
            format!("{} bytes long; a DNS name has at most 253", name.len()),
        ));
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err(refuse(
            entry,
            "a single label; expected a fully qualified name with a dot (`example.com`)",
        ));
    }
    for label in &labels {
        if label.is_empty() {
            return Err(refuse(entry, "an empty label (`..`, or a leading dot)"));
        }
        if label.len() > 63 {
            return Err(refuse(
                entry,
                format!("the label `{label}` has {} bytes; at most 63", label.len()),
            ));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(refuse(
                entry,
                format!(
                    "the character {bad:?} is not allowed in a host name (letters, digits, `-`, `_`; write internationalised names in their `xn--` form)"
                ),
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(refuse(
                entry,
                format!("the label `{label}` starts or ends with `-`"),
            ));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(refuse(
            entry,
            "the last label is all digits, which no top-level domain is (an address belongs under `egress.allow_cidrs`)",
        ));
    }
    Ok(())
}

/// Parse an entry of `egress.allow_cidrs` or `--allow-cidr`: an address
/// (`192.0.2.7`, `2001:db8::1`) or a range (`192.0.2.0/24`). A range with
/// host bits set (`10.0.0.1/8`) is refused: it is ambiguous whether one
/// host or the whole range was meant.
pub fn parse_cidr(entry: &str) -> Result<IpNet, EntryError> {
    let text = entry.trim();
    if let Ok(addr) = text.parse::<IpAddr>() {
        return Ok(IpNet::from(addr));
    }
    match text.parse::<IpNet>() {
        Ok(net) if net.trunc() == net => Ok(net),
        Ok(net) => Err(refuse(
            entry,
            format!(
                "host bits are set; write `{}` for the range or `{}` for the one address",
                net.trunc(),
                net.addr()
            ),
        )),
        Err(_) => Err(refuse(
            entry,
            "not an address or a CIDR range; expected e.g. `192.0.2.7`, `192.0.2.0/24` or `2001:db8::/32`",
        )),
    }
}

/// A DNS name as the resolver compares it: lower case, no trailing dot.
pub fn normalize_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    lower.strip_suffix('.').unwrap_or(&lower).to_owned()
}

/// What a job may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    pub names: Vec<NamePattern>,
    pub cidrs: Vec<IpNet>,
}

impl Allowlist {
    /// Whether a queried name is allowed (`name` in any case, with or
    /// without the trailing dot).
    pub fn allows_name(&self, name: &str) -> bool {
        let name = normalize_name(name);
        self.names.iter().any(|pattern| pattern.matches(&name))
    }

    /// The first pattern that allows `name`.
    pub fn matching_pattern(&self, name: &str) -> Option<&NamePattern> {
        let name = normalize_name(name);
        self.names.iter().find(|pattern| pattern.matches(&name))
    }

    /// Whether an address is allowed by `allow_cidrs` (directly, not
    /// through a name).
    pub fn allows_addr(&self, addr: IpAddr) -> bool {
        let addr = canonical_addr(addr);
        self.cidrs.iter().any(|net| net.contains(&addr))
    }

    /// Add a name pattern unless an existing one already covers it.
    pub fn push_name(&mut self, pattern: NamePattern) {
        if !self.names.iter().any(|have| pattern.covered_by(have)) {
            self.names.push(pattern);
        }
    }

    pub fn push_cidr(&mut self, net: IpNet) {
        if !self.cidrs.contains(&net) {
            self.cidrs.push(net);
        }
    }

    /// Whether a DNS answer's address may join the allowed set: special
    /// ranges (private, loopback, link-local and so cloud metadata,
    /// unique-local, multicast...) only when `allow_cidrs` lists them. A
    /// public name that resolves to `169.254.169.254` (DNS rebinding) does
    /// not open the metadata service.
    pub fn answer_may_open(&self, addr: IpAddr) -> Result<(), SpecialRange> {
        match special_range(addr) {
            Some(range) if !self.allows_addr(addr) => Err(range),
            _ => Ok(()),
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) as the IPv4 address.
pub fn canonical_addr(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => addr,
        },
        IpAddr::V4(_) => addr,
    }
}

/// A range no DNS answer opens unless `allow_cidrs` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialRange {
    pub cidr: &'static str,
    pub what: &'static str,
}

/// The ranges that are not the public internet. The cloud metadata
/// addresses are named first so a report says which one was hit.
pub const SPECIAL_RANGES: &[SpecialRange] = &[
    SpecialRange {
        cidr: "169.254.169.254/32",
        what: "cloud instance metadata (AWS, Azure, GCP, OCI...)",
    },
    SpecialRange {
        cidr: "fd00:ec2::254/128",
        what: "cloud instance metadata (AWS IPv6)",
    },
    SpecialRange {
        cidr: "168.63.129.16/32",
        what: "Azure WireServer (host agent and platform DNS)",
    },
    SpecialRange {
        cidr: "100.100.100.200/32",
        what: "cloud instance metadata (Alibaba Cloud)",
    },
    SpecialRange {
        cidr: "0.0.0.0/8",
        what: "\"this network\"",
    },
    SpecialRange {
        cidr: "10.0.0.0/8",
        what: "private network (RFC 1918)",
    },
    SpecialRange {
        cidr: "100.64.0.0/10",
        what: "carrier-grade NAT (RFC 6598)",
    },
    SpecialRange {
        cidr: "127.0.0.0/8",
        what: "loopback",
    },
    SpecialRange {
        cidr: "169.254.0.0/16",
        what: "link-local (where cloud metadata lives)",
    },
    SpecialRange {
        cidr: "172.16.0.0/12",
        what: "private network (RFC 1918)",
    },
    SpecialRange {
        cidr: "192.0.0.0/24",
        what: "IETF protocol assignments",
    },
    SpecialRange {
        cidr: "192.168.0.0/16",
        what: "private network (RFC 1918)",
    },
    SpecialRange {
        cidr: "198.18.0.0/15",
        what: "benchmarking (RFC 2544)",
    },
    SpecialRange {
        cidr: "224.0.0.0/4",
        what: "multicast",
    },
    SpecialRange {
        cidr: "240.0.0.0/4",
        what: "reserved and broadcast",
    },
    SpecialRange {
        cidr: "::/128",
        what: "unspecified",
    },
    SpecialRange {
        cidr: "::1/128",
        what: "loopback",
    },
    SpecialRange {
        cidr: "fc00::/7",
        what: "unique local (private IPv6)",
    },
    SpecialRange {
        cidr: "fe80::/10",
        what: "link-local",
    },
    SpecialRange {
        cidr: "ff00::/8",
        what: "multicast",
    },
];

/// The special range `addr` falls in, if any.
pub fn special_range(addr: IpAddr) -> Option<SpecialRange> {
    let addr = canonical_addr(addr);
    SPECIAL_RANGES.iter().copied().find(|range| {
        range
            .cidr
            .parse::<IpNet>()
            .is_ok_and(|net| net.contains(&addr))
    })
}

/// The cloud metadata addresses (`169.254.169.254`, `fd00:ec2::254`,
/// `100.100.100.200`).
pub fn is_metadata(addr: IpAddr) -> bool {
    special_range(addr).is_some_and(|range| range.what.starts_with("cloud instance metadata"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_parse_normalise_and_match() {
        let exact = NamePattern::parse("API.GitHub.com.").unwrap();
        assert_eq!(exact, NamePattern::Exact("api.github.com".into()));
        assert!(exact.matches("api.github.com"));
        assert!(!exact.matches("x.api.github.com"));
        let wild = NamePattern::parse("*.actions.githubusercontent.com").unwrap();
        assert!(wild.matches("pipelines.actions.githubusercontent.com"));
        assert!(wild.matches("a.b.actions.githubusercontent.com"));
        assert!(!wild.matches("actions.githubusercontent.com"));
        assert!(!wild.matches("evilactions.githubusercontent.com"));
        assert!(!wild.matches("githubusercontent.com"));
    }

    #[test]
    fn bad_names_say_what_is_wrong() {
        for (entry, fragment) in [
            ("", "empty"),
            ("192.0.2.1", "allow_cidrs"),
            ("10.0.0.0/8", "allow_cidrs"),
            ("localhost", "single label"),
            ("*.com.*", "only one `*`"),
            ("a.*.example.com", "whole first label"),
            ("*example.com", "whole first label"),
            ("ex ample.com", "not allowed"),
            ("-bad.example.com", "starts or ends"),
            ("a..b", "empty label"),
            ("1.2.3.999", "all digits"),
            ("bücher.de", "xn--"),
        ] {
            let err = NamePattern::parse(entry).unwrap_err();
            assert!(err.reason.contains(fragment), "{entry}: {err}");
        }
        assert!(NamePattern::parse(&format!("{}.com", "a".repeat(64))).is_err());
        assert!(NamePattern::parse(&format!("{}com", "a.".repeat(130))).is_err());
    }

    #[test]
    fn cidrs_parse_and_refuse_host_bits() {
        assert_eq!(
            parse_cidr("192.0.2.7").unwrap(),
            "192.0.2.7/32".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            parse_cidr(" 2001:db8::/32 ").unwrap(),
            "2001:db8::/32".parse::<IpNet>().unwrap()
        );
        let err = parse_cidr("10.0.0.1/8").unwrap_err();
        assert!(err.reason.contains("`10.0.0.0/8`"), "{err}");
        assert!(parse_cidr("example.com").is_err());
        assert!(parse_cidr("10.0.0.0/33").is_err());
    }

    #[test]
    fn special_ranges_need_an_explicit_cidr() {
        let mut list = Allowlist::default();
        let metadata: IpAddr = "169.254.169.254".parse().unwrap();
        let err = list.answer_may_open(metadata).unwrap_err();
        assert!(err.what.contains("metadata"));
        assert!(is_metadata(metadata));
        assert!(is_metadata("fd00:ec2::254".parse().unwrap()));
        assert!(
            list.answer_may_open("::ffff:10.1.2.3".parse().unwrap())
                .is_err()
        );
        assert!(list.answer_may_open("192.0.2.1".parse().unwrap()).is_ok());
        list.push_cidr(parse_cidr("169.254.169.254").unwrap());
        assert!(list.answer_may_open(metadata).is_ok());
        assert!(
            list.answer_may_open("169.254.1.1".parse().unwrap())
                .is_err()
        );
    }

    #[test]
    fn coverage_between_patterns() {
        let wild = NamePattern::parse("*.example.com").unwrap();
        let deeper = NamePattern::parse("*.a.example.com").unwrap();
        let exact = NamePattern::parse("b.example.com").unwrap();
        assert!(deeper.covered_by(&wild));
        assert!(!wild.covered_by(&deeper));
        assert!(exact.covered_by(&wild));
        assert!(!wild.covered_by(&exact));
        let mut list = Allowlist::default();
        list.push_name(wild.clone());
        list.push_name(exact);
        assert_eq!(list.names, vec![wild]);
        assert!(list.allows_name("B.Example.COM."));
    }
}
