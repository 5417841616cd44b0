//! The system's resolver configuration (`resolv.conf(5)`): where the
//! egress resolver forwards allowed names.

use std::net::{IpAddr, SocketAddr};

/// What `resolv.conf` says about name servers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvConf {
    /// `nameserver` addresses, in order.
    pub nameservers: Vec<IpAddr>,
    /// Lines that could not be read, with their 1-based number.
    pub ignored: Vec<(usize, String)>,
}

/// Parse `resolv.conf` text. Comments (`#`, `;`) and other keywords are
/// skipped; a `nameserver` line whose address does not parse is recorded
/// in `ignored` (with the line number) rather than failing the whole file,
/// as the C resolver does.
pub fn parse(text: &str) -> ResolvConf {
    let mut conf = ResolvConf::default();
    for (index, line) in text.lines().enumerate() {
        let line = line.split(['#', ';']).next().unwrap_or_default().trim();
        let mut words = line.split_whitespace();
        if words.next() != Some("nameserver") {
            continue;
        }
        let Some(value) = words.next() else {
            conf.ignored
                .push((index + 1, "`nameserver` without an address".to_owned()));
            continue;
        };
        // A link-local IPv6 server may carry a zone (`fe80::1%eth0`).
        let address = value.split('%').next().unwrap_or(value);
        match address.parse::<IpAddr>() {
            Ok(addr) => conf.nameservers.push(addr),
            Err(_) => conf
                .ignored
                .push((index + 1, format!("`{value}` is not an IP address"))),
        }
    }
    conf
}

impl ResolvConf {
    /// The servers the egress resolver can forward to: every nameserver
    /// that is not a loopback stub (`127.0.0.53` of systemd-resolved would
    /// send its own upstream queries back to us).
    pub fn upstreams(&self) -> Vec<SocketAddr> {
        self.nameservers
            .iter()
            .filter(|addr| !addr.is_loopback())
            .map(|addr| SocketAddr::new(*addr, 53))
            .collect()
    }

    /// True when every nameserver is a loopback stub resolver.
    pub fn only_stubs(&self) -> bool {
        !self.nameservers.is_empty() && self.nameservers.iter().all(IpAddr::is_loopback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nameservers_and_skips_the_rest() {
        let conf = parse(
            "# generated\nsearch example.internal\nnameserver 10.0.0.2 # primary\nnameserver fe80::1%eth0\n; nameserver 9.9.9.9\nnameserver\nnameserver nope\noptions edns0\n",
        );
        assert_eq!(
            conf.nameservers,
            vec![
                "10.0.0.2"
                    .parse::<IpAddr>()
                    .unwrap_or(IpAddr::from([0, 0, 0, 0])),
                "fe80::1"
                    .parse::<IpAddr>()
                    .unwrap_or(IpAddr::from([0, 0, 0, 0])),
            ]
        );
        assert_eq!(conf.ignored.len(), 2);
        assert_eq!(conf.ignored[0].0, 6);
        assert_eq!(conf.upstreams().len(), 2);
    }

    #[test]
    fn a_systemd_stub_is_not_an_upstream() {
        let conf = parse("nameserver 127.0.0.53\noptions edns0 trust-ad\n");
        assert!(conf.only_stubs());
        assert!(conf.upstreams().is_empty());
    }
}
