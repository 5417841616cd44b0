//! The nftables ruleset, in nft's JSON form, applied through `nft -j -f -`
//! with the `nftables` crate.
//!
//! Why `nft -j` and not netlink: the kernel's nftables netlink protocol is
//! only wrapped by `rustables` (GPL-3.0, which this Apache-2.0 project
//! cannot link) or by libnftnl (C, a static-musl build burden); nft's JSON
//! is the documented machine interface, the `nftables` crate types it and
//! runs the program, the batch is atomic (all rules or none), and the same
//! JSON is what `nft -j list` prints, so tests compare what was meant with
//! what the kernel holds. The cost is one `nft` process per change: the
//! ruleset once, and one batch per DNS answer that adds new addresses
//! (measured in docs/benchmarks.md).
//!
//! The rules are built as JSON values and checked against the crate's
//! typed schema ([`validate`]), so a misspelt key fails a unit test instead
//! of a job.
//!
//! What the table does (docs/egress.md draws it):
//! - `output` and `forward` (filter): loopback, container plumbing
//!   (`local_interfaces`), established flows, IPv6 neighbour discovery and
//!   DHCP pass; the resolver's own (marked) queries to its upstreams pass;
//!   everything else new goes to `egress`.
//! - `egress`: addresses of `allow_cidrs` and addresses that allowlisted
//!   names resolved to (sets with per-element timeouts) pass and are
//!   logged; the rest is logged and rejected (block) or accepted (audit).
//! - `input`: the resolver's port only from loopback and local interfaces.
//! - `nat_output`, `nat_prerouting`: DNS (port 53, UDP and TCP) to any
//!   server, from this machine or a container, is redirected to the
//!   resolver; its own marked upstream queries are not.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use serde_json::{Value, json};

use ci_intel_core::Failure;

use crate::config::Mode;

/// The table's name (family `inet`: IPv4 and IPv6 in one).
pub const TABLE: &str = "ci_intel_egress";
/// The packet mark of the resolver's upstream sockets.
pub const MARK: u32 = 0x6567_7265;
/// The NFLOG group the packet log listens on.
pub const DEFAULT_NFLOG_GROUP: u16 = 4752;
/// NFLOG prefixes: what the logging rule decided.
pub const PREFIX_ALLOW: &str = "ci-intel-egress allow";
pub const PREFIX_BLOCK: &str = "ci-intel-egress block";
pub const PREFIX_AUDIT: &str = "ci-intel-egress audit";

/// Everything the ruleset depends on.
#[derive(Debug, Clone)]
pub struct RulesetSpec {
    pub mode: Mode,
    pub cidrs: Vec<IpNet>,
    pub upstreams: Vec<IpAddr>,
    /// Interface patterns exempt from filtering (`br-*`).
    pub local_interfaces: Vec<String>,
    pub resolver_port: u16,
    pub nflog_group: u16,
}

// The builders take owned values: every call site builds a temporary.
#[allow(clippy::needless_pass_by_value)]
fn rule(chain: &str, expr: Vec<Value>) -> Value {
    json!({"add": {"rule": {"family": "inet", "table": TABLE, "chain": chain, "expr": expr}}})
}

#[allow(clippy::needless_pass_by_value)]
fn eq(left: Value, right: Value) -> Value {
    json!({"match": {"op": "==", "left": left, "right": right}})
}

fn meta(key: &str) -> Value {
    json!({"meta": {"key": key}})
}

fn field(protocol: &str, name: &str) -> Value {
    json!({"payload": {"protocol": protocol, "field": name}})
}

fn set_ref(name: &str) -> Value {
    json!(format!("@{name}"))
}

fn tcp_udp() -> Value {
    eq(meta("l4proto"), json!({"set": ["tcp", "udp"]}))
}

fn log(group: u16, prefix: &str) -> Value {
    json!({"log": {"group": group, "prefix": prefix, "snaplen": 128}})
}

/// At most this many log lines a second per logging rule; beyond it the
/// verdict still applies, unlogged.
fn limit() -> Value {
    json!({"limit": {"rate": 200, "per": "second", "burst": 400}})
}

fn reject() -> Value {
    json!({"reject": {"type": "icmpx", "expr": "admin-prohibited"}})
}

fn set(name: &str, addr_type: &str, flags: &[&str], elements: Vec<Value>) -> Value {
    let mut set = json!({"family": "inet", "table": TABLE, "name": name, "type": addr_type});
    if !flags.is_empty() {
        set["flags"] = json!(flags);
    }
    if !elements.is_empty() {
        set["elem"] = Value::Array(elements);
    }
    json!({"add": {"set": set}})
}

fn chain(name: &str, hook: Option<(&str, &str, i32)>) -> Value {
    let mut chain = json!({"family": "inet", "table": TABLE, "name": name});
    if let Some((kind, hook, prio)) = hook {
        chain["type"] = json!(kind);
        chain["hook"] = json!(hook);
        chain["prio"] = json!(prio);
        chain["policy"] = json!("accept");
    }
    json!({"add": {"chain": chain}})
}

fn prefix(net: &IpNet) -> Value {
    if net.prefix_len() == net.max_prefix_len() {
        json!(net.addr().to_string())
    } else {
        json!({"prefix": {"addr": net.network().to_string(), "len": net.prefix_len()}})
    }
}

/// The whole batch: create the table afresh (an `add` then `delete` first,
/// so re-applying replaces it atomically), its sets, chains and rules.
pub fn ruleset(spec: &RulesetSpec) -> Value {
    let mut commands = vec![
        json!({"add": {"table": {"family": "inet", "name": TABLE}}}),
        json!({"delete": {"table": {"family": "inet", "name": TABLE}}}),
        json!({"add": {"table": {"family": "inet", "name": TABLE}}}),
    ];
    let v4: Vec<Value> = spec
        .cidrs
        .iter()
        .filter(|n| matches!(n, IpNet::V4(_)))
        .map(prefix)
        .collect();
    let v6: Vec<Value> = spec
        .cidrs
        .iter()
        .filter(|n| matches!(n, IpNet::V6(_)))
        .map(prefix)
        .collect();
    let up4: Vec<Value> = spec
        .upstreams
        .iter()
        .filter(|a| a.is_ipv4())
        .map(|a| json!(a.to_string()))
        .collect();
    let up6: Vec<Value> = spec
        .upstreams
        .iter()
        .filter(|a| a.is_ipv6())
        .map(|a| json!(a.to_string()))
        .collect();
    commands.extend([
        set("dns4", "ipv4_addr", &["timeout"], Vec::new()),
        set("dns6", "ipv6_addr", &["timeout"], Vec::new()),
        set("cidr4", "ipv4_addr", &["interval"], v4),
        set("cidr6", "ipv6_addr", &["interval"], v6),
        set("upstream4", "ipv4_addr", &[], up4),
        set("upstream6", "ipv6_addr", &[], up6),
        chain("output", Some(("filter", "output", 0))),
        chain("forward", Some(("filter", "forward", 0))),
        chain("input", Some(("filter", "input", 0))),
        chain("egress", None),
        chain("nat_output", Some(("nat", "output", -100))),
        chain("nat_prerouting", Some(("nat", "prerouting", -100))),
    ]);
    let group = spec.nflog_group;
    let port = spec.resolver_port;

    // Traffic that stays on the machine or keeps it on the network.
    let common = |chain_name: &str, commands: &mut Vec<Value>| {
        commands.push(rule(
            chain_name,
            vec![eq(meta("oifname"), json!("lo")), json!({"accept": null})],
        ));
        for pattern in &spec.local_interfaces {
            commands.push(rule(
                chain_name,
                vec![eq(meta("oifname"), json!(pattern)), json!({"accept": null})],
            ));
        }
        commands.push(rule(
            chain_name,
            vec![
                eq(
                    json!({"ct": {"key": "state"}}),
                    json!(["established", "related"]),
                ),
                json!({"accept": null}),
            ],
        ));
        commands.push(rule(
            chain_name,
            vec![
                eq(
                    field("icmpv6", "type"),
                    json!({"set": ["nd-router-solicit", "nd-neighbor-solicit", "nd-neighbor-advert", "mld-listener-report", "mld2-listener-report"]}),
                ),
                json!({"accept": null}),
            ],
        ));
        commands.push(rule(
            chain_name,
            vec![
                eq(field("udp", "dport"), json!({"set": [67, 547]})),
                json!({"accept": null}),
            ],
        ));
    };
    common("output", &mut commands);
    // Redirected DNS: after `nat_output` the destination is this machine,
    // but the filter hook still sees the output device of the route to the
    // original server; a local destination never leaves the machine.
    commands.push(rule(
        "output",
        vec![
            eq(
                json!({"fib": {"result": "type", "flags": ["daddr"]}}),
                json!("local"),
            ),
            json!({"accept": null}),
        ],
    ));
    // The resolver's upstream queries: marked sockets, to the upstreams, port 53.
    for (family, set_name) in [("ip", "upstream4"), ("ip6", "upstream6")] {
        commands.push(rule(
            "output",
            vec![
                eq(meta("mark"), json!(MARK)),
                eq(field(family, "daddr"), set_ref(set_name)),
                tcp_udp(),
                eq(field("th", "dport"), json!(53)),
                json!({"accept": null}),
            ],
        ));
    }
    commands.push(rule("output", vec![json!({"jump": {"target": "egress"}})]));
    common("forward", &mut commands);
    commands.push(rule("forward", vec![json!({"jump": {"target": "egress"}})]));

    // egress: what may leave.
    for (family, set_name) in [
        ("ip", "cidr4"),
        ("ip6", "cidr6"),
        ("ip", "dns4"),
        ("ip6", "dns6"),
    ] {
        commands.push(rule(
            "egress",
            vec![
                eq(field(family, "daddr"), set_ref(set_name)),
                limit(),
                log(group, PREFIX_ALLOW),
                json!({"accept": null}),
            ],
        ));
        commands.push(rule(
            "egress",
            vec![
                eq(field(family, "daddr"), set_ref(set_name)),
                json!({"accept": null}),
            ],
        ));
    }
    match spec.mode {
        Mode::Block => {
            commands.push(rule(
                "egress",
                vec![limit(), log(group, PREFIX_BLOCK), reject()],
            ));
            commands.push(rule("egress", vec![reject()]));
        }
        Mode::Audit => {
            commands.push(rule(
                "egress",
                vec![limit(), log(group, PREFIX_AUDIT), json!({"accept": null})],
            ));
        }
    }

    // input: the resolver answers loopback and local interfaces only.
    commands.push(rule(
        "input",
        vec![eq(meta("iifname"), json!("lo")), json!({"accept": null})],
    ));
    for pattern in &spec.local_interfaces {
        commands.push(rule(
            "input",
            vec![eq(meta("iifname"), json!(pattern)), json!({"accept": null})],
        ));
    }
    commands.push(rule(
        "input",
        vec![
            tcp_udp(),
            eq(field("th", "dport"), json!(port)),
            json!({"drop": null}),
        ],
    ));

    // DNS to any server goes to the resolver.
    commands.push(rule(
        "nat_output",
        vec![eq(meta("mark"), json!(MARK)), json!({"return": null})],
    ));
    for chain_name in ["nat_output", "nat_prerouting"] {
        commands.push(rule(
            chain_name,
            vec![
                tcp_udp(),
                eq(field("th", "dport"), json!(53)),
                json!({"redirect": {"port": port}}),
            ],
        ));
    }
    json!({"nftables": commands})
}

/// A batch that adds addresses to the DNS sets for `timeout`.
pub fn add_elements(addrs: &[(IpAddr, Duration)]) -> Value {
    let mut commands = Vec::new();
    for (name, want_v4) in [("dns4", true), ("dns6", false)] {
        let elements: Vec<Value> = addrs
            .iter()
            .filter(|(addr, _)| addr.is_ipv4() == want_v4)
            .map(|(addr, timeout)| {
                json!({"elem": {"val": addr.to_string(), "timeout": timeout.as_secs().max(1)}})
            })
            .collect();
        if !elements.is_empty() {
            commands.push(json!({"add": {"element": {"family": "inet", "table": TABLE, "name": name, "elem": elements}}}));
        }
    }
    json!({"nftables": commands})
}

/// The batch that removes the table (and with it every rule and set).
pub fn delete_table() -> Value {
    json!({"nftables": [{"delete": {"table": {"family": "inet", "name": TABLE}}}]})
}

/// Check a batch against the `nftables` crate's typed schema.
pub fn validate(batch: &Value) -> Result<nftables::schema::Nftables<'static>, String> {
    serde_json::from_value(batch.clone()).map_err(|e| format!("not nft JSON: {e}"))
}

/// Run a batch with `nft -j -f -` (`nft` from PATH, or `$CI_INTEL_NFT`).
pub fn apply(batch: &Value) -> Result<(), Failure> {
    let text = batch.to_string();
    let program = nft_program();
    nftables::helper::apply_ruleset_raw(&text, Some(&program), nftables::helper::DEFAULT_ARGS)
        .map(|_| ())
        .map_err(|e| Failure::infra(describe(&e)))
}

/// `nft -j list table inet ci_intel_egress`, or `None` when there is no
/// such table.
pub fn list_table() -> Result<Option<Value>, Failure> {
    let program = nft_program();
    let output = std::process::Command::new(&program)
        .args(["-j", "list", "table", "inet", TABLE])
        .output()
        .map_err(|e| Failure::infra(format!("cannot run {program}: {e}; install nftables (Debian/Ubuntu: apt-get install nftables)")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No such file or directory") {
            return Ok(None);
        }
        return Err(Failure::infra(format!(
            "{program} list table inet {TABLE} failed: {}",
            stderr.trim()
        )));
    }
    serde_json::from_slice(&output.stdout)
        .map(Some)
        .map_err(|e| Failure::infra(format!("{program} printed JSON that does not parse: {e}")))
}

/// The nft program: `$CI_INTEL_NFT` or `nft`.
pub fn nft_program() -> String {
    std::env::var("CI_INTEL_NFT")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "nft".to_owned())
}

fn describe(error: &nftables::helper::NftablesError) -> String {
    use nftables::helper::NftablesError as E;
    match error {
        E::NftExecution { program, inner } => format!(
            "cannot run {}: {inner}; install nftables (Debian/Ubuntu: apt-get install nftables) and run as root",
            program.to_string_lossy()
        ),
        E::NftFailed {
            program,
            hint,
            stderr,
            ..
        } => format!(
            "{} failed while {hint}: {}; apply needs root (CAP_NET_ADMIN) and a kernel with nftables (inet family, nat)",
            program.to_string_lossy(),
            stderr.trim()
        ),
        other => other.to_string(),
    }
}

/// The elements of a set in `nft -j list` output: address and seconds left.
pub fn set_elements(listing: &Value, set_name: &str) -> Vec<(String, Option<u64>)> {
    let mut found = Vec::new();
    let Some(items) = listing.get("nftables").and_then(Value::as_array) else {
        return found;
    };
    for item in items {
        let Some(set) = item.get("set") else { continue };
        if set.get("name").and_then(Value::as_str) != Some(set_name) {
            continue;
        }
        for elem in set
            .get("elem")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match elem {
                Value::String(addr) => found.push((addr.clone(), None)),
                Value::Object(_) => {
                    let inner = elem.get("elem").unwrap_or(elem);
                    let val = inner.get("val");
                    let text = match val {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Object(o)) => o
                            .get("prefix")
                            .map(|p| format!("{}/{}", p["addr"].as_str().unwrap_or("?"), p["len"]))
                            .unwrap_or_default(),
                        _ => continue,
                    };
                    found.push((text, inner.get("expires").and_then(Value::as_u64)));
                }
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn spec(mode: Mode) -> RulesetSpec {
        RulesetSpec {
            mode,
            cidrs: vec![
                "192.0.2.0/24".parse().unwrap(),
                "2001:db8::1/128".parse().unwrap(),
            ],
            upstreams: vec!["10.0.0.2".parse().unwrap(), "fd00::2".parse().unwrap()],
            local_interfaces: vec!["docker0".into(), "br-*".into()],
            resolver_port: 5300,
            nflog_group: DEFAULT_NFLOG_GROUP,
        }
    }

    #[test]
    fn rulesets_match_the_typed_schema() {
        for mode in [Mode::Block, Mode::Audit] {
            let batch = ruleset(&spec(mode));
            validate(&batch).unwrap();
        }
        let add = add_elements(&[
            ("192.0.2.9".parse().unwrap(), Duration::from_secs(300)),
            ("2001:db8::9".parse().unwrap(), Duration::from_secs(60)),
        ]);
        validate(&add).unwrap();
        validate(&delete_table()).unwrap();
    }

    #[test]
    fn block_rejects_and_audit_accepts_at_the_end_of_egress() {
        let text = ruleset(&spec(Mode::Block)).to_string();
        assert!(text.contains(PREFIX_BLOCK) && text.contains("admin-prohibited"));
        assert!(!text.contains(PREFIX_AUDIT));
        let text = ruleset(&spec(Mode::Audit)).to_string();
        assert!(text.contains(PREFIX_AUDIT) && !text.contains("admin-prohibited"));
    }

    #[test]
    fn ruleset_snapshot() {
        insta::assert_json_snapshot!("ruleset-block", ruleset(&spec(Mode::Block)));
    }

    #[test]
    fn set_listing_is_read() {
        let listing: Value = serde_json::from_str(r#"{"nftables": [{"metainfo": {}}, {"set": {"family": "inet", "name": "dns4", "table": "t", "type": "ipv4_addr", "flags": ["timeout"], "elem": [{"elem": {"val": "1.2.3.4", "timeout": 100, "expires": 99}}, "5.6.7.8", {"elem": {"val": {"prefix": {"addr": "10.0.0.0", "len": 8}}}}]}}]}"#).unwrap();
        assert_eq!(
            set_elements(&listing, "dns4"),
            vec![
                ("1.2.3.4".into(), Some(99)),
                ("5.6.7.8".into(), None),
                ("10.0.0.0/8".into(), None)
            ]
        );
        assert!(set_elements(&listing, "dns6").is_empty());
    }
}
