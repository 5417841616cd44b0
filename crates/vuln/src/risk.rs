//! The risk of a finding, and its parts (docs/vuln.md, "Risk"):
//!
//! - 10 when the CVE is in CISA's KEV catalog;
//! - otherwise the larger of its CVSS base score and 10 × its EPSS
//!   percentile;
//! - the CVSS base score is that of the newest CVSS version any scanner gave
//!   (v4.0, else v3.1, else v3.0, else v2; a score without version, as SARIF
//!   gives, last), the highest among that version's assessments; a vector
//!   without a score is scored from the vector (the `cvss` crate);
//! - a finding with neither a CVSS score nor an EPSS percentile has the
//!   configured `vuln.unscored_risk` (10 by default: unknown is not safe).

use std::str::FromStr;

use crate::feeds::epss::{Epss, EpssScore};
use crate::feeds::kev::{Kev, KevEntry};
use crate::scan::{Cvss, CvssVersion, Vulnerability};

/// The CVSS part of a risk: which assessment, and its base score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CvssPart {
    pub version: CvssVersion,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    pub source: String,
    /// Whether the score was computed from the vector.
    pub computed: bool,
}

/// Where the EPSS part came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EpssPart {
    pub epss: f64,
    pub percentile: f64,
    /// `feed` (the EPSS file) or `scanner` (grype's own copy, used only
    /// when no EPSS file is given).
    pub from: &'static str,
}

/// A finding's risk with every part shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Risk {
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<CvssPart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssPart>,
    /// True when no part scored it and `unscored_risk` applied.
    pub unscored: bool,
}

impl Risk {
    /// `risk 9.8 = max(CVSS v3.1 9.8, 10 × EPSS percentile 0.42 = 4.2)`.
    pub fn explain(&self) -> String {
        if let Some(k) = &self.kev {
            let ransomware = if k.known_ransomware_campaign_use == "Known" {
                ", known ransomware use"
            } else {
                ""
            };
            return format!(
                "risk 10 = in CISA KEV (added {}{ransomware})",
                if k.date_added.is_empty() {
                    "?"
                } else {
                    &k.date_added
                }
            );
        }
        if self.unscored {
            return format!(
                "risk {} = no CVSS score and no EPSS score (vuln.unscored_risk)",
                fmt(self.value)
            );
        }
        let mut parts = Vec::new();
        if let Some(c) = &self.cvss {
            let how = if c.computed { ", from its vector" } else { "" };
            parts.push(format!(
                "{} {} ({}{how})",
                c.version.label(),
                fmt(c.score),
                c.source
            ));
        } else {
            parts.push("no CVSS".to_owned());
        }
        if let Some(e) = &self.epss {
            parts.push(format!(
                "10 × EPSS percentile {} = {}{}",
                e.percentile,
                fmt(e.percentile * 10.0),
                if e.from == "scanner" {
                    " (scanner's EPSS)"
                } else {
                    ""
                }
            ));
        } else {
            parts.push("no EPSS".to_owned());
        }
        format!(
            "risk {} = max({}), not in KEV",
            fmt(self.value),
            parts.join(", ")
        )
    }
}

/// A number with at most two decimals, without trailing zeros.
pub fn fmt(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The base score of an assessment: as given, else from the vector.
pub fn base_score(cvss: &Cvss) -> Option<(f64, bool)> {
    if let Some(score) = cvss.score.filter(|s| (0.0..=10.0).contains(s)) {
        return Some((score, false));
    }
    let vector = cvss.vector.as_deref()?;
    let parsed = cvss::Cvss::from_str(vector.trim()).ok()?;
    let score = parsed.score();
    (0.0..=10.0).contains(&score).then_some((score, true))
}

/// The CVSS part: the newest version present, highest score among it.
pub fn cvss_part(assessments: &[Cvss]) -> Option<CvssPart> {
    let mut best: Option<CvssPart> = None;
    for c in assessments {
        let Some((score, computed)) = base_score(c) else {
            continue;
        };
        let candidate = CvssPart {
            version: c.version,
            score,
            vector: c.vector.clone(),
            source: c.source.clone(),
            computed,
        };
        let better = match &best {
            None => true,
            Some(b) => (candidate.version, candidate.score) > (b.version, b.score),
        };
        if better {
            best = Some(candidate);
        }
    }
    best
}

/// Judge one merged finding.
pub fn assess(
    v: &Vulnerability,
    kev: Option<&Kev>,
    epss: Option<&Epss>,
    unscored_risk: f64,
) -> Risk {
    let kev_entry = kev.and_then(|k| v.ids().find_map(|id| k.get(id)).cloned());
    let cvss = cvss_part(&v.cvss);
    let epss_part = match epss {
        Some(feed) => v
            .ids()
            .find_map(|id| feed.get(id))
            .map(|EpssScore { epss, percentile }| EpssPart {
                epss,
                percentile,
                from: "feed",
            }),
        None => v.epss.map(|(epss, percentile)| EpssPart {
            epss,
            percentile,
            from: "scanner",
        }),
    };
    if kev_entry.is_some() {
        return Risk {
            value: 10.0,
            kev: kev_entry,
            cvss,
            epss: epss_part,
            unscored: false,
        };
    }
    let scores = [
        cvss.as_ref().map(|c| c.score),
        epss_part.as_ref().map(|e| e.percentile * 10.0),
    ];
    let value = scores
        .iter()
        .flatten()
        .copied()
        .fold(None, |acc: Option<f64>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    match value {
        Some(value) => Risk {
            value,
            kev: None,
            cvss,
            epss: epss_part,
            unscored: false,
        },
        None => Risk {
            value: unscored_risk,
            kev: None,
            cvss: None,
            epss: None,
            unscored: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cvss(vector: &str, score: Option<f64>) -> Cvss {
        Cvss::from_vector(vector, score, "nvd")
    }

    #[test]
    fn the_newest_version_wins_and_vectors_are_scored() {
        let part = cvss_part(&[
            cvss("AV:N/AC:L/Au:N/C:C/I:C/A:C", Some(10.0)),
            cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", None),
        ])
        .unwrap();
        assert_eq!(part.version, CvssVersion::V31);
        assert_eq!(part.score, 9.8);
        assert!(part.computed);
        let v4 = cvss_part(&[
            cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Some(9.8)),
            cvss(
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
                None,
            ),
        ])
        .unwrap();
        assert_eq!(v4.version, CvssVersion::V40);
        assert!(v4.score < 9.8, "{v4:?}");
        // A given score is kept; a broken vector without score scores nothing.
        assert_eq!(
            base_score(&cvss("CVSS:3.1/garbage", Some(4.2))),
            Some((4.2, false))
        );
        assert_eq!(base_score(&cvss("CVSS:3.1/garbage", None)), None);
    }
}
