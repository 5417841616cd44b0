//! `push-evidence`: push a file as an OCI artifact whose `subject` is an
//! image digest, and make it discoverable.
//!
//! The manifest is pushed by digest. A registry with the referrers API
//! answers with `OCI-Subject`, and that is all. Otherwise the client must
//! maintain the referrers tag schema index itself (distribution-spec,
//! "Pushing Manifests with Subject"): read the `sha256-<hex>` tag with its
//! `ETag`, add the new descriptor, write it back with `If-Match` (or
//! `If-None-Match: *` when the tag is new), and on `412 Precondition
//! Failed` read again and retry, so concurrent pushers never drop each
//! other's entries.
//!
//! Some registries ignore conditional requests (CNCF distribution 2.8 does:
//! it answers 201 whatever `If-Match` says). A harmless probe finds that
//! out (re-PUT the manifest just pushed, by digest, with `If-None-Match: *`:
//! an honouring registry answers 412). On such a registry the update cannot
//! be made atomic; the push then reads the tag back after a pause and puts
//! back every entry it has seen that a concurrent writer dropped, until two
//! reads in a row hold them all. That closes the race for pushers that
//! overlap in time, but not for a writer that read before and writes after
//! the last check; the outcome says `conditional: ignored` and a warning is
//! printed.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use ci_intel_core::Failure;
use serde::Serialize;
use serde_json::{Value, json};

use super::Registry;
use crate::digest::Digest;
use crate::parse::{self, Manifest};
use crate::source::{Path, Source};

/// What to push.
#[derive(Debug, Clone)]
pub struct PushRequest {
    pub file: std::path::PathBuf,
    pub subject: Digest,
    /// The artifact's `artifactType`.
    pub artifact_type: String,
    /// The media type of the file's layer.
    pub media_type: String,
    /// Manifest annotations.
    pub annotations: Vec<(String, String)>,
}

/// What the registry does with `If-Match` / `If-None-Match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conditional {
    /// Not needed: the referrers API listed the artifact.
    NotNeeded,
    Honoured,
    Ignored,
}

/// What a push did.
#[derive(Debug, Clone, Serialize)]
pub struct PushOutcome {
    pub digest: String,
    pub subject: String,
    pub repository: String,
    pub path: Path,
    pub fallback_tag: Option<String>,
    /// Writes of the fallback index.
    pub index_writes: u32,
    /// `412` answers (another pusher won the race; read again).
    pub conflicts: u32,
    /// Entries put back after a concurrent writer dropped them (only on a
    /// registry that ignores conditions).
    pub repairs: u32,
    pub conditional: Conditional,
    pub requests: u64,
}

/// Attempts at the fallback index before giving up (exit 3).
const MAX_ROUNDS: u32 = 40;

/// Push `request` to `registry` (the repository it was opened for).
pub fn push_evidence(
    registry: &mut Registry,
    request: &PushRequest,
) -> Result<PushOutcome, Failure> {
    let content = std::fs::read(&request.file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", request.file.display())))?;
    let subject = &request.subject;
    let Some(subject_doc) = registry.manifest(subject)? else {
        return Err(Failure::usage(format!(
            "--subject {subject} does not exist in {}: push the image first, and give the digest of its manifest or index",
            registry.describe()
        )));
    };
    if !subject.matches(&subject_doc.bytes) {
        return Err(Failure::infra(format!(
            "{} returned content for {subject} that does not hash to it",
            registry.describe()
        )));
    }
    let subject_manifest = parse::parse_manifest(&subject_doc.bytes, None)
        .map_err(|e| Failure::infra(format!("the manifest of {subject} does not parse: {e}")))?;
    let manifest_bytes = build_manifest(
        request,
        &content,
        &subject_manifest,
        subject_doc.bytes.len(),
    )?;
    let digest = Digest::sha256_of(&manifest_bytes);

    // A manifest PUT can meet `MANIFEST_BLOB_UNKNOWN` while another pusher's
    // upload of the same blob (the empty config) commits: push the blobs
    // again and retry, a bounded number of times.
    let mut put = None;
    for attempt in 0..4u32 {
        let force = attempt > 0;
        registry.push_blob(
            parse::EMPTY_JSON,
            &Digest::sha256_of(parse::EMPTY_JSON),
            force,
        )?;
        registry.push_blob(&content, &Digest::sha256_of(&content), force)?;
        let outcome = registry.put_manifest(
            &digest.to_string(),
            &manifest_bytes,
            parse::OCI_MANIFEST,
            None,
        )?;
        if !outcome.blob_unknown {
            put = Some(outcome);
            break;
        }
        eprintln!(
            "ci-intel-oci: {} answered MANIFEST_BLOB_UNKNOWN for {digest}; pushing its blobs again ({}/3)",
            registry.describe(),
            attempt + 1
        );
        pause(attempt, 100);
    }
    let Some(put) = put else {
        return Err(Failure::infra(format!(
            "{} keeps answering MANIFEST_BLOB_UNKNOWN for {digest} after its blobs were pushed",
            registry.describe()
        )));
    };
    let mut outcome = PushOutcome {
        digest: digest.to_string(),
        subject: subject.to_string(),
        repository: registry.repository().to_owned(),
        path: Path::ReferrersApi,
        fallback_tag: None,
        index_writes: 0,
        conflicts: 0,
        repairs: 0,
        conditional: Conditional::NotNeeded,
        requests: 0,
    };
    if let Some(echo) = &put.oci_subject {
        if echo.trim() != subject.to_string() {
            return Err(Failure::infra(format!(
                "{} answered OCI-Subject: {echo} for a manifest whose subject is {subject}",
                registry.describe()
            )));
        }
        outcome.requests = registry.requests();
        return Ok(outcome);
    }
    outcome.path = Path::TagSchema;
    let tag = subject.fallback_tag();
    outcome.fallback_tag = Some(tag.clone());
    let honoured = registry.honours_conditions(&digest, &manifest_bytes, parse::OCI_MANIFEST)?;
    outcome.conditional = if honoured {
        Conditional::Honoured
    } else {
        eprintln!(
            "ci-intel-oci: warning: {} ignores If-Match/If-None-Match on manifest PUTs; the fallback index `{tag}` is updated by read-back-and-repair, which a writer that read before and writes after the last check can still undo (use a registry with the referrers API, or one that honours conditional requests)",
            registry.describe()
        );
        Conditional::Ignored
    };
    let ours = descriptor_for(&manifest_bytes, &digest)?;
    update_fallback(registry, subject, &tag, &ours, honoured, &mut outcome)?;
    outcome.requests = registry.requests();
    Ok(outcome)
}

/// The artifact manifest: empty config, one layer (the file), `subject`.
fn build_manifest(
    request: &PushRequest,
    content: &[u8],
    subject: &Manifest,
    subject_size: usize,
) -> Result<Vec<u8>, Failure> {
    let title = request
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "evidence".to_owned());
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": parse::OCI_MANIFEST,
        "artifactType": request.artifact_type,
        "config": {
            "mediaType": parse::OCI_EMPTY,
            "digest": Digest::sha256_of(parse::EMPTY_JSON).to_string(),
            "size": parse::EMPTY_JSON.len(),
        },
        "layers": [{
            "mediaType": request.media_type,
            "digest": Digest::sha256_of(content).to_string(),
            "size": content.len(),
            "annotations": {"org.opencontainers.image.title": title},
        }],
        "subject": {
            "mediaType": subject.media_type(),
            "digest": request.subject.to_string(),
            "size": subject_size,
        },
    });
    if !request.annotations.is_empty() {
        let annotations: serde_json::Map<String, Value> = request
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        manifest["annotations"] = Value::Object(annotations);
    }
    let bytes = serde_json::to_vec(&manifest)
        .map_err(|e| Failure::infra(format!("cannot serialise the manifest: {e}")))?;
    // The same parser (oci-spec) that reads referrers checks what we write.
    parse::parse_manifest(&bytes, None)
        .map_err(|e| Failure::usage(format!("the artifact manifest would be invalid: {e}")))?;
    Ok(bytes)
}

/// The referrers-list descriptor of a pushed manifest: `artifactType` and
/// every annotation copied from it (distribution-spec).
fn descriptor_for(bytes: &[u8], digest: &Digest) -> Result<Value, Failure> {
    let manifest = parse::parse_manifest(bytes, None)
        .map_err(|e| Failure::infra(format!("the pushed manifest does not parse: {e}")))?;
    let mut entry = json!({
        "mediaType": manifest.media_type(),
        "digest": digest.to_string(),
        "size": bytes.len(),
    });
    if let Some(t) = manifest.artifact_type() {
        entry["artifactType"] = json!(t);
    }
    if !manifest.annotations().is_empty() {
        entry["annotations"] = json!(manifest.annotations());
    }
    Ok(entry)
}

fn entry_digest(entry: &Value) -> Option<String> {
    entry
        .get("digest")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Read the fallback index: its entries (as the JSON they are), the whole
/// document (to keep fields we do not know), and its `ETag`.
fn read_index(
    registry: &mut Registry,
    subject: &Digest,
    tag: &str,
) -> Result<(Option<Value>, Option<String>), Failure> {
    let Some(tagged) = registry.get_tag(tag)? else {
        return Ok((None, None));
    };
    if subject.matches(&tagged.fetched.bytes) {
        return Err(Failure::infra(format!(
            "the fallback tag `{tag}` in {} resolves to {subject} itself, not to an index of referrers; refusing to overwrite it (delete the tag, or use a registry with the referrers API)",
            registry.describe()
        )));
    }
    parse::parse_referrers_index(
        &tagged.fetched.bytes,
        tagged.fetched.content_type.as_deref(),
    )
    .map_err(|e| {
        Failure::infra(format!(
            "the fallback tag `{tag}` in {} is not an image index ({e}); refusing to overwrite it",
            registry.describe()
        ))
    })?;
    let value: Value = serde_json::from_slice(&tagged.fetched.bytes)
        .map_err(|e| Failure::infra(format!("the fallback tag `{tag}`: {e}")))?;
    Ok((Some(value), tagged.etag))
}

fn with_entries(current: Option<Value>, entries: &[Value]) -> Value {
    let mut doc = current.unwrap_or_else(
        || json!({"schemaVersion": 2, "mediaType": parse::OCI_INDEX, "manifests": []}),
    );
    if doc.get("mediaType").is_none() {
        doc["mediaType"] = json!(parse::OCI_INDEX);
    }
    doc["manifests"] = Value::Array(entries.to_vec());
    doc
}

/// Add `ours` to the fallback index, without losing anyone's entries.
fn update_fallback(
    registry: &mut Registry,
    subject: &Digest,
    tag: &str,
    ours: &Value,
    honoured: bool,
    outcome: &mut PushOutcome,
) -> Result<(), Failure> {
    let our_digest = entry_digest(ours).unwrap_or_default();
    // Every entry seen in any read: on a registry that ignores conditions,
    // what a concurrent writer dropped is put back from here.
    let mut known: Vec<Value> = vec![ours.clone()];
    let mut stable_reads = 0u32;
    for round in 0..MAX_ROUNDS {
        let (current, etag) = read_index(registry, subject, tag)?;
        let listed: Vec<Value> = current
            .as_ref()
            .and_then(|d| d.get("manifests"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let listed_digests: BTreeSet<String> = listed.iter().filter_map(entry_digest).collect();
        for entry in &listed {
            if let Some(d) = entry_digest(entry)
                && !known.iter().any(|k| entry_digest(k).as_deref() == Some(&d))
            {
                known.push(entry.clone());
            }
        }
        let missing: Vec<&Value> = if honoured {
            if listed_digests.contains(&our_digest) {
                return Ok(());
            }
            vec![ours]
        } else {
            known
                .iter()
                .filter(|k| entry_digest(k).is_some_and(|d| !listed_digests.contains(&d)))
                .collect()
        };
        if missing.is_empty() {
            // Ignoring registry: done after two consecutive complete reads,
            // a pause apart.
            stable_reads += 1;
            if stable_reads >= 2 {
                return Ok(());
            }
            pause(round, 150);
            continue;
        }
        if round > 0 && !honoured {
            outcome.repairs += missing.len() as u32;
        }
        stable_reads = 0;
        let mut entries = listed.clone();
        entries.extend(missing.into_iter().cloned());
        let doc = with_entries(current, &entries);
        let bytes = serde_json::to_vec(&doc)
            .map_err(|e| Failure::infra(format!("cannot serialise the fallback index: {e}")))?;
        let condition = match &etag {
            Some(etag) => Some(("If-Match", etag.as_str())),
            None if listed.is_empty() => Some(("If-None-Match", "*")),
            None => None,
        };
        let put = registry.put_manifest(tag, &bytes, parse::OCI_INDEX, condition)?;
        outcome.index_writes += 1;
        if put.status == 412 {
            outcome.conflicts += 1;
            pause(round, 20);
            continue;
        }
        if !honoured {
            pause(round, 150);
        }
    }
    Err(Failure::infra(format!(
        "the fallback index `{tag}` in {} could not be updated in {MAX_ROUNDS} rounds ({} conflicts): too many concurrent writers; the artifact {our_digest} is pushed but not listed, run push-evidence again",
        registry.describe(),
        outcome.conflicts
    )))
}

/// Sleep `base` ms plus random jitter growing with the round, so racing
/// pushers spread out.
fn pause(round: u32, base: u64) {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(round);
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let spread = base * u64::from(round.min(6) + 1);
    std::thread::sleep(Duration::from_millis(
        base + hasher.finish() % spread.max(1),
    ));
}
