//! The sandbox as a client: plain HTTP/1.0 POSTs to a shop's callback on
//! this machine (as WeChat posts payment notifications, complaints and
//! alarms). HTTP/1.0 so the answer ends with the connection, never chunked.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A callback URL: `http://127.x.y.z:PORT/path?query`, loopback only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub addr: SocketAddr,
    /// Path and query, as given.
    pub target: String,
}

impl Url {
    pub fn parse(url: &str) -> Result<Url, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("{url}: only http:// URLs on this machine"))?;
        let (host, target) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let addr: SocketAddr = host
            .parse()
            .map_err(|_| format!("{url}: the host must be 127.x.y.z:PORT"))?;
        if !addr.ip().is_loopback() {
            return Err(format!("{url}: the sandbox calls loopback addresses only"));
        }
        Ok(Url {
            addr,
            target: target.to_string(),
        })
    }

    /// This URL with `query` appended to its own.
    pub fn with_query(&self, query: &str) -> Url {
        let sep = if self.target.contains('?') { '&' } else { '?' };
        Url {
            addr: self.addr,
            target: format!("{}{sep}{query}", self.target),
        }
    }
}

/// What the shop answered: the status and the body, or why there was none.
pub type Answer = Result<(u16, Vec<u8>), String>;

/// POSTs `body` (XML) and reads the whole answer, bounded by `timeout`.
pub fn post_xml(url: &Url, body: &[u8], timeout: Duration) -> Answer {
    let mut sock = TcpStream::connect_timeout(&url.addr, timeout).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    sock.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "POST {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: wxpay-sandbox\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        url.target,
        url.addr,
        body.len()
    );
    sock.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    sock.write_all(body).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP head in the answer")?;
    let status = std::str::from_utf8(&raw[..split])
        .ok()
        .and_then(|h| h.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("no status in the answer")?;
    Ok((status, raw[split + 4..].to_vec()))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn encode(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for &b in value {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_loopback_http() {
        let u = Url::parse("http://127.0.0.1:8080/cb.php?x=1").unwrap();
        assert_eq!(u.target, "/cb.php?x=1");
        assert_eq!(u.with_query("a=b").target, "/cb.php?x=1&a=b");
        assert_eq!(
            Url::parse("http://127.0.0.1:9")
                .unwrap()
                .with_query("a=b")
                .target,
            "/?a=b"
        );
        assert!(Url::parse("https://127.0.0.1:1/").is_err());
        assert!(Url::parse("http://10.0.0.1:80/").is_err());
        assert!(Url::parse("http://example.com/").is_err());
        assert_eq!(encode("a b&测".as_bytes()), "a%20b%26%E6%B5%8B");
    }
}
