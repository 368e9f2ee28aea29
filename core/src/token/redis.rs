//! The shared token cache: one token per (API, appid) for every worker of
//! every server, in Redis, with a lock that expires so a crashed holder
//! cannot block the fleet.
//!
//! Keys (documented in the README):
//!   wxpay:token:<api_base>:<appid>   {"access_token", "fetched_at_ms", "expires_at_ms"}, TTL = lifetime
//!   wxpay:lock:<api_base>:<appid>    the fetcher's random id, PX = timeout + 1 s

use super::Cached;
use redis::{Client, Connection, Value as RValue};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

pub struct RedisStore {
    client: Client,
    /// The URL without its password, for messages.
    shown: String,
    conn: Mutex<Option<Connection>>,
    warned: AtomicBool,
}

/// A Redis failure, described without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisDown(pub String);

/// `redis://[:password@]host:port/db` with the password masked.
pub fn masked(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***@{}", &url[..s + 3], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// How long a Redis round trip may take before the cache counts as down.
const IO_TIMEOUT: Duration = Duration::from_millis(1000);

impl RedisStore {
    pub fn open(url: &str) -> Result<RedisStore, String> {
        if !url.starts_with("redis://") {
            return Err(format!("{} is not a redis:// URL", masked(url)));
        }
        let client = Client::open(url).map_err(|_| format!("{} is not a usable Redis URL", masked(url)))?;
        Ok(RedisStore { client, shown: masked(url), conn: Mutex::new(None), warned: AtomicBool::new(false) })
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The warning to print the first time Redis fails in this worker.
    pub fn warn_once(&self, why: &RedisDown) -> Option<String> {
        if self.warned.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(format!(
            "the token cache Redis at {} is unreachable ({}); fetching access tokens without it until it is back",
            self.shown, why.0
        ))
    }

    fn run<T>(&self, f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>) -> Result<T, RedisDown> {
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let conn = self.client.get_connection_with_timeout(IO_TIMEOUT).map_err(|e| describe(&e))?;
            let _ = conn.set_read_timeout(Some(IO_TIMEOUT));
            let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
            *guard = Some(conn);
        }
        let result = f(guard.as_mut().expect("connected above"));
        if result.is_err() {
            // A broken connection is not reused; the next call reconnects.
            *guard = None;
        }
        result.map_err(|e| describe(&e))
    }

    pub fn get(&self, key: &str) -> Result<Option<Cached>, RedisDown> {
        let raw: Option<String> = self.run(|c| redis::cmd("GET").arg(key).query(c))?;
        Ok(raw.and_then(|s| {
            let v: Value = serde_json::from_str(&s).ok()?;
            Some(Cached {
                token: v.get("access_token")?.as_str()?.to_string(),
                fetched_at_ms: v.get("fetched_at_ms")?.as_u64()?,
                expires_at_ms: v.get("expires_at_ms")?.as_u64()?,
            })
        }))
    }

    pub fn put(&self, key: &str, c: &Cached) -> Result<(), RedisDown> {
        let ttl = c.expires_at_ms.saturating_sub(super::now_ms()).max(1);
        let v = json!({ "access_token": c.token, "fetched_at_ms": c.fetched_at_ms, "expires_at_ms": c.expires_at_ms });
        self.run(|conn| redis::cmd("SET").arg(key).arg(v.to_string()).arg("PX").arg(ttl).query::<()>(conn))
    }

    /// Takes the lock if free; `Some(id)` when this caller holds it.
    pub fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<String>, RedisDown> {
        let id = lock_id();
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let got: RValue = self.run(|c| redis::cmd("SET").arg(key).arg(&id).arg("NX").arg("PX").arg(ms).query(c))?;
        Ok(matches!(got, RValue::Okay | RValue::SimpleString(_)).then_some(id))
    }

    /// Releases the lock only if this caller still holds it.
    pub fn unlock(&self, key: &str, id: &str) -> Result<(), RedisDown> {
        const SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        self.run(|c| redis::cmd("EVAL").arg(SCRIPT).arg(1).arg(key).arg(id).query::<i64>(c)).map(|_| ())
    }

    pub fn locked(&self, key: &str) -> Result<bool, RedisDown> {
        self.run(|c| redis::cmd("EXISTS").arg(key).query::<i64>(c)).map(|n| n > 0)
    }
}

fn describe(e: &redis::RedisError) -> RedisDown {
    let why = if e.is_connection_refusal() {
        "connection refused".to_string()
    } else if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_io_error() || e.is_connection_dropped() {
        "connection lost".to_string()
    } else {
        // Redis' own error text (e.g. NOAUTH) names no secret of ours.
        format!("{:?}", e.kind())
    };
    RedisDown(why)
}

/// A random id for the lock owner.
fn lock_id() -> String {
    let mut buf = [0u8; 16];
    let filled = std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf));
    if filled.is_err() {
        buf[..8].copy_from_slice(&super::now_ms().to_le_bytes());
        buf[8..12].copy_from_slice(&std::process::id().to_le_bytes());
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(masked("redis://:hunter2@127.0.0.1:6379/0"), "redis://***@127.0.0.1:6379/0");
        assert_eq!(masked("redis://127.0.0.1:6379/0"), "redis://127.0.0.1:6379/0");
        assert!(RedisStore::open("http://x").is_err());
    }

    #[test]
    fn an_unreachable_redis_is_reported_once() {
        let store = RedisStore::open("redis://127.0.0.1:1/0").unwrap();
        let e = store.get("k").unwrap_err();
        assert_eq!(e.0, "connection refused");
        assert!(store.warn_once(&e).unwrap().contains("redis://127.0.0.1:1/0"));
        assert!(store.warn_once(&e).is_none());
    }
}
