//! Comparing a DPoP proof's `htu` with the request URI. RFC 9449 §4.3 check 9 compares them
//! "ignoring any query and fragment parts", and §4.3 recommends syntax-based normalization
//! (RFC 3986 §6.2.2) and scheme-based normalization (§6.2.3) so that equivalent spellings of
//! one URI match: case of scheme and host, the default port, an empty path, percent-encoding
//! case and unreserved characters, and dot segments.

/// `uri` without query and fragment, normalized; `None` when it is not an absolute http(s)
/// URI with an authority (or carries userinfo, which has no place in a request URI here).
pub(crate) fn normalize(uri: &str) -> Option<String> {
    let uri = uri.split('#').next().unwrap_or_default();
    let uri = uri.split('?').next().unwrap_or_default();
    let (scheme, rest) = uri.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let (host, after) = authority.split_at(end + 1);
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host.contains(['%', ' ']) {
        return None;
    }
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
            let p = p.trim_start_matches('0');
            let p = if p.is_empty() { "0" } else { p };
            (p != default_port).then_some(p)
        }
        Some(_) => return None,
    };
    let path = if path.is_empty() { "/" } else { path };
    let path = remove_dot_segments(&normalize_percent(path)?);
    let mut out = format!("{scheme}://{}", host.to_ascii_lowercase());
    if let Some(port) = port {
        out.push(':');
        out.push_str(port);
    }
    out.push_str(&path);
    Some(out)
}

/// Percent-encoded unreserved characters decoded, other escapes in upper case; a `%` not
/// followed by two hex digits makes the URI invalid.
fn normalize_percent(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            let value = u8::from_str_radix(hex, 16).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            if value.is_ascii_alphanumeric() || b"-._~".contains(&value) {
                out.push(value as char);
            } else {
                out.push('%');
                out.push_str(&hex.to_ascii_uppercase());
            }
            i += 3;
        } else {
            let ch = path[i..].chars().next()?;
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    Some(out)
}

/// RFC 3986 §5.2.4 for an absolute path (starting with "/").
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path[1..].split('/').collect();
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {}
            ".." => {
                out.pop();
            }
            other => {
                out.push(other);
                continue;
            }
        }
        if last {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn equivalent_spellings_normalize_alike() {
        let n = |u: &str| normalize(u).unwrap();
        assert_eq!(
            n("HTTPS://Server.Example.COM:443/a/./b/../token?x=1#frag"),
            "https://server.example.com/a/token"
        );
        assert_eq!(n("http://h.test:80"), "http://h.test/");
        assert_eq!(n("http://h.test:8080/x"), "http://h.test:8080/x");
        assert_eq!(n("https://h.test/%7euser/%2f"), "https://h.test/~user/%2F");
        assert_eq!(n("https://[::1]:443/a/b/.."), "https://[::1]/a/");
        assert_eq!(n("https://h.test/a#f?not-a-query"), "https://h.test/a");
        // Path case and the scheme are significant.
        assert_ne!(n("https://h.test/X"), n("https://h.test/x"));
        assert_ne!(n("http://h.test/x"), n("https://h.test/x"));
    }

    #[test]
    fn what_is_not_an_http_uri_is_refused() {
        for bad in [
            "not a url",
            "/relative/path",
            "ftp://h.test/x",
            "https://user@h.test/x",
            "https://h.test:44a/x",
            "https://h.test/%zz",
            "https://h.test/%4",
            "https://:443/x",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }
}
