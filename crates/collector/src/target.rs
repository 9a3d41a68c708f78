//! Target addresses: a host, `host:port`, or an IPv4 CIDR range swept on one UDP port.

use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};

/// The largest range a CIDR target may name: a /16 is 65,534 addresses, already more than
/// any site's printers; larger is a typo that would flood the network.
pub const MIN_PREFIX: u8 = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A printer the site engineer named: not answering is an error (exit 5).
    Host { host: String, port: u16 },
    /// A range swept for printers: addresses that do not answer are skipped quietly.
    Cidr {
        net: Ipv4Addr,
        prefix: u8,
        port: u16,
    },
}

impl Address {
    /// `port` is the target's `port` key: the port of a sweep, or of a host written without
    /// one.
    pub fn parse(s: &str, port: Option<u16>) -> Result<Address, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("must not be empty".into());
        }
        if let Some((net, prefix)) = s.split_once('/') {
            let net: Ipv4Addr = net
                .parse()
                .map_err(|_| format!("`{s}` is not an IPv4 CIDR range (like 192.0.2.0/28)"))?;
            let prefix: u8 = prefix
                .parse()
                .ok()
                .filter(|p| *p <= 32)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0 to 32"))?;
            if prefix < MIN_PREFIX {
                return Err(format!(
                    "`{s}`: a range may be at most a /{MIN_PREFIX} (65,534 addresses)"
                ));
            }
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            let net = Ipv4Addr::from(u32::from(net) & mask);
            return Ok(Address::Cidr {
                net,
                prefix,
                port: port.unwrap_or(161),
            });
        }
        // `host:port`, but an IPv6 literal has colons of its own: `[::1]:161`.
        let (host, written_port) = match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
                let p: u16 = p
                    .parse()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{s}`: the port must be 1 to 65535"))?;
                (h.trim_start_matches('[').trim_end_matches(']'), Some(p))
            }
            _ => (s, None),
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(format!("`{s}` is not a host name or address"));
        }
        Ok(Address::Host {
            host: host.to_string(),
            port: written_port.or(port).unwrap_or(161),
        })
    }

    pub fn is_sweep(&self) -> bool {
        matches!(self, Address::Cidr { .. })
    }

    /// The socket addresses to poll. A range leaves out its network and broadcast address
    /// (but a /31 or /32 has neither). A host name is resolved now, at each poll, so that a
    /// printer renamed in DNS is found again.
    pub fn resolve(&self) -> Result<Vec<SocketAddr>, String> {
        match self {
            Address::Host { host, port } => (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|e| format!("{host}: {e}"))?
                .next()
                .map(|a| vec![a])
                .ok_or_else(|| format!("{host}: no address")),
            Address::Cidr { net, prefix, port } => {
                let first = u32::from(*net);
                let size = 1u64 << (32 - u32::from(*prefix));
                let last = (u64::from(first) + size - 1) as u32;
                let (lo, hi) = if *prefix >= 31 {
                    (first, last)
                } else {
                    (first + 1, last - 1)
                };
                Ok((lo..=hi)
                    .map(|a| SocketAddr::from((Ipv4Addr::from(a), *port)))
                    .collect())
            }
        }
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Host { host, port } => write!(f, "{host}:{port}"),
            Address::Cidr { net, prefix, port } => write!(f, "{net}/{prefix} (UDP {port})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_ports_and_ranges_are_told_apart() {
        assert_eq!(
            Address::parse("192.0.2.10", None),
            Ok(Address::Host {
                host: "192.0.2.10".into(),
                port: 161
            })
        );
        assert_eq!(
            Address::parse("printer.example:1161", None),
            Ok(Address::Host {
                host: "printer.example".into(),
                port: 1161
            })
        );
        assert_eq!(
            Address::parse("[::1]:1161", None),
            Ok(Address::Host {
                host: "::1".into(),
                port: 1161
            })
        );
        assert_eq!(
            Address::parse("192.0.2.7/29", None),
            Ok(Address::Cidr {
                net: Ipv4Addr::new(192, 0, 2, 0),
                prefix: 29,
                port: 161
            })
        );
        assert!(Address::parse("192.0.2.0/8", None).is_err());
        assert!(Address::parse("192.0.2.0/x", None).is_err());
        assert!(Address::parse("host:0", None).is_err());
        assert!(Address::parse(" ", None).is_err());
    }

    #[test]
    fn a_range_leaves_out_its_network_and_broadcast_addresses() {
        let a = Address::parse("127.0.0.0/29", Some(16161)).unwrap();
        let addrs = a.resolve().unwrap();
        assert_eq!(addrs.len(), 6);
        assert_eq!(addrs[0], "127.0.0.1:16161".parse().unwrap());
        assert_eq!(addrs[5], "127.0.0.6:16161".parse().unwrap());
        let one = Address::parse("127.0.0.9/32", None).unwrap();
        assert_eq!(
            one.resolve().unwrap(),
            vec!["127.0.0.9:161".parse().unwrap()]
        );
        assert_eq!(
            Address::parse("127.0.0.0/16", None)
                .unwrap()
                .resolve()
                .unwrap()
                .len(),
            65_534
        );
    }
}
