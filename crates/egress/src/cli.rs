//! The command line: `apply`, `disable`, `report`, `smoke`, `builtin`, and
//! the hidden `serve` that `apply` starts in the background.

use std::ffi::OsString;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;

use ci_intel_core::config::{LoadedConfig, Sections, load_cli};
use ci_intel_core::{ExitCode, Failure, RunnerEnv};

use crate::allowlist::Allowlist;
use crate::config::{EgressConfig, Mode};
use crate::daemon::{DaemonConfig, Ready, StateDir};
use crate::effective::{self, is_locked};
use crate::events::{self, Event, Kind, Outcome};
use crate::targets::{self, Host, Target, parse_target};
use crate::{TOOL, dns, nft, resolv_conf};

/// Where `apply` keeps its state unless told otherwise.
pub const DEFAULT_STATE_DIR: &str = "/run/ci-intel-egress";
/// The resolver's port unless told otherwise.
pub const DEFAULT_PORT: u16 = 5300;
/// Upper bound of a set element's lifetime.
pub const MAX_TTL: u32 = 86_400;

#[derive(Debug, Parser)]
#[command(name = TOOL, version, about = "Default-deny network egress for a job, with an allowlisting DNS resolver and a smoke test")]
struct Cli {
    #[command(subcommand)]
    command: CommandKind,
}

#[derive(Debug, Subcommand)]
enum CommandKind {
    /// Install the rules and start the resolver (root; the first step of a job).
    Apply(ApplyArgs),
    /// Remove the rules and stop the resolver, recorded as a decision.
    Disable(DisableArgs),
    /// Allowed and blocked connections and queries; `--suggest` drafts an allowlist.
    Report(ReportArgs),
    /// Prove the rules from inside the job: denied targets fail, allowed ones work.
    Smoke(SmokeArgs),
    /// List the built-in endpoint groups (version and names).
    Builtin,
    /// The resolver daemon (started by `apply`).
    #[command(hide = true)]
    Serve(ServeArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct ConfigArgs {
    /// Repository configuration (default `.ci-intel/config.yml` when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Org policy overlay, applied below the repository configuration.
    #[arg(long, env = "CI_INTEL_ORG_POLICY", value_name = "FILE")]
    org_policy: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
struct StateArgs {
    /// Where the resolver keeps its configuration, log and events.
    #[arg(long, env = "CI_INTEL_EGRESS_STATE", value_name = "DIR", default_value = DEFAULT_STATE_DIR)]
    state_dir: PathBuf,
}

#[derive(Debug, clap::Args)]
struct ApplyArgs {
    /// `block` (default: `egress.mode`) or `audit`.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// A host name or `*.` wildcard to allow besides `egress.allow` (repeatable).
    #[arg(long = "allow", value_name = "NAME")]
    allow: Vec<String>,
    /// An address or CIDR range to allow besides `egress.allow_cidrs` (repeatable).
    #[arg(long = "allow-cidr", value_name = "CIDR")]
    allow_cidr: Vec<String>,
    /// An upstream DNS server (`IP` or `IP:PORT`, repeatable); default: the
    /// nameservers of the resolver configuration.
    #[arg(long = "upstream", value_name = "ADDR")]
    upstream: Vec<String>,
    /// The resolver configuration to read upstreams from.
    #[arg(long, value_name = "FILE", default_value = "/etc/resolv.conf")]
    resolv_conf: PathBuf,
    /// The resolver's port (DNS to port 53 is redirected to it).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// An interface pattern exempt from filtering besides
    /// `egress.local_interfaces` (repeatable).
    #[arg(long = "local-interface", value_name = "PATTERN")]
    local_interface: Vec<String>,
    /// The NFLOG group of the packet log.
    #[arg(long, default_value_t = nft::DEFAULT_NFLOG_GROUP)]
    nflog_group: u16,
    /// Do not resolve the allowlist's exact names after applying (by
    /// default they are, so their addresses are open before any step asks).
    #[arg(long)]
    no_prime: bool,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Block,
    Audit,
}

#[derive(Debug, clap::Args)]
struct DisableArgs {
    /// Why this job needs the open network (recorded in the evidence).
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReportFormat {
    Human,
    Markdown,
    Json,
    Ndjson,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// Print an allowlist proposal (`.ci-intel/config.yml` fragment) instead
    /// of the tables.
    #[arg(long)]
    suggest: bool,
    #[arg(long, value_enum, default_value = "human")]
    format: ReportFormat,
    /// Also write the events (NDJSON, for telemetry) to this file.
    #[arg(long, value_name = "FILE")]
    events_out: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(Debug, clap::Args)]
struct SmokeArgs {
    /// `HOST:PORT` that must be reachable (repeatable).
    #[arg(long = "expect-allowed", value_name = "HOST:PORT")]
    expect_allowed: Vec<String>,
    /// `HOST:PORT` that must not be; for a name, DNS must refuse it (repeatable).
    #[arg(long = "expect-denied", value_name = "HOST:PORT")]
    expect_denied: Vec<String>,
    /// Seconds to wait for one connection.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// The DNS server to ask for denied names (default: the first
    /// nameserver of /etc/resolv.conf, port 53, which the rules redirect
    /// to the egress resolver).
    #[arg(long, value_name = "ADDR")]
    resolver: Option<String>,
    /// Skip the check that the rules are installed (not root).
    #[arg(long)]
    no_rules_check: bool,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    state: StateArgs,
}

/// Run the tool with `args` (including the program name) in `env`.
pub fn run<I, T>(args: I, env: &RunnerEnv) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ci_intel_core::cli::run_parsed(TOOL, args, |cli: Cli| match cli.command {
        CommandKind::Apply(args) => apply(&args, env),
        CommandKind::Disable(args) => disable(&args, env),
        CommandKind::Report(args) => report(&args, env),
        CommandKind::Smoke(args) => smoke(&args, env),
        CommandKind::Builtin => {
            print!("{}", builtin_listing());
            Ok(ExitCode::Pass)
        }
        CommandKind::Serve(args) => crate::daemon::serve(&StateDir(args.state.state_dir))
            .map(|()| ExitCode::Pass)
            .map_err(Failure::infra),
    })
}

fn load(args: &ConfigArgs) -> Result<(EgressConfig, LoadedConfig), Failure> {
    let loaded = load_cli(
        args.config.as_deref(),
        args.org_policy.as_deref(),
        &Sections::partial([crate::gate::section()]),
    )?;
    let section = loaded.section::<EgressConfig>(crate::gate::SECTION)?;
    Ok((section, loaded))
}

/// The built-in groups as text.
pub fn builtin_listing() -> String {
    let mut out = format!("built-in endpoint list v{}\n", crate::builtin::VERSION);
    for group in crate::builtin::GROUPS {
        out.push_str(&format!("{:<10} {}\n", group.id, group.title));
        for name in group.names {
            out.push_str(&format!("           {name}\n"));
        }
    }
    out
}

/// Parse `IP` or `IP:PORT` (`[v6]:PORT`).
pub fn parse_server(text: &str) -> Result<SocketAddr, Failure> {
    if let Ok(addr) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(addr, 53));
    }
    text.parse::<SocketAddr>().map_err(|_| {
        Failure::usage(format!(
            "{text:?} is not a DNS server address; expected IP or IP:PORT (`10.0.0.2`, `[fd00::2]:53`)"
        ))
    })
}

/// The upstreams: `--upstream`, else the resolver configuration's
/// nameservers (systemd-resolved's real ones when the file names only its
/// loopback stub).
fn upstreams(args: &ApplyArgs) -> Result<Vec<SocketAddr>, Failure> {
    if !args.upstream.is_empty() {
        return args.upstream.iter().map(|u| parse_server(u)).collect();
    }
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| {
            Failure::infra(format!(
                "cannot read {}: {e}; give the upstream DNS servers with --upstream",
                path.display()
            ))
        })
    };
    let conf = resolv_conf::parse(&read(&args.resolv_conf)?);
    for (line, problem) in &conf.ignored {
        eprintln!(
            "{TOOL}: warning: {}:{line}: {problem}",
            args.resolv_conf.display()
        );
    }
    let mut found = conf.upstreams();
    if found.is_empty() && conf.only_stubs() {
        let systemd = Path::new("/run/systemd/resolve/resolv.conf");
        if systemd.is_file() {
            found = resolv_conf::parse(&read(systemd)?).upstreams();
        }
    }
    if found.is_empty() {
        return Err(Failure::infra(format!(
            "no upstream DNS server: {} lists none that is not a loopback stub; give one with --upstream",
            args.resolv_conf.display()
        )));
    }
    Ok(found)
}

fn control(state: &StateDir, command: &str) -> Result<String, String> {
    let mut stream = UnixStream::connect(state.control()).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(format!("{command}\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(&stream)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim().to_owned())
}

fn append_event(state: &StateDir, event: &Event) -> Result<(), Failure> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(state.events())
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", state.events().display())))?;
    file.write_all(event.to_line().as_bytes())
        .map_err(|e| Failure::infra(format!("cannot write {}: {e}", state.events().display())))
}

fn apply(args: &ApplyArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (config, loaded) = load(&args.config)?;
    let mode = match args.mode {
        None => config.mode,
        Some(flag) => {
            let mode = match flag {
                ModeArg::Block => Mode::Block,
                ModeArg::Audit => Mode::Audit,
            };
            if mode != config.mode && is_locked(&loaded.locked, "egress.mode") {
                return Err(Failure::usage(format!(
                    "--mode {}: egress.mode is locked to {} by the org policy",
                    mode.as_str(),
                    config.mode.as_str()
                )));
            }
            mode
        }
    };
    let allowlist = effective::build(&config, &args.allow, &args.allow_cidr, &loaded.locked)?;
    let mut interfaces = Vec::new();
    for pattern in config.local_interfaces.iter() {
        interfaces.push(
            effective::parse_interface(pattern)
                .map_err(|e| Failure::usage(format!("egress.local_interfaces entry {e}")))?,
        );
    }
    for pattern in &args.local_interface {
        let pattern = effective::parse_interface(pattern)
            .map_err(|e| Failure::usage(format!("--local-interface {e}")))?;
        if is_locked(&loaded.locked, "egress.local_interfaces") && !interfaces.contains(&pattern) {
            return Err(Failure::usage(format!(
                "--local-interface {pattern}: egress.local_interfaces is locked by the org policy and does not list it"
            )));
        }
        interfaces.push(pattern);
    }
    let upstreams = upstreams(args)?;
    let state = StateDir(args.state.state_dir.clone());
    std::fs::create_dir_all(&state.0)
        .map_err(|e| Failure::infra(format!("cannot create {}: {e}", state.0.display())))?;
    if control(&state, "ping").is_ok() {
        return Err(Failure::usage(format!(
            "egress is already applied with state in {}; run `{TOOL} disable --reason ...` first",
            state.0.display()
        )));
    }
    let daemon = DaemonConfig {
        mode,
        names: allowlist.names.iter().map(|p| p.as_config()).collect(),
        cidrs: allowlist.cidrs.iter().map(ToString::to_string).collect(),
        upstreams: upstreams.clone(),
        port: args.port,
        min_ttl: config.min_ttl,
        max_ttl: MAX_TTL,
        nflog_group: args.nflog_group,
        no_sets: false,
    };
    let write = |path: PathBuf, text: String| {
        std::fs::write(&path, text)
            .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))
    };
    write(
        state.config(),
        serde_json::to_string_pretty(&daemon).unwrap_or_default(),
    )?;
    let _ = std::fs::remove_file(state.ready());
    let ready = start_daemon(&state)?;

    let spec = nft::RulesetSpec {
        mode,
        cidrs: allowlist.cidrs.clone(),
        upstreams: upstreams.iter().map(SocketAddr::ip).collect(),
        local_interfaces: interfaces,
        resolver_port: args.port,
        nflog_group: args.nflog_group,
    };
    if let Err(failure) = nft::apply(&nft::ruleset(&spec)) {
        let _ = control(&state, "stop");
        return Err(failure);
    }
    let mut primed = 0;
    if !args.no_prime {
        primed = prime(&allowlist, args.port);
    }
    let reason = format!(
        "{} mode: {} name pattern(s) (built-in list v{}: {}), {} range(s), {} upstream(s); {} name(s) primed",
        mode.as_str(),
        allowlist.names.len(),
        crate::builtin::VERSION,
        config
            .builtin
            .iter()
            .map(|g| g.id())
            .collect::<Vec<_>>()
            .join(", "),
        allowlist.cidrs.len(),
        upstreams.len(),
        primed
    );
    let result = if mode == Mode::Block { "allow" } else { "warn" };
    append_event(
        &state,
        &Event::decision("ci-intel/egress.apply", result, reason.clone()),
    )?;
    write(
        state.applied(),
        serde_json::json!({"mode": mode.as_str(), "port": args.port, "pid": ready.pid}).to_string(),
    )?;
    eprintln!(
        "{TOOL} apply: {reason}; resolver pid {} on port {}{}{}",
        ready.pid,
        args.port,
        if ready.ipv6 { "" } else { " (IPv4 only)" },
        if ready.packet_log {
            ""
        } else {
            "; packet log unavailable, connections will not be reported"
        }
    );
    env.set_output("mode", mode.as_str())?;
    env.set_output("state-dir", &state.0.display().to_string())?;
    env.set_output("names", &allowlist.names.len().to_string())?;
    if env.in_actions() {
        env.append_summary(&format!("### ci-intel egress\n\n{reason}\n"))?;
    }
    Ok(ExitCode::Pass)
}

/// Start `serve` in its own process group (it outlives this step) and wait
/// until it serves.
fn start_daemon(state: &StateDir) -> Result<Ready, Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::infra(format!("cannot find this program's path: {e}")))?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(state.log())
        .map_err(|e| Failure::infra(format!("cannot open {}: {e}", state.log().display())))?;
    let log2 = log
        .try_clone()
        .map_err(|e| Failure::infra(format!("cannot open {}: {e}", state.log().display())))?;
    let mut child = Command::new(exe)
        .arg("serve")
        .arg("--state-dir")
        .arg(&state.0)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .process_group(0)
        .spawn()
        .map_err(|e| Failure::infra(format!("cannot start the resolver: {e}")))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(text) = std::fs::read_to_string(state.ready())
            && let Ok(ready) = serde_json::from_str::<Ready>(&text)
        {
            return Ok(ready);
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(state.log()).unwrap_or_default();
            return Err(Failure::infra(format!(
                "the resolver exited ({status}) before serving: {}",
                log.lines().last().unwrap_or("no log")
            )));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(Failure::infra(format!(
                "the resolver did not start within 10s; see {}",
                state.log().display()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Resolve every exact allowlisted name (A and AAAA) through the resolver,
/// so the addresses the runner and later steps connect to are open before
/// they ask. Returns how many names answered.
fn prime(allowlist: &Allowlist, port: u16) -> usize {
    let names: Vec<String> = allowlist
        .names
        .iter()
        .filter_map(|p| match p {
            crate::allowlist::NamePattern::Exact(name) => Some(name.clone()),
            crate::allowlist::NamePattern::Wildcard(_) => None,
        })
        .collect();
    let server: SocketAddr = (std::net::Ipv4Addr::LOCALHOST, port).into();
    let handles: Vec<_> = names
        .into_iter()
        .map(|name| {
            std::thread::spawn(move || {
                [RecordType::A, RecordType::AAAA].into_iter().any(|qtype| {
                    matches!(
                        query(server, &name, qtype, Duration::from_secs(3)),
                        Ok((ResponseCode::NoError, _))
                    )
                })
            })
        })
        .collect();
    handles
        .into_iter()
        .filter_map(|h| h.join().ok())
        .filter(|ok| *ok)
        .count()
}

/// Ask `server` about `name` over UDP.
fn query(
    server: SocketAddr,
    name: &str,
    qtype: RecordType,
    timeout: Duration,
) -> Result<(ResponseCode, Vec<IpAddr>), String> {
    let id: u16 = rand::random();
    let fqdn = format!("{}.", name.trim_end_matches('.'));
    let bytes = dns::build_query(&fqdn, qtype, id).map_err(|e| e.to_string())?;
    let bind: SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(bind).map_err(|e| e.to_string())?;
    socket
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    socket.send_to(&bytes, server).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 4096];
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let (n, _) = socket.recv_from(&mut buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                "no answer (timed out)".to_owned()
            }
            _ => e.to_string(),
        })?;
        if let Ok((got, code, addrs)) = dns::response_code(&buf[..n])
            && got == id
        {
            return Ok((code, addrs));
        }
    }
    Err("no answer (timed out)".into())
}

fn disable(args: &DisableArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(Failure::usage(
            "--reason is empty: say why this job needs the open network; the decision is recorded",
        ));
    }
    let state = StateDir(args.state.state_dir.clone());
    let table = nft::list_table()?;
    if table.is_some() {
        nft::apply(&nft::delete_table())?;
    }
    let stopped = control(&state, "stop").is_ok();
    let event = Event::decision(
        "ci-intel/egress.disable",
        "warn",
        format!("egress control removed: {reason}"),
    );
    let recorded = append_event(&state, &event);
    let decision = serde_json::json!({
        "id": "ci-intel/egress.disable",
        "result": "warn",
        "reason": format!("egress control removed: {reason}"),
    });
    println!("{decision}");
    eprintln!(
        "{TOOL} disable: rules {}, resolver {}",
        if table.is_some() {
            "removed"
        } else {
            "were not installed"
        },
        if stopped {
            "stopped"
        } else {
            "was not running"
        }
    );
    env.set_output("decision", &decision.to_string())?;
    if env.in_actions() {
        env.append_summary(&format!(
            "### ci-intel egress disabled\n\nThe job reaches the open network from here on: {reason}\n"
        ))?;
    }
    recorded?;
    Ok(ExitCode::Pass)
}

fn report(args: &ReportArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let state = StateDir(args.state.state_dir.clone());
    let text = std::fs::read_to_string(state.events()).map_err(|e| {
        Failure::infra(format!(
            "cannot read {}: {e}; run `{TOOL} apply` with the same --state-dir first",
            state.events().display()
        ))
    })?;
    let (events, bad) = events::parse_log(&text);
    for line in &bad {
        eprintln!(
            "{TOOL}: warning: {}:{}: not an event ({}); skipped",
            state.events().display(),
            line.line,
            line.message
        );
    }
    if let Some(path) = &args.events_out {
        let mut out = String::new();
        for event in &events {
            out.push_str(&event.to_line());
        }
        std::fs::write(path, out)
            .map_err(|e| Failure::infra(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.suggest {
        let (config, loaded) = load(&args.config)?;
        let already = effective::build(&config, &[], &[], &loaded.locked)?;
        let suggestion = events::suggest(&events, &already);
        match args.format {
            ReportFormat::Json | ReportFormat::Ndjson => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&suggestion).unwrap_or_default()
                )
            }
            _ => print!("{}", events::suggestion_yaml(&suggestion)),
        }
        env.set_output("suggested", &suggestion.allow.len().to_string())?;
        return Ok(ExitCode::Pass);
    }
    let summary = events::summarize(&events);
    match args.format {
        ReportFormat::Human => print!("{}", events::human(&summary)),
        ReportFormat::Markdown => print!("{}", events::markdown(&summary, "ci-intel egress")),
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        ),
        ReportFormat::Ndjson => {
            for event in &events {
                print!("{}", event.to_line());
            }
        }
    }
    env.set_output(
        "blocked",
        &(summary.blocked_connections + summary.blocked_queries).to_string(),
    )?;
    if env.in_actions() {
        env.append_summary(&events::markdown(&summary, "ci-intel egress report"))?;
    }
    Ok(ExitCode::Pass)
}

/// One smoke check's result.
#[derive(Debug)]
struct Check {
    what: String,
    ok: bool,
    detail: String,
}

fn smoke(args: &SmokeArgs, env: &RunnerEnv) -> Result<ExitCode, Failure> {
    let (config, _) = load(&args.config)?;
    let parse = |list: &[String]| -> Result<Vec<Target>, Failure> {
        list.iter()
            .map(|t| parse_target(t).map_err(|e| Failure::usage(format!("smoke target {e}"))))
            .collect()
    };
    let (mut allowed, mut denied) = (parse(&args.expect_allowed)?, parse(&args.expect_denied)?);
    let mut source = "command line";
    if allowed.is_empty() && denied.is_empty() {
        allowed = parse(&config.smoke.expect_allowed)?;
        denied = parse(&config.smoke.expect_denied)?;
        source = "egress.smoke";
    }
    if allowed.is_empty() && denied.is_empty() {
        (allowed, denied) = targets::builtin_targets();
        source = "built-in targets";
    }
    let timeout = Duration::from_secs(args.timeout.max(1));
    let resolver = match &args.resolver {
        Some(text) => parse_server(text)?,
        None => {
            let text = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
            let conf = resolv_conf::parse(&text);
            let addr = conf
                .nameservers
                .first()
                .copied()
                .unwrap_or(IpAddr::from([127, 0, 0, 1]));
            SocketAddr::new(addr, 53)
        }
    };
    let state = StateDir(args.state.state_dir.clone());
    let mut checks = Vec::new();
    if !args.no_rules_check {
        checks.push(match nft::list_table() {
            Ok(Some(_)) => Check {
                what: format!("nftables table inet {}", nft::TABLE),
                ok: true,
                detail: "installed".into(),
            },
            Ok(None) => Check {
                what: format!("nftables table inet {}", nft::TABLE),
                ok: false,
                detail: format!("not installed: run `{TOOL} apply` first"),
            },
            Err(failure) => Check {
                what: format!("nftables table inet {}", nft::TABLE),
                ok: false,
                detail: format!("{failure} (pass --no-rules-check when smoke cannot run as root)"),
            },
        });
    }
    for target in &allowed {
        checks.push(check_allowed(target, timeout));
    }
    for target in &denied {
        if let Host::Name(name) = &target.host {
            checks.push(check_refused(name, resolver, timeout));
        }
        checks.push(check_denied(target, timeout, &state));
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    let mut md = format!(
        "### ci-intel egress smoke\n\n{} check(s) from {source}, {failed} failed\n\n| check | result | detail |\n|---|---|---|\n",
        checks.len()
    );
    for check in &checks {
        println!(
            "{} {}: {}",
            if check.ok { "ok  " } else { "FAIL" },
            check.what,
            check.detail
        );
        md.push_str(&format!(
            "| {} | {} | {} |\n",
            check.what.replace('|', "\\|"),
            if check.ok { "ok" } else { "**fail**" },
            check.detail.replace('|', "\\|")
        ));
    }
    let result = if failed == 0 { "allow" } else { "deny" };
    let reason = format!(
        "{} smoke check(s) from {source}, {failed} failed",
        checks.len()
    );
    if state.events().exists() {
        let _ = append_event(
            &state,
            &Event::decision("ci-intel/egress.smoke", result, reason.clone()),
        );
    }
    eprintln!("{TOOL} smoke: {reason}: {result}");
    env.set_output("result", result)?;
    if env.in_actions() {
        env.append_summary(&md)?;
    }
    Ok(if failed == 0 {
        ExitCode::Pass
    } else {
        ExitCode::Deny
    })
}

fn connect_any(addrs: &[SocketAddr], timeout: Duration) -> Result<SocketAddr, String> {
    let mut last = "no address".to_owned();
    for addr in addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(_) => return Ok(*addr),
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    Err(last)
}

fn resolve(target: &Target) -> Result<Vec<SocketAddr>, String> {
    match &target.host {
        Host::Addr(addr) => Ok(vec![SocketAddr::new(*addr, target.port)]),
        Host::Name(name) => (name.as_str(), target.port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| e.to_string()),
    }
}

fn check_allowed(target: &Target, timeout: Duration) -> Check {
    let what = format!("allowed {target}");
    match resolve(target) {
        Err(error) => Check {
            what,
            ok: false,
            detail: format!("does not resolve: {error}"),
        },
        Ok(addrs) => match connect_any(&addrs, timeout) {
            Ok(addr) => Check {
                what,
                ok: true,
                detail: format!("connected to {addr}"),
            },
            Err(error) => Check {
                what,
                ok: false,
                detail: format!("cannot connect: {error}"),
            },
        },
    }
}

fn check_refused(name: &str, resolver: SocketAddr, timeout: Duration) -> Check {
    let what = format!("DNS refuses {name} (asked {resolver})");
    match query(resolver, name, RecordType::A, timeout) {
        Ok((ResponseCode::Refused, _)) => Check {
            what,
            ok: true,
            detail: "REFUSED".into(),
        },
        Ok((code, addrs)) => Check {
            what,
            ok: false,
            detail: format!(
                "answered {} {:?}: the name is not refused",
                dns::rcode_name(code),
                addrs
            ),
        },
        Err(error) => Check {
            what,
            ok: false,
            detail: format!("{error}: expected a REFUSED answer from the egress resolver"),
        },
    }
}

fn check_denied(target: &Target, timeout: Duration, state: &StateDir) -> Check {
    let what = format!("denied {target}");
    let addrs = match resolve(target) {
        Err(error) => {
            return Check {
                what,
                ok: true,
                detail: format!("does not resolve ({error})"),
            };
        }
        Ok(addrs) => addrs,
    };
    let started = chrono::Utc::now();
    match connect_any(&addrs, timeout) {
        Ok(addr) => Check {
            what,
            ok: false,
            detail: format!("connected to {addr}: egress is not blocked"),
        },
        Err(error) => {
            let logged = blocked_logged(state, &addrs, started);
            Check {
                what,
                ok: true,
                detail: match logged {
                    Some(true) => format!("failed ({error}); the block is in the egress log"),
                    Some(false) => format!(
                        "failed ({error}); no block was logged, so the failure may not be ours"
                    ),
                    None => format!("failed ({error})"),
                },
            }
        }
    }
}

/// Whether the packet log recorded a block to one of `addrs` since
/// `since`; `None` when there is no log to look at.
fn blocked_logged(
    state: &StateDir,
    addrs: &[SocketAddr],
    since: chrono::DateTime<chrono::Utc>,
) -> Option<bool> {
    let ready: Ready = serde_json::from_str(&std::fs::read_to_string(state.ready()).ok()?).ok()?;
    if !ready.packet_log {
        return None;
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let text = std::fs::read_to_string(state.events()).ok()?;
        let (events, _) = events::parse_log(&text);
        let found = events.iter().any(|e| {
            e.kind == Kind::Connection
                && e.outcome == Outcome::Blocked
                && chrono::DateTime::parse_from_rfc3339(&e.time)
                    .is_ok_and(|t| t >= since - chrono::Duration::seconds(1))
                && addrs.iter().any(|a| {
                    e.daddr.as_deref() == Some(&a.ip().to_string())
                        && e.dport.is_none_or(|p| p == a.port())
                })
        });
        if found || Instant::now() > deadline {
            return Some(found);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
