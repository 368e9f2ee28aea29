//! HTTPS to the WeChat API: verified, bounded, one keep-alive pool per
//! worker process.
//!
//! Agents are created on first use (php-fpm forks its workers after module
//! startup, and a pool must not be shared across a fork) and kept per trust
//! and proxy setting; timeouts are set per request, so changing them does
//! not cost a new pool.

use crate::error::{Error, Result};
use crate::net::coalesce::CoalescingConnector;
use crate::net::resolve::CachingResolver;
use crate::net::tls::CaSource;
use crate::process::PerProcess;
use crate::secrets::masked;
use crate::wire::reply::MAX_REPLY_BYTES;
use std::collections::HashMap;
use std::io;
use std::time::{Duration, Instant};
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::transport::{Connector, DefaultConnector};
use ureq::{Agent, Proxy};

/// Where and how to reach the API: per-call options over ini settings.
/// The defaults are the settings table's (`config`); `Default` is only the
/// blank it fills in.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `https://host[:port][/prefix]`, without a trailing slash.
    pub api_base: String,
    /// The whole request, connect to last byte.
    pub timeout: Duration,
    /// TCP connect plus TLS handshake.
    pub connect_timeout: Duration,
    pub ca: CaSource,
    /// `http://` or `https://` proxy, or none.
    pub proxy: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            api_base: String::new(),
            timeout: Duration::ZERO,
            connect_timeout: Duration::ZERO,
            ca: CaSource::Bundled,
            proxy: None,
        }
    }
}

/// A timeout as written in a setting (seconds, a float).
pub fn parse_timeout(name: &str, value: &str) -> Result<Duration> {
    parse_seconds(name, value.trim().parse::<f64>().unwrap_or(f64::NAN))
}

/// Checks an API base URL: HTTPS only, since verification cannot be off.
pub fn parse_api_base(name: &str, value: &str) -> Result<String> {
    let v = value.trim();
    let rest = v.strip_prefix("https://").ok_or_else(|| {
        Error::Configuration(format!(
            "{name} must be an https:// URL (TLS verification cannot be switched off)"
        ))
    })?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains(['@', ' ', '?', '#']) || v.contains(['?', '#']) {
        return Err(Error::Configuration(format!(
            "{name} must be https://host[:port][/path], without credentials or a query"
        )));
    }
    Ok(v.trim_end_matches('/').to_string())
}

/// Seconds as a positive finite number, at most an hour.
pub fn parse_seconds(name: &str, value: f64) -> Result<Duration> {
    if value.is_finite() && value > 0.0 && value <= 3600.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Error::Configuration(format!(
            "{name} must be a number of seconds greater than 0 and at most 3600"
        )))
    }
}

/// The proxy URL, or none when empty. Credentials in it are allowed but
/// never shown in a message.
pub fn parse_proxy(name: &str, value: &str) -> Result<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if !(v.starts_with("http://") || v.starts_with("https://")) || Proxy::new(v).is_err() {
        return Err(Error::Configuration(format!(
            "{name} must be an http:// or https:// proxy URL"
        )));
    }
    Ok(Some(v.to_string()))
}

/// `host:port` of a base URL, for messages (never a path or query).
fn authority(api_base: &str) -> &str {
    let rest = api_base.strip_prefix("https://").unwrap_or(api_base);
    rest.split('/').next().unwrap_or(rest)
}

/// What an HTTPS agent is built from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AgentKey {
    ca: CaSource,
    proxy: Option<String>,
}

/// This process's agents (their keep-alive pools); a forked child gets
/// its own, never its parent's connections.
static AGENTS: PerProcess<HashMap<AgentKey, Agent>> = PerProcess::new();

fn load_roots(ca: &CaSource) -> Result<RootCerts> {
    let path = match ca {
        CaSource::Bundled => return Ok(RootCerts::WebPki),
        CaSource::File(p) | CaSource::System(p) => p,
    };
    let pem = std::fs::read(path).map_err(|e| {
        Error::transport(format!(
            "cannot read the CA bundle {}: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(Error::transport(format!(
            "the CA bundle {} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(RootCerts::new_with_certs(&certs))
}

/// The part of `settings` an agent is built from. Destructured without
/// `..`: a new field of [`Settings`] does not compile until it is put here
/// or named as per-request.
pub fn agent_key(settings: &Settings) -> AgentKey {
    let Settings {
        api_base: _,
        timeout: _,
        connect_timeout: _,
        ca,
        proxy,
    } = settings;
    AgentKey {
        ca: ca.clone(),
        proxy: proxy.clone(),
    }
}

/// Keep-alive connections kept open to one host: as many as a drain's
/// sends in flight (`wxpay.outbox_concurrency`), so each keeps its own.
pub const CONNECTIONS_PER_HOST: usize = 16;

/// The worker's agent for these trust and proxy settings.
fn agent(settings: &Settings) -> Result<Agent> {
    let key = agent_key(settings);
    if let Some(a) = AGENTS.with(|map| map.get(&key).cloned()) {
        return Ok(a);
    }
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(load_roots(&settings.ca)?)
        .build();
    let proxy = match &settings.proxy {
        Some(p) => {
            Some(Proxy::new(p).map_err(|_| Error::transport("the proxy URL is not usable"))?)
        }
        None => None,
    };
    let config = Agent::config_builder()
        .tls_config(tls)
        .proxy(proxy) // explicit: never taken from the environment
        .https_only(true)
        .http_status_as_error(false)
        .max_redirects(0)
        .max_idle_connections_per_host(CONNECTIONS_PER_HOST)
        .max_idle_connections(CONNECTIONS_PER_HOST + 8)
        .user_agent(concat!("wxpay/", env!("CARGO_PKG_VERSION")))
        .build();
    let connector = DefaultConnector::new().chain(CoalescingConnector);
    let agent = Agent::with_parts(config, connector, CachingResolver::default());
    AGENTS.with(|map| map.insert(key, agent.clone()));
    Ok(agent)
}

/// One HTTP exchange: `GET` when `body` is `None`, else `POST` of JSON;
/// `query` is percent-encoded by ureq.
/// Returns the body of a 200 answer. The exchange is bounded by the
/// `timeout` setting and ends by `deadline` at the latest.
pub fn call(
    settings: &Settings,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&[u8]>,
    deadline: Instant,
) -> Result<Vec<u8>> {
    let host = authority(&settings.api_base);
    let left = deadline.saturating_duration_since(Instant::now());
    if left < Duration::from_millis(1) {
        return Err(Error::transport(format!(
            "no time left within the call's budget to reach {host}"
        )));
    }
    let bound = Bounds {
        timeout: within(settings.timeout, left),
        connect: within(settings.connect_timeout, left),
    };
    check_url_length(settings, path, query)?;
    let agent = agent(settings)?;
    let url = format!("{}{}", settings.api_base, path);
    let result = match body {
        None => agent
            .get(&url)
            .query_pairs(query.iter().copied())
            .config()
            .timeout_global(Some(bound.timeout))
            .timeout_connect(Some(bound.connect))
            .build()
            .call(),
        Some(b) => agent
            .post(&url)
            .query_pairs(query.iter().copied())
            .header("Content-Type", "application/json; charset=utf-8")
            .config()
            .timeout_global(Some(bound.timeout))
            .timeout_connect(Some(bound.connect))
            .build()
            .send(b),
    };
    let mut response = result.map_err(|e| describe(&e, host, settings, &bound))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(Error::Transport {
            message: format!("HTTP {status} from {host}"),
            status: Some(status),
        });
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_REPLY_BYTES)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => Error::transport(format!(
                "the reply from {host} is larger than {MAX_REPLY_BYTES} bytes"
            )),
            other => describe(&other, host, settings, &bound),
        })
}

/// The longest request URL sent. WeChat's own are a few hundred bytes; far
/// longer ones make ureq's URI parser fail (past 64 KiB it panics).
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// Refuses a URL that would be longer than [`MAX_URL_BYTES`] once its query
/// is percent-encoded (at most three bytes per byte), before ureq sees it.
fn check_url_length(settings: &Settings, path: &str, query: &[(&str, &str)]) -> Result<()> {
    let encoded: usize = query.iter().map(|(k, v)| 3 * (k.len() + v.len()) + 2).sum();
    let total = settings.api_base.len() + path.len() + encoded;
    if total > MAX_URL_BYTES {
        let longest = query
            .iter()
            .filter(|(k, _)| *k != "access_token")
            .max_by_key(|(_, v)| v.len())
            .map_or(String::new(), |(k, v)| {
                format!(" ('{k}' is {} bytes)", v.len())
            });
        return Err(Error::invalid(format!(
            "the request URL would be longer than {MAX_URL_BYTES} bytes{longest}"
        )));
    }
    Ok(())
}

/// `setting`, or what is left of the call's budget when that is less. A
/// request that starts just after its deadline was set keeps its whole
/// timeout (the difference is the call's own bookkeeping).
fn within(setting: Duration, left: Duration) -> Duration {
    if left + Duration::from_millis(50) >= setting {
        setting
    } else {
        left
    }
}

/// The timeouts one exchange really got: the settings, cut short by the
/// call's deadline.
struct Bounds {
    timeout: Duration,
    connect: Duration,
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset by peer".into(),
        io::ErrorKind::ConnectionAborted => "connection aborted".into(),
        io::ErrorKind::UnexpectedEof => "connection closed before a complete reply".into(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "timed out".into(),
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        // Resolver failures arrive uncategorized; their text names only the host.
        _ => e.to_string(),
    }
}

/// A message for a failed exchange: host and port only, never the URL
/// (its query carries the access_token) nor proxy credentials. With a proxy,
/// a failure to reach the API names the proxy, since that is where it was.
fn describe(e: &ureq::Error, host: &str, settings: &Settings, bound: &Bounds) -> Error {
    let secs = |d: Duration| format!("{}s", d.as_millis() as f64 / 1000.0);
    let which = |d: Duration, setting: Duration, name: &str| {
        if d < setting {
            format!("{} (the rest of the call's budget)", secs(d))
        } else {
            format!("{} ({name})", secs(d))
        }
    };
    let via = settings.proxy.as_deref().map(masked);
    let msg = match (e, &via) {
        (ureq::Error::ConnectProxyFailed(why), Some(proxy)) => proxy_refusal(why, proxy, host),
        (ureq::Error::Timeout(ureq::Timeout::Connect), Some(proxy)) => format!(
            "connecting to {host} through the proxy {proxy} timed out after {}",
            which(bound.connect, settings.connect_timeout, "connect_timeout")
        ),
        (ureq::Error::Io(io), Some(proxy)) if io.kind() == io::ErrorKind::ConnectionRefused => {
            format!("cannot connect to the proxy {proxy}: connection refused")
        }
        (ureq::Error::HostNotFound, Some(proxy)) => {
            format!("cannot resolve the host of the proxy {proxy}")
        }
        (ureq::Error::Timeout(ureq::Timeout::Connect), None) => {
            format!(
                "connecting to {host} timed out after {}",
                which(bound.connect, settings.connect_timeout, "connect_timeout")
            )
        }
        (ureq::Error::Timeout(_), _) => {
            format!(
                "the request to {host} timed out after {}",
                which(bound.timeout, settings.timeout, "timeout")
            )
        }
        (ureq::Error::HostNotFound, None) => format!("cannot resolve the host of {host}"),
        // rustls reports a refused certificate through an InvalidData io error.
        (ureq::Error::Io(io), _) if io.kind() == io::ErrorKind::InvalidData => match io.get_ref() {
            Some(inner) => tls_message(host, inner.downcast_ref(), &inner.to_string(), settings),
            None => format!("malformed reply from {host}"),
        },
        (ureq::Error::Io(io), _) => format!("network error with {host}: {}", io_reason(io)),
        (ureq::Error::Rustls(tls), _) => tls_message(host, Some(tls), &tls.to_string(), settings),
        (ureq::Error::Tls(what), _) => tls_message(host, None, what, settings),
        (ureq::Error::Protocol(_), _) => format!("malformed HTTP reply from {host}"),
        (ureq::Error::ConnectionFailed, _) => format!("cannot connect to {host}"),
        (ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed, _) => {
            format!("{host} answered with a redirect")
        }
        (ureq::Error::InvalidProxyUrl, _) => "the proxy URL is not usable".into(),
        (ureq::Error::BadUri(_) | ureq::Error::Http(_), _) => {
            format!("cannot build a request to {host}")
        }
        _ => format!("the request to {host} failed"),
    };
    Error::transport(msg)
}

/// A proxy that would not tunnel: its status, and what to check for a 407.
fn proxy_refusal(why: &str, proxy: &str, host: &str) -> String {
    // ureq says "proxy server responded 407/..." or "proxy server did not respond".
    let status: String = why
        .split("responded ")
        .nth(1)
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match status.as_str() {
        "" => format!("the proxy {proxy} did not answer the request to tunnel to {host}"),
        "407" => format!(
            "the proxy {proxy} refused to tunnel to {host}: HTTP 407 (proxy authentication required: \
             check the user and password in the proxy URL)"
        ),
        code => format!("the proxy {proxy} refused to tunnel to {host}: HTTP {code}"),
    }
}

/// A TLS failure; an unknown issuer says which trust store was used and
/// which setting changes it.
fn tls_message(
    host: &str,
    cause: Option<&rustls::Error>,
    what: &str,
    settings: &Settings,
) -> String {
    use rustls::{CertificateError, Error as Tls};
    match cause {
        Some(Tls::InvalidCertificate(CertificateError::UnknownIssuer)) => format!(
            "TLS error with {host}: invalid peer certificate: UnknownIssuer (no CA in {} signed it; \
             set wxpay.cafile to the PEM bundle of the CA that did)",
            settings.ca
        ),
        _ => format!("TLS error with {host}: {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_base_must_be_https() {
        assert_eq!(
            parse_api_base("x", "https://127.0.0.1:8443/").unwrap(),
            "https://127.0.0.1:8443"
        );
        assert!(parse_api_base("x", "http://api.weixin.qq.com").is_err());
        assert!(parse_api_base("x", "https://user:pw@host").is_err());
        assert!(parse_api_base("x", "https://host/?a=1").is_err());
        assert!(parse_api_base("x", "https://").is_err());
    }

    #[test]
    fn seconds_and_proxies() {
        assert_eq!(parse_seconds("t", 0.5).unwrap(), Duration::from_millis(500));
        assert!(parse_seconds("t", 0.0).is_err());
        assert!(parse_seconds("t", f64::NAN).is_err());
        assert_eq!(parse_proxy("p", "").unwrap(), None);
        assert!(parse_proxy("p", "http://user:pw@127.0.0.1:3128")
            .unwrap()
            .is_some());
        let e = parse_proxy("p", "ftp://user:secret@x").unwrap_err();
        assert!(!e.message().contains("secret"));
    }

    #[test]
    fn authority_is_host_and_port() {
        assert_eq!(authority("https://h:1/x"), "h:1");
    }

    /// A port nobody listens on.
    fn nowhere() -> Settings {
        Settings {
            api_base: "https://127.0.0.1:1".into(),
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            ca: CaSource::Bundled,
            proxy: None,
        }
    }

    #[test]
    fn refused_connection_is_a_transport_error_without_the_query() {
        let settings = nowhere();
        let deadline = Instant::now() + Duration::from_secs(2);
        let e = call(
            &settings,
            "/pay/delivernotify",
            &[("access_token", "SECRET")],
            Some(b"{}"),
            deadline,
        )
        .unwrap_err();
        assert!(e.message().contains("127.0.0.1:1"), "{e}");
        assert!(!e.message().contains("SECRET"));
    }

    #[test]
    fn nothing_is_sent_once_the_budget_is_spent() {
        let settings = nowhere();
        let e = call(&settings, "/x", &[], None, Instant::now()).unwrap_err();
        assert_eq!(
            e.message(),
            "no time left within the call's budget to reach 127.0.0.1:1"
        );
    }

    use crate::testserver::{Answer, TestServer};

    fn trusting(server: &TestServer) -> Settings {
        Settings {
            api_base: server.base.clone(),
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            ca: CaSource::File(server.ca_file.clone()),
            proxy: None,
        }
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn a_200_body_comes_back_and_the_connection_is_kept() {
        let server = TestServer::start(vec![Answer::ok(r#"{"errcode":0}"#), Answer::ok("second")]);
        let settings = trusting(&server);
        assert_eq!(
            call(
                &settings,
                "/pay/x",
                &[("access_token", "T+/ é")],
                Some(b"{\"a\":1}"),
                soon()
            )
            .unwrap(),
            br#"{"errcode":0}"#
        );
        assert_eq!(
            call(&settings, "/cgi-bin/token", &[("x", "1")], None, soon()).unwrap(),
            b"second"
        );
        let requests = server.requests.lock().unwrap().clone();
        assert!(
            requests[0].starts_with("POST /pay/x?access_token=T%2B%2F%20%C3%A9 HTTP/1.1\r\n"),
            "{}",
            requests[0]
        );
        assert!(requests[0]
            .to_ascii_lowercase()
            .contains("content-type: application/json; charset=utf-8"));
        assert!(
            requests[0].ends_with("\r\n\r\n{\"a\":1}"),
            "{}",
            requests[0]
        );
        assert!(requests[1].starts_with("GET /cgi-bin/token?x=1 HTTP/1.1\r\n"));
        assert_eq!(
            *server.connections.lock().unwrap(),
            1,
            "one kept-alive connection for both"
        );
    }

    #[test]
    fn other_statuses_are_errors_that_carry_them() {
        for status in [302, 404, 503] {
            let server = TestServer::start(vec![Answer {
                status,
                body: b"<html>".to_vec(),
                delay: Duration::ZERO,
            }]);
            let e = call(&trusting(&server), "/x", &[], None, soon()).unwrap_err();
            assert_eq!(e.code(), i64::from(status), "{e}");
            assert_eq!(
                e.message(),
                format!("HTTP {status} from {}", authority(&server.base))
            );
        }
    }

    #[test]
    fn replies_are_bounded() {
        let exact = "x".repeat(MAX_REPLY_BYTES as usize);
        let server = TestServer::start(vec![Answer::ok(&exact), Answer::ok(&format!("{exact}y"))]);
        let settings = trusting(&server);
        assert_eq!(
            call(&settings, "/a", &[], None, soon()).unwrap().len(),
            exact.len()
        );
        let e = call(&settings, "/b", &[], None, soon()).unwrap_err();
        assert!(e.message().ends_with("is larger than 65536 bytes"), "{e}");
    }

    #[test]
    fn timeouts_name_the_setting_or_the_budget_that_ended_them() {
        let slow = Answer {
            status: 200,
            body: b"{}".to_vec(),
            delay: Duration::from_millis(1500),
        };
        let server = TestServer::start(vec![slow]);
        let mut settings = trusting(&server);
        settings.timeout = Duration::from_millis(300);
        let e = call(&settings, "/a", &[], None, soon()).unwrap_err();
        assert_eq!(
            e.message(),
            format!(
                "the request to {} timed out after 0.3s (timeout)",
                authority(&server.base)
            )
        );
        settings.timeout = Duration::from_secs(3);
        let e = call(
            &settings,
            "/b",
            &[],
            None,
            Instant::now() + Duration::from_millis(400),
        )
        .unwrap_err();
        assert!(
            e.message().ends_with("(the rest of the call's budget)"),
            "{e}"
        );
    }

    #[test]
    fn connect_timeout_bounds_tcp_and_tls_connect() {
        // Accepts TCP (the kernel does) and never answers the ClientHello.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let settings = Settings {
            api_base: format!("https://{}", silent.local_addr().unwrap()),
            timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_millis(200),
            ca: CaSource::Bundled,
            proxy: None,
        };
        let started = Instant::now();
        let e = call(&settings, "/x", &[], None, soon()).unwrap_err();
        assert!(
            e.message()
                .ends_with("timed out after 0.2s (connect_timeout)"),
            "{e}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn an_unknown_issuer_names_the_trust_store_and_the_setting() {
        let server = TestServer::start(vec![Answer::ok("{}")]);
        let mut settings = trusting(&server);
        settings.ca = CaSource::Bundled;
        let e = call(&settings, "/x", &[], None, soon()).unwrap_err();
        assert!(
            e.message().contains("UnknownIssuer") && e.message().contains("bundled Mozilla roots"),
            "{e}"
        );
        assert!(e.message().contains("set wxpay.cafile"), "{e}");
    }

    #[test]
    fn unusable_ca_bundles_are_named() {
        let server = TestServer::start(vec![Answer::ok("{}")]);
        let mut settings = trusting(&server);
        settings.ca = CaSource::File("/nonexistent/ca.pem".into());
        let e = call(&settings, "/x", &[], None, soon()).unwrap_err();
        assert_eq!(
            e.message(),
            "cannot read the CA bundle /nonexistent/ca.pem: no such file"
        );
        let empty = std::env::temp_dir().join(format!("wxpay-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate").unwrap();
        settings.ca = CaSource::File(empty.clone());
        let e = call(&settings, "/x", &[], None, soon()).unwrap_err();
        assert_eq!(
            e.message(),
            format!("the CA bundle {} holds no PEM certificate", empty.display())
        );
    }

    #[test]
    fn a_proxy_that_refuses_is_named_masked() {
        let server = TestServer::start(vec![Answer::ok("{}")]);
        let mut settings = trusting(&server);
        settings.proxy = Some("http://shop:pw@127.0.0.1:1".into());
        let e = call(&settings, "/x", &[], None, soon()).unwrap_err();
        assert_eq!(
            e.message(),
            "cannot connect to the proxy http://***@127.0.0.1:1: connection refused"
        );
    }

    #[test]
    fn proxy_refusals_say_what_the_proxy_answered() {
        let m = proxy_refusal(
            "proxy server responded 407/Proxy Authentication Required",
            "http://***@p:1",
            "h:2",
        );
        assert!(m.starts_with("the proxy http://***@p:1 refused to tunnel to h:2: HTTP 407 (proxy authentication required"));
        assert_eq!(
            proxy_refusal("proxy server responded 502/Bad", "P", "H"),
            "the proxy P refused to tunnel to H: HTTP 502"
        );
        assert_eq!(
            proxy_refusal("proxy server did not respond", "P", "H"),
            "the proxy P did not answer the request to tunnel to H"
        );
    }

    #[test]
    fn within_keeps_the_setting_unless_the_budget_is_shorter() {
        let s = Duration::from_secs(2);
        assert_eq!(within(s, Duration::from_secs(5)), s);
        assert_eq!(
            within(s, Duration::from_millis(1960)),
            s,
            "bookkeeping slack"
        );
        assert_eq!(
            within(s, Duration::from_millis(1900)),
            Duration::from_millis(1900)
        );
    }

    #[test]
    fn every_failure_is_described_by_host_never_by_url() {
        let settings = Settings {
            api_base: "https://api.example:443".into(),
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            ca: CaSource::Bundled,
            proxy: None,
        };
        let full = Bounds {
            timeout: settings.timeout,
            connect: settings.connect_timeout,
        };
        let d = |e: ureq::Error| describe(&e, "api.example:443", &settings, &full).to_string();
        let io = |kind: io::ErrorKind| ureq::Error::Io(io::Error::new(kind, "x"));
        assert_eq!(
            d(ureq::Error::Timeout(ureq::Timeout::Connect)),
            "connecting to api.example:443 timed out after 2s (connect_timeout)"
        );
        assert_eq!(
            d(ureq::Error::Timeout(ureq::Timeout::Global)),
            "the request to api.example:443 timed out after 5s (timeout)"
        );
        assert_eq!(
            d(ureq::Error::HostNotFound),
            "cannot resolve the host of api.example:443"
        );
        assert_eq!(
            d(io(io::ErrorKind::ConnectionRefused)),
            "network error with api.example:443: connection refused"
        );
        assert_eq!(
            d(io(io::ErrorKind::ConnectionReset)),
            "network error with api.example:443: connection reset by peer"
        );
        assert_eq!(
            d(io(io::ErrorKind::ConnectionAborted)),
            "network error with api.example:443: connection aborted"
        );
        assert_eq!(
            d(io(io::ErrorKind::UnexpectedEof)),
            "network error with api.example:443: connection closed before a complete reply"
        );
        assert_eq!(
            d(io(io::ErrorKind::TimedOut)),
            "network error with api.example:443: timed out"
        );
        assert_eq!(
            d(io(io::ErrorKind::WouldBlock)),
            "network error with api.example:443: timed out"
        );
        assert_eq!(
            d(io(io::ErrorKind::NotFound)),
            "network error with api.example:443: no such file"
        );
        assert_eq!(
            d(io(io::ErrorKind::PermissionDenied)),
            "network error with api.example:443: permission denied"
        );
        assert_eq!(
            d(io(io::ErrorKind::InvalidData)),
            "TLS error with api.example:443: x"
        );
        assert_eq!(
            d(ureq::Error::Io(io::ErrorKind::InvalidData.into())),
            "malformed reply from api.example:443"
        );
        assert_eq!(
            d(ureq::Error::Tls("no cipher")),
            "TLS error with api.example:443: no cipher"
        );
        assert!(d(ureq::Error::Rustls(rustls::Error::General("bad".into())))
            .starts_with("TLS error with api.example:443: "));
        assert_eq!(
            d(ureq::Error::ConnectionFailed),
            "cannot connect to api.example:443"
        );
        assert_eq!(
            d(ureq::Error::TooManyRedirects),
            "api.example:443 answered with a redirect"
        );
        assert_eq!(
            d(ureq::Error::RedirectFailed),
            "api.example:443 answered with a redirect"
        );
        assert_eq!(
            d(ureq::Error::InvalidProxyUrl),
            "the proxy URL is not usable"
        );
        assert_eq!(
            d(ureq::Error::BadUri("/x?access_token=SECRET".into())),
            "cannot build a request to api.example:443"
        );
        assert_eq!(
            d(ureq::Error::BodyStalled),
            "the request to api.example:443 failed"
        );
        assert_eq!(Error::transport("m").to_string(), "m");

        let via = Settings {
            proxy: Some("http://u:pw@proxy:3128".into()),
            ..settings.clone()
        };
        let d = |e: ureq::Error| describe(&e, "api.example:443", &via, &full).to_string();
        assert!(d(ureq::Error::ConnectProxyFailed(
            "proxy server responded 407/x".into()
        ))
        .starts_with("the proxy http://***@proxy:3128 refused"));
        assert_eq!(d(ureq::Error::Timeout(ureq::Timeout::Connect)), "connecting to api.example:443 through the proxy http://***@proxy:3128 timed out after 2s (connect_timeout)");
        assert_eq!(
            d(io(io::ErrorKind::ConnectionRefused)),
            "cannot connect to the proxy http://***@proxy:3128: connection refused"
        );
        assert_eq!(
            d(io(io::ErrorKind::ConnectionReset)),
            "network error with api.example:443: connection reset by peer"
        );
        assert_eq!(
            d(ureq::Error::HostNotFound),
            "cannot resolve the host of the proxy http://***@proxy:3128"
        );
        let short = Bounds {
            timeout: Duration::from_millis(1500),
            connect: Duration::from_millis(700),
        };
        assert_eq!(
            describe(
                &ureq::Error::Timeout(ureq::Timeout::Connect),
                "h",
                &settings,
                &short
            )
            .message(),
            "connecting to h timed out after 0.7s (the rest of the call's budget)"
        );
    }

    #[test]
    fn proxies_must_be_http_urls() {
        assert!(parse_proxy("p", "http://127.0.0.1:3128").is_ok());
        assert!(parse_proxy("p", "https://127.0.0.1:3128").is_ok());
        assert!(parse_proxy("p", "socks5://127.0.0.1:1080").is_err());
        assert!(parse_proxy("p", "http://").is_err());
    }
}

/// Every builder that puts a caller's or a server's value into a URL, driven
/// with long and odd values through the real transport: an error, never a
/// panic (a URI past 64 KiB once panicked inside ureq).
#[cfg(test)]
mod url_property {
    use super::*;
    use crate::wire::feedback::feedback_update;

    fn odd_values() -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = [
            0usize, 1, 28, 128, 129, 2_700, 8_000, 21_000, 65_535, 70_000, 200_000,
        ]
        .iter()
        .map(|&n| vec![b'9'; n])
        .collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in [3usize, 64, 3_000, 30_000, 70_000] {
            let v = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    b"a&=#%? /\\\0\n\xff\xe4\xb8\xad+"[(seed % 16) as usize]
                })
                .collect();
            out.push(v);
        }
        out
    }

    #[test]
    fn long_and_odd_values_are_refused_never_a_panic() {
        let settings = Settings {
            api_base: "https://127.0.0.1:1".into(),
            timeout: Duration::from_millis(300),
            connect_timeout: Duration::from_millis(300),
            ca: CaSource::Bundled,
            proxy: None,
        };
        let values = odd_values();
        for v in &values {
            for (openid, feedbackid) in [(v.as_slice(), b"1".as_slice()), (b"o", v)] {
                let outcome = std::panic::catch_unwind(|| {
                    let request = feedback_update(Some("wxF"), false, openid, feedbackid)?;
                    let deadline = Instant::now() + Duration::from_millis(300);
                    call(&settings, request.path, &request.query, None, deadline)
                });
                let result = outcome.unwrap_or_else(|_| panic!("panicked for {} bytes", v.len()));
                assert!(result.is_err(), "nothing listens on port 1");
            }
            // The transport's own bound, whatever a builder let through.
            if let Ok(text) = std::str::from_utf8(v) {
                let outcome = std::panic::catch_unwind(|| {
                    let deadline = Instant::now() + Duration::from_millis(300);
                    call(
                        &settings,
                        "/cgi-bin/token",
                        &[("appid", text), ("secret", text)],
                        None,
                        deadline,
                    )
                });
                let e = outcome
                    .unwrap_or_else(|_| panic!("panicked for {} bytes", v.len()))
                    .unwrap_err();
                if 6 * v.len() > MAX_URL_BYTES {
                    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
                    assert!(
                        e.message().starts_with("the request URL would be longer"),
                        "{e}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_url_bound_is_exact_and_names_the_longest_value_but_never_the_token() {
        let settings = Settings {
            api_base: "https://127.0.0.1:1".into(),
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            ca: crate::net::tls::CaSource::Bundled,
            proxy: None,
        };
        // 19 + 2 + (3 * (1 + n) + 2) bytes: n = 2722 is 8192, n = 2723 is 8195.
        let check = |n: usize| {
            let v = "x".repeat(n);
            check_url_length(&settings, "/p", &[("a", v.as_str())])
        };
        assert!(check(2722).is_ok(), "exactly MAX_URL_BYTES");
        assert_eq!(
            check(2723).unwrap_err(),
            Error::invalid("the request URL would be longer than 8192 bytes ('a' is 2723 bytes)")
        );
        let token = "T".repeat(5000);
        let e = check_url_length(
            &settings,
            "/p",
            &[("access_token", &token), ("openid", "o")],
        )
        .unwrap_err();
        assert_eq!(
            e.message(),
            "the request URL would be longer than 8192 bytes ('openid' is 1 bytes)"
        );
    }
}
