//! FIRST's EPSS scores: the daily CSV (`epss_scores-YYYY-MM-DD.csv`), a
//! comment line `#model_version:<v>,score_date:<RFC 3339>` then the header
//! `cve,epss,percentile` and one row per CVE.
//!
//! The full file has about 300,000 rows; [`parse_epss`] keeps only the
//! CVEs asked for (every row is still validated), so memory follows the
//! findings, not the feed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::input::{InputError, strip_bom};

const HINT: &str = "use FIRST's EPSS CSV as published (epss_scores-YYYY-MM-DD.csv, gunzipped), or refresh it with --refresh";

/// One CVE's score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EpssScore {
    /// Probability of exploitation in the next 30 days.
    pub epss: f64,
    /// Rank among all scored CVEs, 0..1.
    pub percentile: f64,
}

/// The scores of one day.
#[derive(Debug, Clone, Default)]
pub struct Epss {
    pub model_version: String,
    pub score_date: Option<DateTime<Utc>>,
    /// Rows in the file.
    pub rows: usize,
    scores: HashMap<String, EpssScore>,
}

impl Epss {
    pub fn get(&self, cve: &str) -> Option<EpssScore> {
        self.scores.get(&cve.to_ascii_uppercase()).copied()
    }

    /// The day the scores are for (`2025-02-20`).
    pub fn date(&self) -> Option<NaiveDate> {
        self.score_date.map(|d| d.date_naive())
    }
}

fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z"))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        })
}

fn probability(text: &str, line: usize, column: &str) -> Result<f64, InputError> {
    match text.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(InputError::new(
            format!("line {line} column `{column}`"),
            "a number between 0 and 1",
            crate::input::quote(text),
            HINT,
        )),
    }
}

/// Read an EPSS CSV keeping every score: the plain `fn(&[u8])` entry
/// point for fuzzing.
pub fn parse_epss_all(bytes: &[u8]) -> Result<Epss, InputError> {
    parse_epss(bytes, None)
}

/// Read an EPSS CSV, keeping the scores of `wanted` CVEs (all when
/// `None`). Entry point for fuzzing.
pub fn parse_epss(bytes: &[u8], wanted: Option<&HashSet<String>>) -> Result<Epss, InputError> {
    let text = std::str::from_utf8(strip_bom(bytes)).map_err(|e| {
        InputError::new(
            format!("byte {}", e.valid_up_to()),
            "UTF-8 text",
            "bytes that are not UTF-8",
            HINT,
        )
    })?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    let (_, first) = lines.next().ok_or_else(|| {
        InputError::new(
            "line 1",
            "`#model_version:<v>,score_date:<date>`",
            "an empty file",
            HINT,
        )
    })?;
    let Some(meta) = first.strip_prefix('#') else {
        return Err(InputError::new(
            "line 1",
            "the comment `#model_version:<v>,score_date:<date>`",
            crate::input::quote(first),
            HINT,
        ));
    };
    let mut model_version = None;
    let mut score_date = None;
    for part in meta.split(',') {
        match part.split_once(':') {
            Some(("model_version", v)) => model_version = Some(v.trim().to_owned()),
            Some(("score_date", v)) => {
                score_date = Some(parse_date(v).ok_or_else(|| {
                    InputError::new(
                        "line 1 `score_date`",
                        "an RFC 3339 date-time (2025-02-20T00:00:00+0000)",
                        crate::input::quote(v),
                        HINT,
                    )
                })?);
            }
            _ => {}
        }
    }
    let model_version = model_version.ok_or_else(|| {
        InputError::new(
            "line 1",
            "`model_version:<v>`",
            crate::input::quote(first),
            HINT,
        )
    })?;
    let score_date = score_date.ok_or_else(|| {
        InputError::new(
            "line 1",
            "`score_date:<date>` after the model version",
            crate::input::quote(first),
            "an EPSS file without its score date cannot be judged for age; use the file as FIRST publishes it",
        )
    })?;
    let (_, header) = lines.next().ok_or_else(|| {
        InputError::new(
            "line 2",
            "the header `cve,epss,percentile`",
            "the end of the file",
            HINT,
        )
    })?;
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    if columns != ["cve", "epss", "percentile"] {
        return Err(InputError::new(
            "line 2",
            "the header `cve,epss,percentile`",
            crate::input::quote(header),
            HINT,
        ));
    }
    let mut scores = HashMap::new();
    let mut rows = 0usize;
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        let mut fields = line.split(',');
        let (Some(cve), Some(epss), Some(pct), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(InputError::new(
                format!("line {n}"),
                "three fields `cve,epss,percentile`",
                crate::input::quote(line),
                HINT,
            ));
        };
        let cve = cve.trim();
        if !cve.starts_with("CVE-") {
            return Err(InputError::new(
                format!("line {n} column `cve`"),
                "a CVE id",
                crate::input::quote(cve),
                HINT,
            ));
        }
        let score = EpssScore {
            epss: probability(epss, n, "epss")?,
            percentile: probability(pct, n, "percentile")?,
        };
        rows += 1;
        if wanted.is_none_or(|w| w.contains(cve)) {
            scores.insert(cve.to_owned(), score);
        }
    }
    Ok(Epss {
        model_version,
        score_date: Some(score_date),
        rows,
        scores,
    })
}
