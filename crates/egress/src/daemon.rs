//! The resolver daemon that `apply` starts and `disable` stops: it answers
//! DNS on the resolver port (UDP and TCP, IPv4 and IPv6), forwards allowed
//! names to the upstream servers over sockets carrying [`nft::MARK`],
//! opens the answers' addresses in the nftables sets for their TTL, and
//! records every query and every logged packet in `events.ndjson`.
//!
//! Plain threads, no async runtime: a job's DNS load is small, and each
//! query's cost is dominated by the upstream round trip (and, the first
//! time an address is seen, by one `nft` run).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use serde::{Deserialize, Serialize};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::allowlist::{Allowlist, NamePattern, parse_cidr};
use crate::config::Mode;
use crate::dns::{self, Question, Verdict};
use crate::events::{Event, Kind, Outcome};
use crate::nft;
use crate::packet;

/// What `apply` hands the daemon (`daemon.json` in the state directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonConfig {
    pub mode: Mode,
    pub names: Vec<String>,
    pub cidrs: Vec<String>,
    pub upstreams: Vec<SocketAddr>,
    pub port: u16,
    pub min_ttl: u32,
    pub max_ttl: u32,
    pub nflog_group: u16,
    /// Don't touch nftables (a test of the resolver alone).
    #[serde(default)]
    pub no_sets: bool,
}

impl DaemonConfig {
    pub fn allowlist(&self) -> Allowlist {
        let mut list = Allowlist::default();
        for name in &self.names {
            if let Ok(pattern) = NamePattern::parse(name) {
                list.push_name(pattern);
            }
        }
        for cidr in &self.cidrs {
            if let Ok(net) = parse_cidr(cidr) {
                list.push_cidr(net);
            }
        }
        list
    }
}

/// What the daemon writes once it serves (`ready.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    pub pid: u32,
    pub port: u16,
    /// Whether the packet log listens (NFLOG); without it `report` has DNS
    /// events only.
    pub packet_log: bool,
    pub ipv6: bool,
}

/// The files of a state directory.
#[derive(Debug, Clone)]
pub struct StateDir(pub PathBuf);

impl StateDir {
    pub fn config(&self) -> PathBuf {
        self.0.join("daemon.json")
    }
    pub fn ready(&self) -> PathBuf {
        self.0.join("ready.json")
    }
    pub fn events(&self) -> PathBuf {
        self.0.join("events.ndjson")
    }
    pub fn log(&self) -> PathBuf {
        self.0.join("daemon.log")
    }
    pub fn control(&self) -> PathBuf {
        self.0.join("control.sock")
    }
    pub fn applied(&self) -> PathBuf {
        self.0.join("applied.json")
    }
}

/// Upstream answer timeout per attempt.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);
/// Queries handled at once; more are dropped (the client retries).
const MAX_IN_FLIGHT: usize = 256;

struct Shared {
    config: DaemonConfig,
    allowlist: Allowlist,
    events: Mutex<File>,
    log: Mutex<File>,
    /// Address -> when its set element expires (as far as we know).
    opened: Mutex<HashMap<IpAddr, Instant>>,
    /// Address -> a name that resolved to it (for connection events).
    names: Mutex<HashMap<IpAddr, String>>,
    in_flight: AtomicUsize,
}

impl Shared {
    fn record(&self, event: &Event) {
        if let Ok(mut file) = self.events.lock() {
            let _ = file.write_all(event.to_line().as_bytes());
        }
    }

    fn note(&self, message: &str) {
        if let Ok(mut file) = self.log.lock() {
            let _ = writeln!(
                file,
                "{} {message}",
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            );
        }
    }

    /// Open `addrs` in the sets; returns the ones opened and the refused
    /// ones with why.
    fn open(&self, addrs: &[dns::Resolved]) -> (Vec<String>, Vec<String>) {
        let mut opened = Vec::new();
        let mut refused = Vec::new();
        let mut batch = Vec::new();
        let now = Instant::now();
        {
            let Ok(mut known) = self.opened.lock() else {
                return (opened, refused);
            };
            for resolved in addrs {
                if let Err(range) = self.allowlist.answer_may_open(resolved.addr) {
                    refused.push(format!(
                        "{} ({}, {})",
                        resolved.addr, range.cidr, range.what
                    ));
                    continue;
                }
                let secs = resolved.ttl.clamp(
                    self.config.min_ttl,
                    self.config.max_ttl.max(self.config.min_ttl),
                );
                let wanted = now + Duration::from_secs(u64::from(secs));
                let fresh = known
                    .get(&resolved.addr)
                    .is_some_and(|expiry| *expiry > now + Duration::from_secs(u64::from(secs) / 2));
                opened.push(resolved.addr.to_string());
                if !fresh {
                    batch.push((resolved.addr, Duration::from_secs(u64::from(secs))));
                    let entry = known.entry(resolved.addr).or_insert(wanted);
                    if *entry < wanted {
                        *entry = wanted;
                    }
                }
            }
        }
        if !batch.is_empty()
            && !self.config.no_sets
            && let Err(failure) = nft::apply(&nft::add_elements(&batch))
        {
            self.note(&format!(
                "cannot add {} address(es) to the sets: {failure}",
                batch.len()
            ));
            if let Ok(mut known) = self.opened.lock() {
                for (addr, _) in &batch {
                    known.remove(addr);
                }
            }
        }
        (opened, refused)
    }
}

/// Answer one query (`bytes`); `None` when there is nothing to answer.
fn handle(shared: &Shared, bytes: &[u8], tcp: bool) -> Option<Vec<u8>> {
    let question = match dns::parse_query(bytes) {
        Ok(question) => question,
        Err(error) => {
            shared.note(&format!("unusable query: {error}"));
            return dns::error_response(bytes, ResponseCode::FormErr).ok();
        }
    };
    let verdict = dns::decide(&question, &shared.allowlist, shared.config.mode);
    let mut event = Event::new(Kind::Dns, Outcome::Allowed);
    event.name = Some(question.name.clone());
    event.qtype = Some(dns::type_name(question.qtype));
    let pattern = match &verdict {
        Verdict::Refuse => {
            event.outcome = Outcome::Blocked;
            event.rcode = Some("REFUSED".into());
            event.reason = Some("the name is not in the allowlist".into());
            shared.record(&event);
            return dns::error_response(bytes, ResponseCode::Refused).ok();
        }
        Verdict::Forward(pattern) => Some(pattern.clone()),
        Verdict::ForwardAudited => {
            event.outcome = Outcome::Audited;
            event.reason = Some("audit mode: the name is not in the allowlist".into());
            None
        }
    };
    event.pattern = pattern.as_ref().map(NamePattern::as_config);
    let response = match forward(&shared.config.upstreams, bytes, &question, tcp) {
        Ok(response) => response,
        Err(error) => {
            event.rcode = Some("SERVFAIL".into());
            event.reason = Some(format!("upstream: {error}"));
            shared.record(&event);
            return dns::error_response(bytes, ResponseCode::ServFail).ok();
        }
    };
    // forward() checked the response already.
    if let Ok(answer) = dns::parse_response(&question, question.id, &response) {
        event.rcode = Some(dns::rcode_name(answer.rcode));
        if pattern.is_some() {
            let (opened, refused) = shared.open(&answer.addrs);
            if let Ok(mut names) = shared.names.lock() {
                for addr in &answer.addrs {
                    names.insert(addr.addr, question.name.clone());
                }
            }
            event.answers = opened;
            if !refused.is_empty() {
                event.reason = Some(format!(
                    "not opened (special range; list it in egress.allow_cidrs to allow): {}",
                    refused.join(", ")
                ));
            }
        } else if let Ok(mut names) = shared.names.lock() {
            for addr in &answer.addrs {
                names.insert(addr.addr, question.name.clone());
            }
            event.answers = answer.addrs.iter().map(|a| a.addr.to_string()).collect();
        }
    }
    shared.record(&event);
    Some(response)
}

/// Send `query` to the upstreams (in order, two rounds) and return the
/// first response that answers it, with the client's ID.
pub fn forward(
    upstreams: &[SocketAddr],
    query: &[u8],
    question: &Question,
    tcp: bool,
) -> Result<Vec<u8>, String> {
    let mut last = String::from("no upstream server configured");
    for _round in 0..2 {
        for upstream in upstreams {
            let id: u16 = rand::random();
            let attempt = if tcp {
                forward_tcp(*upstream, &dns::with_id(query, id))
            } else {
                forward_udp(*upstream, &dns::with_id(query, id), question, id)
            };
            match attempt {
                Ok(bytes) => match dns::parse_response(question, id, &bytes) {
                    Ok(_) => return Ok(dns::with_id(&bytes, question.id)),
                    Err(error) => last = format!("{upstream}: {error}"),
                },
                Err(error) => last = format!("{upstream}: {error}"),
            }
        }
    }
    Err(last)
}

fn marked_socket(upstream: SocketAddr, kind: Type, protocol: Protocol) -> std::io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(upstream), kind, Some(protocol))?;
    socket.set_mark(nft::MARK)?;
    Ok(socket)
}

fn forward_udp(
    upstream: SocketAddr,
    query: &[u8],
    question: &Question,
    id: u16,
) -> Result<Vec<u8>, String> {
    let socket = marked_socket(upstream, Type::DGRAM, Protocol::UDP).map_err(|e| e.to_string())?;
    let unspecified: SocketAddr = match upstream {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    socket
        .bind(&SockAddr::from(unspecified))
        .map_err(|e| e.to_string())?;
    let socket: UdpSocket = socket.into();
    socket.connect(upstream).map_err(|e| e.to_string())?;
    socket.send(query).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + UPSTREAM_TIMEOUT;
    let mut buf = vec![0u8; 65535];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("timed out".into());
        }
        socket
            .set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        let n = socket.recv(&mut buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => "timed out".to_owned(),
            _ => e.to_string(),
        })?;
        // A datagram that does not answer this question (a late or forged
        // one) is ignored; keep waiting for the real answer.
        if dns::parse_response(question, id, &buf[..n]).is_ok() {
            return Ok(buf[..n].to_vec());
        }
    }
}

fn forward_tcp(upstream: SocketAddr, query: &[u8]) -> Result<Vec<u8>, String> {
    let socket = marked_socket(upstream, Type::STREAM, Protocol::TCP).map_err(|e| e.to_string())?;
    socket
        .connect_timeout(&SockAddr::from(upstream), UPSTREAM_TIMEOUT)
        .map_err(|e| e.to_string())?;
    let mut stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(UPSTREAM_TIMEOUT * 2))
        .map_err(|e| e.to_string())?;
    let len = u16::try_from(query.len()).map_err(|_| "query too long".to_owned())?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    stream.write_all(&framed).map_err(|e| e.to_string())?;
    read_framed(&mut stream).map_err(|e| e.to_string())
}

fn read_framed(stream: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 2];
    stream.read_exact(&mut len)?;
    let mut message = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut message)?;
    Ok(message)
}

/// Where a datagram was addressed, so the answer leaves from that address.
/// The sockets are bound to the wildcard address and DNS arrives
/// redirected (to 127.0.0.1 from this machine, to an interface's address
/// from a container): an answer from any other source address would not
/// match the redirected flow and the client would drop it. IP_PKTINFO
/// gives the address the query reached; the reply names it as its source.
enum PacketInfo {
    V4(libc::in_pktinfo),
    V6(libc::in6_pktinfo),
}

fn recv_with_info(
    fd: std::os::fd::RawFd,
    buf: &mut [u8],
) -> Option<(usize, nix::sys::socket::SockaddrStorage, Option<PacketInfo>)> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg};
    let mut space = nix::cmsg_space!(libc::in6_pktinfo);
    let mut iov = [std::io::IoSliceMut::new(buf)];
    let msg = recvmsg::<SockaddrStorage>(fd, &mut iov, Some(&mut space), MsgFlags::empty()).ok()?;
    let peer = msg.address?;
    let mut info = None;
    for cmsg in msg.cmsgs().ok()? {
        match cmsg {
            ControlMessageOwned::Ipv4PacketInfo(pi) => info = Some(PacketInfo::V4(pi)),
            ControlMessageOwned::Ipv6PacketInfo(pi) => info = Some(PacketInfo::V6(pi)),
            _ => {}
        }
    }
    Some((msg.bytes, peer, info))
}

fn send_with_info(
    fd: std::os::fd::RawFd,
    data: &[u8],
    peer: &nix::sys::socket::SockaddrStorage,
    info: Option<&PacketInfo>,
) {
    use nix::sys::socket::{ControlMessage, MsgFlags, sendmsg};
    let iov = [std::io::IoSlice::new(data)];
    let v4;
    let v6;
    let cmsgs: Vec<ControlMessage<'_>> = match info {
        Some(PacketInfo::V4(pi)) => {
            v4 = libc::in_pktinfo {
                ipi_ifindex: 0,
                ipi_spec_dst: pi.ipi_addr,
                ipi_addr: pi.ipi_addr,
            };
            vec![ControlMessage::Ipv4PacketInfo(&v4)]
        }
        Some(PacketInfo::V6(pi)) => {
            v6 = libc::in6_pktinfo {
                ipi6_addr: pi.ipi6_addr,
                ipi6_ifindex: pi.ipi6_ifindex,
            };
            vec![ControlMessage::Ipv6PacketInfo(&v6)]
        }
        None => Vec::new(),
    };
    let _ = sendmsg(fd, &iov, &cmsgs, MsgFlags::empty(), Some(peer));
}

fn serve_udp(shared: &Arc<Shared>, socket: UdpSocket) {
    use std::os::fd::AsRawFd as _;
    let socket = Arc::new(socket);
    let mut buf = vec![0u8; 65535];
    loop {
        let Some((n, peer, info)) = recv_with_info(socket.as_raw_fd(), &mut buf) else {
            continue;
        };
        if shared.in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            continue;
        }
        shared.in_flight.fetch_add(1, Ordering::Relaxed);
        let bytes = buf[..n].to_vec();
        let shared = Arc::clone(shared);
        let socket = Arc::clone(&socket);
        std::thread::spawn(move || {
            if let Some(response) = handle(&shared, &bytes, false) {
                send_with_info(socket.as_raw_fd(), &response, &peer, info.as_ref());
            }
            shared.in_flight.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

fn serve_tcp(shared: &Arc<Shared>, listener: &TcpListener) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if shared.in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            continue;
        }
        shared.in_flight.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::clone(shared);
        std::thread::spawn(move || {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            // A client may send several queries on one connection.
            while let Ok(query) = read_framed(&mut stream) {
                let Some(response) = handle(&shared, &query, true) else {
                    break;
                };
                let Ok(len) = u16::try_from(response.len()) else {
                    break;
                };
                let mut framed = len.to_be_bytes().to_vec();
                framed.extend_from_slice(&response);
                if stream.write_all(&framed).is_err() {
                    break;
                }
            }
            shared.in_flight.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

fn bind_pair(addr: SocketAddr) -> std::io::Result<(UdpSocket, TcpListener)> {
    let domain = Domain::for_address(addr);
    let udp = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    let tcp = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        udp.set_only_v6(true)?;
        tcp.set_only_v6(true)?;
        nix::sys::socket::setsockopt(&udp, nix::sys::socket::sockopt::Ipv6RecvPacketInfo, &true)?;
    } else {
        nix::sys::socket::setsockopt(&udp, nix::sys::socket::sockopt::Ipv4PacketInfo, &true)?;
    }
    tcp.set_reuse_address(true)?;
    udp.bind(&SockAddr::from(addr))?;
    tcp.bind(&SockAddr::from(addr))?;
    tcp.listen(128)?;
    Ok((udp.into(), tcp.into()))
}

/// Run the daemon in the state directory until `stop` arrives on the
/// control socket. Returns only on a startup error.
pub fn serve(state: &StateDir) -> Result<(), String> {
    let text = std::fs::read_to_string(state.config())
        .map_err(|e| format!("cannot read {}: {e}", state.config().display()))?;
    let config: DaemonConfig =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", state.config().display()))?;
    let open_append = |path: &Path| {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))
    };
    let shared = Arc::new(Shared {
        allowlist: config.allowlist(),
        events: Mutex::new(open_append(&state.events())?),
        log: Mutex::new(open_append(&state.log())?),
        opened: Mutex::new(HashMap::new()),
        names: Mutex::new(HashMap::new()),
        in_flight: AtomicUsize::new(0),
        config,
    });
    let port = shared.config.port;
    let (udp4, tcp4) = bind_pair((Ipv4Addr::UNSPECIFIED, port).into())
        .map_err(|e| format!("cannot listen on port {port} (IPv4): {e}"))?;
    let v6 = bind_pair((Ipv6Addr::UNSPECIFIED, port).into());
    let ipv6 = v6.is_ok();
    if let Err(error) = &v6 {
        shared.note(&format!("no IPv6 listener on port {port}: {error}"));
    }
    for (udp, tcp) in std::iter::once((udp4, tcp4)).chain(v6.ok()) {
        let s = Arc::clone(&shared);
        std::thread::spawn(move || serve_udp(&s, udp));
        let s = Arc::clone(&shared);
        std::thread::spawn(move || serve_tcp(&s, &tcp));
    }
    let packet_log = match crate::nflog::Listener::open(shared.config.nflog_group) {
        Ok(listener) => {
            let s = Arc::clone(&shared);
            std::thread::spawn(move || {
                listener.run(|prefix, info, uid, forwarded| {
                    record_packet(&s, prefix, info, uid, forwarded)
                });
            });
            true
        }
        Err(error) => {
            shared.note(&format!(
                "packet log unavailable (connections will not be reported): {error}"
            ));
            false
        }
    };
    let _ = std::fs::remove_file(state.control());
    let control = UnixListener::bind(state.control())
        .map_err(|e| format!("cannot listen on {}: {e}", state.control().display()))?;
    let ready = Ready {
        pid: std::process::id(),
        port,
        packet_log,
        ipv6,
    };
    std::fs::write(
        state.ready(),
        serde_json::to_string(&ready).unwrap_or_default(),
    )
    .map_err(|e| format!("cannot write {}: {e}", state.ready().display()))?;
    shared.note(&format!(
        "serving on port {port} (ipv6 {ipv6}, packet log {packet_log})"
    ));
    for stream in control.incoming() {
        let Ok(stream) = stream else { continue };
        let mut line = String::new();
        let mut reader = BufReader::new(&stream);
        let _ = reader.read_line(&mut line);
        let mut writer = &stream;
        match line.trim() {
            "ping" => {
                let _ = writer.write_all(b"pong\n");
            }
            "stop" => {
                shared.note("stopping on request");
                let _ = writer.write_all(b"stopping\n");
                let _ = std::fs::remove_file(state.control());
                let _ = std::fs::remove_file(state.ready());
                std::process::exit(0);
            }
            other => {
                let _ = writer.write_all(format!("unknown command {other:?}\n").as_bytes());
            }
        }
    }
    Ok(())
}

fn record_packet(
    shared: &Shared,
    prefix: &str,
    info: packet::PacketInfo,
    uid: Option<u32>,
    forwarded: bool,
) {
    let outcome = if prefix == nft::PREFIX_ALLOW {
        Outcome::Allowed
    } else if prefix == nft::PREFIX_AUDIT {
        Outcome::Audited
    } else if prefix == nft::PREFIX_BLOCK {
        Outcome::Blocked
    } else {
        return;
    };
    let mut event = Event::new(Kind::Connection, outcome);
    event.proto = Some(info.proto_name());
    event.daddr = Some(info.daddr.to_string());
    event.dport = info.dport;
    event.saddr = Some(info.saddr.to_string());
    event.sport = info.sport;
    event.uid = uid;
    event.chain = Some(if forwarded { "forward" } else { "output" }.to_owned());
    event.name = shared
        .names
        .lock()
        .ok()
        .and_then(|names| names.get(&info.daddr).cloned());
    if !forwarded && let Some((pid, comm)) = packet::sender(&info) {
        event.pid = Some(pid);
        event.comm = Some(comm);
    }
    if outcome == Outcome::Blocked {
        event.reason = Some(match crate::allowlist::special_range(info.daddr) {
            Some(range) => format!(
                "{} is {}; not in egress.allow_cidrs",
                range.cidr, range.what
            ),
            None if event.name.is_some() => {
                "resolved through a name the allowlist does not permit".into()
            }
            None => {
                "no allowed name resolved to this address and egress.allow_cidrs does not list it"
                    .into()
            }
        });
    }
    shared.record(&event);
}
