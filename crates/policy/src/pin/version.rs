//! Release-tag versions: `v1.2.3`, `1.2.3`, and the floating `v1` / `v1.2`.

use std::cmp::Ordering;

/// A version parsed from a tag name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: Option<u64>,
    pub patch: Option<u64>,
    /// Text after `-` (a pre-release); never chosen by `--update`.
    pub pre: Option<String>,
}

impl Version {
    /// Parse `v1`, `v1.2`, `v1.2.3`, `1.2.3-rc.1`, `v1.2.3+build`.
    pub fn parse(tag: &str) -> Option<Version> {
        let text = tag.strip_prefix('v').unwrap_or(tag);
        let text = text.split_once('+').map(|(v, _)| v).unwrap_or(text);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, Some(pre.to_owned())),
            Some(_) => return None,
            None => (text, None),
        };
        let mut numbers = core.split('.').map(|p| {
            (!p.is_empty() && p.len() <= 18 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u64>().ok())
                .flatten()
        });
        let major = numbers.next()??;
        let minor = match numbers.next() {
            Some(n) => Some(n?),
            None => None,
        };
        let patch = match numbers.next() {
            Some(n) => Some(n?),
            None => None,
        };
        if numbers.next().is_some() {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// A full `X.Y.Z` release without a pre-release suffix.
    pub fn is_full_release(&self) -> bool {
        self.minor.is_some() && self.patch.is_some() && self.pre.is_none()
    }

    /// Order by numbers (missing parts count as 0); a pre-release sorts
    /// before its release.
    pub fn cmp_precedence(&self, other: &Version) -> Ordering {
        let key = |v: &Version| (v.major, v.minor.unwrap_or(0), v.patch.unwrap_or(0));
        key(self)
            .cmp(&key(other))
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let v = |t: &str| Version::parse(t).unwrap();
        assert!(v("v1.2.3").is_full_release());
        assert!(!v("v1").is_full_release());
        assert!(!v("1.2.3-rc.1").is_full_release());
        assert_eq!(v("v1.10.0").cmp_precedence(&v("v1.9.9")), Ordering::Greater);
        assert_eq!(
            v("v2.0.0-rc.1").cmp_precedence(&v("v2.0.0")),
            Ordering::Less
        );
        for bad in [
            "main",
            "v",
            "v1..2",
            "v1.2.3.4",
            "release-1",
            "v1.2.3-",
            "vx",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }
}
