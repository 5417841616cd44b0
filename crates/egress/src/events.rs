//! What the resolver and the packet log record, one JSON object per line
//! (`events.ndjson` in the state directory), and what `report` makes of
//! it: tables of allowed and blocked connections and queries, NDJSON for
//! telemetry, and `--suggest`'s allowlist proposal.
//!
//! Reading is tolerant and never panics: a line that is not an event is
//! counted and named (line number and parser message), not fatal, because
//! a resolver killed mid-write can leave half a line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::allowlist::{Allowlist, NamePattern};

/// The `schema` of every event line.
pub const EVENT_SCHEMA: &str = "ci-intel-egress.event/v1";

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A DNS query the resolver answered or refused.
    Dns,
    /// A new connection the packet log saw.
    Connection,
    /// A decision of the tool itself (apply, disable, smoke).
    Decision,
}

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Permitted by the allowlist.
    Allowed,
    /// Dropped (connections) or refused (queries).
    Blocked,
    /// Audit mode: permitted, but the allowlist would not have.
    Audited,
    /// A decision event: the verdict is in `result`.
    Recorded,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Blocked => "blocked",
            Outcome::Audited => "audited",
            Outcome::Recorded => "recorded",
        }
    }
}

/// One event line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub schema: String,
    /// RFC 3339 UTC.
    pub time: String,
    pub kind: Kind,
    pub outcome: Outcome,
    /// DNS: the queried name; connection: a name that resolved to the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// DNS: the query type (`A`, `AAAA`, `HTTPS`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qtype: Option<String>,
    /// DNS: the response code passed on (`NOERROR`, `NXDOMAIN`, `REFUSED`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcode: Option<String>,
    /// DNS: the addresses of the answer that joined the allowed set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
    /// The allowlist entry that permitted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Connection: `tcp`, `udp`, `icmp`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daddr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dport: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saddr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport: Option<u16>,
    /// Connection: `output` (this machine) or `forward` (a container).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// The sending socket's user, when the kernel tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// The sending process, when it could be found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comm: Option<String>,
    /// Why it was blocked or what was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Decision: the policy id (`ci-intel/egress.apply`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Decision: `allow`, `warn` or `deny`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

impl Event {
    /// An empty event of `kind` with `outcome`, stamped now.
    pub fn new(kind: Kind, outcome: Outcome) -> Event {
        Event {
            schema: EVENT_SCHEMA.to_owned(),
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            kind,
            outcome,
            name: None,
            qtype: None,
            rcode: None,
            answers: Vec::new(),
            pattern: None,
            proto: None,
            daddr: None,
            dport: None,
            saddr: None,
            sport: None,
            chain: None,
            uid: None,
            pid: None,
            comm: None,
            reason: None,
            decision: None,
            result: None,
        }
    }

    /// A decision event (`apply`, `disable`, `smoke`), also what the
    /// evidence records as a `policies[]` entry.
    pub fn decision(id: &str, result: &str, reason: impl Into<String>) -> Event {
        let mut event = Event::new(Kind::Decision, Outcome::Recorded);
        event.decision = Some(id.to_owned());
        event.result = Some(result.to_owned());
        event.reason = Some(reason.into());
        event
    }

    /// The event as one NDJSON line (with the newline).
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}

/// A line of the log that is not an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub message: String,
}

/// Parse an event log. Never fails: bad lines are returned beside the events.
pub fn parse_log(text: &str) -> (Vec<Event>, Vec<BadLine>) {
    let mut events = Vec::new();
    let mut bad = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(event) if event.schema == EVENT_SCHEMA => events.push(event),
            Ok(event) => bad.push(BadLine {
                line: index + 1,
                message: format!("schema is {:?}, expected {EVENT_SCHEMA:?}", event.schema),
            }),
            Err(error) => bad.push(BadLine {
                line: index + 1,
                message: error.to_string(),
            }),
        }
    }
    (events, bad)
}

/// Connections to one destination, folded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionRow {
    pub outcome: String,
    pub proto: String,
    pub daddr: String,
    pub dport: Option<u16>,
    pub names: BTreeSet<String>,
    pub processes: BTreeSet<String>,
    pub chains: BTreeSet<String>,
    pub reasons: BTreeSet<String>,
    pub count: u64,
}

/// Queries for one name, folded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QueryRow {
    pub outcome: String,
    pub name: String,
    pub qtypes: BTreeSet<String>,
    pub rcodes: BTreeSet<String>,
    pub answers: BTreeSet<String>,
    pub count: u64,
}

/// What `report` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub connections: Vec<ConnectionRow>,
    pub queries: Vec<QueryRow>,
    pub decisions: Vec<Event>,
    pub blocked_connections: u64,
    pub blocked_queries: u64,
    pub audited: u64,
}

/// Fold events into rows (blocked first, then audited, then allowed; by
/// destination within each).
pub fn summarize(events: &[Event]) -> Summary {
    let mut connections: BTreeMap<(Outcome, String, String, Option<u16>), ConnectionRow> =
        BTreeMap::new();
    let mut queries: BTreeMap<(Outcome, String), QueryRow> = BTreeMap::new();
    let mut summary = Summary::default();
    for event in events {
        match event.kind {
            Kind::Connection => {
                let proto = event.proto.clone().unwrap_or_else(|| "?".to_owned());
                let daddr = event.daddr.clone().unwrap_or_else(|| "?".to_owned());
                let key = (
                    rank(event.outcome),
                    proto.clone(),
                    daddr.clone(),
                    event.dport,
                );
                let row = connections.entry(key).or_insert_with(|| ConnectionRow {
                    outcome: event.outcome.as_str().to_owned(),
                    proto,
                    daddr,
                    dport: event.dport,
                    ..ConnectionRow::default()
                });
                row.count += 1;
                row.names.extend(event.name.clone());
                if let Some(comm) = &event.comm {
                    let pid = event.pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
                    row.processes.insert(format!("{comm}{pid}"));
                } else if let Some(uid) = event.uid {
                    row.processes.insert(format!("uid {uid}"));
                }
                row.chains.extend(event.chain.clone());
                row.reasons.extend(event.reason.clone());
                match event.outcome {
                    Outcome::Blocked => summary.blocked_connections += 1,
                    Outcome::Audited => summary.audited += 1,
                    _ => {}
                }
            }
            Kind::Dns => {
                let name = event.name.clone().unwrap_or_else(|| "?".to_owned());
                let row = queries
                    .entry((rank(event.outcome), name.clone()))
                    .or_insert_with(|| QueryRow {
                        outcome: event.outcome.as_str().to_owned(),
                        name,
                        ..QueryRow::default()
                    });
                row.count += 1;
                row.qtypes.extend(event.qtype.clone());
                row.rcodes.extend(event.rcode.clone());
                row.answers.extend(event.answers.iter().cloned());
                match event.outcome {
                    Outcome::Blocked => summary.blocked_queries += 1,
                    Outcome::Audited => summary.audited += 1,
                    _ => {}
                }
            }
            Kind::Decision => summary.decisions.push(event.clone()),
        }
    }
    summary.connections = connections.into_values().collect();
    summary.queries = queries.into_values().collect();
    summary
}

/// Sort order: blocked, audited, allowed.
fn rank(outcome: Outcome) -> Outcome {
    outcome
}

/// A value as one Markdown table cell: `|` escaped, and every line break
/// CommonMark knows (`\n`, `\r`) a space, so a process or queried name
/// cannot end the row or add one.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn join(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "-".to_owned()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// The step-summary table (Markdown).
pub fn markdown(summary: &Summary, title: &str) -> String {
    let mut md = format!(
        "### {title}\n\n{} blocked connection(s), {} refused quer(ies), {} audited\n\n",
        summary.blocked_connections, summary.blocked_queries, summary.audited
    );
    if !summary.connections.is_empty() {
        md.push_str("| connection | destination | port | proto | name | process | count |\n|---|---|---|---|---|---|---|\n");
        for row in &summary.connections {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                row.outcome,
                cell(&row.daddr),
                row.dport
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
                cell(&row.proto),
                cell(&join(&row.names)),
                cell(&join(&row.processes)),
                row.count
            );
        }
        md.push('\n');
    }
    if !summary.queries.is_empty() {
        md.push_str("| query | name | types | answer | count |\n|---|---|---|---|---|\n");
        for row in &summary.queries {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                row.outcome,
                cell(&row.name),
                cell(&join(&row.qtypes)),
                cell(&join(&row.rcodes)),
                row.count
            );
        }
        md.push('\n');
    }
    for decision in &summary.decisions {
        let _ = writeln!(
            md,
            "- decision `{}`: **{}**: {}",
            decision.decision.as_deref().unwrap_or("?"),
            decision.result.as_deref().unwrap_or("?"),
            cell(decision.reason.as_deref().unwrap_or(""))
        );
    }
    md
}

/// The same tables as plain text for a terminal.
pub fn human(summary: &Summary) -> String {
    let mut out = format!(
        "{} blocked connection(s), {} refused quer(ies), {} audited\n",
        summary.blocked_connections, summary.blocked_queries, summary.audited
    );
    for row in &summary.connections {
        let _ = writeln!(
            out,
            "{:<8} {} {}:{} name={} process={} x{}",
            row.outcome,
            row.proto,
            row.daddr,
            row.dport
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into()),
            join(&row.names),
            join(&row.processes),
            row.count
        );
    }
    for row in &summary.queries {
        let _ = writeln!(
            out,
            "{:<8} dns {} {} {} x{}",
            row.outcome,
            row.name,
            join(&row.qtypes),
            join(&row.rcodes),
            row.count
        );
    }
    for decision in &summary.decisions {
        let _ = writeln!(
            out,
            "decision {} {}: {}",
            decision.decision.as_deref().unwrap_or("?"),
            decision.result.as_deref().unwrap_or("?"),
            decision.reason.as_deref().unwrap_or("")
        );
    }
    out
}

/// An allowlist proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Names (or `*.` wildcards) for `egress.allow`.
    pub allow: Vec<String>,
    /// Addresses reached without a name, for `egress.allow_cidrs`.
    pub allow_cidrs: Vec<String>,
    /// Names queried that did not resolve (search-domain noise): not proposed.
    pub unresolved: Vec<String>,
}

/// How many names under one parent make a `*.parent` wildcard.
pub const WILDCARD_THRESHOLD: usize = 3;

/// Propose an allowlist from recorded events: every name that was queried
/// and resolved (or was refused) and is not already allowed by `already`
/// (the built-in list, or the current allowlist); names that only ever
/// failed to resolve are left out (they are search-domain suffixes or
/// typos). [`WILDCARD_THRESHOLD`] or more names under the same parent of
/// at least three labels fold into `*.parent`. Connections to addresses
/// that no name resolved to become `allow_cidrs` entries (one address each).
pub fn suggest(events: &[Event], already: &Allowlist) -> Suggestion {
    let mut resolved: BTreeSet<String> = BTreeSet::new();
    let mut failed: BTreeSet<String> = BTreeSet::new();
    let mut named_addrs: BTreeSet<String> = BTreeSet::new();
    for event in events.iter().filter(|e| e.kind == Kind::Dns) {
        let Some(name) = event.name.as_deref() else {
            continue;
        };
        let Ok(NamePattern::Exact(name)) = NamePattern::parse(name) else {
            continue;
        };
        named_addrs.extend(event.answers.iter().cloned());
        let ok = match event.outcome {
            Outcome::Blocked => true,
            _ => event.rcode.as_deref().is_none_or(|r| r == "NOERROR"),
        };
        if ok {
            resolved.insert(name);
        } else {
            failed.insert(name);
        }
    }
    let mut suggestion = Suggestion::default();
    let wanted: Vec<String> = resolved
        .iter()
        .filter(|name| !already.allows_name(name))
        .cloned()
        .collect();
    let mut by_parent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &wanted {
        if let Some((_, parent)) = name.split_once('.')
            && parent.split('.').count() >= 3
        {
            by_parent
                .entry(parent.to_owned())
                .or_default()
                .push(name.clone());
        }
    }
    let mut folded: BTreeSet<String> = BTreeSet::new();
    let mut allow: BTreeSet<String> = BTreeSet::new();
    for (parent, names) in &by_parent {
        if names.len() >= WILDCARD_THRESHOLD {
            allow.insert(format!("*.{parent}"));
            folded.extend(names.iter().cloned());
        }
    }
    allow.extend(wanted.into_iter().filter(|n| !folded.contains(n)));
    suggestion.allow = allow.into_iter().collect();
    suggestion.unresolved = failed.difference(&resolved).cloned().collect();
    let mut cidrs = BTreeSet::new();
    for event in events.iter().filter(|e| e.kind == Kind::Connection) {
        if !matches!(event.outcome, Outcome::Blocked | Outcome::Audited) || event.name.is_some() {
            continue;
        }
        if let Some(daddr) = &event.daddr
            && !named_addrs.contains(daddr)
            && daddr
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| !already.allows_addr(a))
        {
            cidrs.insert(daddr.clone());
        }
    }
    suggestion.allow_cidrs = cidrs.into_iter().collect();
    suggestion
}

/// The proposal as a `.ci-intel/config.yml` fragment.
pub fn suggestion_yaml(suggestion: &Suggestion) -> String {
    let mut out = String::from(
        "# Proposed by ci-intel-egress report --suggest: review before committing.\negress:\n  mode: block\n",
    );
    let list = |out: &mut String, key: &str, items: &[String]| {
        if items.is_empty() {
            let _ = writeln!(out, "  {key}: []");
        } else {
            let _ = writeln!(out, "  {key}:");
            for item in items {
                let _ = writeln!(out, "    - \"{item}\"");
            }
        }
    };
    list(&mut out, "allow", &suggestion.allow);
    list(&mut out, "allow_cidrs", &suggestion.allow_cidrs);
    if !suggestion.unresolved.is_empty() {
        out.push_str("# Queried but never resolved (not proposed):\n");
        for name in &suggestion.unresolved {
            let _ = writeln!(out, "#   {name}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dns(name: &str, outcome: Outcome, rcode: &str, answers: &[&str]) -> Event {
        let mut e = Event::new(Kind::Dns, outcome);
        e.name = Some(name.into());
        e.qtype = Some("A".into());
        e.rcode = Some(rcode.into());
        e.answers = answers.iter().map(|s| (*s).to_owned()).collect();
        e
    }

    fn conn(daddr: &str, outcome: Outcome, name: Option<&str>) -> Event {
        let mut e = Event::new(Kind::Connection, outcome);
        e.proto = Some("tcp".into());
        e.daddr = Some(daddr.into());
        e.dport = Some(443);
        e.name = name.map(str::to_owned);
        e.comm = Some("curl".into());
        e.pid = Some(42);
        e
    }

    #[test]
    fn log_round_trips_and_bad_lines_are_named() {
        let event = dns("pypi.org", Outcome::Allowed, "NOERROR", &["192.0.2.1"]);
        let text = format!(
            "{}{{\"half\n\n{}",
            event.to_line(),
            "{\"schema\":\"other\",\"time\":\"t\",\"kind\":\"dns\",\"outcome\":\"allowed\"}\n"
        );
        let (events, bad) = parse_log(&text);
        assert_eq!(events, vec![event]);
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].line, 2);
        assert!(bad[1].message.contains("expected"));
    }

    #[test]
    fn summary_folds_and_tables_render() {
        let events = vec![
            conn("203.0.113.9", Outcome::Blocked, None),
            conn("203.0.113.9", Outcome::Blocked, None),
            conn("192.0.2.1", Outcome::Allowed, Some("pypi.org")),
            dns("evil.example", Outcome::Blocked, "REFUSED", &[]),
            Event::decision("ci-intel/egress.disable", "warn", "needs the open network"),
        ];
        let summary = summarize(&events);
        assert_eq!(summary.blocked_connections, 2);
        assert_eq!(summary.blocked_queries, 1);
        assert_eq!(summary.connections.len(), 2);
        assert_eq!(summary.connections[0].outcome, "allowed");
        let blocked = summary
            .connections
            .iter()
            .find(|r| r.outcome == "blocked")
            .unwrap();
        assert_eq!(blocked.count, 2);
        let md = markdown(&summary, "egress");
        assert!(
            md.contains("| blocked | 203.0.113.9 | 443 | tcp | - | curl (pid 42) | 2 |"),
            "{md}"
        );
        assert!(
            md.contains("decision `ci-intel/egress.disable`: **warn**"),
            "{md}"
        );
        assert!(human(&summary).contains("blocked  dns evil.example A REFUSED x1"));
    }

    #[test]
    fn suggestions_fold_wildcards_skip_noise_and_known_names() {
        let mut already = Allowlist::default();
        already.push_name(NamePattern::parse("api.github.com").unwrap());
        let events = vec![
            dns(
                "api.github.com",
                Outcome::Allowed,
                "NOERROR",
                &["140.82.112.6"],
            ),
            dns("pypi.org", Outcome::Audited, "NOERROR", &["151.101.0.223"]),
            dns("a.cdn.example.net", Outcome::Audited, "NOERROR", &[]),
            dns("b.cdn.example.net", Outcome::Audited, "NOERROR", &[]),
            dns("c.cdn.example.net", Outcome::Audited, "NOERROR", &[]),
            dns(
                "pypi.org.internal.cloudapp.net",
                Outcome::Audited,
                "NXDOMAIN",
                &[],
            ),
            conn("151.101.0.223", Outcome::Audited, None),
            conn("198.51.100.4", Outcome::Audited, None),
        ];
        let suggestion = suggest(&events, &already);
        assert_eq!(suggestion.allow, vec!["*.cdn.example.net", "pypi.org"]);
        assert_eq!(suggestion.allow_cidrs, vec!["198.51.100.4"]);
        assert_eq!(
            suggestion.unresolved,
            vec!["pypi.org.internal.cloudapp.net"]
        );
        let yaml = suggestion_yaml(&suggestion);
        assert!(yaml.contains("    - \"*.cdn.example.net\"\n"), "{yaml}");
        assert!(
            yaml.contains("#   pypi.org.internal.cloudapp.net"),
            "{yaml}"
        );
    }
}
