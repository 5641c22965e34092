//! Which `Host` headers the preview answers: the defence against DNS
//! rebinding. A page on `evil.example` can make its own name resolve to
//! 127.0.0.1 and then read the preview with the browser's same-origin
//! blessing; the request still says `Host: evil.example`, so refusing names
//! the server does not know closes that door (as webpack-dev-server's
//! `allowedHosts: "auto"` and Vite's `server.allowedHosts` do).
//!
//! Answered: `localhost` and `*.localhost` (RFC 6761: they always resolve to
//! loopback, nobody can register them), IPv4 loopback literals
//! (127.0.0.0/8) and `[::1]`, each with or without a port; plus the address
//! or name given with `--bind`. A wildcard bind (0.0.0.0, ::) means "reach me
//! by any of this machine's addresses", which are not known in advance, so it
//! answers any IP literal: a rebinding page always sends its own *name*, and a
//! page whose origin is one of this machine's IPs is served by this server
//! anyway. Names other than the above are refused in every case.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The hosts one server answers.
#[derive(Debug, Clone)]
pub(super) struct Allowed {
    /// The bound address when it is neither loopback nor a wildcard.
    bind: Option<IpAddr>,
    /// Bound to 0.0.0.0 or `::`: any IP literal is answered.
    wildcard: bool,
    /// The name given with `--bind`, lowercase.
    name: Option<String>,
}

impl Allowed {
    pub(super) fn new(bind: IpAddr, name: Option<&str>) -> Allowed {
        Allowed {
            bind: (!bind.is_loopback() && !bind.is_unspecified()).then_some(bind),
            wildcard: bind.is_unspecified(),
            name: name.map(str::to_ascii_lowercase),
        }
    }

    /// Whether a `Host` header value names this server.
    pub(super) fn allows(&self, header: &str) -> bool {
        let Some(host) = split_port(header.trim_matches([' ', '\t'])) else {
            return false;
        };
        match host {
            Host::V6(ip) => {
                is_loopback_v6(ip) || self.wildcard || self.bind == Some(IpAddr::V6(ip))
            }
            Host::Name(name) => {
                // Strict dotted quad only: `127.1` or `0x7f.1` are names here,
                // and browsers never send them (they normalize IPv4 hosts).
                if let Ok(ip) = name.parse::<Ipv4Addr>() {
                    return ip.is_loopback() || self.wildcard || self.bind == Some(IpAddr::V4(ip));
                }
                let name = name.to_ascii_lowercase();
                is_localhost(&name) || self.name.as_deref() == Some(name.as_str())
            }
        }
    }
}

enum Host<'a> {
    V6(Ipv6Addr),
    /// An IPv4 literal or a name (not yet told apart).
    Name(&'a str),
}

/// The host part of `host[:port]` or `[v6][:port]`; `None` when malformed
/// (empty host, a port that is not 1 to 5 digits, stray brackets or colons).
fn split_port(value: &str) -> Option<Host<'_>> {
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip = inside.parse::<Ipv6Addr>().ok()?;
        (Host::V6(ip), after)
    } else {
        let (host, port) = value.split_at(value.find(':').unwrap_or(value.len()));
        let name_bytes = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
        if host.is_empty() || !host.bytes().all(name_bytes) {
            return None;
        }
        (Host::Name(host), port)
    };
    let port_ok = match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => {
            (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        }
    };
    port_ok.then_some(host)
}

/// `localhost` or a name under it, every label well formed.
fn is_localhost(name: &str) -> bool {
    let Some(sub) = name.strip_suffix("localhost") else {
        return false;
    };
    if sub.is_empty() {
        return true;
    }
    let Some(labels) = sub.strip_suffix('.') else {
        return false;
    };
    labels.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// `::1`, or loopback IPv4 written as an IPv4-mapped address.
fn is_loopback_v6(ip: Ipv6Addr) -> bool {
    ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALWAYS: &[&str] = &[
        "localhost",
        "LOCALHOST",
        "localhost:3000",
        "app.localhost",
        "a.b-c.localhost:80",
        "127.0.0.1",
        "127.0.0.1:3000",
        "127.1.2.3:65535",
        "[::1]",
        "[::1]:3000",
        "[0:0:0:0:0:0:0:1]",
        "[::ffff:127.0.0.1]:1",
        " localhost\t",
    ];

    const NEVER: &[&str] = &[
        "",
        ":3000",
        "evil.example",
        "evil.example:3000",
        "localhost.evil.com",
        "localhost.",
        "evillocalhost",
        "-x.localhost",
        ".localhost",
        "a..localhost",
        "127.0.0.1.nip.io",
        "127.0.0.1.",
        "127.1",
        "0x7f.0.0.1",
        "2130706433",
        "0.0.0.0",
        "10.0.0.1",
        "[::2]",
        "[::1",
        "::1",
        "[::1]x",
        "[::1]:",
        "localhost:",
        "localhost:123456",
        "localhost:30a",
        "localhost:3000:1",
        "local host",
        "localhost/evil",
        "user@localhost",
        "[fe80::1%25eth0]",
    ];

    #[test]
    fn loopback_names_only_by_default() {
        let allowed = Allowed::new(IpAddr::V4(Ipv4Addr::LOCALHOST), None);
        for host in ALWAYS {
            assert!(allowed.allows(host), "{host:?} refused");
        }
        for host in NEVER {
            assert!(!allowed.allows(host), "{host:?} answered");
        }
    }

    #[test]
    fn the_bound_address_and_name_are_answered() {
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        let allowed = Allowed::new(lan, Some("Preview.Lan"));
        for host in [
            "192.168.1.5",
            "192.168.1.5:3000",
            "preview.lan",
            "PREVIEW.lan:80",
        ] {
            assert!(allowed.allows(host), "{host:?} refused");
        }
        for host in ["192.168.1.6", "[::2]", "other.lan", "preview.lan.evil.com"] {
            assert!(!allowed.allows(host), "{host:?} answered");
        }
        for host in ALWAYS {
            assert!(allowed.allows(host), "{host:?} refused");
        }
        let v6: IpAddr = "fd00::5".parse().unwrap();
        let allowed = Allowed::new(v6, None);
        assert!(allowed.allows("[fd00::5]:3000"));
        assert!(!allowed.allows("[fd00::6]"));
    }

    #[test]
    fn a_wildcard_bind_answers_ip_literals_but_no_other_name() {
        for any in [
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ] {
            let allowed = Allowed::new(any, None);
            for host in ["192.168.1.5", "10.0.0.1:3000", "[fd00::5]", "0.0.0.0"] {
                assert!(allowed.allows(host), "{host:?} refused");
            }
            for host in [
                "evil.example",
                "localhost.evil.com",
                "127.0.0.1.nip.io",
                "mybox",
            ] {
                assert!(!allowed.allows(host), "{host:?} answered");
            }
        }
    }
}
