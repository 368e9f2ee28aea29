//! Redis connections, for the token cache and the outbox alike: the URL
//! check, TLS (`rediss://`, verified against the CA bundle the HTTPS calls
//! trust), ACL users, a primary found through Sentinel
//! (`redis+sentinel://`), a Cluster (`redis+cluster://`, redis' own
//! router), one bounded round trip at a time, a back-off after a failure,
//! and one wording for failures that never shows the password.

use super::tls::CaSource;
use crate::error::{Error, Result};
use crate::secrets::masked;
use redis::cluster::{ClusterClient, ClusterConnection};
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{Client, Cmd, Connection, ConnectionLike, RedisResult, TlsCertificates, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The URL forms a Redis setting takes.
const SCHEMES: [&str; 6] = [
    "redis://",
    "rediss://",
    "redis+sentinel://",
    "rediss+sentinel://",
    "redis+cluster://",
    "rediss+cluster://",
];

/// True when `value` is meant as a Redis URL (one of [`SCHEMES`]).
pub fn is_url(value: &str) -> bool {
    SCHEMES.iter().any(|s| value.starts_with(s))
}

/// Checks a Redis URL given for `label` (a setting): `redis://`,
/// `rediss://`, a Sentinel-managed primary,
/// `redis[s]+sentinel://[user:password@]host:port[,host:port...]/NAME[/DB]`,
/// or a Cluster, `redis[s]+cluster://[user:password@]host:port[,host:port...]`.
pub fn check_url(label: &str, url: &str) -> Result<()> {
    if !is_url(url) {
        return Err(Error::Configuration(format!(
            "{label}: {} is not a redis://, rediss://, redis[s]+sentinel:// or redis[s]+cluster:// URL",
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
    let usable = match (Sentinels::parse(url), cluster_nodes(url)) {
        (Some(parsed), _) => parsed.map(drop),
        (None, Some(nodes)) => nodes.and_then(|n| {
            ClusterClient::new(n)
                .map(drop)
                .map_err(|_| "the user:password@ part is not usable".to_string())
        }),
        (None, None) => Client::open(url).map(drop).map_err(|_| String::new()),
    };
    usable.map_err(|why| {
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(": {why}")
        };
        Error::Configuration(format!(
            "{label}: {} is not a usable Redis URL{why}",
            masked(url)
        ))
    })
}

/// The kind of Redis a URL names, for `php --ri wxpay`.
pub fn kind(url: &str) -> &'static str {
    if url.contains("+sentinel://") {
        "Redis, primary found through Sentinel"
    } else if is_cluster(url) {
        "Redis Cluster"
    } else {
        "Redis"
    }
}

/// True for a `redis[s]+cluster://` URL.
pub fn is_cluster(url: &str) -> bool {
    url.starts_with("redis+cluster://") || url.starts_with("rediss+cluster://")
}

/// A Cluster URL's nodes as `redis[s]://[user:password@]host:port` URLs
/// (the seeds redis' router starts from), or why they cannot be used;
/// `None` when `url` is not a Cluster URL.
fn cluster_nodes(url: &str) -> Option<std::result::Result<Vec<String>, String>> {
    if !is_cluster(url) {
        return None;
    }
    let tls = url.starts_with("rediss");
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    Some((|| {
        if rest.contains('/') {
            return Err("a Cluster has one database: no /db after its nodes".to_string());
        }
        let (auth, hosts) = match rest.rfind('@') {
            Some(at) => (&rest[..=at], &rest[at + 1..]),
            None => ("", rest),
        };
        let scheme = if tls { "rediss" } else { "redis" };
        hosts
            .split(',')
            .map(|node| match node.rsplit_once(':') {
                Some((h, p)) if !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0) => {
                    Ok(format!("{scheme}://{auth}{node}"))
                }
                _ => Err("each node must be host:port".to_string()),
            })
            .collect()
    })())
}

/// A connection: to one server (given, or the primary Sentinel named), or
/// to a Cluster through redis' own router (MOVED, ASK and TRYAGAIN are
/// handled there).
pub enum Conn {
    One(Connection),
    Cluster(Box<ClusterConnection>),
}

impl Conn {
    fn set_timeouts(&mut self, d: Duration) {
        let _ = match self {
            Conn::One(c) => c
                .set_read_timeout(Some(d))
                .and(c.set_write_timeout(Some(d))),
            Conn::Cluster(c) => c
                .set_read_timeout(Some(d))
                .and(c.set_write_timeout(Some(d))),
        };
    }

    /// `cmd`, which names no key, on the server that holds `key`: in a
    /// Cluster the primary of its slot (for `WAIT`, the one that took the
    /// write before it; for `CONFIG` and `TIME`, the one that keeps it).
    pub fn query_at<T: redis::FromRedisValue>(&mut self, key: &str, cmd: &Cmd) -> RedisResult<T> {
        match self {
            Conn::One(c) => cmd.query(c),
            Conn::Cluster(c) => {
                let route = Route::with_key(key, SlotAddr::Master);
                let v = c.route_command(
                    cmd,
                    RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route)),
                )?;
                Ok(redis::from_redis_value(v)?)
            }
        }
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        match self {
            Conn::One(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        match self {
            Conn::One(c) => c.req_packed_commands(cmd, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    // The router reads the command to route it: never the packed bytes.
    fn req_command(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        match self {
            Conn::One(c) => c.req_command(cmd),
            Conn::Cluster(c) => c.req_command(cmd),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::One(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }

    fn supports_pipelining(&self) -> bool {
        match self {
            Conn::One(c) => c.supports_pipelining(),
            Conn::Cluster(c) => c.supports_pipelining(),
        }
    }

    fn check_connection(&mut self) -> bool {
        match self {
            Conn::One(c) => c.check_connection(),
            Conn::Cluster(c) => c.check_connection(),
        }
    }

    fn is_open(&self) -> bool {
        match self {
            Conn::One(c) => c.is_open(),
            Conn::Cluster(c) => c.is_open(),
        }
    }
}

/// A primary found through Sentinel: the sentinels to ask, the name they
/// know it by, and how to reach it once named.
struct Sentinels {
    nodes: Vec<String>,
    name: String,
    tls: bool,
    /// `user:password@` as given (or empty).
    auth: String,
    db: u16,
    /// The address of the primary in use, for `php --ri wxpay`.
    primary: Mutex<Option<String>>,
    /// The sentinel that answered last is asked first.
    first: Mutex<usize>,
}

impl Sentinels {
    /// `None` when `url` is not a Sentinel URL; else the parsed form, or why
    /// it cannot be used (never naming the password).
    fn parse(url: &str) -> Option<std::result::Result<Sentinels, String>> {
        let (tls, rest) = if let Some(r) = url.strip_prefix("redis+sentinel://") {
            (false, r)
        } else {
            (true, url.strip_prefix("rediss+sentinel://")?)
        };
        Some((|| {
            let (authority, path) = rest.split_once('/').ok_or("no /NAME of the primary")?;
            let (auth, hosts) = match authority.rfind('@') {
                Some(at) => (&authority[..=at], &authority[at + 1..]),
                None => ("", authority),
            };
            let nodes: Vec<String> = hosts.split(',').map(str::to_string).collect();
            for node in &nodes {
                let port = node
                    .rsplit_once(':')
                    .and_then(|(h, p)| (!h.is_empty()).then_some(p));
                if port
                    .and_then(|p| p.parse::<u16>().ok())
                    .is_none_or(|p| p == 0)
                {
                    return Err("each sentinel must be host:port".to_string());
                }
            }
            let (name, db) = match path.split_once('/') {
                Some((name, db)) => (
                    name,
                    db.parse::<u16>()
                        .map_err(|_| "the DB after the name must be a number")?,
                ),
                None => (path, 0),
            };
            let plain = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
            if name.is_empty() || !name.chars().all(plain) {
                return Err(
                    "the primary's NAME must be letters, digits, '.', '_' or '-'".to_string(),
                );
            }
            let parsed = Sentinels {
                nodes,
                name: name.to_string(),
                tls,
                auth: auth.to_string(),
                db,
                primary: Mutex::new(None),
                first: Mutex::new(0),
            };
            Client::open(parsed.url_of(&parsed.nodes[0], true))
                .map_err(|_| "the user:password@ part is not usable".to_string())?;
            Ok(parsed)
        })())
    }

    /// The URL of a node: a sentinel (no credentials, no DB) or the primary.
    fn url_of(&self, node: &str, primary: bool) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        if primary {
            format!("{scheme}://{}{node}/{}", self.auth, self.db)
        } else {
            format!("{scheme}://{node}")
        }
    }
}

/// A Redis failure, described without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Down(pub String);

/// One process's connection to one Redis server, made on first use and
/// made again after a failure.
pub struct Link {
    /// The server (`redis://`), or where to find the primary (Sentinel).
    client: Client,
    sentinels: Option<Sentinels>,
    /// A Cluster's router, which finds its nodes from the seeds given.
    cluster: Option<ClusterClient>,
    /// The CA bundle a `rediss` server is verified against, read once.
    root_cert: Option<Vec<u8>>,
    /// The URL with its password masked, for messages.
    shown: String,
    /// The setting that named the URL, for the authentication message.
    setting: &'static str,
    /// The setting that bounds a round trip, if one does, for the timeout
    /// message.
    bound_by: Option<&'static str>,
    conn: Mutex<Option<Conn>>,
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
            CaSource::File(p) | CaSource::System(p) if url.starts_with("rediss") => Some(p),
            _ => None,
        };
        let root_cert =
            match pem {
                Some(path) => Some(std::fs::read(path).map_err(|e| {
                    Down(format!("cannot read the CA file {}: {e}", path.display()))
                })?),
                None => None,
            };
        let sentinels = Sentinels::parse(url).transpose().map_err(Down)?;
        // With Sentinel, the first sentinel's client stands in until a
        // primary is found (it is never used for commands).
        let first = match &sentinels {
            Some(s) => s.url_of(&s.nodes[0], false),
            None => url.to_string(),
        };
        let cluster = match cluster_nodes(url).transpose().map_err(Down)? {
            Some(nodes) => {
                // One retry: enough to follow a MOVED (it refreshes the
                // slots) or an ASK; a TRYAGAIN is retried by `run`, within
                // the call's bound.
                let mut b = ClusterClient::builder(nodes.clone())
                    .retries(1)
                    .min_retry_wait(10)
                    .max_retry_wait(100);
                if let Some(pem) = &root_cert {
                    b = b.certs(TlsCertificates {
                        client_tls: None,
                        root_cert: Some(pem.clone()),
                    });
                }
                Some(b.build().map_err(|e| Down(first_line(&e)))?)
            }
            None => None,
        };
        let first = match &cluster {
            // Never used for commands: the router connects by itself.
            Some(_) => cluster_nodes(url)
                .and_then(|n| n.ok())
                .and_then(|n| n.into_iter().next())
                .unwrap_or_default(),
            None => first,
        };
        let client = client_for(&first, &root_cert).map_err(|e| Down(first_line(&e)))?;
        Ok(Link {
            client,
            sentinels,
            cluster,
            root_cert,
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
        mut f: impl FnMut(&mut Conn) -> RedisResult<T>,
    ) -> std::result::Result<T, Down> {
        if io < Duration::from_millis(1) {
            return Err(Down("no time left within the call's budget".into()));
        }
        let started = Instant::now();
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let conn = match guard.as_mut() {
            Some(conn) => conn,
            None => guard.insert(match (&self.sentinels, &self.cluster) {
                (Some(sentinels), _) => Conn::One(self.primary(sentinels, started + io)?),
                (None, Some(cluster)) => Conn::Cluster(Box::new(
                    cluster
                        .get_connection_with_config(
                            redis::cluster::ClusterConfig::new()
                                .set_connection_timeout(io)
                                .set_response_timeout(io),
                        )
                        .map_err(|e| match e.detail() {
                            // Which nodes were tried, and why each failed.
                            Some(nodes) if e.is_io_error() && !e.is_timeout() => {
                                Down(first_line(&nodes))
                            }
                            _ => self.describe(&e, io),
                        })?,
                )),
                (None, None) => Conn::One(
                    self.client
                        .get_connection_with_timeout(io)
                        .map_err(|e| self.describe(&e, io))?,
                ),
            }),
        };
        let mut pause = Duration::from_millis(10);
        loop {
            let left = io
                .saturating_sub(started.elapsed())
                .max(Duration::from_millis(10));
            conn.set_timeouts(left);
            match f(conn) {
                Ok(v) => return Ok(v),
                // A Cluster moving the slot refused the command before
                // running it: tried again until the bound (the router
                // itself tries once more only, so a silent node costs at
                // most twice the bound, not a row of them).
                Err(e) if is_resharding(&e) && started.elapsed() + pause < io => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                Err(e) => {
                    if !is_resharding(&e) {
                        *guard = None;
                    }
                    return Err(self.describe(&e, io));
                }
            }
        }
    }

    /// The primary this process last found through Sentinel (host:port).
    pub fn primary_in_use(&self) -> Option<String> {
        let s = self.sentinels.as_ref()?;
        s.primary.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A connection to the primary the sentinels name, by `until`: each
    /// sentinel in turn, the one that answered last first, and again while
    /// a failover is under way (a sentinel may still name the old primary,
    /// which then no longer says it is one, or none at all).
    fn primary(&self, s: &Sentinels, until: Instant) -> std::result::Result<Connection, Down> {
        let mut why = Down("no sentinel could be asked".into());
        loop {
            let start = *s.first.lock().unwrap_or_else(|e| e.into_inner());
            for i in 0..s.nodes.len() {
                let n = (start + i) % s.nodes.len();
                let left = until.saturating_duration_since(Instant::now());
                if left < Duration::from_millis(1) {
                    return Err(why);
                }
                match self.ask(s, &s.nodes[n], left) {
                    Ok((conn, address)) => {
                        *s.first.lock().unwrap_or_else(|e| e.into_inner()) = n;
                        *s.primary.lock().unwrap_or_else(|e| e.into_inner()) = Some(address);
                        return Ok(conn);
                    }
                    Err(e) => why = e,
                }
            }
            let pause =
                Duration::from_millis(100).min(until.saturating_duration_since(Instant::now()));
            if pause.is_zero() {
                return Err(why);
            }
            std::thread::sleep(pause);
        }
    }

    /// Asks one sentinel for the primary and connects to it, within `left`.
    fn ask(
        &self,
        s: &Sentinels,
        node: &str,
        left: Duration,
    ) -> std::result::Result<(Connection, String), Down> {
        let until = Instant::now() + left;
        let remaining = || {
            until
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        };
        let fail =
            |e: redis::RedisError| Down(format!("sentinel {node}: {}", self.describe(&e, left).0));
        let client = client_for(&s.url_of(node, false), &self.root_cert).map_err(fail)?;
        let mut conn = client
            .get_connection_with_timeout(remaining())
            .map_err(fail)?;
        conn.set_read_timeout(Some(remaining())).map_err(fail)?;
        let named: Option<(String, u16)> = redis::cmd("SENTINEL")
            .arg("get-master-addr-by-name")
            .arg(&s.name)
            .query(&mut conn)
            .map_err(fail)?;
        let (host, port) = named
            .ok_or_else(|| Down(format!("sentinel {node} knows no primary named {}", s.name)))?;
        let address = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let client = client_for(&s.url_of(&address, true), &self.root_cert)
            .map_err(|e| Down(format!("primary {address}: {}", first_line(&e))))?;
        let mut primary = client
            .get_connection_with_timeout(remaining())
            .map_err(|e| Down(format!("primary {address}: {}", self.describe(&e, left).0)))?;
        primary
            .set_read_timeout(Some(remaining()))
            .map_err(|e| Down(first_line(&e)))?;
        let role: Vec<redis::Value> = redis::cmd("ROLE")
            .query(&mut primary)
            .map_err(|e| Down(format!("primary {address}: {}", self.describe(&e, left).0)))?;
        match role.first() {
            Some(redis::Value::BulkString(r)) if r == b"master" => Ok((primary, address)),
            _ => Err(Down(format!(
                "sentinel {node} named {address} as the primary {}, which is not (yet) a primary",
                s.name
            ))),
        }
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
            } else if is_resharding(e) {
                format!(
                    "the Cluster was still moving the slot after {}s{}: {}",
                    io.as_millis() as f64 / 1000.0,
                    self.bound_by.map(|s| format!(" ({s})")).unwrap_or_default(),
                    first_line(e)
                )
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

/// A Cluster's refusal while a slot moves between nodes: the command did
/// not run, so it can be sent again.
fn is_resharding(e: &redis::RedisError) -> bool {
    matches!(e.code(), Some("TRYAGAIN" | "ASK" | "MOVED" | "CLUSTERDOWN"))
}

/// A client for `url`, verifying a `rediss` server against `root_cert` when
/// one is given, else the system's roots.
fn client_for(url: &str, root_cert: &Option<Vec<u8>>) -> RedisResult<Client> {
    match root_cert {
        Some(pem) => Client::build_with_tls(
            url,
            TlsCertificates {
                client_tls: None,
                root_cert: Some(pem.clone()),
            },
        ),
        None => Client::open(url),
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
