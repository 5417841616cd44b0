//! `--refresh`: download today's KEV catalog and EPSS scores into a cache
//! directory, one file per feed and day (`kev-2025-08-25.json`,
//! `epss-2025-08-25.csv`); a file already there for today is used as is.
//!
//! Every request has a timeout; a failed request is retried once (both
//! attempts are logged on standard error); a download is validated (parsed)
//! before it is cached. Without the `refresh` feature there is no HTTP
//! client in the build and `--refresh` is an infrastructure error (exit 3).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use ci_intel_core::Failure;

/// CISA's published catalog.
pub const KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// FIRST's current scores (gzip).
pub const EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// Where and how to download.
#[derive(Debug, Clone)]
pub struct RefreshOptions {
    pub cache_dir: PathBuf,
    pub kev_url: String,
    pub epss_url: String,
    pub timeout: Duration,
    /// The day the cache files are named after.
    pub today: NaiveDate,
}

/// The feed files to read after a refresh.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub kev: PathBuf,
    pub epss: PathBuf,
}

/// Download (or reuse today's cached) KEV and EPSS files.
pub fn refresh(options: &RefreshOptions) -> Result<Refreshed, Failure> {
    std::fs::create_dir_all(&options.cache_dir).map_err(|e| {
        Failure::infra(format!(
            "cannot create the feed cache {}: {e}",
            options.cache_dir.display()
        ))
    })?;
    let day = options.today.format("%Y-%m-%d");
    let kev = options.cache_dir.join(format!("kev-{day}.json"));
    let epss = options.cache_dir.join(format!("epss-{day}.csv"));
    if !kev.is_file() {
        let bytes = download(&options.kev_url, options.timeout)?;
        super::kev::parse_kev(&bytes)
            .map_err(|e| e.in_feed(&options.kev_url, "downloaded KEV catalog"))?;
        store(&kev, &bytes)?;
    }
    if !epss.is_file() {
        let bytes = gunzip_if_needed(
            download(&options.epss_url, options.timeout)?,
            &options.epss_url,
        )?;
        super::epss::parse_epss(&bytes, Some(&Default::default()))
            .map_err(|e| e.in_feed(&options.epss_url, "downloaded EPSS scores"))?;
        store(&epss, &bytes)?;
    }
    Ok(Refreshed { kev, epss })
}

fn store(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            Failure::infra(format!(
                "cannot write the feed cache {}: {e}",
                path.display()
            ))
        })
}

#[cfg(feature = "refresh")]
fn gunzip_if_needed(bytes: Vec<u8>, url: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| {
            Failure::infra(format!("{url}: the gzip download does not decompress: {e}"))
        })?;
    Ok(out)
}

#[cfg(not(feature = "refresh"))]
fn gunzip_if_needed(bytes: Vec<u8>, _url: &str) -> Result<Vec<u8>, Failure> {
    Ok(bytes)
}

/// GET `url` with a timeout; one retry.
#[cfg(feature = "refresh")]
fn download(url: &str, timeout: Duration) -> Result<Vec<u8>, Failure> {
    // ring, as every HTTP client of this workspace: no C toolchain for musl.
    // An error only means a provider was installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(15)))
        .user_agent(concat!("ci-intel-vuln/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure::infra(format!("cannot set up the HTTP client: {e}")))?;
    let mut last = String::new();
    for attempt in 1..=2 {
        let result = client
            .get(url)
            .send()
            .and_then(reqwest::blocking::Response::error_for_status)
            .and_then(|r| r.bytes());
        match result {
            Ok(bytes) => return Ok(bytes.to_vec()),
            Err(e) => {
                last = e.to_string();
                eprintln!(
                    "{}: --refresh: GET {url} failed (attempt {attempt} of 2): {e}",
                    crate::TOOL
                );
            }
        }
    }
    Err(Failure::infra(format!(
        "--refresh: cannot download {url}: {last}; nothing was decided (run without --refresh with --kev/--epss files, or retry)"
    )))
}

#[cfg(not(feature = "refresh"))]
fn download(url: &str, _timeout: Duration) -> Result<Vec<u8>, Failure> {
    Err(Failure::infra(format!(
        "--refresh: this build of {} has no HTTP client (feature `refresh`), so {url} cannot be downloaded; pass --kev and --epss files instead",
        crate::TOOL
    )))
}
