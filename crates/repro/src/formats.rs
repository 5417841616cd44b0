//! Why two files differ, read the way their format is built: ELF sections
//! and build-id, static archive members, zip and jar entries (order,
//! timestamps, permissions, extra fields, contents), tar headers and
//! contents, gzip headers, text as a unified diff, anything else as the
//! first differing byte. Archives recurse into differing members.
//!
//! [`explain`] is a plain function over two byte slices: it never panics
//! on malformed input (a reader that fails falls back to the next
//! format), so a fuzz target can call it directly.

use std::collections::HashMap;
use std::io::{Cursor, Read as _};

use serde::Serialize;

/// How deep archives are opened inside archives.
const MAX_DEPTH: usize = 4;
/// Largest member read into memory (a zip bomb stops here).
const MAX_MEMBER: u64 = 64 * 1024 * 1024;
/// Lines of unified diff kept per text difference.
const MAX_DIFF_LINES: usize = 120;
/// Details kept per file.
const MAX_DETAILS: usize = 200;

/// One thing that differs inside a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// Where inside the file: a member path (`dir/text`), a section
    /// (`section .text`), nested with ` / `; empty for the file itself.
    pub location: String,
    /// What differs: `content`, `added`, `removed`, `order`, `mtime`,
    /// `mode`, `owner`, `build-id`, `size`, `extra`, `header`...
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b: Option<String>,
}

/// What differs between two versions of one file.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// `elf`, `ar`, `zip`, `tar`, `gzip`, `text`, `binary`.
    pub format: &'static str,
    pub details: Vec<Detail>,
    /// A unified diff when the file (or a text member) is text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_diff: Option<String>,
    /// Lines differ only in their order.
    pub ordering_only: bool,
}

/// Explain how `a` and `b` (two versions of the file `name`) differ.
/// Identical inputs give no details.
pub fn explain(name: &str, a: &[u8], b: &[u8]) -> Explanation {
    let mut out = Explanation {
        format: "binary",
        details: Vec::new(),
        text_diff: None,
        ordering_only: false,
    };
    if a == b {
        out.format = sniff(name, a);
        return out;
    }
    explain_into(name, a, b, "", 0, &mut out);
    out.details.truncate(MAX_DETAILS);
    out
}

/// The format a file looks like.
pub fn sniff(name: &str, bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x7fELF") {
        "elf"
    } else if bytes.starts_with(b"!<arch>\n") {
        "ar"
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        "zip"
    } else if has_zip_end(bytes) {
        // Zips with data before the first local header (Mozilla's
        // optimised jars, self-extracting archives).
        "zip"
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        "gzip"
    } else if is_tar(bytes) {
        "tar"
    } else if looks_text(bytes) {
        "text"
    } else if name.ends_with(".zip") || name.ends_with(".jar") || name.ends_with(".whl") {
        "zip"
    } else {
        "binary"
    }
}

/// An end-of-central-directory record in the last 64 KiB + 22 bytes.
fn has_zip_end(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(65_557)..];
    tail.len() >= 22 && tail.windows(4).any(|w| w == b"PK\x05\x06")
}

fn is_tar(bytes: &[u8]) -> bool {
    bytes.len() >= 512 && &bytes[257..262] == b"ustar"
}

fn looks_text(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return true;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return false;
    }
    let printable = sample
        .iter()
        .filter(|&&b| b == b'\n' || b == b'\r' || b == b'\t' || b >= 0x20)
        .count();
    printable * 100 >= sample.len() * 95
}

fn join(prefix: &str, location: &str) -> String {
    match (prefix.is_empty(), location.is_empty()) {
        (true, _) => location.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix} / {location}"),
    }
}

/// Each key's first entry: one pass instead of a search of `entries` per
/// entry of the other archive (quadratic on jars of thousands of members).
/// The first wins, as a linear search would find it.
fn first_by_key<'e, T>(
    entries: &'e [T],
    key: impl Fn(&'e T) -> &'e str,
) -> HashMap<&'e str, &'e T> {
    let mut map = HashMap::with_capacity(entries.len());
    for entry in entries {
        map.entry(key(entry)).or_insert(entry);
    }
    map
}

fn push(out: &mut Explanation, location: String, what: &str, a: Option<String>, b: Option<String>) {
    if out.details.len() < MAX_DETAILS {
        out.details.push(Detail {
            location,
            what: what.to_owned(),
            a,
            b,
        });
    }
}

fn explain_into(name: &str, a: &[u8], b: &[u8], prefix: &str, depth: usize, out: &mut Explanation) {
    let (fa, fb) = (sniff(name, a), sniff(name, b));
    let top = prefix.is_empty();
    let format = if fa == fb { fa } else { "binary" };
    if top {
        out.format = format;
    }
    let handled = depth < MAX_DEPTH
        && match format {
            "elf" => elf(a, b, prefix, out),
            "ar" => ar(a, b, prefix, depth, out),
            "zip" => zip_archive(a, b, prefix, depth, out),
            "tar" => tar_archive(a, b, prefix, depth, out),
            "gzip" => gzip(name, a, b, prefix, depth, out),
            "text" => {
                text(a, b, prefix, out);
                true
            }
            _ => false,
        };
    if !handled {
        if top && format != "binary" {
            out.format = "binary";
        }
        binary(a, b, prefix, out);
    }
}

fn binary(a: &[u8], b: &[u8], prefix: &str, out: &mut Explanation) {
    let first = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    push(
        out,
        prefix.to_owned(),
        "content",
        Some(format!("{} bytes", a.len())),
        Some(format!(
            "{} bytes, first difference at offset {first:#x}",
            b.len()
        )),
    );
}

fn text(a: &[u8], b: &[u8], prefix: &str, out: &mut Explanation) {
    let (ta, tb) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let mut la: Vec<&str> = ta.lines().collect();
    let mut lb: Vec<&str> = tb.lines().collect();
    let diff = similar::TextDiff::from_lines(ta.as_ref(), tb.as_ref());
    let unified = diff
        .unified_diff()
        .context_radius(3)
        .header("a", "b")
        .to_string();
    let lines: Vec<&str> = unified.lines().collect();
    let mut kept = lines[..lines.len().min(MAX_DIFF_LINES)].join("\n");
    if lines.len() > MAX_DIFF_LINES {
        kept.push_str(&format!("\n[{} more lines]", lines.len() - MAX_DIFF_LINES));
    }
    la.sort_unstable();
    lb.sort_unstable();
    let ordering = la == lb;
    if prefix.is_empty() {
        out.ordering_only = ordering;
    }
    let changed = diff
        .ops()
        .iter()
        .filter(|op| !matches!(op, similar::DiffOp::Equal { .. }))
        .count();
    push(
        out,
        prefix.to_owned(),
        if ordering { "line order" } else { "content" },
        None,
        Some(format!("{changed} changed hunk(s) of lines")),
    );
    if out.text_diff.is_none() {
        out.text_diff = Some(if prefix.is_empty() {
            kept
        } else {
            format!("{prefix}:\n{kept}")
        });
    }
}

// ------------------------------------------------------------------ ELF

fn elf(a: &[u8], b: &[u8], prefix: &str, out: &mut Explanation) -> bool {
    use object::{Object as _, ObjectSection as _};
    let (Ok(fa), Ok(fb)) = (object::File::parse(a), object::File::parse(b)) else {
        return false;
    };
    let start = out.details.len();
    let build_id = |f: &object::File<'_>| f.build_id().ok().flatten().map(hex);
    let (ia, ib) = (build_id(&fa), build_id(&fb));
    if ia != ib {
        push(out, join(prefix, "build-id"), "build-id", ia, ib);
    }
    let sections = |f: &object::File<'_>| -> Vec<(String, Vec<u8>)> {
        f.sections()
            .map(|s| {
                let name = s.name().unwrap_or("?").to_owned();
                let data = s.data().map(<[u8]>::to_vec).unwrap_or_default();
                (name, data)
            })
            .collect()
    };
    let (sa, sb) = (sections(&fa), sections(&fb));
    let names_a: Vec<&str> = sa.iter().map(|(n, _)| n.as_str()).collect();
    let names_b: Vec<&str> = sb.iter().map(|(n, _)| n.as_str()).collect();
    for (name, data) in &sa {
        match sb.iter().find(|(n, _)| n == name) {
            None => push(
                out,
                join(prefix, &format!("section {name}")),
                "removed",
                Some(format!("{} bytes", data.len())),
                None,
            ),
            Some((_, other)) if other != data => {
                let first = data
                    .iter()
                    .zip(other)
                    .position(|(x, y)| x != y)
                    .unwrap_or(data.len().min(other.len()));
                push(
                    out,
                    join(prefix, &format!("section {name}")),
                    "content",
                    Some(format!("{} bytes", data.len())),
                    Some(format!(
                        "{} bytes, first difference at section offset {first:#x}",
                        other.len()
                    )),
                );
            }
            Some(_) => {}
        }
    }
    for (name, data) in &sb {
        if !names_a.contains(&name.as_str()) {
            push(
                out,
                join(prefix, &format!("section {name}")),
                "added",
                None,
                Some(format!("{} bytes", data.len())),
            );
        }
    }
    let common_a: Vec<&&str> = names_a.iter().filter(|n| names_b.contains(n)).collect();
    let common_b: Vec<&&str> = names_b.iter().filter(|n| names_a.contains(n)).collect();
    if common_a != common_b {
        push(
            out,
            join(prefix, "section order"),
            "order",
            Some(names_a.join(" ")),
            Some(names_b.join(" ")),
        );
    }
    if out.details.len() == start {
        // Same sections, same contents: the headers differ.
        push(out, join(prefix, "ELF headers"), "header", None, None);
    }
    true
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ------------------------------------------------------------------ ar

fn ar(a: &[u8], b: &[u8], prefix: &str, depth: usize, out: &mut Explanation) -> bool {
    let members = |bytes: &[u8]| -> Option<Vec<(String, Vec<u8>)>> {
        let archive = object::read::archive::ArchiveFile::parse(bytes).ok()?;
        let mut list = Vec::new();
        for member in archive.members() {
            let member = member.ok()?;
            let name = String::from_utf8_lossy(member.name()).into_owned();
            let data = member.data(bytes).ok()?.to_vec();
            list.push((name, data));
        }
        Some(list)
    };
    let (Some(ma), Some(mb)) = (members(a), members(b)) else {
        return false;
    };
    let start = out.details.len();
    compare_members(&ma, &mb, prefix, depth, out);
    if out.details.len() == start {
        push(
            out,
            prefix.to_owned(),
            "header",
            Some("member headers (dates, owners, modes)".to_owned()),
            None,
        );
    }
    true
}

/// Members by name: added, removed, order, and differing contents
/// explained recursively.
fn compare_members(
    ma: &[(String, Vec<u8>)],
    mb: &[(String, Vec<u8>)],
    prefix: &str,
    depth: usize,
    out: &mut Explanation,
) {
    let names_a: Vec<&str> = ma.iter().map(|(n, _)| n.as_str()).collect();
    let names_b: Vec<&str> = mb.iter().map(|(n, _)| n.as_str()).collect();
    for (name, data) in ma {
        match mb.iter().find(|(n, _)| n == name) {
            None => push(
                out,
                join(prefix, name),
                "removed",
                Some(format!("{} bytes", data.len())),
                None,
            ),
            Some((_, other)) if other != data => {
                explain_into(name, data, other, &join(prefix, name), depth + 1, out)
            }
            Some(_) => {}
        }
    }
    for (name, data) in mb {
        if !names_a.contains(&name.as_str()) {
            push(
                out,
                join(prefix, name),
                "added",
                None,
                Some(format!("{} bytes", data.len())),
            );
        }
    }
    let common_a: Vec<&&str> = names_a.iter().filter(|n| names_b.contains(n)).collect();
    let common_b: Vec<&&str> = names_b.iter().filter(|n| names_a.contains(n)).collect();
    if common_a != common_b {
        push(
            out,
            prefix.to_owned(),
            "order",
            Some(names_a.join(" ")),
            Some(names_b.join(" ")),
        );
    }
}

// ------------------------------------------------------------------ zip

struct ZipEntry {
    name: String,
    mtime: String,
    mode: Option<u32>,
    extra: Vec<u8>,
    method: String,
    data: Vec<u8>,
}

fn zip_entries(bytes: &[u8]) -> Option<(Vec<ZipEntry>, String)> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return local_headers(bytes).map(|entries| (entries, String::new()));
    };
    let comment = String::from_utf8_lossy(archive.comment()).into_owned();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).ok()?;
        let mtime = file
            .last_modified()
            .map(|t| {
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                )
            })
            .unwrap_or_default();
        let mut data = Vec::new();
        if file.size() <= MAX_MEMBER {
            (&mut file).take(MAX_MEMBER).read_to_end(&mut data).ok()?;
        }
        entries.push(ZipEntry {
            name: file.name().to_owned(),
            mtime,
            mode: file.unix_mode(),
            extra: file.extra_data().map(<[u8]>::to_vec).unwrap_or_default(),
            method: format!("{:?}", file.compression()),
            data,
        });
    }
    Some((entries, comment))
}

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *bytes.get(at)?,
        *bytes.get(at + 1)?,
        *bytes.get(at + 2)?,
        *bytes.get(at + 3)?,
    ]))
}

/// Entries read from the local file headers in file order, for zips the
/// central-directory reader refuses (Mozilla's optimised jars put the
/// central directory first). Stored and deflated entries with sizes in
/// the local header only.
fn local_headers(bytes: &[u8]) -> Option<Vec<ZipEntry>> {
    let mut entries = Vec::new();
    let mut at = 0usize;
    while let Some(offset) = bytes.get(at..)?.windows(4).position(|w| w == b"PK\x03\x04") {
        let start = at + offset;
        let flags = le16(bytes, start + 6)?;
        let method = le16(bytes, start + 8)?;
        let (time, date) = (le16(bytes, start + 10)?, le16(bytes, start + 12)?);
        let size = usize::try_from(le32(bytes, start + 18)?).ok()?;
        let name_len = usize::from(le16(bytes, start + 26)?);
        let extra_len = usize::from(le16(bytes, start + 28)?);
        if flags & 0x08 != 0 {
            return None;
        }
        let name_at = start.checked_add(30)?;
        let data_at = name_at.checked_add(name_len)?.checked_add(extra_len)?;
        let name = String::from_utf8_lossy(bytes.get(name_at..name_at + name_len)?).into_owned();
        let extra = bytes.get(name_at + name_len..data_at)?.to_vec();
        let raw = bytes.get(data_at..data_at.checked_add(size)?)?;
        let data = match method {
            0 => raw.to_vec(),
            8 => {
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(raw)
                    .take(MAX_MEMBER)
                    .read_to_end(&mut out)
                    .ok()?;
                out
            }
            _ => return None,
        };
        entries.push(ZipEntry {
            name,
            mtime: format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                1980 + (date >> 9),
                (date >> 5) & 0x0f,
                date & 0x1f,
                time >> 11,
                (time >> 5) & 0x3f,
                (time & 0x1f) * 2
            ),
            mode: None,
            extra,
            method: method.to_string(),
            data,
        });
        at = data_at + size;
    }
    (!entries.is_empty()).then_some(entries)
}

fn zip_archive(a: &[u8], b: &[u8], prefix: &str, depth: usize, out: &mut Explanation) -> bool {
    let (Some((ea, ca)), Some((eb, cb))) = (zip_entries(a), zip_entries(b)) else {
        return false;
    };
    let start = out.details.len();
    if ca != cb {
        push(
            out,
            join(prefix, "archive comment"),
            "comment",
            Some(ca),
            Some(cb),
        );
    }
    let by_name = first_by_key(&eb, |e| e.name.as_str());
    for x in &ea {
        let Some(&y) = by_name.get(x.name.as_str()) else {
            continue;
        };
        let at = join(prefix, &x.name);
        if x.mtime != y.mtime {
            push(
                out,
                at.clone(),
                "mtime",
                Some(x.mtime.clone()),
                Some(y.mtime.clone()),
            );
        }
        if x.mode != y.mode {
            push(
                out,
                at.clone(),
                "mode",
                x.mode.map(|m| format!("{m:o}")),
                y.mode.map(|m| format!("{m:o}")),
            );
        }
        if x.extra != y.extra {
            push(
                out,
                at.clone(),
                "extra",
                Some(format!("{} bytes of extra fields", x.extra.len())),
                Some(format!("{} bytes of extra fields", y.extra.len())),
            );
        }
        if x.method != y.method {
            push(
                out,
                at.clone(),
                "compression",
                Some(x.method.clone()),
                Some(y.method.clone()),
            );
        }
    }
    let ma: Vec<(String, Vec<u8>)> = ea.into_iter().map(|e| (e.name, e.data)).collect();
    let mb: Vec<(String, Vec<u8>)> = eb.into_iter().map(|e| (e.name, e.data)).collect();
    compare_members(&ma, &mb, prefix, depth, out);
    if out.details.len() == start {
        push(
            out,
            prefix.to_owned(),
            "header",
            Some("zip structure (local headers, central directory)".to_owned()),
            None,
        );
    }
    true
}

// ------------------------------------------------------------------ tar

struct TarEntry {
    path: String,
    header: String,
    link: Option<String>,
    data: Vec<u8>,
}

fn tar_entries(bytes: &[u8]) -> Option<Vec<TarEntry>> {
    let mut archive = tar::Archive::new(Cursor::new(bytes));
    let mut entries = Vec::new();
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let header = entry.header();
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let summary = format!(
            "type {:?} mode {:o} uid {} gid {} user {} group {} mtime {} size {}",
            header.entry_type(),
            header.mode().unwrap_or(0),
            header.uid().unwrap_or(0),
            header.gid().unwrap_or(0),
            header.username().ok().flatten().unwrap_or(""),
            header.groupname().ok().flatten().unwrap_or(""),
            header.mtime().unwrap_or(0),
            header.size().unwrap_or(0),
        );
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned());
        let mut data = Vec::new();
        if entry.size() <= MAX_MEMBER {
            entry.read_to_end(&mut data).ok()?;
        }
        entries.push(TarEntry {
            path,
            header: summary,
            link,
            data,
        });
    }
    Some(entries)
}

fn tar_archive(a: &[u8], b: &[u8], prefix: &str, depth: usize, out: &mut Explanation) -> bool {
    let (Some(ea), Some(eb)) = (tar_entries(a), tar_entries(b)) else {
        return false;
    };
    let start = out.details.len();
    let by_path = first_by_key(&eb, |e| e.path.as_str());
    for x in &ea {
        let Some(&y) = by_path.get(x.path.as_str()) else {
            continue;
        };
        let at = join(prefix, &x.path);
        if x.header != y.header {
            push(
                out,
                at.clone(),
                "header",
                Some(x.header.clone()),
                Some(y.header.clone()),
            );
        }
        if x.link != y.link {
            push(out, at, "symlink", x.link.clone(), y.link.clone());
        }
    }
    let ma: Vec<(String, Vec<u8>)> = ea.into_iter().map(|e| (e.path, e.data)).collect();
    let mb: Vec<(String, Vec<u8>)> = eb.into_iter().map(|e| (e.path, e.data)).collect();
    compare_members(&ma, &mb, prefix, depth, out);
    if out.details.len() == start {
        push(
            out,
            prefix.to_owned(),
            "header",
            Some("tar padding or headers".to_owned()),
            None,
        );
    }
    true
}

// ------------------------------------------------------------------ gzip

struct GzipHeader {
    mtime: u32,
    os: u8,
    name: Option<String>,
}

/// The fixed part of a gzip header (RFC 1952) and its FNAME.
pub fn gzip_header(bytes: &[u8]) -> Option<(u32, u8, Option<String>)> {
    if bytes.len() < 10 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return None;
    }
    let flags = bytes[3];
    let mtime = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let os = bytes[9];
    let mut at = 10usize;
    if flags & 0x04 != 0 {
        let len = usize::from(u16::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
        at = at.checked_add(2 + len)?;
    }
    let name = if flags & 0x08 != 0 {
        let rest = bytes.get(at..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    } else {
        None
    };
    Some((mtime, os, name))
}

fn gzip(name: &str, a: &[u8], b: &[u8], prefix: &str, depth: usize, out: &mut Explanation) -> bool {
    let parse =
        |bytes: &[u8]| gzip_header(bytes).map(|(mtime, os, name)| GzipHeader { mtime, os, name });
    let (Some(ha), Some(hb)) = (parse(a), parse(b)) else {
        return false;
    };
    let start = out.details.len();
    let at = join(prefix, "gzip header");
    if ha.mtime != hb.mtime {
        push(
            out,
            at.clone(),
            "mtime",
            Some(ha.mtime.to_string()),
            Some(hb.mtime.to_string()),
        );
    }
    if ha.os != hb.os {
        push(
            out,
            at.clone(),
            "os",
            Some(ha.os.to_string()),
            Some(hb.os.to_string()),
        );
    }
    if ha.name != hb.name {
        push(out, at, "name", ha.name.clone(), hb.name);
    }
    let inflate = |bytes: &[u8]| -> Option<Vec<u8>> {
        let mut data = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .take(MAX_MEMBER)
            .read_to_end(&mut data)
            .ok()?;
        Some(data)
    };
    let (Some(da), Some(db)) = (inflate(a), inflate(b)) else {
        return false;
    };
    if da != db {
        let inner = ha.name.unwrap_or_else(|| {
            let base = name.rsplit('/').next().unwrap_or(name);
            base.strip_suffix(".gz").unwrap_or(base).to_owned()
        });
        explain_into(&inner, &da, &db, &join(prefix, &inner), depth + 1, out);
    }
    if out.details.len() == start {
        push(
            out,
            prefix.to_owned(),
            "header",
            Some("gzip flags or compression".to_owned()),
            None,
        );
    }
    true
}
