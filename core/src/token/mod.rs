//! Access tokens that never thrash: cached, single-flight, refreshed ahead
//! of expiry, and shared across workers and servers through Redis.
//!
//! Every fetch retires the previous token (after ~5 minutes), so each worker
//! fetching its own makes them invalidate each other and burns the daily
//! quota. Here one fetch serves everybody: per worker (memory) or per fleet
//! (Redis), and a refresh after 40001 only happens if the failed token is
//! still the cached one.

mod fetch;
mod memory;
mod redis;

pub use fetch::{fetch, parse_issued, Endpoint, FetchError, Issued};
pub use memory::MemoryCache;
pub use redis::{masked, RedisDown, RedisStore};

use crate::transport::Settings;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A token with its lifetime (Unix milliseconds, comparable across servers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    pub token: String,
    pub fetched_at_ms: u64,
    pub expires_at_ms: u64,
}

impl Cached {
    pub fn issued(i: Issued) -> Cached {
        let now = now_ms();
        Cached { token: i.token, fetched_at_ms: now, expires_at_ms: now + i.expires_in * 1000 }
    }

    /// Still good to hand out: refreshed ahead of expiry, by a quarter of
    /// its lifetime and at most five minutes (WeChat's overlap).
    pub fn fresh(&self, now_ms: u64) -> bool {
        let lifetime = self.expires_at_ms.saturating_sub(self.fetched_at_ms);
        let margin = (lifetime / 4).min(300_000);
        now_ms + margin < self.expires_at_ms
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// What the caller will accept.
#[derive(Clone, Copy, Debug, Default)]
pub struct Want<'a> {
    /// A token fetched after this call began (`force_refresh`).
    pub force: bool,
    /// Anything but this token (the one WeChat just refused).
    pub not: Option<&'a str>,
}

impl Want<'_> {
    /// Whether `c` will do; `before` is the token cached when the call began.
    fn accepts(&self, c: &Cached, before: Option<&str>) -> bool {
        c.fresh(now_ms())
            && self.not != Some(c.token.as_str())
            && !(self.force && before == Some(c.token.as_str()))
    }
}

/// Where tokens are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheSetting {
    Memory,
    Redis(String),
}

impl CacheSetting {
    pub fn parse(value: &str) -> Result<CacheSetting, String> {
        match value.trim() {
            "" | "memory" => Ok(CacheSetting::Memory),
            url if url.starts_with("redis://") => {
                RedisStore::open(url)?;
                Ok(CacheSetting::Redis(url.to_string()))
            }
            other => Err(format!(
                "wxpay.token_cache must be \"memory\" or a redis://host:port/db URL, not {}",
                masked(other)
            )),
        }
    }
}

/// Everything needed to obtain a token for one app.
pub struct Source<'a> {
    pub settings: &'a Settings,
    pub endpoint: Endpoint,
    pub cache: &'a CacheSetting,
    pub appid: &'a str,
    pub secret: &'a str,
}

/// Why no token could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Fetch(FetchError),
    /// Another caller's fetch did not finish within the timeout.
    Wait(String),
}

/// The token, and a warning to show once if the shared cache was down.
pub struct Obtained {
    pub token: String,
    pub warning: Option<String>,
}

fn memory() -> &'static MemoryCache {
    static MEMORY: OnceLock<MemoryCache> = OnceLock::new();
    MEMORY.get_or_init(MemoryCache::default)
}

/// The worker's connection holder for a Redis URL (validated by `CacheSetting::parse`).
fn redis_store(url: &str) -> Result<Arc<RedisStore>, RedisDown> {
    static STORES: OnceLock<Mutex<HashMap<String, Arc<RedisStore>>>> = OnceLock::new();
    let mut stores = STORES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(store) = stores.get(url) {
        return Ok(Arc::clone(store));
    }
    let store = Arc::new(RedisStore::open(url).map_err(RedisDown)?);
    stores.insert(url.to_string(), Arc::clone(&store));
    Ok(store)
}

/// Returns a token for `src` that satisfies `want`, fetching at most once
/// across all callers sharing the cache.
pub fn obtain(src: &Source<'_>, want: Want<'_>) -> Result<Obtained, TokenError> {
    let key = format!("{}:{}", src.settings.api_base, src.appid);
    // Waiting for another caller is bounded by this call's own budget.
    let deadline = Instant::now() + src.settings.timeout + src.settings.connect_timeout;
    let fetch_now = || {
        fetch(src.settings, src.endpoint, src.appid, src.secret, want.force).map(Cached::issued).map_err(TokenError::Fetch)
    };
    let mut warning = None;
    if let CacheSetting::Redis(url) = src.cache {
        match redis_store(url) {
            Ok(store) => match via_redis(&store, &key, want, deadline, &fetch_now) {
                Ok(result) => return result.map(|c| Obtained { token: c.token, warning: None }),
                Err(down) => warning = store.warn_once(&down),
            },
            Err(bad) => warning = Some(bad.0),
        }
    }
    let result = memory()
        .get_or_fetch(&key, &want, deadline, fetch_now)
        .map_err(|_| TokenError::Wait("timed out waiting for another caller's token fetch".into()))?;
    result.map(|c| Obtained { token: c.token, warning })
}

/// The Redis path; `Err` only when Redis itself failed (the caller then
/// falls back to fetching without it).
fn via_redis(
    store: &RedisStore,
    key: &str,
    want: Want<'_>,
    deadline: Instant,
    fetch_now: &dyn Fn() -> Result<Cached, TokenError>,
) -> Result<Result<Cached, TokenError>, RedisDown> {
    let token_key = format!("wxpay:token:{key}");
    let lock_key = format!("wxpay:lock:{key}");
    let first = store.get(&token_key)?;
    let before = first.as_ref().map(|c| c.token.clone());
    if let Some(c) = first.filter(|c| want.accepts(c, before.as_deref())) {
        return Ok(Ok(c));
    }
    let lock_ttl = deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(1);
    loop {
        if let Some(id) = store.try_lock(&lock_key, lock_ttl)? {
            // Someone may have stored a token between our read and the lock.
            if let Some(c) = store.get(&token_key)?.filter(|c| want.accepts(c, before.as_deref())) {
                store.unlock(&lock_key, &id)?;
                return Ok(Ok(c));
            }
            let result = fetch_now();
            if let Ok(c) = &result {
                // A token is worth returning even if it could not be shared.
                let _ = store.put(&token_key, c);
            }
            let _ = store.unlock(&lock_key, &id);
            return Ok(result);
        }
        // Another worker is fetching: wait for its token.
        loop {
            if Instant::now() >= deadline {
                return Ok(Err(TokenError::Wait("timed out waiting for another worker's token fetch".into())));
            }
            std::thread::sleep(Duration::from_millis(20));
            if let Some(c) = store.get(&token_key)?.filter(|c| want.accepts(c, before.as_deref())) {
                return Ok(Ok(c));
            }
            if !store.locked(&lock_key)? {
                break; // the holder failed or died: try to take over
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_refreshes_ahead() {
        let c = Cached { token: "t".into(), fetched_at_ms: 0, expires_at_ms: 7_200_000 };
        assert!(c.fresh(6_800_000));
        assert!(!c.fresh(6_900_001));
        let short = Cached { token: "t".into(), fetched_at_ms: 0, expires_at_ms: 4_000 };
        assert!(short.fresh(2_999));
        assert!(!short.fresh(3_000));
    }

    #[test]
    fn cache_settings() {
        assert_eq!(CacheSetting::parse("memory"), Ok(CacheSetting::Memory));
        assert!(matches!(CacheSetting::parse("redis://127.0.0.1:6379/0"), Ok(CacheSetting::Redis(_))));
        let e = CacheSetting::parse("memcache://:pw@x").unwrap_err();
        assert!(!e.contains("pw"), "{e}");
    }
}
