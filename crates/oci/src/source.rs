//! Where manifests and referrers come from: a registry (feature
//! `registry`) or an OCI image layout on disk ([`crate::layout`]). The
//! checks in [`crate::discover`] run over this trait, so they are the same
//! whichever the source is.

use ci_intel_core::Failure;

use crate::digest::Digest;
use crate::parse::Descriptor;

/// A document as fetched: its bytes and the type the source declared.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

impl Fetched {
    /// The sha256 digest of the bytes actually received.
    pub fn digest(&self) -> Digest {
        Digest::sha256_of(&self.bytes)
    }
}

/// One page of a referrers API response.
#[derive(Debug, Clone)]
pub struct ReferrersPage {
    pub fetched: Fetched,
    /// `OCI-Filters-Applied`, split on commas.
    pub filters_applied: Vec<String>,
}

/// What the referrers endpoint said.
#[derive(Debug, Clone)]
pub enum ApiListing {
    /// `404 Not Found`: the registry has no referrers API, so the client
    /// must use the tag schema.
    Unsupported,
    /// Every page, in order (following `Link: <...>; rel="next"`).
    Listed(Vec<ReferrersPage>),
}

/// How referrers were discovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Path {
    /// The OCI 1.1 referrers API.
    ReferrersApi,
    /// The referrers tag schema (`sha256-<hex>` tag holding an index).
    TagSchema,
    /// An OCI image layout: every manifest in `index.json` with this
    /// subject, plus the fallback tag's index.
    Layout,
}

impl Path {
    pub fn describe(self) -> &'static str {
        match self {
            Path::ReferrersApi => "the referrers API",
            Path::TagSchema => "the tag schema fallback",
            Path::Layout => "the OCI layout (index.json scan and fallback tag)",
        }
    }
}

/// Something that holds manifests and blobs.
pub trait Source {
    /// `registry http://127.0.0.1:5000/repo` or `layout ./dir`.
    fn describe(&self) -> String;

    /// The manifest with this digest; `None` when the source says it does
    /// not exist. The caller checks the bytes against the digest.
    fn manifest(&mut self, digest: &Digest) -> Result<Option<Fetched>, Failure>;

    /// The manifest a tag points at; `None` when there is no such tag.
    fn tag(&mut self, tag: &str) -> Result<Option<Fetched>, Failure>;

    /// The referrers API for `subject`, optionally asking the server to
    /// filter by `artifact_type`.
    fn referrers(
        &mut self,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<ApiListing, Failure>;

    /// A blob, checked against its descriptor's digest.
    fn blob(&mut self, descriptor: &Descriptor) -> Result<Vec<u8>, Failure>;

    /// How the source lists referrers when it has no API of its own.
    fn fallback_path(&self) -> Path {
        Path::TagSchema
    }

    /// Requests made so far (HTTP requests for a registry, file reads for
    /// a layout).
    fn requests(&self) -> u64;
}

/// The largest blob `--verify` and `parity` read into memory.
pub const MAX_BLOB_BYTES: u64 = 256 * 1024 * 1024;

/// Check that `bytes` are what `descriptor` names.
pub fn check_blob(descriptor: &Descriptor, bytes: &[u8], origin: &str) -> Result<(), Failure> {
    if !descriptor.digest.matches(bytes) {
        return Err(Failure::deny(format!(
            "{origin}: blob {} does not hash to its digest: the content was altered or truncated in transit or storage",
            descriptor.digest
        )));
    }
    Ok(())
}
