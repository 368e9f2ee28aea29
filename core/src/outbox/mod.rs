//! The outbox: shipping notifications kept durably until WeChat accepted
//! them or their deadline passed.
//!
//! An entry is signed when it is enqueued, so what is stored is the request
//! body WeChat receives (appid, openid, the order, the app_signature): never
//! the appkey, an appsecret or an access_token. Two stores share one model
//! ([`Store`]): a SQLite file for one server, Redis Streams for many.
//!
//! Delivery is at least once: an entry is marked sent only after WeChat's
//! errcode 0, so a drainer killed between that answer and its mark leaves
//! the entry to be sent once more. Otherwise each entry is sent by one
//! drainer at a time (a lease), and once marked sent it is never sent again.

mod drain;
mod redis;
mod sqlite;
mod status;
#[cfg(test)]
mod tests;

pub use drain::{drain, Apps, Counts, Limits, Retry, MAX_CONCURRENCY};
pub use status::{Listed, Status};

use crate::error::{Error, Result};
use crate::wire::deliver::Delivery;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A notification to keep: the signed body and what identifies the shipment.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub appid: String,
    pub transid: String,
    pub out_trade_no: String,
    pub deliver_status: String,
    pub body: Vec<u8>,
    pub created_ms: u64,
    pub deadline_ms: u64,
}

/// An entry a drainer holds until it reports how the send went.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: String,
    pub appid: String,
    pub out_trade_no: String,
    pub body: Vec<u8>,
    pub deadline_ms: u64,
    pub attempts: u32,
    /// The store's handle on the claim (the stream message id in Redis).
    pub(crate) handle: String,
}

/// How a claimed entry ends this round.
#[derive(Clone, Debug, PartialEq)]
pub enum Finish {
    /// WeChat answered errcode 0.
    Sent,
    /// Try again at `next_ms`.
    Retry { next_ms: u64, error: String },
    /// Never again: a permanent error or the deadline.
    Dead { error: String },
    /// Not attempted (no secret for its app): back as it was, due at `next_ms`.
    Release { next_ms: u64, error: String },
}

/// A pending entry close to (or past) its deadline, for the warning.
#[derive(Clone, Debug, PartialEq)]
pub struct Overdue {
    pub out_trade_no: String,
    pub transid: String,
    pub deadline_ms: u64,
    pub last_error: Option<String>,
}

/// What both stores do. Every time is a unix time in milliseconds, passed
/// in so the policy can be tested with a clock of its own.
pub trait Store {
    /// Keeps `entry`; for a shipment already kept, returns the first id and `false`.
    fn enqueue(&self, entry: &NewEntry, id: &str) -> Result<(String, bool)>;
    /// [`Store::enqueue`], returning only once `replicas` replicas hold
    /// the entry too (`wxpay.outbox_replicas`): a store without replicas
    /// refuses any other number than 0.
    fn enqueue_replicated(
        &self,
        entry: &NewEntry,
        id: &str,
        replicas: usize,
    ) -> Result<(String, bool)> {
        if replicas > 0 {
            return Err(Error::Configuration(
                "wxpay.outbox_replicas applies to a Redis outbox; a SQLite outbox has no replicas (set it to 0)".into(),
            ));
        }
        self.enqueue(entry, id)
    }
    /// Up to `max` due pending entries, each held by `owner` until
    /// `now_ms + lease_ms * (its position + 1)`.
    fn claim(&self, owner: &str, now_ms: u64, max: usize, lease_ms: u64) -> Result<Vec<Claimed>>;
    fn finish(&self, claimed: &Claimed, how: &Finish, now_ms: u64) -> Result<()>;
    /// [`Store::finish`] for several claims, in one transaction or round
    /// trip where the store allows: a drain's acknowledgements, grouped.
    fn finish_all(&self, done: &[(&Claimed, Finish)], now_ms: u64) -> Result<()> {
        done.iter()
            .try_for_each(|(claimed, how)| self.finish(claimed, how, now_ms))
    }
    /// Pending entries not held by anyone whose deadline has passed become
    /// dead; returns them (up to 1000 per call), each with its new last error.
    fn expire(&self, now_ms: u64) -> Result<Vec<Overdue>>;
    /// Pending entries whose deadline is before `before_ms`, nearest first.
    fn near_deadline(&self, before_ms: u64, max: usize) -> Result<(u64, Vec<Overdue>)>;
    fn status(&self, now_ms: u64, dead_max: usize) -> Result<Status>;
    /// Dead entries (all of them, or those in `ids`) become pending again,
    /// due now, with `deadline_ms`; returns how many.
    fn requeue(&self, ids: Option<&[String]>, deadline_ms: u64, now_ms: u64) -> Result<u64>;
    /// Deletes up to `max` sent entries whose deadline is before
    /// `before_ms`; returns how many.
    fn prune(&self, before_ms: u64, max: usize) -> Result<u64>;
    /// Refuses to keep entries where they can be lost silently, unless the
    /// operator accepted that risk (Redis: eviction, no persistence).
    fn check_durable(&self, _accept_risk: bool) -> Result<()> {
        Ok(())
    }
    /// What the store lost since it was first used, when it can tell: a
    /// sentence naming the store.
    fn lost(&self) -> Result<Option<String>> {
        Ok(None)
    }
    /// The time a drain judges by, as an offset from `local_now_ms`, and a
    /// warning when the local clock is not believed (see [`Clock`]).
    fn time(&self, local_now_ms: u64, boot: Option<(String, u64)>) -> Result<Clock>;
    /// Pending entries due later than `latest_ms` become due at `now_ms`:
    /// no wait is that long unless a clock went back. Returns how many.
    fn bound_due(&self, now_ms: u64, latest_ms: u64) -> Result<u64>;
    /// The drain `owner` is over (Redis: it leaves the consumer group).
    fn leave(&self, _owner: &str) -> Result<()> {
        Ok(())
    }
}

/// The time a drain goes by. A drain must not declare entries dead on its
/// own clock alone: Redis stores give the server's time (one clock for a
/// fleet); the SQLite store keeps the time measured on the boot clock since
/// the last drain and does not follow a wall clock that runs ahead of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    pub offset_ms: i64,
    pub warning: Option<String>,
}

/// Where the outbox is and how it retries (`wxpay.outbox*`). The defaults
/// are the settings table's (`config`); `Default` is only the blank.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub location: Location,
    /// The setting that named the location, for messages.
    pub label: String,
    pub retry: Retry,
    /// How long a sent entry is kept after its deadline, in ms.
    pub keep_sent_ms: u64,
    /// Enqueue even into a Redis that may lose the outbox.
    pub redis_unsafe: bool,
    /// How many sends a drain keeps in flight.
    pub concurrency: usize,
    /// How many replicas must hold an enqueued entry before it is acknowledged.
    pub replicas: usize,
}

/// A retry wait (`wxpay.outbox_retry_*`): 0.01 s to a day, in ms.
pub fn parse_retry(label: &str, value: &str) -> Result<u64> {
    crate::seconds::ms_within(label, value, 0.01..=86_400.0, "0.01 to 86400")
}

/// `wxpay.outbox_keep_sent`: up to a year, in ms.
pub fn parse_keep_sent(label: &str, value: &str) -> Result<u64> {
    crate::seconds::ms_within(label, value, 0.0..=31_536_000.0, "0 to 31536000 (a year)")
}

/// `wxpay.outbox_concurrency`: 1 to [`MAX_CONCURRENCY`] sends in flight.
pub fn parse_concurrency(label: &str, value: &str) -> Result<usize> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(Error::Configuration(format!(
            "{label} must be a whole number from 1 to {MAX_CONCURRENCY}"
        ))),
    }
}

/// `wxpay.outbox_replicas`: 0 (the primary alone) to 16 replicas.
pub fn parse_replicas(label: &str, value: &str) -> Result<usize> {
    match value.trim().parse::<usize>() {
        Ok(n) if n <= 16 => Ok(n),
        _ => Err(Error::Configuration(format!(
            "{label} must be a whole number from 0 to 16"
        ))),
    }
}

/// `wxpay.outbox_redis_unsafe`: a switch.
pub fn parse_redis_unsafe(label: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "0" | "" | "off" | "no" | "false" => Ok(false),
        "1" | "on" | "yes" | "true" => Ok(true),
        _ => Err(Error::Configuration(format!("{label} must be 0 or 1"))),
    }
}

/// `wxpay.outbox`: a file path (SQLite) or a `redis://` / `rediss://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(String),
    Redis(String),
}

impl Default for Location {
    fn default() -> Location {
        Location::Sqlite(String::new())
    }
}

impl Location {
    pub fn parse(label: &str, value: &str) -> Result<Location> {
        let v = value.trim();
        if crate::net::redis::is_url(v) {
            crate::net::redis::check_url(label, v)?;
            return Ok(Location::Redis(v.to_string()));
        }
        if v.is_empty() || !v.starts_with('/') || v.contains('\0') {
            return Err(Error::Configuration(format!(
                "{label} must be an absolute path to a SQLite file or a redis://, rediss://, redis[s]+sentinel:// or redis[s]+cluster:// URL"
            )));
        }
        Ok(Location::Sqlite(v.to_string()))
    }

    /// For messages and phpinfo: a Redis URL's password is masked.
    pub fn shown(&self) -> String {
        match self {
            Location::Sqlite(p) => p.clone(),
            Location::Redis(u) => crate::secrets::masked(u),
        }
    }
}

/// What keeps the outbox, for `php --ri wxpay`, without opening anything:
/// the kind of store, where it is (masked), and with Sentinel the primary
/// this process used last.
pub fn serving(location: &Location) -> String {
    match location {
        Location::Sqlite(p) => format!("SQLite file {p}"),
        Location::Redis(url) => {
            let primary = redis::primary_in_use(url)
                .map_or(String::new(), |p| format!(", primary in use {p}"));
            format!(
                "{} at {}{primary}",
                crate::net::redis::kind(url),
                crate::secrets::masked(url)
            )
        }
    }
}

/// The store at `location`, opened once per process and reused.
/// A Redis store's round trips are bounded by the transport's `timeout`.
pub fn open(
    location: &Location,
    label: &str,
    transport: &crate::net::transport::Settings,
) -> Result<Arc<dyn Store + Send + Sync>> {
    match location {
        Location::Sqlite(path) => sqlite::open(Path::new(path), label),
        Location::Redis(url) => redis::open(url, &transport.ca, transport.timeout),
    }
}

/// A new entry id: the enqueue time in hex (ids sort by age) and 48 random bits.
pub fn new_id(now_ms: u64) -> Result<String> {
    Ok(format!(
        "{now_ms:012x}{}",
        hex::encode(crate::random::bytes::<6>()?)
    ))
}

/// Errors a resend cannot cure: the entry is dead at once.
pub fn is_permanent(code: i64) -> bool {
    matches!(code, 40003 | 40013 | 47001 | 48001 | 49002 | 49003 | 49004)
}

/// The outbox's own failures (a store that cannot be read or written).
pub(crate) fn store_error(location: &str, what: impl std::fmt::Display) -> Error {
    Error::Outbox(format!("the outbox at {location}: {what}"))
}

/// WeChat's windows after payment: 24 h for virtual goods, 72 h for physical.
const VIRTUAL_MS: u64 = 24 * 3600 * 1000;
const PHYSICAL_MS: u64 = 72 * 3600 * 1000;
/// The furthest deadline an entry may be given.
const MAX_AHEAD_MS: u64 = 30 * 24 * 3600 * 1000;

/// An entry's deadline from `$options['deadline']` (a unix time) or
/// `$options['goods']` (`virtual`: 24 h, `physical`: 72 h from now).
pub fn deadline_ms(now_ms: u64, at: Option<i64>, goods: Option<&str>) -> Result<u64> {
    match (at, goods) {
        (Some(_), Some(_)) => Err(Error::invalid(
            "give either option 'deadline' or option 'goods', not both",
        )),
        (Some(t), None) => {
            let ms = u64::try_from(t).unwrap_or(0).saturating_mul(1000);
            if ms <= now_ms || ms > now_ms + MAX_AHEAD_MS {
                return Err(Error::invalid(
                    "option 'deadline' must be a unix time in the future, at most 30 days ahead",
                ));
            }
            Ok(ms)
        }
        (None, Some("virtual")) | (None, None) => Ok(now_ms + VIRTUAL_MS),
        (None, Some("physical")) => Ok(now_ms + PHYSICAL_MS),
        (None, Some(_)) => Err(Error::invalid(
            "option 'goods' must be 'virtual' (24 h to notify) or 'physical' (72 h)",
        )),
    }
}

/// The configured store and how to name it.
pub fn store(
    settings: &Settings,
    transport: &crate::net::transport::Settings,
) -> Result<(Arc<dyn Store + Send + Sync>, String)> {
    Ok((
        open(&settings.location, &settings.label, transport)?,
        settings.location.shown(),
    ))
}

/// Signs `delivery` (the appkey ends here) and keeps the body; returns
/// the entry's id, or the first id this shipment was kept under.
pub fn enqueue(
    settings: &Settings,
    transport: &crate::net::transport::Settings,
    delivery: &Delivery,
    deadline_ms: u64,
    now_ms: u64,
) -> Result<String> {
    let (store, _) = store(settings, transport)?;
    store.check_durable(settings.redis_unsafe)?;
    let entry = NewEntry {
        appid: delivery.appid.clone(),
        transid: delivery.transid.clone(),
        out_trade_no: delivery.out_trade_no.clone(),
        deliver_status: delivery.deliver_status.clone(),
        body: delivery.body(),
        created_ms: now_ms,
        deadline_ms,
    };
    Ok(store
        .enqueue_replicated(&entry, &new_id(now_ms)?, settings.replicas)?
        .0)
}

/// The secrets a drain was given, checked before anything is sent.
pub fn apps(all: Option<&str>, each: &[(String, String)]) -> Result<Apps> {
    if let Some(s) = all {
        crate::secrets::credential("option 'appsecret'", s.as_bytes())?;
    }
    for (appid, secret) in each {
        crate::secrets::credential("an appid in option 'apps'", appid.as_bytes())?;
        crate::secrets::credential("an appsecret in option 'apps'", secret.as_bytes())?;
    }
    match (all, each.is_empty()) {
        (None, true) => Err(Error::invalid(
            "wx_deliver_drain() obtains tokens itself: pass option 'appsecret' (every app) or option 'apps' => [appid => appsecret]",
        )),
        (all, _) => Ok(Apps {
            all: all.map(str::to_string),
            each: each.iter().cloned().collect(),
        }),
    }
}

/// How `wx_deliver_outbox()` shows the status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// An array listing at most this many dead entries.
    Array { dead_limit: usize },
    /// Prometheus text (counts only).
    Prometheus,
}

impl View {
    /// The dead entries the store lists for this view.
    pub fn dead_limit(self) -> usize {
        match self {
            View::Array { dead_limit } => dead_limit,
            View::Prometheus => 0,
        }
    }
}

/// The view from `format` ('array', the default, or 'prometheus') and
/// `dead_limit` (default 100).
pub fn view(format: Option<&str>, dead_limit: Option<i64>) -> Result<View> {
    let dead_limit = usize::try_from(dead_limit.unwrap_or(100))
        .map_err(|_| Error::invalid("option 'dead_limit' must be 0 or more"))?;
    match format.unwrap_or("array") {
        "array" => Ok(View::Array { dead_limit }),
        "prometheus" => Ok(View::Prometheus),
        _ => Err(Error::invalid(
            "option 'format' must be 'array' or 'prometheus'",
        )),
    }
}

/// A drain's bounds from `max_items` (default 1000) and `max_seconds` (default 50).
pub fn limits(max_items: Option<i64>, max_seconds: Option<f64>) -> Result<Limits> {
    let items = max_items.unwrap_or(1000);
    if items < 1 {
        return Err(Error::invalid("option 'max_items' must be at least 1"));
    }
    let secs = max_seconds.unwrap_or(50.0);
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(Error::invalid(
            "option 'max_seconds' must be more than 0 and at most 86400",
        ));
    }
    Ok(Limits {
        max_items: items as u64,
        max_time: Duration::from_secs_f64(secs),
    })
}
