#![allow(clippy::unwrap_used, clippy::print_stderr)]
//! End-to-end proof in network namespaces this test creates (never the
//! host's own firewall or routing, never an address outside them):
//!
//! ```text
//!  ctr (container-like)        job (runs apply)           net (router)      allowed (HTTP, upstream DNS)
//!  10.202.0.2 ── veth-ct ── 10.202.0.1 │ up0 203.0.113.2 ── 203.0.113.1 ── 192.0.2.1 ── 192.0.2.2 2001:db8:2::2
//!                                       │                              └─ 198.51.100.1 ── 198.51.100.2 2001:db8:3::2 denied
//!                                                                                      (HTTP, another DNS server,
//!                                                                                       169.254.169.254)
//! ```
//!
//! Every test first shows that without the rules the denied targets are
//! reachable, so the assertions after `apply` can fail. Tests skip (with a
//! printed reason) where the kernel or the programs are missing, and fail
//! under `CI_INTEL_REQUIRE_TOOLS`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ci-intel-egress");
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Programs the topology needs, found or skipped.
struct Tools {
    ip: PathBuf,
    dnsmasq: PathBuf,
    python: PathBuf,
    curl: PathBuf,
    dig: PathBuf,
}

fn tools() -> Option<Tools> {
    let ip = ci_intel_testkit::tool("CI_INTEL_IP", "ip")?;
    ci_intel_testkit::tool("CI_INTEL_NFT", "nft")?;
    let dnsmasq = ci_intel_testkit::tool("CI_INTEL_DNSMASQ", "dnsmasq")?;
    let python = ci_intel_testkit::tool("CI_INTEL_PYTHON3", "python3")?;
    let curl = ci_intel_testkit::tool("CI_INTEL_CURL", "curl")?;
    let dig = ci_intel_testkit::tool("CI_INTEL_DIG", "dig")?;
    Some(Tools {
        ip,
        dnsmasq,
        python,
        curl,
        dig,
    })
}

/// The namespaces, servers and state of one test; `Drop` removes all of it,
/// also when the test fails.
struct Topology {
    tools: Tools,
    prefix: String,
    children: Vec<Child>,
    pub state: tempfile::TempDir,
    pub denied_dns_log: PathBuf,
}

impl Topology {
    fn ns(&self, role: &str) -> String {
        format!("{}{role}", self.prefix)
    }

    fn ip(&self, args: &[&str]) {
        let out = Command::new(&self.tools.ip).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "ip {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn in_ns(&self, role: &str, args: &[&str]) {
        let ns = self.ns(role);
        let mut full = vec!["netns", "exec", ns.as_str()];
        full.extend_from_slice(args);
        self.ip(&full);
    }

    /// A command run inside a namespace.
    fn cmd(&self, role: &str, program: &Path) -> Command {
        let mut cmd = Command::new(&self.tools.ip);
        cmd.args(["netns", "exec", &self.ns(role)]).arg(program);
        cmd
    }

    /// Build the topology, or `None` (skipped) when namespaces cannot be made.
    fn new() -> Option<Topology> {
        let tools = tools()?;
        let prefix = format!(
            "cie{}x{}",
            std::process::id() % 100_000,
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let probe = Command::new(&tools.ip)
            .args(["netns", "add", &format!("{prefix}job")])
            .output()
            .ok()?;
        if !probe.status.success() {
            ci_intel_testkit::skip_or_fail(&format!(
                "cannot create a network namespace (root and CAP_SYS_ADMIN needed): {}",
                String::from_utf8_lossy(&probe.stderr).trim()
            ));
            return None;
        }
        let state = tempfile::tempdir().unwrap();
        let denied_dns_log = state.path().join("denied-dns.log");
        let mut topo = Topology {
            tools,
            prefix,
            children: Vec::new(),
            state,
            denied_dns_log,
        };
        topo.build();
        Some(topo)
    }

    fn build(&mut self) {
        for role in ["net", "allowed", "denied", "ctr"] {
            self.ip(&["netns", "add", &self.ns(role)]);
        }
        for role in ["job", "net", "allowed", "denied", "ctr"] {
            self.in_ns(role, &["ip", "link", "set", "lo", "up"]);
        }
        let link = |a: &str, a_if: &str, b: &str, b_if: &str| {
            self.ip(&[
                "link",
                "add",
                a_if,
                "netns",
                &self.ns(a),
                "type",
                "veth",
                "peer",
                "name",
                b_if,
                "netns",
                &self.ns(b),
            ]);
            self.in_ns(a, &["ip", "link", "set", a_if, "up"]);
            self.in_ns(b, &["ip", "link", "set", b_if, "up"]);
        };
        link("job", "up0", "net", "j0");
        link("net", "a0", "allowed", "eth0");
        link("net", "d0", "denied", "eth0");
        link("job", "veth-ct", "ctr", "eth0");
        let addr = |role: &str, dev: &str, cidr: &str| {
            let mut args = vec!["ip", "addr", "add", cidr, "dev", dev];
            if cidr.contains(':') {
                args.push("nodad");
            }
            self.in_ns(role, &args);
        };
        addr("job", "up0", "203.0.113.2/24");
        addr("job", "up0", "2001:db8:1::2/64");
        addr("net", "j0", "203.0.113.1/24");
        addr("net", "j0", "2001:db8:1::1/64");
        addr("net", "a0", "192.0.2.1/24");
        addr("net", "a0", "2001:db8:2::1/64");
        addr("allowed", "eth0", "192.0.2.2/24");
        addr("allowed", "eth0", "2001:db8:2::2/64");
        addr("net", "d0", "198.51.100.1/24");
        addr("net", "d0", "2001:db8:3::1/64");
        addr("denied", "eth0", "198.51.100.2/24");
        addr("denied", "eth0", "2001:db8:3::2/64");
        addr("denied", "eth0", "169.254.169.254/32");
        addr("job", "veth-ct", "10.202.0.1/24");
        addr("job", "veth-ct", "fd00:202::1/64");
        addr("ctr", "eth0", "10.202.0.2/24");
        addr("ctr", "eth0", "fd00:202::2/64");
        for (role, v4, v6) in [
            ("job", "203.0.113.1", "2001:db8:1::1"),
            ("allowed", "192.0.2.1", "2001:db8:2::1"),
            ("denied", "198.51.100.1", "2001:db8:3::1"),
            ("ctr", "10.202.0.1", "fd00:202::1"),
        ] {
            self.in_ns(role, &["ip", "route", "add", "default", "via", v4]);
            self.in_ns(role, &["ip", "-6", "route", "add", "default", "via", v6]);
        }
        self.in_ns(
            "net",
            &["ip", "route", "add", "10.202.0.0/24", "via", "203.0.113.2"],
        );
        self.in_ns(
            "net",
            &[
                "ip",
                "-6",
                "route",
                "add",
                "fd00:202::/64",
                "via",
                "2001:db8:1::2",
            ],
        );
        self.in_ns(
            "net",
            &[
                "ip",
                "route",
                "add",
                "169.254.169.254/32",
                "via",
                "198.51.100.2",
            ],
        );
        for role in ["net", "job"] {
            self.in_ns(role, &["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
            self.in_ns(role, &["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"]);
        }
        // The job's and the container's resolver configuration: `ip netns
        // exec` shows /etc/netns/<ns>/resolv.conf as /etc/resolv.conf.
        for role in ["job", "ctr"] {
            let dir = PathBuf::from("/etc/netns").join(self.ns(role));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("resolv.conf"), "nameserver 192.0.2.2\n").unwrap();
        }
        // Servers: HTTP on both hosts, the upstream DNS in `allowed`, another
        // resolver in `denied` that logs every query it gets.
        for role in ["allowed", "denied"] {
            let www = self.state.path().join(format!("www-{role}"));
            std::fs::create_dir_all(&www).unwrap();
            std::fs::write(www.join("index.html"), format!("hello from {role}\n")).unwrap();
            std::fs::write(www.join("big.bin"), vec![0x5a; 32 * 1024 * 1024]).unwrap();
            let child = self
                .cmd(role, &self.tools.python.clone())
                .args(["-m", "http.server", "8080", "--bind", "::", "--directory"])
                .arg(&www)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            self.children.push(child);
        }
        let upstream = self
            .cmd("allowed", &self.tools.dnsmasq.clone())
            .args([
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                "--bind-interfaces",
                "--listen-address=192.0.2.2",
                "--listen-address=2001:db8:2::2",
                "--port=53",
                "--user=root",
                "--pid-file=",
                "--address=/allowed.test/192.0.2.2",
                "--address=/allowed.test/2001:db8:2::2",
                "--address=/denied.test/198.51.100.2",
                "--address=/denied.test/2001:db8:3::2",
                "--address=/rebind.test/169.254.169.254",
                "--address=/www.wild.test/192.0.2.2",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.children.push(upstream);
        let other = self
            .cmd("denied", &self.tools.dnsmasq.clone())
            .args([
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                "--bind-interfaces",
                "--listen-address=198.51.100.2",
                "--port=53",
                "--user=root",
                "--pid-file=",
                "--address=/#/198.51.100.2",
                "--log-queries",
            ])
            .arg(format!("--log-facility={}", self.denied_dns_log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.children.push(other);
        self.wait_for_servers();
    }

    fn wait_for_servers(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.curl("job", "http://192.0.2.2:8080/").0
                && self.curl("job", "http://198.51.100.2:8080/").0
                && self
                    .dig(
                        "job",
                        &["@192.0.2.2", "+time=1", "+tries=1", "allowed.test"],
                    )
                    .contains("192.0.2.2")
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the test servers did not start");
    }

    /// `curl` from inside `role`: (success, body).
    fn curl(&self, role: &str, url: &str) -> (bool, String) {
        let out = self
            .cmd(role, &self.tools.curl.clone())
            .args(["-sS", "--max-time", "4", "--connect-timeout", "3", url])
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn dig(&self, role: &str, args: &[&str]) -> String {
        let out = self
            .cmd(role, &self.tools.dig.clone())
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run ci-intel-egress inside the job namespace.
    fn egress(&self, args: &[&str]) -> Output {
        let out = self
            .cmd("job", Path::new(BIN))
            .args(args)
            .env("CI_INTEL_EGRESS_STATE", self.state.path().join("egress"))
            .env_remove("GITHUB_ACTIONS")
            .current_dir(self.state.path())
            .output()
            .unwrap();
        eprintln!(
            "egress {args:?}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn apply(&self, extra: &[&str]) {
        let mut args = vec![
            "apply",
            "--allow",
            "allowed.test",
            "--allow",
            "rebind.test",
            "--no-prime",
        ];
        args.extend_from_slice(extra);
        let out = self.egress(&args);
        assert!(out.status.success(), "apply failed");
    }

    fn daemon_log(&self) -> String {
        std::fs::read_to_string(self.state.path().join("egress/daemon.log")).unwrap_or_default()
    }

    fn events(&self) -> String {
        std::fs::read_to_string(self.state.path().join("egress/events.ndjson")).unwrap_or_default()
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        // The resolver daemon lives in the job namespace; stop it first.
        let ready = self.state.path().join("egress/ready.json");
        if let Ok(text) = std::fs::read_to_string(&ready)
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(pid) = value["pid"].as_u64()
        {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for role in ["job", "net", "allowed", "denied", "ctr"] {
            let _ = Command::new(&self.tools.ip)
                .args(["netns", "del", &self.ns(role)])
                .status();
            let _ = std::fs::remove_dir_all(PathBuf::from("/etc/netns").join(self.ns(role)));
        }
    }
}

#[test]
fn block_mode_allows_the_allowlist_and_nothing_else_ipv4_and_ipv6() {
    let Some(topo) = Topology::new() else { return };
    // Without rules, everything is reachable: the assertions below can fail.
    assert!(topo.curl("job", "http://denied.test:8080/").0);
    assert!(topo.curl("job", "http://198.51.100.2:8080/").0);
    assert!(topo.curl("job", "http://[2001:db8:3::2]:8080/").0);
    assert!(topo.curl("job", "http://169.254.169.254:8080/").0);

    topo.apply(&[]);
    // The allowed name works, over IPv4 and IPv6.
    let (ok, body) = topo.curl("job", "http://allowed.test:8080/");
    assert!(ok && body.contains("hello from allowed"), "{body}");
    let out = topo
        .cmd("job", &topo.tools.curl.clone())
        .args(["-6", "-sS", "--max-time", "4", "http://allowed.test:8080/"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "IPv6 to the allowed name: {}\n{}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        topo.events(),
        topo.daemon_log(),
        topo.dig("job", &["AAAA", "allowed.test"])
    );
    // A denied name is refused by DNS.
    let answer = topo.dig("job", &["+time=2", "+tries=1", "denied.test"]);
    assert!(answer.contains("status: REFUSED"), "{answer}");
    assert!(!topo.curl("job", "http://denied.test:8080/").0);
    // Denied addresses are dropped even when hard-coded, IPv4 and IPv6.
    assert!(!topo.curl("job", "http://198.51.100.2:8080/").0);
    assert!(!topo.curl("job", "http://[2001:db8:3::2]:8080/").0);
    // An address the allowed name resolves to, but hard-coded before any
    // lookup, is open only because the name was resolved above.
    assert!(topo.curl("job", "http://192.0.2.2:8080/").0);
    // Cloud metadata: dropped, and an allowed name that resolves to it
    // (DNS rebinding) does not open it.
    assert!(!topo.curl("job", "http://169.254.169.254:8080/").0);
    assert!(!topo.curl("job", "http://rebind.test:8080/").0);
    // DNS to another resolver never reaches it; other ports are dropped.
    let before = std::fs::read_to_string(&topo.denied_dns_log).unwrap_or_default();
    let answer = topo.dig(
        "job",
        &["@198.51.100.2", "+time=2", "+tries=1", "denied.test"],
    );
    assert!(
        answer.contains("status: REFUSED"),
        "answered by the egress resolver: {answer}"
    );
    let answer = topo.dig(
        "job",
        &[
            "@198.51.100.2",
            "+tcp",
            "+time=2",
            "+tries=1",
            "exfil.denied.test",
        ],
    );
    assert!(answer.contains("status: REFUSED"), "{answer}");
    let answer = topo.dig(
        "job",
        &[
            "@198.51.100.2",
            "-p",
            "5353",
            "+time=2",
            "+tries=1",
            "allowed.test",
        ],
    );
    assert!(
        answer.contains("timed out")
            || answer.contains("no servers could be reached")
            || answer.is_empty(),
        "{answer}"
    );
    let after = std::fs::read_to_string(&topo.denied_dns_log).unwrap_or_default();
    assert_eq!(
        before.lines().filter(|l| l.contains("query[")).count(),
        after.lines().filter(|l| l.contains("query[")).count(),
        "the other resolver got a query:\n{after}"
    );

    // The events name what was allowed and blocked.
    std::thread::sleep(Duration::from_millis(300));
    let events = topo.events();
    assert!(
        events.contains("\"outcome\":\"blocked\",\"name\":\"denied.test\""),
        "{events}"
    );
    assert!(events.contains("\"daddr\":\"198.51.100.2\""), "{events}");
    assert!(events.contains("\"daddr\":\"2001:db8:3::2\""), "{events}");
    assert!(
        events.contains("169.254.169.254/32 is cloud instance metadata"),
        "{events}"
    );
    assert!(
        events.contains("\"comm\":\"curl\""),
        "the process is named: {events}"
    );
    let report = topo.egress(&["report", "--format", "markdown"]);
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(
        text.contains("| blocked | 198.51.100.2 | 8080 | tcp |"),
        "{text}"
    );
    assert!(
        text.contains("| allowed | 192.0.2.2 | 8080 | tcp | allowed.test |"),
        "{text}"
    );
}

#[test]
fn container_like_forwarded_traffic_is_filtered() {
    let Some(topo) = Topology::new() else { return };
    assert!(
        topo.curl("ctr", "http://198.51.100.2:8080/").0,
        "the container reaches the denied host without rules"
    );
    topo.apply(&[]);
    // The container's DNS (to any server, port 53) is redirected to the
    // egress resolver: the allowed name works, the denied one is refused.
    let (ok, body) = topo.curl("ctr", "http://allowed.test:8080/");
    assert!(ok && body.contains("hello from allowed"), "{body}");
    let answer = topo.dig("ctr", &["+time=2", "+tries=1", "denied.test"]);
    assert!(answer.contains("status: REFUSED"), "{answer}");
    assert!(!topo.curl("ctr", "http://198.51.100.2:8080/").0);
    assert!(!topo.curl("ctr", "http://[2001:db8:3::2]:8080/").0);
    std::thread::sleep(Duration::from_millis(300));
    let events = topo.events();
    assert!(events.contains("\"chain\":\"forward\""), "{events}");
}

#[test]
fn audit_mode_records_without_blocking_and_suggests_an_allowlist() {
    let Some(topo) = Topology::new() else { return };
    topo.apply(&["--mode", "audit"]);
    assert!(
        topo.curl("job", "http://denied.test:8080/").0,
        "audit mode blocks nothing"
    );
    assert!(topo.curl("job", "http://198.51.100.2:8080/").0);
    assert!(topo.curl("job", "http://allowed.test:8080/").0);
    std::thread::sleep(Duration::from_millis(300));
    let events = topo.events();
    assert!(
        events.contains("\"kind\":\"dns\",\"outcome\":\"audited\",\"name\":\"denied.test\""),
        "{events}"
    );
    assert!(
        events.contains("\"kind\":\"connection\",\"outcome\":\"audited\""),
        "{events}"
    );
    let out = topo.egress(&["report", "--suggest"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("    - \"denied.test\""), "{text}");
    assert!(
        !text.contains("    - \"allowed.test\"") || text.contains("denied.test"),
        "{text}"
    );
}

#[test]
fn smoke_passes_after_apply_fails_without_and_disable_is_recorded() {
    let Some(topo) = Topology::new() else { return };
    let smoke = [
        "smoke",
        "--timeout",
        "2",
        "--expect-allowed",
        "allowed.test:8080",
        "--expect-denied",
        "denied.test:8080",
        "--expect-denied",
        "198.51.100.2:8080",
        "--expect-denied",
        "[2001:db8:3::2]:8080",
        "--expect-denied",
        "169.254.169.254:8080",
    ];
    let without = topo.egress(&smoke);
    assert_eq!(
        without.status.code(),
        Some(1),
        "smoke must deny a job without rules"
    );
    topo.apply(&[]);
    let with = topo.egress(&smoke);
    assert_eq!(with.status.code(), Some(0), "smoke must pass after apply");
    let text = String::from_utf8_lossy(&with.stdout);
    assert!(text.contains("ok   DNS refuses denied.test"), "{text}");
    assert!(text.contains("the block is in the egress log"), "{text}");

    let out = topo.egress(&[
        "disable",
        "--reason",
        "the release step uploads to a mirror",
    ]);
    assert!(out.status.success());
    let decision = String::from_utf8_lossy(&out.stdout);
    assert!(
        decision.contains("\"id\":\"ci-intel/egress.disable\"")
            && decision.contains("\"result\":\"warn\""),
        "{decision}"
    );
    assert!(
        topo.curl("job", "http://198.51.100.2:8080/").0,
        "disable removes the rules"
    );
    let events = topo.events();
    assert!(
        events.contains("the release step uploads to a mirror"),
        "{events}"
    );
    assert!(
        events.contains("\"decision\":\"ci-intel/egress.smoke\""),
        "{events}"
    );
    let after = topo.egress(&smoke);
    assert_eq!(
        after.status.code(),
        Some(1),
        "smoke fails again once disabled"
    );
}
