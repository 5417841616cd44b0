//! An OCI image layout on disk (`oci-layout`, `index.json`,
//! `blobs/<alg>/<hex>`) as a [`Source`]: what `skopeo copy ... oci:DIR`,
//! `oras copy --to-oci-layout` and regclient's `ocidir://` write. Offline:
//! this is what the `oci` gate of `ci-intel check` reads.
//!
//! A layout has no referrers API. Its referrers are every manifest listed
//! in `index.json` whose `subject` is the digest (the layout's equivalent of
//! the API: the layout is the whole store), plus the entries of the
//! `sha256-<hex>` fallback tag, which [`crate::discover`] reads and checks
//! like a registry's.

use std::collections::BTreeSet;
use std::path::{Path as FsPath, PathBuf};

use ci_intel_core::Failure;
use serde_json::json;

use crate::digest::Digest;
use crate::parse::{self, Descriptor, IndexView};
use crate::source::{ApiListing, Fetched, MAX_BLOB_BYTES, Path, ReferrersPage, Source, check_blob};

/// The annotation that names a tag in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// An OCI image layout directory.
#[derive(Debug)]
pub struct Layout {
    dir: PathBuf,
    index: IndexView,
    reads: u64,
}

impl Layout {
    /// Open a layout: `oci-layout` must declare version 1.x and `index.json`
    /// must be an image index.
    pub fn open(dir: &FsPath) -> Result<Layout, Failure> {
        let marker = dir.join("oci-layout");
        let text = std::fs::read(&marker).map_err(|e| {
            Failure::infra(format!(
                "{}: cannot read: {e}; an OCI image layout has an `oci-layout` file beside `index.json`",
                marker.display()
            ))
        })?;
        let version: serde_json::Value = serde_json::from_slice(&text).map_err(|e| {
            Failure::infra(format!(
                "{}: line {} column {}: expected {{\"imageLayoutVersion\": \"1.0.0\"}}: {e}",
                marker.display(),
                e.line(),
                e.column()
            ))
        })?;
        match version.get("imageLayoutVersion").and_then(|v| v.as_str()) {
            Some(v) if v.starts_with("1.") => {}
            other => {
                return Err(Failure::infra(format!(
                    "{}: /imageLayoutVersion: expected \"1.0.0\", found {}",
                    marker.display(),
                    other.map_or("nothing".to_owned(), |v| format!("\"{v}\""))
                )));
            }
        }
        let index_path = dir.join("index.json");
        let bytes = std::fs::read(&index_path)
            .map_err(|e| Failure::infra(format!("{}: cannot read: {e}", index_path.display())))?;
        let index = parse::parse_referrers_index(&bytes, Some(parse::OCI_INDEX))
            .map_err(|e| Failure::infra(format!("{}: {e}", index_path.display())))?;
        Ok(Layout {
            dir: dir.to_path_buf(),
            index,
            reads: 1,
        })
    }

    /// The descriptor `index.json` gives a tag.
    pub fn resolve_tag(&self, tag: &str) -> Option<&Descriptor> {
        self.index
            .manifests
            .iter()
            .find(|d| d.annotations.get(REF_NAME).is_some_and(|n| n == tag))
    }

    pub fn dir(&self) -> &FsPath {
        &self.dir
    }

    fn read_blob(&mut self, digest: &Digest) -> Result<Option<Vec<u8>>, Failure> {
        let path = self
            .dir
            .join("blobs")
            .join(digest.algorithm().as_str())
            .join(digest.hex());
        self.reads += 1;
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() > MAX_BLOB_BYTES => {
                return Err(Failure::infra(format!(
                    "{}: {} bytes, over the {MAX_BLOB_BYTES}-byte limit",
                    path.display(),
                    meta.len()
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Failure::infra(format!("{}: {e}", path.display()))),
        }
        std::fs::read(&path)
            .map(Some)
            .map_err(|e| Failure::infra(format!("{}: cannot read: {e}", path.display())))
    }

    fn media_type_of(&self, digest: &Digest) -> Option<String> {
        self.index
            .manifests
            .iter()
            .find(|d| &d.digest == digest)
            .map(|d| d.media_type.clone())
    }
}

impl Source for Layout {
    fn describe(&self) -> String {
        format!("layout {}", self.dir.display())
    }

    fn manifest(&mut self, digest: &Digest) -> Result<Option<Fetched>, Failure> {
        let content_type = self.media_type_of(digest);
        Ok(self.read_blob(digest)?.map(|bytes| Fetched {
            bytes,
            content_type,
        }))
    }

    fn tag(&mut self, tag: &str) -> Result<Option<Fetched>, Failure> {
        let Some(descriptor) = self.resolve_tag(tag).cloned() else {
            return Ok(None);
        };
        Ok(self.read_blob(&descriptor.digest)?.map(|bytes| Fetched {
            bytes,
            content_type: Some(descriptor.media_type),
        }))
    }

    /// Scan every manifest `index.json` lists for this subject.
    fn referrers(
        &mut self,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<ApiListing, Failure> {
        let mut seen = BTreeSet::new();
        let mut entries = Vec::new();
        let listed: Vec<Descriptor> = self.index.manifests.clone();
        for descriptor in listed {
            if !seen.insert(descriptor.digest.clone()) {
                continue;
            }
            let Some(bytes) = self.read_blob(&descriptor.digest)? else {
                continue;
            };
            // An unreadable manifest cannot be a referrer we can check; the
            // discovery reports the ones it is pointed at.
            let Ok(manifest) = parse::parse_manifest(&bytes, Some(&descriptor.media_type)) else {
                continue;
            };
            if manifest.subject().map(|s| &s.digest) != Some(subject) {
                continue;
            }
            let kind = manifest.artifact_type().map(str::to_owned);
            if artifact_type.is_some() && kind.as_deref() != artifact_type {
                continue;
            }
            let mut entry = json!({
                "mediaType": manifest.media_type(),
                "digest": descriptor.digest.to_string(),
                "size": bytes.len(),
            });
            if let Some(kind) = kind {
                entry["artifactType"] = json!(kind);
            }
            if !manifest.annotations().is_empty() {
                entry["annotations"] = json!(manifest.annotations());
            }
            entries.push(entry);
        }
        let page = json!({
            "schemaVersion": 2,
            "mediaType": parse::OCI_INDEX,
            "manifests": entries,
        });
        Ok(ApiListing::Listed(vec![ReferrersPage {
            fetched: Fetched {
                bytes: serde_json::to_vec(&page).unwrap_or_default(),
                content_type: Some(parse::OCI_INDEX.to_owned()),
            },
            filters_applied: if artifact_type.is_some() {
                vec!["artifactType".to_owned()]
            } else {
                Vec::new()
            },
        }]))
    }

    fn blob(&mut self, descriptor: &Descriptor) -> Result<Vec<u8>, Failure> {
        let bytes = self.read_blob(&descriptor.digest)?.ok_or_else(|| {
            Failure::infra(format!(
                "{}: blob {} is missing from blobs/",
                self.dir.display(),
                descriptor.digest
            ))
        })?;
        check_blob(descriptor, &bytes, &self.describe())?;
        Ok(bytes)
    }

    fn fallback_path(&self) -> Path {
        Path::Layout
    }

    fn requests(&self) -> u64 {
        self.reads
    }
}
