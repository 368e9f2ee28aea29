//! An HTTPS server on 127.0.0.1 for the core's own tests: its own CA (as a
//! PEM file to trust), canned answers in order, and a record of what it got.

use crate::config::{Config, Setting};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One canned answer.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Answer {
    pub fn ok(body: &str) -> Answer {
        Answer {
            status: 200,
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }
}

pub struct TestServer {
    pub base: String,
    pub ca_file: PathBuf,
    /// Request heads and bodies, as received.
    pub requests: Arc<Mutex<Vec<String>>>,
    /// TCP connections accepted.
    pub connections: Arc<Mutex<u32>>,
    /// Requests being answered now, and the most there ever were at once.
    pub busy: Arc<Mutex<(u32, u32)>>,
}

impl TestServer {
    /// Serves `answers` in turn (the last one again when they run out).
    pub fn start(answers: Vec<Answer>) -> TestServer {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::default();
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        // One file per server: tests run in parallel, and two servers sharing
        // a path would trust each other's CA (and share a cached agent).
        static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let ca_file =
            std::env::temp_dir().join(format!("wxpay-core-test-ca-{}-{n}.pem", std::process::id()));
        std::fs::write(&ca_file, ca_cert.pem()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let answers = Arc::new(Mutex::new((answers, 0usize)));
        let busy = Arc::new(Mutex::new((0, 0)));
        let (reqs, conns, busy_now) = (requests.clone(), connections.clone(), busy.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                *conns.lock().unwrap() += 1;
                let (config, reqs, answers) = (config.clone(), reqs.clone(), answers.clone());
                let busy = busy_now.clone();
                std::thread::spawn(move || {
                    let mut tls = rustls::StreamOwned::new(
                        rustls::ServerConnection::new(config).unwrap(),
                        stream,
                    );
                    loop {
                        let Some(request) = read_request(&mut tls) else {
                            return;
                        };
                        reqs.lock().unwrap().push(request);
                        {
                            let mut b = busy.lock().unwrap();
                            b.0 += 1;
                            b.1 = b.1.max(b.0);
                        }
                        let answer = {
                            let mut a = answers.lock().unwrap();
                            let i = a.1.min(a.0.len() - 1);
                            a.1 += 1;
                            a.0[i].clone()
                        };
                        std::thread::sleep(answer.delay);
                        busy.lock().unwrap().0 -= 1;
                        let head = format!(
                            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n\r\n",
                            answer.status,
                            answer.body.len()
                        );
                        if tls
                            .write_all(&[head.as_bytes(), &answer.body].concat())
                            .and_then(|()| tls.flush())
                            .is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        TestServer {
            base,
            ca_file,
            requests,
            connections,
            busy,
        }
    }
}

// The CA file goes with its server (the listener thread just ends with the process).
impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

/// Reads one request (head, and a body of Content-Length bytes).
fn read_request(r: &mut impl Read) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if r.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    Some(head + &String::from_utf8_lossy(&body))
}

// Helpers for the tests that call WeChat through this server.

/// A config that trusts `server`, with `options` over the defaults.
pub fn config(server: &TestServer, options: &[(&str, &str)]) -> Config {
    let mut given: Vec<(&Setting, String)> = vec![
        (Setting::option(b"api_base").unwrap(), server.base.clone()),
        (
            Setting::option(b"cafile").unwrap(),
            server.ca_file.display().to_string(),
        ),
        (Setting::option(b"timeout").unwrap(), "2".into()),
    ];
    for (k, v) in options {
        given.push((Setting::option(k.as_bytes()).unwrap(), v.to_string()));
    }
    Config::read(|s| s.default.to_str().unwrap().to_string(), &given).unwrap()
}

pub fn token(t: &str) -> Answer {
    Answer::ok(&format!(r#"{{"access_token":"{t}","expires_in":7200}}"#))
}

pub fn errcode(code: i64) -> Answer {
    Answer::ok(&format!(
        r#"{{"errcode":{code},"errmsg":"e{code} THE-APPKEY"}}"#
    ))
}

/// Request lines, without the HTTP version.
pub fn lines(server: &TestServer) -> Vec<String> {
    let requests = server.requests.lock().unwrap();
    requests
        .iter()
        .map(|r| r.split(" HTTP/1.1").next().unwrap().to_string())
        .collect()
}

pub fn quiet() -> impl FnMut(String) {
    |w| panic!("unexpected warning: {w}")
}

/// A valid shipping notification for `appid` and order `order`, its appkey "THE-APPKEY".
pub fn delivery(appid: &str, order: &str) -> crate::wire::deliver::Delivery {
    use crate::wire::deliver::{DeliveryBuilder, Input};
    use crate::wire::Scalar;
    let mut b = DeliveryBuilder::default();
    for (k, v) in [
        ("appid", appid),
        ("appkey", "THE-APPKEY"),
        ("openid", "o1"),
        ("transid", "t1"),
        ("out_trade_no", order),
    ] {
        b.set(&Scalar::bytes(k.as_bytes()), Input::Str(v.as_bytes()))
            .unwrap();
    }
    b.build(1_400_000_000).unwrap()
}
