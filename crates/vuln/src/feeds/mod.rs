//! The two risk feeds: CISA's Known Exploited Vulnerabilities catalog
//! ([`kev`]) and FIRST's EPSS scores ([`epss`]), read from files (offline,
//! the default) or downloaded with `--refresh` ([`refresh`], behind the
//! crate feature of the same name).
//!
//! A feed older than `vuln.max_feed_age_days` is an infrastructure error
//! (exit 3), never a pass: a stale catalog would miss what was added since.

pub mod epss;
pub mod kev;
pub mod refresh;

use chrono::{DateTime, Utc};
use ci_intel_core::Failure;

/// Refuse a feed dated `date` when it is more than `max_days` old at `now`.
pub fn check_age(
    what: &str,
    file: &str,
    date: DateTime<Utc>,
    now: DateTime<Utc>,
    max_days: u32,
) -> Result<(), Failure> {
    let age = now.signed_duration_since(date);
    if age.num_seconds() > i64::from(max_days) * 86_400 {
        return Err(Failure::infra(format!(
            "{what} {file} is dated {} ({} day(s) before {}), older than vuln.max_feed_age_days = {max_days}: a stale feed misses what was added since, so nothing was decided; refresh it (ci-intel-vuln check --refresh, or download a current copy)",
            date.format("%Y-%m-%d"),
            age.num_days(),
            now.format("%Y-%m-%d"),
        )));
    }
    Ok(())
}
