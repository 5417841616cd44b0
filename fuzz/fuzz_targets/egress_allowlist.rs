//! The egress tool's text parsers (ci-intel-egress), by the first byte:
//!
//! - 0: allowlist entries, one a line: `allowlist::NamePattern::parse`,
//!   `allowlist::parse_cidr`, `targets::parse_target`,
//!   `effective::parse_interface`. Each accepted entry re-reads from its
//!   rendering to itself; a name pattern covers itself and matches what it
//!   says it matches.
//! - 1: the event log (`events.ndjson`): `events::parse_log`, then
//!   `summarize`, `markdown`, `human`, `suggest`. Every event re-reads
//!   from its line; bad lines name a line of the file; each Markdown table
//!   row stays one row with its columns (the process name, the queried name
//!   and the reasons are the job's to choose); `--suggest`'s YAML loads as
//!   an egress section whose allowlist builds.
//! - 2: `resolv_conf::parse`: ignored lines are lines of the file; no
//!   loopback stub is an upstream.
//! - 3: the `egress` configuration section (YAML, alone or in a
//!   configuration file) and
//!   `effective::build`: every configured name is allowed by the built
//!   list, and the cloud metadata address never opens through a DNS
//!   answer unless `allow_cidrs` lists it.
//! - 4: `/proc/net/{tcp,udp}` text: `packet::socket_inode`.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use ci_intel_egress::allowlist::{NamePattern, parse_cidr};
use ci_intel_egress::config::EgressConfig;
use ci_intel_egress::effective::{build, parse_interface};
use ci_intel_egress::events::{markdown, parse_log, suggest, suggestion_yaml, summarize};
use ci_intel_egress::targets::parse_target;
use ci_intel_egress::{events, packet, resolv_conf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match selector % 5 {
        0 => entries(&text),
        1 => event_log(&text),
        2 => resolv(&text),
        3 => config(&text),
        _ => {
            let _ = packet::socket_inode(&text, IpAddr::V4(Ipv4Addr::new(10, 1, 0, 2)), 443);
            let _ = packet::socket_inode(&text, "2001:db8::2".parse().unwrap(), 53);
        }
    }
});

fn entries(text: &str) {
    for line in text.lines() {
        if let Ok(pattern) = NamePattern::parse(line) {
            assert_eq!(
                NamePattern::parse(&pattern.as_config()).as_ref(),
                Ok(&pattern),
                "a name pattern does not re-read from its rendering"
            );
            assert!(
                pattern.covered_by(&pattern),
                "{pattern} does not cover itself"
            );
            match &pattern {
                NamePattern::Exact(name) => assert!(pattern.matches(name)),
                NamePattern::Wildcard(suffix) => {
                    assert!(!pattern.matches(suffix), "*.{suffix} matches {suffix}");
                    assert!(pattern.matches(&format!("a.{suffix}")));
                    assert!(!pattern.matches(&format!("a{suffix}")));
                }
            }
        }
        if let Ok(net) = parse_cidr(line) {
            assert_eq!(
                parse_cidr(&net.to_string()),
                Ok(net),
                "a range does not re-read"
            );
        }
        if let Ok(target) = parse_target(line) {
            assert_eq!(
                parse_target(&target.to_string()).as_ref(),
                Ok(&target),
                "a smoke target does not re-read from its rendering"
            );
        }
        if let Ok(interface) = parse_interface(line) {
            assert_eq!(parse_interface(&interface), Ok(interface.clone()));
        }
    }
}

/// CommonMark's line endings: `\n`, `\r\n` and a lone `\r`.
fn markdown_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push(&text[start..]);
    lines
}

/// The `|` of a table line that are not escaped.
fn pipes(line: &str) -> usize {
    let bytes = line.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
        .count()
}

fn event_log(text: &str) {
    let (events, bad) = parse_log(text);
    let lines = text.lines().count();
    for b in &bad {
        assert!(
            (1..=lines).contains(&b.line),
            "bad line {} of {lines}",
            b.line
        );
    }
    assert!(events.len() + bad.len() <= lines);
    for event in &events {
        let (again, bad) = parse_log(&event.to_line());
        assert!(bad.is_empty(), "an event's own line is refused: {bad:?}");
        assert_eq!(again.as_slice(), std::slice::from_ref(event));
    }
    let summary = summarize(&events);
    let _ = events::human(&summary);
    let md = markdown(&summary, "egress");
    // One Markdown line per table row, every row with its columns.
    let rows: Vec<&str> = markdown_lines(&md)
        .into_iter()
        .filter(|l| l.starts_with('|'))
        .collect();
    let tables =
        usize::from(!summary.connections.is_empty()) + usize::from(!summary.queries.is_empty());
    assert_eq!(
        rows.len(),
        summary.connections.len() + summary.queries.len() + 2 * tables,
        "a value broke a Markdown table row:\n{md}"
    );
    let mut columns = 0;
    for row in rows {
        if row.starts_with("| connection ") {
            columns = 8;
        } else if row.starts_with("| query ") {
            columns = 6;
        }
        assert_eq!(
            pipes(row),
            columns,
            "a value changed the columns of a Markdown table row: {row:?}"
        );
    }
    let already = builtin_list();
    let suggestion = suggest(&events, &already);
    let yaml = suggestion_yaml(&suggestion);
    let value: serde_json::Value =
        yaml_serde::from_str(&yaml).expect("--suggest writes YAML that does not load");
    let section: EgressConfig = serde_json::from_value(value["egress"].clone())
        .expect("--suggest writes an egress section that does not read");
    assert_eq!(section.allow, suggestion.allow);
    assert_eq!(section.allow_cidrs, suggestion.allow_cidrs);
    if let Err(e) = build(&section, &[], &[], &[]) {
        panic!(
            "--suggest proposes an allowlist that is refused: {}\n{yaml}",
            e.message
        );
    }
    for name in &suggestion.allow {
        if let Ok(NamePattern::Exact(name)) = NamePattern::parse(name) {
            assert!(!already.allows_name(&name), "{name} is already allowed");
        }
    }
}

fn builtin_list() -> ci_intel_egress::allowlist::Allowlist {
    match build(&EgressConfig::default(), &[], &[], &[]) {
        Ok(list) => list,
        Err(e) => panic!("the default egress section does not build: {}", e.message),
    }
}

fn resolv(text: &str) {
    let conf = resolv_conf::parse(text);
    let lines = text.lines().count();
    for (line, _) in &conf.ignored {
        assert!((1..=lines).contains(line), "ignored line {line} of {lines}");
    }
    assert!(conf.upstreams().iter().all(|a| !a.ip().is_loopback()));
    if conf.only_stubs() {
        assert!(conf.upstreams().is_empty());
    }
}

fn config(text: &str) {
    // The section alone, or a configuration file holding it.
    let Ok(mut value) = yaml_serde::from_str::<serde_json::Value>(text) else {
        return;
    };
    if let Some(section) = value.get_mut("egress") {
        value = section.take();
    }
    let Ok(section) = serde_json::from_value::<EgressConfig>(value) else {
        return;
    };
    let first = build(&section, &[], &[], &[]).map_err(|e| e.message);
    assert_eq!(first, build(&section, &[], &[], &[]).map_err(|e| e.message));
    let Ok(list) = first else {
        // Refused: every refusal names an entry that does not parse.
        let bad = section.allow.iter().any(|e| NamePattern::parse(e).is_err())
            || section.allow_cidrs.iter().any(|e| parse_cidr(e).is_err());
        assert!(bad, "build refused a section whose entries all parse");
        return;
    };
    for entry in &section.allow {
        if let Ok(NamePattern::Exact(name)) = NamePattern::parse(entry) {
            assert!(
                list.allows_name(&name),
                "{name} is configured but not allowed"
            );
        }
    }
    let metadata = IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254));
    if !list.allows_addr(metadata) {
        assert!(
            list.answer_may_open(metadata).is_err(),
            "a DNS answer may open the metadata address"
        );
    }
    let mapped: IpAddr = "::ffff:169.254.169.254".parse().unwrap();
    if !list.allows_addr(mapped) {
        assert!(
            list.answer_may_open(mapped).is_err(),
            "a DNS answer may open the metadata address as an IPv4-mapped IPv6 address"
        );
    }
}
