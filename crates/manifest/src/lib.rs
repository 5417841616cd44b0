//! ci-intel-manifest: the BLAKE3 manifest of a file tree, shared by
//! ci-intel-cache (signed manifests of cache entries) and ci-intel-repro
//! (outputs of two builds compared by manifest).
//!
//! - [`tree`]: walk one or more roots (or a list of files under a base),
//!   hash every regular file with BLAKE3 (in parallel across files;
//!   memory-mapped and multi-threaded within a large file, as `b3sum` does),
//!   record sizes, modes and symlink targets. Paths that escape the roots,
//!   device files and unreadable files are errors, never skipped;
//! - [`model`]: the manifest itself, written as canonical sorted JSON with a
//!   root digest over its entries;
//! - [`parse`]: [`parse_manifest`], the reader of untrusted manifests (a
//!   plain function a fuzz target can call);
//! - [`diff`]: what differs between two manifests, path by path.

pub mod diff;
pub mod model;
pub mod parse;
pub mod tree;

pub use diff::{Change, DiffOptions, Difference, diff};
pub use model::{ALGORITHM, Entry, EntryKind, Manifest, SCHEMA};
pub use parse::{ManifestError, parse_manifest};
pub use tree::{Options, manifest_of_files, manifest_of_roots};
