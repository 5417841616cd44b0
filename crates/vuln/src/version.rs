//! Ecosystem-aware version order for SBOM diff ("upgraded" or
//! "downgraded"), chosen by purl type:
//!
//! - `npm`, `cargo`, `golang`, `gem`, `composer`, `nuget`, `hex`, `pub`,
//!   `swift`: SemVer 2.0 (a leading `v` dropped, so Go pseudo-versions order
//!   by their timestamp pre-release); a version that is not SemVer falls
//!   back to the generic order;
//! - `deb`: dpkg's algorithm (epoch, upstream, revision; `~` before
//!   everything);
//! - `rpm`: rpmvercmp (epoch, then alternating numeric and alphabetic
//!   segments; `~` before, `^` after);
//! - everything else (`pypi`, `maven`, `apk`...): the generic order,
//!   numeric runs compared as numbers, other runs as text, a shorter
//!   version first.

use std::cmp::Ordering;

/// Compare two versions of a package of ecosystem `ty` (a purl type).
pub fn compare(ty: Option<&str>, a: &str, b: &str) -> Ordering {
    match ty.unwrap_or("") {
        "npm" | "cargo" | "golang" | "gem" | "composer" | "nuget" | "hex" | "pub" | "swift" => {
            match (semver(a), semver(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => generic(a, b),
            }
        }
        "deb" => dpkg(a, b),
        "rpm" => rpm(a, b),
        _ => generic(a, b),
    }
}

fn semver(text: &str) -> Option<semver::Version> {
    let t = text.trim().trim_start_matches('v');
    let t = t.strip_suffix("+incompatible").unwrap_or(t);
    semver::Version::parse(t).ok()
}

/// Numeric runs as numbers (without leading zeros), other runs as text.
pub fn generic(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (runs(a), runs(b));
    for (x, y) in pa.iter().zip(pb.iter()) {
        let ord = match (x, y) {
            (Run::Num(x), Run::Num(y)) => cmp_numeric(x, y),
            (Run::Num(_), Run::Text(_)) => Ordering::Greater,
            (Run::Text(_), Run::Num(_)) => Ordering::Less,
            (Run::Text(x), Run::Text(y)) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    pb.len().cmp(&pa.len()).reverse().then_with(|| a.cmp(b))
}

enum Run<'a> {
    Num(&'a str),
    Text(&'a str),
}

fn runs(text: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Run::Num(&text[start..i]));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Run::Text(&text[start..i]));
        } else {
            i += 1;
        }
    }
    out
}

fn cmp_numeric(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn split_epoch(v: &str) -> (&str, &str) {
    match v.split_once(':') {
        Some((e, rest)) if e.bytes().all(|b| b.is_ascii_digit()) => (e, rest),
        _ => ("0", v),
    }
}

/// dpkg's version comparison.
pub fn dpkg(a: &str, b: &str) -> Ordering {
    let (ea, ra) = split_epoch(a);
    let (eb, rb) = split_epoch(b);
    let (ua, va) = ra.rsplit_once('-').unwrap_or((ra, ""));
    let (ub, vb) = rb.rsplit_once('-').unwrap_or((rb, ""));
    cmp_numeric(ea, eb)
        .then_with(|| dpkg_part(ua, ub))
        .then_with(|| dpkg_part(va, vb))
}

fn dpkg_order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn dpkg_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit prefix, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ca = (i < a.len() && !a[i].is_ascii_digit()).then(|| a[i]);
            let cb = (j < b.len() && !b[j].is_ascii_digit()).then(|| b[j]);
            let ord = dpkg_order(ca).cmp(&dpkg_order(cb));
            if ord != Ordering::Equal {
                return ord;
            }
            if ca.is_some() {
                i += 1;
            }
            if cb.is_some() {
                j += 1;
            }
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let na = std::str::from_utf8(&a[si..i]).unwrap_or("0");
        let nb = std::str::from_utf8(&b[sj..j]).unwrap_or("0");
        let ord = cmp_numeric(na, nb);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// rpm's version comparison (epoch, version, release).
pub fn rpm(a: &str, b: &str) -> Ordering {
    let (ea, ra) = split_epoch(a);
    let (eb, rb) = split_epoch(b);
    cmp_numeric(ea, eb).then_with(|| rpmvercmp(ra, rb))
}

fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && !a[i].is_ascii_alphanumeric() && a[i] != b'~' && a[i] != b'^' {
            i += 1;
        }
        while j < b.len() && !b[j].is_ascii_alphanumeric() && b[j] != b'~' && b[j] != b'^' {
            j += 1;
        }
        let (ta, tb) = (a.get(i).copied(), b.get(j).copied());
        if ta == Some(b'~') || tb == Some(b'~') {
            if ta != Some(b'~') {
                return Ordering::Greater;
            }
            if tb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ta == Some(b'^') || tb == Some(b'^') {
            if ta.is_none() {
                return Ordering::Less;
            }
            if tb.is_none() {
                return Ordering::Greater;
            }
            if ta != Some(b'^') {
                return Ordering::Greater;
            }
            if tb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let numeric = a[i].is_ascii_digit();
        let si = i;
        let sj = j;
        if numeric {
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
        } else {
            while i < a.len() && a[i].is_ascii_alphabetic() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
        }
        if sj == j {
            // Segments of different kinds: numeric is newer.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let sa = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let sb = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let ord = if numeric {
            cmp_numeric(sa, sb)
        } else {
            sa.cmp(sb)
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn semver_and_go_pseudo_versions() {
        assert_eq!(compare(Some("golang"), "v2.3.0", "v2.6.0"), Less);
        assert_eq!(compare(Some("golang"), "v1.1.30", "v1.1.41"), Less);
        assert_eq!(
            compare(
                Some("golang"),
                "v0.0.0-20200423100218-dcfd1b7d2b41",
                "v0.0.0-20210203125329-619074823f3c"
            ),
            Less
        );
        assert_eq!(compare(Some("npm"), "1.10.0", "1.9.9"), Greater);
        assert_eq!(compare(Some("npm"), "1.0.0-rc.1", "1.0.0"), Less);
    }

    #[test]
    fn dpkg_order() {
        assert_eq!(dpkg("1.0~rc1", "1.0"), Less);
        assert_eq!(dpkg("1:0.9", "2.0"), Greater);
        assert_eq!(dpkg("1.34+dfsg-1.2", "1.34+dfsg-1.10"), Less);
        assert_eq!(dpkg("1.0a", "1.0+"), Less);
    }

    #[test]
    fn rpm_order() {
        assert_eq!(rpm("1.0~rc1", "1.0"), Less);
        assert_eq!(rpm("4.34.0-17.el9_1", "4.34.0-7.el9"), Greater);
        assert_eq!(rpm("1.0^git1", "1.0"), Greater);
        assert_eq!(rpm("2:1.0", "1:9.9"), Greater);
    }

    #[test]
    fn generic_order() {
        assert_eq!(generic("1.10", "1.9"), Greater);
        assert_eq!(generic("2.0", "2.0.1"), Less);
        assert_eq!(generic("1.1.1c-r0", "1.1.1d-r0"), Less);
    }
}
