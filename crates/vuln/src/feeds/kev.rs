//! CISA's Known Exploited Vulnerabilities catalog (JSON, as published at
//! cisa.gov and in cisagov/kev-data). The header's `count` is not trusted:
//! excerpts keep the header of the full catalog (a 3-entry file saying
//! 1273), so the entries are counted, and a mismatch is only noted.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::input::InputError;

const HINT: &str = "use CISA's catalog as published (known_exploited_vulnerabilities.json), or refresh it with --refresh";

/// One catalog entry, with what a finding shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KevEntry {
    #[serde(rename = "cveID")]
    pub cve_id: String,
    #[serde(default)]
    pub vendor_project: String,
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub vulnerability_name: String,
    #[serde(default)]
    pub date_added: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub known_ransomware_campaign_use: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Catalog {
    #[serde(default)]
    catalog_version: Option<String>,
    #[serde(default)]
    date_released: Option<String>,
    #[serde(default)]
    count: Option<u64>,
    vulnerabilities: Vec<KevEntry>,
}

/// The catalog, indexed by CVE id.
#[derive(Debug, Clone, Default)]
pub struct Kev {
    pub version: Option<String>,
    pub released: Option<DateTime<Utc>>,
    /// The header's `count`, when it differs from the number of entries.
    pub count_mismatch: Option<u64>,
    entries: HashMap<String, KevEntry>,
}

impl Kev {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, cve: &str) -> Option<&KevEntry> {
        self.entries.get(&cve.to_ascii_uppercase())
    }
}

fn is_cve(id: &str) -> bool {
    let mut parts = id.splitn(3, '-');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("CVE"), Some(year), Some(num))
            if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
                && num.len() >= 4 && num.bytes().all(|b| b.is_ascii_digit())
    )
}

/// Read a KEV catalog (or one bare entry). Entry point for fuzzing.
pub fn parse_kev(bytes: &[u8]) -> Result<Kev, InputError> {
    // parse_json drops the byte order mark (one, as every reader does).
    let value = crate::input::parse_json(bytes, "KEV catalog")?;
    let catalog: Catalog = if value.get("cveID").is_some() {
        let entry: KevEntry = crate::scan::typed_from_value(&value, "KEV entry", HINT)?;
        Catalog {
            catalog_version: None,
            date_released: None,
            count: None,
            vulnerabilities: vec![entry],
        }
    } else {
        crate::scan::typed_from_value(&value, "KEV catalog", HINT)?
    };
    let released = match &catalog.date_released {
        None => None,
        Some(text) => Some(
            DateTime::parse_from_rfc3339(text)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|e| {
                    InputError::new(
                        "/dateReleased",
                        "an RFC 3339 date-time",
                        format!("{} ({e})", crate::input::quote(text)),
                        HINT,
                    )
                })?,
        ),
    };
    let mut entries = HashMap::with_capacity(catalog.vulnerabilities.len());
    for (i, entry) in catalog.vulnerabilities.into_iter().enumerate() {
        let id = entry.cve_id.trim().to_ascii_uppercase();
        if !is_cve(&id) {
            return Err(InputError::new(
                format!("/vulnerabilities/{i}/cveID"),
                "a CVE id (CVE-YYYY-NNNN)",
                crate::input::quote(&entry.cve_id),
                HINT,
            ));
        }
        entries.insert(id, entry);
    }
    let count_mismatch = catalog
        .count
        .filter(|c| usize::try_from(*c).ok() != Some(entries.len()));
    Ok(Kev {
        version: catalog.catalog_version,
        released,
        count_mismatch,
        entries,
    })
}
