//! Redis connections, for the token cache and the outbox alike: the URL
//! check, TLS (`rediss://`, verified against the CA bundle the HTTPS calls
//! trust), ACL users, one bounded round trip at a time, a back-off after a
//! failure, and one wording for failures that never shows the password.

use super::tls::CaSource;
use crate::error::{Error, Result};
use crate::secrets::masked;
use redis::{Client, Connection, RedisResult, TlsCertificates};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Checks a `redis://` or `rediss://` URL given for `label` (a setting).
pub fn check_url(label: &str, url: &str) -> Result<()> {
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(Error::Configuration(format!(
            "{label}: {} is not a redis:// or rediss:// URL",
            masked(url)
        )));
    }
    if url.contains(['?', '#']) {
        // A `?password=` would be shown in clear and is not needed:
        // credentials go in the user-info, which is masked.
        return Err(Error::Configuration(format!(
            "{label}: {} has a query; put credentials as redis://user:password@host:port/db",
            masked(url.split(['?', '#']).next().unwrap_or(url))
        )));
    }
    Client::open(url).map(drop).map_err(|_| {
        Error::Configuration(format!(
            "{label}: {} is not a usable Redis URL",
            masked(url)
        ))
    })
}

/// A Redis failure, described without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Down(pub String);

/// One process's connection to one Redis server, made on first use and
/// made again after a failure.
pub struct Link {
    client: Client,
    /// The URL with its password masked, for messages.
    shown: String,
    /// The setting that named the URL, for the authentication message.
    setting: &'static str,
    /// The setting that bounds a round trip, if one does, for the timeout
    /// message.
    bound_by: Option<&'static str>,
    conn: Mutex<Option<Connection>>,
}

impl Link {
    /// A link to `url` (checked by [`check_url`]) given by `setting`, its
    /// round trips bounded by the setting `bound_by` if one; a `rediss://`
    /// server is verified against `ca` when it names a file, else the
    /// system's roots.
    pub fn open(
        url: &str,
        ca: &CaSource,
        setting: &'static str,
        bound_by: Option<&'static str>,
    ) -> std::result::Result<Link, Down> {
        let pem = match ca {
            CaSource::File(p) | CaSource::System(p) if url.starts_with("rediss://") => Some(p),
            _ => None,
        };
        let client = match pem {
            Some(path) => {
                let root_cert = std::fs::read(path).map_err(|e| {
                    Down(format!("cannot read the CA file {}: {e}", path.display()))
                })?;
                Client::build_with_tls(
                    url,
                    TlsCertificates {
                        client_tls: None,
                        root_cert: Some(root_cert),
                    },
                )
            }
            None => Client::open(url),
        }
        .map_err(|e| Down(first_line(&e)))?;
        Ok(Link {
            client,
            shown: masked(url),
            setting,
            bound_by,
            conn: Mutex::new(None),
        })
    }

    /// The URL with its password masked.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Runs `f` on the connection, connecting first if needed; connecting
    /// and `f` share the bound `io`. A connection that failed is dropped:
    /// a late reply would answer the next command.
    pub fn run<T>(
        &self,
        io: Duration,
        f: impl FnOnce(&mut Connection) -> RedisResult<T>,
    ) -> std::result::Result<T, Down> {
        if io < Duration::from_millis(1) {
            return Err(Down("no time left within the call's budget".into()));
        }
        let started = Instant::now();
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let conn = match guard.as_mut() {
            Some(conn) => conn,
            None => guard.insert(
                self.client
                    .get_connection_with_timeout(io)
                    .map_err(|e| self.describe(&e, io))?,
            ),
        };
        let left = io
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(10));
        let _ = conn.set_read_timeout(Some(left));
        let _ = conn.set_write_timeout(Some(left));
        f(conn).map_err(|e| {
            *guard = None;
            self.describe(&e, io)
        })
    }

    /// One wording for every Redis failure; Redis' own error text names no
    /// secret of ours (the password is never echoed).
    fn describe(&self, e: &redis::RedisError, io: Duration) -> Down {
        Down(
            if e.kind() == redis::ErrorKind::AuthenticationFailed
                || matches!(e.code(), Some("NOAUTH" | "WRONGPASS"))
            {
                format!(
                    "authentication failed: check the user and password in {}",
                    self.setting
                )
            } else if e.is_connection_refusal() {
                "connection refused".into()
            } else if e.is_timeout() {
                match self.bound_by {
                    Some(setting) => format!(
                        "timed out after {}s ({setting})",
                        io.as_millis() as f64 / 1000.0
                    ),
                    None => "timed out".into(),
                }
            } else if let Some(tls) = tls_cause(e) {
                tls
            } else if e.is_io_error() || e.is_connection_dropped() {
                "connection lost".into()
            } else {
                first_line(e)
            },
        )
    }
}

/// A TLS failure (an untrusted certificate, a handshake refused): the
/// stream reports it as invalid data and carries the TLS error inside.
fn tls_cause(e: &redis::RedisError) -> Option<String> {
    type Shared = std::sync::Arc<dyn std::error::Error + Send + Sync>;
    let source = std::error::Error::source(e)?;
    // redis keeps its cause behind an Arc, which is what `source` shows.
    let io = match source.downcast_ref::<Shared>() {
        Some(shared) => shared.downcast_ref::<std::io::Error>()?,
        None => source.downcast_ref::<std::io::Error>()?,
    };
    match (io.kind(), io.get_ref()) {
        (std::io::ErrorKind::InvalidData, Some(inner)) => Some(first_line(inner)),
        _ => None,
    }
}

/// The first line of an error, at most 200 characters.
fn first_line(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let line = text.lines().next().unwrap_or("").trim();
    let mut short: String = line.chars().take(200).collect();
    if short.len() < text.trim().len() {
        short.push_str(" ...");
    }
    short
}

/// After a failure, a Redis is left alone for a while, so that a stopped
/// or silent server costs one bounded wait, not one per call; each outage
/// is reported once.
#[derive(Default)]
pub struct Backoff {
    health: Mutex<Health>,
}

#[derive(Default)]
struct Health {
    /// Redis is not tried again before this.
    down_until: Option<Instant>,
    /// This outage was reported already.
    warned: bool,
}

impl Backoff {
    /// How long Redis is left alone after a failure.
    pub const PAUSE: Duration = Duration::from_secs(5);

    fn health(&self) -> MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// False while backing off after a failure.
    pub fn available(&self) -> bool {
        self.health()
            .down_until
            .is_none_or(|until| Instant::now() >= until)
    }

    /// Records a failure; true if this outage was not reported yet.
    pub fn failed(&self) -> bool {
        let mut health = self.health();
        health.down_until = Some(Instant::now() + Self::PAUSE);
        !std::mem::replace(&mut health.warned, true)
    }

    /// Records a success: the next failure is a new outage.
    pub fn succeeded(&self) {
        let mut health = self.health();
        health.down_until = None;
        health.warned = false;
    }
}
