//! What the two builds share (normalisation) and what differs between
//! them (variations), after reprotest: the names and the values it uses.

use std::collections::BTreeMap;

use ci_intel_core::Failure;
use serde::Serialize;

/// A dimension varied between the two builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    /// Build in two directories of different names and depths.
    BuildPath,
    /// `TZ`: GMT+12 and GMT-14.
    TimeZone,
    /// `LC_ALL`/`LANG`: C.UTF-8 and fr_CH.UTF-8.
    Locales,
    /// umask 0022 and 0002 (Unix).
    Umask,
    /// An extra variable in the second build's environment.
    Environment,
    /// Files created in opposite orders, so directory listings differ
    /// where the file system lists in creation order (tmpfs, not ext4).
    FileOrder,
    /// The second build runs 373 days in the future under `faketime`.
    Time,
}

impl Variation {
    pub const ALL: [Variation; 7] = [
        Variation::BuildPath,
        Variation::TimeZone,
        Variation::Locales,
        Variation::Umask,
        Variation::Environment,
        Variation::FileOrder,
        Variation::Time,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variation::BuildPath => "build_path",
            Variation::TimeZone => "time_zone",
            Variation::Locales => "locales",
            Variation::Umask => "umask",
            Variation::Environment => "environment",
            Variation::FileOrder => "file_order",
            Variation::Time => "time",
        }
    }

    fn parse(name: &str) -> Option<Variation> {
        let name = name.replace('-', "_");
        Variation::ALL.into_iter().find(|v| {
            v.name() == name
                || matches!(
                    (v, name.as_str()),
                    (Variation::TimeZone, "timezone")
                        | (Variation::FileOrder, "fileordering")
                        | (Variation::BuildPath, "build_path")
                )
        })
    }
}

/// The default set: everything but umask (which changes output modes by
/// design; add it with `+umask`). `time` needs faketime and is dropped
/// with a note when it is not installed.
pub const DEFAULT: [Variation; 6] = [
    Variation::BuildPath,
    Variation::TimeZone,
    Variation::Locales,
    Variation::Environment,
    Variation::FileOrder,
    Variation::Time,
];

/// Parse a reprotest-like spec: `a,b` is exactly those; `+a,-b` edits the
/// default set; `all`, `+all`, `-all` and `none` as expected.
pub fn parse_spec(spec: &str) -> Result<Vec<Variation>, Failure> {
    let items: Vec<&str> = spec
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let edits = items
        .first()
        .is_some_and(|i| i.starts_with('+') || i.starts_with('-'));
    let mut set: Vec<Variation> = if edits { DEFAULT.to_vec() } else { Vec::new() };
    for item in items {
        let (add, name) = match item.as_bytes().first() {
            Some(b'+') => (true, &item[1..]),
            Some(b'-') => (false, &item[1..]),
            _ => (true, item),
        };
        let chosen: Vec<Variation> = match name {
            "all" => Variation::ALL.to_vec(),
            "none" => {
                set.clear();
                continue;
            }
            other => vec![Variation::parse(other).ok_or_else(|| {
                Failure::usage(format!(
                    "--variations: unknown variation `{other}`; known: {}",
                    Variation::ALL.map(Variation::name).join(", ")
                ))
            })?],
        };
        for v in chosen {
            if add {
                if !set.contains(&v) {
                    set.push(v);
                }
            } else {
                set.retain(|x| *x != v);
            }
        }
    }
    set.sort();
    Ok(set)
}

/// The environment and wrappers of one build.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Side {
    pub env: BTreeMap<String, String>,
    pub umask: Option<&'static str>,
    /// `faketime` spec, when the time varies.
    pub faketime: Option<&'static str>,
}

/// The two sides: normalised alike, then varied.
pub fn sides(variations: &[Variation], source_date_epoch: u64) -> (Side, Side) {
    let mut a = Side::default();
    for (k, v) in [
        ("SOURCE_DATE_EPOCH", source_date_epoch.to_string()),
        ("TZ", "UTC".to_owned()),
        ("LC_ALL", "C.UTF-8".to_owned()),
        ("LANG", "C.UTF-8".to_owned()),
        ("PYTHONHASHSEED", "0".to_owned()),
    ] {
        a.env.insert(k.to_owned(), v);
    }
    a.umask = Some("0022");
    let mut b = a.clone();
    for v in variations {
        match v {
            Variation::TimeZone => {
                a.env.insert("TZ".to_owned(), "GMT+12".to_owned());
                b.env.insert("TZ".to_owned(), "GMT-14".to_owned());
            }
            Variation::Locales => {
                for key in ["LC_ALL", "LANG"] {
                    b.env.insert(key.to_owned(), "fr_CH.UTF-8".to_owned());
                }
                b.env.insert("LANGUAGE".to_owned(), "fr_CH:fr".to_owned());
            }
            Variation::Umask => b.umask = Some("0002"),
            Variation::Environment => {
                b.env.insert(
                    "CI_INTEL_REPRO_CAPTURE_ENVIRONMENT".to_owned(),
                    "i_capture_the_environment".to_owned(),
                );
            }
            Variation::Time => b.faketime = Some("+373d"),
            Variation::BuildPath | Variation::FileOrder => {}
        }
    }
    (a, b)
}
