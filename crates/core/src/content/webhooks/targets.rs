//! Where a webhook may deliver: public addresses only, so that an admin session (or a stolen
//! one) cannot turn the server into a client of its own network (Redis, PostgreSQL, a cloud
//! metadata service). Decided by address, never by name: a URL naming an address is checked
//! when it is registered and again before each delivery; a URL naming a host is checked
//! after resolution, at each delivery, and the connection goes only to the addresses that
//! passed (the worker's resolver), so a name cannot be re-pointed in between.
//!
//! Not public: unspecified, loopback, link-local, private (RFC 1918, IPv6 unique local
//! `fc00::/7`), shared (CGNAT `100.64.0.0/10`), multicast, broadcast and reserved ranges,
//! documentation and benchmark ranges, and IPv6 forms that embed one of those IPv4
//! addresses (mapped `::ffff:0:0/96`, compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4
//! `2002::/16`). `localhost` and `*.localhost` name the loopback (RFC 6761).
//!
//! A deployment whose receiver is internal lists its networks in
//! `KIOSQUE_WEBHOOK_ALLOW_NETWORKS` (CIDR blocks or single addresses, comma-separated).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::error::{AppError, AppResult};

/// Networks that webhook deliveries may reach although they are not public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedNetworks(Vec<IpNet>);

impl AllowedNetworks {
    /// `10.0.0.0/8, 127.0.0.1, ::1/128`: CIDR blocks or single addresses, comma-separated.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.parse()
    }

    pub fn networks(&self) -> &[IpNet] {
        &self.0
    }

    /// Whether a delivery may connect to `ip`: a public address, or one of an allowed network.
    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.0.iter().any(|net| net.contains(&canonical(ip)))
    }
}

impl std::str::FromStr for AllowedNetworks {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is neither a network (CIDR) nor an address"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Whether `ip` is a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // "this network", the unspecified address
        || ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || ip.is_documentation()
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || ip.is_multicast()
        || a >= 240) // reserved, and the broadcast address
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if s[..6] == [0; 6] {
        // Unspecified, loopback, or an IPv4-compatible address.
        return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2]));
    }
    !((s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || ip.is_multicast()
        || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
}

/// Whether `host` names the loopback (`localhost`, `*.localhost`, with or without the
/// final dot, in any case).
pub fn is_localhost(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// The check at registration: a URL's host, if it is an address or a loopback name, must be
/// one deliveries may reach. Other names are checked at each delivery, once resolved.
pub fn check_host(url: &url::Url, allowed: &AllowedNetworks) -> AppResult<()> {
    let refused = || {
        AppError::invalid(
            "url",
            "a webhook URL must reach a public address: loopback, private, link-local and \
             other internal addresses are refused (see KIOSQUE_WEBHOOK_ALLOW_NETWORKS)",
        )
    };
    let ok = match url.host() {
        Some(url::Host::Ipv4(v4)) => allowed.permits(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => allowed.permits(IpAddr::V6(v6)),
        Some(url::Host::Domain(name)) if is_localhost(name) => {
            allowed.permits(Ipv4Addr::LOCALHOST.into())
                || allowed.permits(Ipv6Addr::LOCALHOST.into())
        }
        Some(url::Host::Domain(_)) => true,
        None => false,
    };
    if ok { Ok(()) } else { Err(refused()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for s in [
            "0.0.0.0",
            "127.0.0.1",
            "127.8.9.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "fec0::1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(s)), "{s}");
        }
        for s in [
            "93.184.216.34",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(s)), "{s}");
        }
    }

    #[test]
    fn allowed_networks_open_their_addresses_only() {
        let allowed = AllowedNetworks::parse(" 127.0.0.1 , 10.0.0.0/8,::1/128").unwrap();
        assert!(allowed.permits(ip("127.0.0.1")));
        assert!(allowed.permits(ip("::ffff:127.0.0.1")));
        assert!(allowed.permits(ip("10.9.8.7")));
        assert!(allowed.permits(ip("::1")));
        assert!(!allowed.permits(ip("127.0.0.2")));
        assert!(!allowed.permits(ip("192.168.1.1")));
        assert!(AllowedNetworks::parse("10.0.0.0/33").is_err());
        assert!(AllowedNetworks::parse("intranet.example").is_err());
        assert_eq!(
            AllowedNetworks::parse("").unwrap(),
            AllowedNetworks::default()
        );
    }

    #[test]
    fn loopback_names_are_loopback() {
        for name in ["localhost", "LOCALHOST.", "api.localhost", "x.y.localhost."] {
            assert!(is_localhost(name), "{name}");
        }
        assert!(!is_localhost("localhost.example"));
        assert!(!is_localhost("notlocalhost"));
    }
}
