//! Package URLs, normalised so the same package always compares equal:
//! the `packageurl` crate parses (percent-decoding every part, lower-casing
//! the type, and the name or namespace where the type's rules say so, e.g.
//! PyPI's `_` to `-`), and the canonical form re-encodes each part the one
//! way and sorts the qualifiers.
//!
//! Three keys serve three questions:
//! - [`Purl::canonical`]: the full identifier, qualifiers included;
//! - [`Purl::versioned_key`]: the package at a version, without qualifiers
//!   (two scanners that disagree on `distro=` still report one package);
//! - [`Purl::package_key`]: the package whatever its version (SBOM diff,
//!   "did the base already have this vulnerability on this package").

use std::collections::BTreeMap;
use std::fmt;

use packageurl::PackageUrl;

/// A parsed, normalised package URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: BTreeMap<String, String>,
    pub subpath: Option<String>,
    canonical: String,
}

impl Purl {
    /// Parse and normalise. The error says what is wrong, for a finding or
    /// an input error.
    pub fn parse(text: &str) -> Result<Purl, String> {
        let purl = Purl::parse_once(text)?;
        // Only a purl whose canonical form reads back as itself is taken:
        // matching compares canonical forms, and one that reads as another
        // package (or not at all) would match the wrong thing. The parser
        // drops empty and `..` namespace segments, so `pkg:swift//../e`
        // reads as `pkg:swift/e`, which lacks the namespace swift requires.
        match Purl::parse_once(purl.canonical()) {
            Ok(again) if again == purl => Ok(purl),
            Ok(again) => Err(format!(
                "{} does not read back from its canonical form {} (it reads as {})",
                crate::input::quote(text),
                crate::input::quote(purl.canonical()),
                crate::input::quote(again.canonical())
            )),
            Err(e) => Err(format!(
                "{} normalises to {}, which is not a valid package URL: {e}",
                crate::input::quote(text),
                crate::input::quote(purl.canonical())
            )),
        }
    }

    fn parse_once(text: &str) -> Result<Purl, String> {
        let trimmed = text.trim();
        if !trimmed
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case("pkg:"))
        {
            return Err(format!(
                "{} is not a package URL (it must start with `pkg:`)",
                crate::input::quote(text)
            ));
        }
        // The scheme is case-insensitive; the parser wants it lower-case.
        let normalised = format!("pkg:{}", &trimmed[4..]);
        let parsed: PackageUrl<'static> = normalised.parse().map_err(|e| {
            format!(
                "{} is not a valid package URL: {e}",
                crate::input::quote(text)
            )
        })?;
        let qualifiers: BTreeMap<String, String> = parsed
            .qualifiers()
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        let mut purl = Purl {
            ty: parsed.ty().to_owned(),
            namespace: parsed
                .namespace()
                .map(|n| n.trim_matches('/').to_owned())
                .filter(|n| !n.is_empty()),
            name: parsed.name().to_owned(),
            version: parsed
                .version()
                .map(str::to_owned)
                .filter(|v| !v.is_empty()),
            qualifiers,
            subpath: parsed
                .subpath()
                .map(|s| s.trim_matches('/').to_owned())
                .filter(|s| !s.is_empty()),
            canonical: String::new(),
        };
        purl.canonical = purl.render(true, true);
        Ok(purl)
    }

    /// The full canonical form.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// `pkg:type/namespace/name` (no version, qualifiers or subpath).
    pub fn package_key(&self) -> String {
        self.render(false, false)
    }

    /// `pkg:type/namespace/name@version` (no qualifiers or subpath).
    pub fn versioned_key(&self) -> String {
        self.render(true, false)
    }

    /// `namespace/name` as people write it (`github.com/x/y`, `@scope/pkg`).
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The qualifiers of `self` that `other` lacks or has with another value:
    /// `(key, ours, theirs)`. Empty when every qualifier of `self` is in
    /// `other` (a statement about `…?arch=x86_64` applies to
    /// `…?arch=x86_64&distro=alpine-3.12`, not to `…?arch=arm64`).
    pub fn qualifier_conflicts(&self, other: &Purl) -> Vec<(String, String, Option<String>)> {
        self.qualifiers
            .iter()
            .filter(|(k, v)| other.qualifiers.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone(), other.qualifiers.get(k).cloned()))
            .collect()
    }

    fn render(&self, with_version: bool, with_rest: bool) -> String {
        let mut out = String::with_capacity(64);
        out.push_str("pkg:");
        out.push_str(&self.ty);
        out.push('/');
        if let Some(ns) = &self.namespace {
            for part in ns.split('/') {
                encode_into(&mut out, part, b"/");
                out.push('/');
            }
        }
        encode_into(&mut out, &self.name, b"/");
        if with_version && let Some(v) = &self.version {
            out.push('@');
            encode_into(&mut out, v, b"");
        }
        if with_rest {
            if !self.qualifiers.is_empty() {
                let parts: Vec<String> = self
                    .qualifiers
                    .iter()
                    .map(|(k, v)| format!("{k}={}", encode(v, b"/,&")))
                    .collect();
                out.push('?');
                out.push_str(&parts.join("&"));
            }
            if let Some(sub) = &self.subpath {
                out.push('#');
                let parts: Vec<String> = sub.split('/').map(|p| encode(p, b"/")).collect();
                out.push_str(&parts.join("/"));
            }
        }
        out
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Percent-encode everything but unreserved characters, `:` and the
/// characters of `keep_unencoded_never` (which are always encoded).
fn encode(text: &str, always: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text, always);
    out
}

/// Percent-encode `text` onto `out`. Keys are rendered for every finding
/// and component, so this writes in place rather than allocating per byte.
fn encode_into(out: &mut String, text: &str, always: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        let plain =
            (byte.is_ascii_alphanumeric() || b".-_~:".contains(&byte)) && !always.contains(&byte);
        if plain {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0x0f)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        Purl::parse(text)
            .map(|p| p.canonical().to_owned())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn a_purl_whose_canonical_form_reads_otherwise_is_refused() {
        // Found by the vuln_ids fuzz target: the namespace `/..` is dropped
        // on the way, leaving a swift purl without the namespace it needs.
        let error = Purl::parse("pkg:swift//../e").unwrap_err();
        assert!(error.contains("pkg:swift/e"), "{error}");
        // With its namespace the same package reads.
        assert_eq!(
            canon("pkg:swift/github.com/apple/swift-nio@2.0.0"),
            "pkg:swift/github.com/apple/swift-nio@2.0.0"
        );
    }

    #[test]
    fn the_same_package_has_one_canonical_form() {
        // Qualifier order, percent-encoding, case of the scheme and type.
        assert_eq!(
            canon("pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?distro=3.10.2&arch=x86_64"),
            canon("PKG:APK/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2")
        );
        assert_eq!(
            canon("pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible"),
            canon("pkg:golang/github.com/docker/distribution@v2.7.1+incompatible")
        );
        assert_eq!(
            canon("pkg:oci/alpine@sha256%3A124c7d27"),
            canon("pkg:oci/alpine@sha256:124c7d27")
        );
        // PyPI names: case and `_` are not significant.
        assert_eq!(
            canon("pkg:pypi/Django_Rest@1.0"),
            canon("pkg:pypi/django-rest@1.0")
        );
        // Empty qualifiers are dropped.
        assert_eq!(canon("pkg:npm/a@1?x="), canon("pkg:npm/a@1"));
    }

    #[test]
    fn keys_drop_what_they_do_not_compare() {
        let p = Purl::parse("pkg:npm/%40scope/pkg@1.2.3?arch=x#sub/dir").unwrap();
        assert_eq!(p.package_key(), "pkg:npm/%40scope/pkg");
        assert_eq!(p.versioned_key(), "pkg:npm/%40scope/pkg@1.2.3");
        assert_eq!(p.display_name(), "@scope/pkg");
        assert_eq!(p.canonical(), "pkg:npm/%40scope/pkg@1.2.3?arch=x#sub/dir");
    }

    #[test]
    fn qualifier_conflicts_are_named() {
        let statement = Purl::parse("pkg:apk/alpine/x@1?arch=x86_64").unwrap();
        let same = Purl::parse("pkg:apk/alpine/x@1?arch=x86_64&distro=alpine-3.12").unwrap();
        let other = Purl::parse("pkg:apk/alpine/x@1?arch=arm64").unwrap();
        assert!(statement.qualifier_conflicts(&same).is_empty());
        assert_eq!(
            statement.qualifier_conflicts(&other),
            vec![("arch".into(), "x86_64".into(), Some("arm64".into()))]
        );
    }

    #[test]
    fn non_purls_are_refused_with_the_reason() {
        assert!(
            Purl::parse("npm/a@1")
                .unwrap_err()
                .contains("must start with `pkg:`")
        );
        assert!(Purl::parse("pkg:").is_err());
    }
}
