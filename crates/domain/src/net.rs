//! Which network addresses outbound requests (webhooks, CRMs) may reach. An address is public
//! unless it is loopback, private, link-local, shared (CGNAT), unique-local, multicast,
//! unspecified, reserved or for documentation; IPv6 forms that carry an IPv4 address (mapped,
//! compatible, NAT64, 6to4) are judged by that address. Host names are read the way browsers and
//! the HTTP client read them, so `2130706433`, `0x7f.1` and `0177.0.0.1` are all 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                    // "this network", 0.0.0.0
        || a == 10                              // private
        || a == 127                             // loopback
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 169 && b == 254)               // link-local (cloud metadata)
        || (a == 172 && (16..32).contains(&b))  // private
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // documentation
        || (a == 192 && b == 88 && c == 99)     // 6to4 relay anycast
        || (a == 192 && b == 168)               // private
        || (a == 198 && (18..20).contains(&b))  // benchmarking
        || (a == 198 && b == 51 && c == 100)    // documentation
        || (a == 203 && b == 0 && c == 113)     // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |high: usize| {
        let [a, b] = s[high].to_be_bytes();
        let [c, d] = s[high + 1].to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, also :: and ::1).
        return is_public_v4(embedded(6));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return is_public_v4(embedded(6)); // NAT64
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded(1)); // 6to4
    }
    !((s[0] & 0xfe00) == 0xfc00                 // unique local
        || (s[0] & 0xffc0) == 0xfe80            // link-local
        || (s[0] & 0xffc0) == 0xfec0            // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00            // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8)   // documentation
        || (s[0] == 0x2001 && s[1] < 0x0200)    // IETF protocol assignments, Teredo
        || (s[0] == 0x0100 && s[1..4] == [0; 3])) // discard-only
}

/// An IPv4 address as URL parsers read a host: one to four dot-separated numbers, each decimal,
/// octal (leading 0) or hexadecimal (0x), the last filling the remaining bytes; a trailing dot
/// is allowed. `None` when the host is not such an address (a name).
pub fn parse_ipv4(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|part| number(part))
        .collect::<Option<_>>()?;
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|&n| n > 255) || *last >= 1u64 << (8 * (5 - numbers.len())) {
        return None;
    }
    let mut value = *last;
    for (i, &n) in leading.iter().enumerate() {
        value += n << (8 * (3 - i));
    }
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

fn number(part: &str) -> Option<u64> {
    let lower = part.to_ascii_lowercase();
    let (digits, radix) = if let Some(hex) = lower.strip_prefix("0x") {
        (hex, 16)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() {
        // "0x" alone is zero, as in browsers; an empty part is not a number.
        return (radix == 16).then_some(0);
    }
    if digits.len() > 20 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// The address a URL host names, if it names one: IPv4 in any of its spellings, or IPv6 in
/// brackets (or bare).
pub fn host_ip(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(v6) = bare.parse::<Ipv6Addr>() {
        return Some(IpAddr::V6(v6));
    }
    parse_ipv4(host).map(IpAddr::V4)
}

/// Names that always mean this machine or its private network, whatever DNS says.
pub fn is_internal_name(host: &str) -> bool {
    let lower = host.trim_end_matches('.').to_ascii_lowercase();
    lower == "localhost"
        || [
            ".localhost",
            ".internal",
            ".local",
            ".home.arpa",
            ".localdomain",
        ]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
        || lower == "localhost.localdomain"
}

/// Whether a URL host (a name or an address in any spelling) is known to be internal before
/// any name is resolved. Names are checked again, resolved, when connecting.
pub fn is_internal_host(host: &str) -> bool {
    match host_ip(host) {
        Some(ip) => !is_public(ip),
        None => is_internal_name(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_loopback_is_read_as_loopback() {
        for host in [
            "127.0.0.1",
            "2130706433",
            "0x7f000001",
            "0x7f.1",
            "0177.0.0.1",
            "0177.1",
            "127.1",
            "127.0.1",
            "127.0.0.1.",
            "0X7F.0.0.1",
        ] {
            assert_eq!(parse_ipv4(host), Some(Ipv4Addr::LOCALHOST), "{host}");
            assert!(is_internal_host(host), "{host}");
        }
    }

    #[test]
    fn hosts_that_are_not_addresses_are_names() {
        for host in [
            "example.com",
            "1.2.3.4.5",
            "256.0.0.1",
            "1.2.3.256x",
            "08.1.1.1",
            "4294967296",
            "",
            "1..2",
        ] {
            assert_eq!(parse_ipv4(host), None, "{host}");
        }
        assert_eq!(parse_ipv4("1.2.65535"), Some(Ipv4Addr::new(1, 2, 255, 255)));
        assert_eq!(parse_ipv4("4294967295"), Some(Ipv4Addr::BROADCAST));
    }

    #[test]
    fn internal_ranges_are_refused_and_public_ones_pass() {
        for internal in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "192.0.2.10",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "[::1]",
            "[::]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
            "[::ffff:10.0.0.1]",
            "[::127.0.0.1]",
            "[64:ff9b::a9fe:a9fe]",
            "[2002:7f00:1::]",
            "[fc00::1]",
            "[fd12:3456::1]",
            "[fe80::1]",
            "[febf::1]",
            "[ff02::1]",
            "[2001:db8::1]",
            "localhost",
            "LOCALHOST.",
            "api.localhost",
            "metadata.google.internal",
            "printer.local",
        ] {
            assert!(is_internal_host(internal), "{internal}");
        }
        for public in [
            "8.8.8.8",
            "100.128.0.1",
            "172.32.0.1",
            "1.1.1.1",
            "[2606:4700:4700::1111]",
            "[::ffff:8.8.8.8]",
            "[2002:808:808::]",
            "api.hubapi.com",
            "example.com.",
        ] {
            assert!(!is_internal_host(public), "{public}");
        }
    }
}
