//! What the packet log reports: the IP header and ports of a logged packet,
//! parsed by a plain function over bytes (a fuzz target can call it), and
//! the process that owns the sending socket, found through `/proc` where
//! the kernel still shows it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// The parts of a packet the report needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketInfo {
    pub saddr: IpAddr,
    pub daddr: IpAddr,
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...).
    pub protocol: u8,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
}

impl PacketInfo {
    pub fn proto_name(&self) -> String {
        match self.protocol {
            1 => "icmp".into(),
            6 => "tcp".into(),
            17 => "udp".into(),
            58 => "icmpv6".into(),
            132 => "sctp".into(),
            other => format!("ip-proto-{other}"),
        }
    }
}

/// Parse an IPv4 or IPv6 packet (the NFLOG payload starts at the IP
/// header). IPv6 extension headers are not walked: the protocol is then
/// the first next-header value and there are no ports. `None` for anything
/// too short or of another version.
pub fn parse_ip(payload: &[u8]) -> Option<PacketInfo> {
    let version = payload.first()? >> 4;
    let (saddr, daddr, protocol, l4) = match version {
        4 => {
            let ihl = usize::from(payload[0] & 0x0f) * 4;
            if ihl < 20 || payload.len() < ihl {
                return None;
            }
            let s: [u8; 4] = payload.get(12..16)?.try_into().ok()?;
            let d: [u8; 4] = payload.get(16..20)?.try_into().ok()?;
            (
                IpAddr::V4(Ipv4Addr::from(s)),
                IpAddr::V4(Ipv4Addr::from(d)),
                payload[9],
                &payload[ihl..],
            )
        }
        6 => {
            if payload.len() < 40 {
                return None;
            }
            let s: [u8; 16] = payload.get(8..24)?.try_into().ok()?;
            let d: [u8; 16] = payload.get(24..40)?.try_into().ok()?;
            (
                IpAddr::V6(Ipv6Addr::from(s)),
                IpAddr::V6(Ipv6Addr::from(d)),
                payload[6],
                &payload[40..],
            )
        }
        _ => return None,
    };
    let ports = matches!(protocol, 6 | 17 | 132) && l4.len() >= 4;
    Some(PacketInfo {
        saddr,
        daddr,
        protocol,
        sport: ports.then(|| u16::from_be_bytes([l4[0], l4[1]])),
        dport: ports.then(|| u16::from_be_bytes([l4[2], l4[3]])),
    })
}

/// Find the socket inode bound to `local` (address and port) in
/// `/proc/net/{tcp,udp}{,6}` text: the fourth column is
/// `local_address` as hex, the tenth the inode.
pub fn socket_inode(table: &str, local: IpAddr, port: u16) -> Option<u64> {
    for line in table.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (Some(addr), Some(inode)) = (cols.get(1), cols.get(9)) else {
            continue;
        };
        let Some((hex_addr, hex_port)) = addr.split_once(':') else {
            continue;
        };
        if u16::from_str_radix(hex_port, 16).ok() != Some(port) {
            continue;
        }
        let matches = match local {
            IpAddr::V4(v4) => u32::from_str_radix(hex_addr, 16).is_ok_and(|raw| {
                let bytes = raw.to_le_bytes();
                Ipv4Addr::from(bytes) == v4 || Ipv4Addr::from(bytes).is_unspecified()
            }),
            IpAddr::V6(v6) => {
                // 32 hex digits; checked as ASCII first, so the 8-byte words
                // below never cut a multi-byte character (a non-ASCII line
                // panicked here: fuzz target egress_allowlist).
                hex_addr.len() == 32 && hex_addr.bytes().all(|b| b.is_ascii_hexdigit()) && {
                    let mut bytes = [0u8; 16];
                    let ok = (0..4).all(|word| {
                        u32::from_str_radix(&hex_addr[word * 8..word * 8 + 8], 16)
                            .map(|raw| {
                                bytes[word * 4..word * 4 + 4].copy_from_slice(&raw.to_le_bytes())
                            })
                            .is_ok()
                    });
                    ok && (Ipv6Addr::from(bytes) == v6 || Ipv6Addr::from(bytes).is_unspecified())
                }
            }
        };
        if matches
            && let Ok(inode) = inode.parse::<u64>()
            && inode != 0
        {
            return Some(inode);
        }
    }
    None
}

/// The process (pid, command name) holding socket `inode`, by reading
/// `<proc>/<pid>/fd/*` links (`socket:[inode]`).
pub fn process_of_inode(proc_root: &Path, inode: u64) -> Option<(u32, String)> {
    let wanted = format!("socket:[{inode}]");
    for entry in std::fs::read_dir(proc_root).ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|link| link.as_os_str() == wanted.as_str()) {
                let comm = std::fs::read_to_string(entry.path().join("comm"))
                    .map(|c| c.trim().to_owned())
                    .unwrap_or_default();
                return Some((pid, comm));
            }
        }
    }
    None
}

/// The process that sent `packet`, when its socket still exists in this
/// network namespace (a blocked TCP connect stays in SYN-SENT while it
/// retries; a UDP socket stays while it is open).
pub fn sender(packet: &PacketInfo) -> Option<(u32, String)> {
    let port = packet.sport?;
    let (table, v6) = match (packet.protocol, packet.saddr) {
        (6, IpAddr::V4(_)) => ("tcp", false),
        (6, IpAddr::V6(_)) => ("tcp6", true),
        (17, IpAddr::V4(_)) => ("udp", false),
        (17, IpAddr::V6(_)) => ("udp6", true),
        _ => return None,
    };
    let text = std::fs::read_to_string(format!("/proc/self/net/{table}")).ok()?;
    let inode = socket_inode(&text, packet.saddr, port).or_else(|| {
        // A v4 connection from a dual-stack socket is listed in the v6 table.
        if v6 {
            return None;
        }
        let text6 = std::fs::read_to_string(format!("/proc/self/net/{table}6")).ok()?;
        let mapped = match packet.saddr {
            IpAddr::V4(v4) => IpAddr::V6(v4.to_ipv6_mapped()),
            other => other,
        };
        socket_inode(&text6, mapped, port)
    })?;
    process_of_inode(Path::new("/proc"), inode)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ipv4_and_ipv6_headers_and_ports() {
        let mut v4 = vec![
            0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 2, 192, 0, 2, 1,
        ];
        v4.extend_from_slice(&[0xc3, 0x50, 0x01, 0xbb, 0, 0, 0, 0]);
        let info = parse_ip(&v4).unwrap();
        assert_eq!(info.saddr.to_string(), "10.0.0.2");
        assert_eq!(info.daddr.to_string(), "192.0.2.1");
        assert_eq!((info.sport, info.dport), (Some(50000), Some(443)));
        assert_eq!(info.proto_name(), "tcp");
        let mut v6 = vec![0x60, 0, 0, 0, 0, 8, 17, 64];
        v6.extend_from_slice(&"fd00::2".parse::<Ipv6Addr>().unwrap().octets());
        v6.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        v6.extend_from_slice(&[0x30, 0x39, 0, 53]);
        let info = parse_ip(&v6).unwrap();
        assert_eq!(info.daddr.to_string(), "2001:db8::1");
        assert_eq!(info.dport, Some(53));
        assert_eq!(info.proto_name(), "udp");
        assert!(parse_ip(&[0x45, 0]).is_none());
        assert!(parse_ip(&[0x4f; 30]).is_none());
        assert!(parse_ip(&[]).is_none());
    }

    #[test]
    fn proc_net_tables_are_read() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0200000A:C350 010200C0:01BB 02 00000000:00000000 01:00000100 00000002     0        0 123456 2 0000000000000000 100 0 0 10 -1\n";
        assert_eq!(
            socket_inode(table, "10.0.0.2".parse().unwrap(), 50000),
            Some(123456)
        );
        assert_eq!(
            socket_inode(table, "10.0.0.2".parse().unwrap(), 50001),
            None
        );
        let table6 = "header\n   0: 000080FD000000000000000002000000:3039 00000000000000000000000000000000:0000 07 0 0 0 0 0 7 2\n";
        assert_eq!(
            socket_inode(table6, "fd00::2".parse().unwrap(), 12345),
            None
        );
        let table6 = "header\n   0: 000000FD000000000000000002000000:3039 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 777 2\n";
        assert_eq!(
            socket_inode(table6, "fd00::2".parse().unwrap(), 12345),
            Some(777)
        );
    }
}
