//! Access tokens that never thrash: cached, single-flight, refreshed ahead
//! of expiry, and shared across workers and servers through Redis.
//!
//! Every fetch retires the previous token (after ~5 minutes), so each worker
//! fetching its own makes them invalidate each other and burns the daily
//! quota. Here one fetch serves everybody: per worker (memory) or per fleet
//! (Redis), and a refresh after 40001 only happens if the failed token is
//! still the cached one.

mod fetch;
mod local;
mod memory;
mod proof;
pub(crate) mod redis;

use crate::secrets::{credential, masked};
pub use fetch::{fetch, is_token_text, parse_issued, Endpoint, Issued};
pub use local::MAX_AGE_MS as COPY_MAX_MS;
pub use memory::MemoryCache;
pub use proof::Proof;
pub use redis::{RedisDown, RedisStore};

use crate::error::{Error, Result};
use crate::net::tls::CaSource;
use crate::net::transport;
use crate::process::PerProcess;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// A token with its lifetime (Unix milliseconds, comparable across servers)
/// and the proof of the secret that fetched it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    pub token: String,
    pub fetched_at_ms: u64,
    pub expires_at_ms: u64,
    pub proof: Proof,
}

impl Cached {
    pub fn issued(i: Issued, secret: &str) -> Result<Cached> {
        let now = now_ms();
        Ok(Cached {
            token: i.token,
            fetched_at_ms: now,
            expires_at_ms: now + i.expires_in * 1000,
            proof: Proof::of(secret)?,
        })
    }

    /// Still good to hand out: refreshed ahead of expiry, by a quarter of
    /// its lifetime and at most five minutes (WeChat's overlap).
    pub fn fresh(&self, now_ms: u64) -> bool {
        now_ms < self.fresh_until_ms()
    }

    /// When it stops being handed out.
    pub fn fresh_until_ms(&self) -> u64 {
        let lifetime = self.expires_at_ms.saturating_sub(self.fetched_at_ms);
        let margin = (lifetime / 4).min(300_000);
        self.expires_at_ms.saturating_sub(margin)
    }
}

use crate::clock::now_ms;

/// What the caller will accept.
#[derive(Clone, Copy, Debug, Default)]
pub struct Want<'a> {
    /// A token fetched after this call began (`force_refresh`).
    pub force: bool,
    /// Anything but this token (the one WeChat just refused).
    pub not: Option<&'a str>,
}

impl Want<'_> {
    /// Whether `c` will do for a caller holding `secret`; `before` is the
    /// token cached when the call began.
    fn accepts(&self, c: &Cached, before: Option<&str>, secret: &str) -> bool {
        c.fresh(now_ms())
            && self.not != Some(c.token.as_str())
            && !(self.force && before == Some(c.token.as_str()))
            && c.proof.admits(secret)
    }
}

/// Where tokens come from and are kept (`wxpay.token_*`). The defaults
/// are the settings table's (`config`); `Default` is only the blank.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub endpoint: Endpoint,
    pub cache: CacheSetting,
    /// How long a thread reuses its own copy of a token, in ms.
    pub copy_ms: u64,
}

/// `wxpay.token_copy_ttl`: 0 to 60 seconds.
pub fn parse_copy_ttl(label: &str, value: &str) -> Result<u64> {
    crate::seconds::ms_within(label, value, 0.0..=60.0, "0 to 60")
}

/// Where tokens are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CacheSetting {
    #[default]
    Memory,
    Redis(String),
}

impl CacheSetting {
    pub fn parse(name: &str, value: &str) -> Result<CacheSetting> {
        match value.trim() {
            "" | "memory" => Ok(CacheSetting::Memory),
            url if crate::net::redis::is_url(url) => {
                crate::net::redis::check_url(name, url)?;
                Ok(CacheSetting::Redis(url.to_string()))
            }
            other => Err(Error::Configuration(format!(
                "{name} must be \"memory\" or a redis[s]://[user:password@]host:port/db URL, not {}",
                masked(other)
            ))),
        }
    }
}

/// Everything needed to obtain a token for one app.
pub struct Source<'a> {
    pub settings: &'a transport::Settings,
    pub endpoint: Endpoint,
    pub cache: &'a CacheSetting,
    pub appid: &'a str,
    pub secret: &'a str,
    /// Nothing (a fetch, a wait, a Redis round trip) goes on past this.
    pub deadline: Instant,
    /// How long a thread reuses its own copy of a token (0: never).
    pub copy_ms: u64,
}

impl<'a> Source<'a> {
    pub fn new(
        transport: &'a transport::Settings,
        tokens: &'a Settings,
        appid: &'a str,
        secret: &'a str,
        deadline: Instant,
    ) -> Source<'a> {
        Source {
            settings: transport,
            endpoint: tokens.endpoint,
            cache: &tokens.cache,
            appid,
            secret,
            deadline,
            copy_ms: tokens.copy_ms,
        }
    }

    fn key(&self) -> String {
        cache_key(&self.settings.api_base, self.appid)
    }
}

fn cache_key(api_base: &str, appid: &str) -> String {
    format!("{api_base}:{appid}")
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

/// This process's connection holder for a Redis URL (validated by
/// `CacheSetting::parse`), trusting `ca` for `rediss://`. A forked child
/// gets its own.
fn redis_store(url: &str, ca: &CaSource) -> std::result::Result<Arc<RedisStore>, RedisDown> {
    static STORES: PerProcess<HashMap<(String, CaSource), Arc<RedisStore>>> = PerProcess::new();
    STORES.with(|stores| {
        let key = (url.to_string(), ca.clone());
        if let Some(store) = stores.get(&key) {
            return Ok(Arc::clone(store));
        }
        let store = Arc::new(RedisStore::open(url, ca)?);
        stores.insert(key, Arc::clone(&store));
        Ok(store)
    })
}

/// Returns a token for `src` that satisfies `want`, fetching at most once
/// across all callers sharing the cache. A cached token is only handed to
/// a caller whose secret is the one that fetched it.
pub fn obtain(src: &Source<'_>, want: Want<'_>) -> Result<Obtained> {
    let api_base = &src.settings.api_base;
    if want.force || want.not.is_some() {
        // A refused or superseded token must not be served from any copy.
        local::invalidate_all();
    } else if let Some(token) = local::get(
        api_base,
        src.appid.as_bytes(),
        src.secret.as_bytes(),
        now_ms(),
    )
    .filter(|_| src.copy_ms > 0)
    {
        return Ok(Obtained {
            token,
            warning: None,
        });
    }
    let epoch = local::epoch();
    let (cached, warning) = obtain_cached(src, want)?;
    let until = cached.fresh_until_ms();
    if src.copy_ms > 0 {
        let now = now_ms();
        local::keep(
            api_base,
            src.appid,
            src.secret,
            &cached.token,
            until.min(now + src.copy_ms),
            now,
            epoch,
        );
    }
    Ok(Obtained {
        token: cached.token,
        warning,
    })
}

/// [`obtain`] without the thread's copies: Redis when configured and up,
/// else the worker's cache.
fn obtain_cached(src: &Source<'_>, want: Want<'_>) -> Result<(Cached, Option<String>)> {
    let key = src.key();
    let fetch_now = || {
        fetch(
            src.settings,
            src.endpoint,
            src.appid,
            src.secret,
            want.force,
            src.deadline,
        )
        .and_then(|issued| Cached::issued(issued, src.secret))
    };
    let mut warning = None;
    if let CacheSetting::Redis(url) = src.cache {
        match redis_store(url, &src.settings.ca) {
            Ok(store) if store.available() => {
                match via_redis(&store, &key, src, want, &fetch_now) {
                    Ok(result) => {
                        store.succeeded();
                        if let Ok(c) = &result {
                            // Kept locally too, so an outage of Redis does not
                            // make this worker fetch (and retire) a new token.
                            memory().put(&key, c.clone());
                        }
                        return result.map(|c| (c, None));
                    }
                    Err(down) => warning = store.failed(&down),
                }
            }
            Ok(_) => {} // backing off after a failure
            Err(bad) => warning = Some(bad.0),
        }
    }
    let result = memory()
        .get_or_fetch(&key, &want, src.secret, src.deadline, fetch_now)
        .map_err(|_| Error::transport("timed out waiting for another caller's token fetch"))?;
    result.map(|c| (c, warning))
}

/// `wx_access_token()`: a valid token for the app, from the cache or
/// fetched once for all callers (`force` fetches a new one), by one
/// `timeout`. `warn` receives the shared cache's outage warning.
pub fn access_token(
    transport: &transport::Settings,
    tokens: Result<&Settings>,
    appid: &[u8],
    secret: &[u8],
    force: bool,
    warn: &mut dyn FnMut(String),
) -> Result<String> {
    // The thread's copy first: a hit reads one clock and re-checks nothing.
    if !force && tokens.as_ref().is_ok_and(|t| t.copy_ms > 0) {
        if let Some(token) = local::get(&transport.api_base, appid, secret, now_ms()) {
            return Ok(token);
        }
    }
    let appid = credential("$appid", appid)?;
    let secret = credential("$appsecret", secret)?;
    let deadline = Instant::now() + transport.timeout;
    let tokens = tokens?;
    let source = Source::new(transport, tokens, appid, secret, deadline);
    let scrub = |e: Error| e.scrubbed(&[secret.as_bytes()]);
    let got = obtain(&source, Want { force, not: None }).map_err(scrub)?;
    if let Some(w) = got.warning {
        warn(crate::secrets::redact(&w, &[secret.as_bytes()]));
    }
    Ok(got.token)
}

/// How long refreshes stop for an app after one did not help.
pub const BREAKER_MS: u64 = 5 * 60_000;

fn breakers() -> &'static std::sync::Mutex<HashMap<String, u64>> {
    static BREAKERS: OnceLock<std::sync::Mutex<HashMap<String, u64>>> = OnceLock::new();
    BREAKERS.get_or_init(Default::default)
}

/// Whether a refresh after a token error may be tried for `appid`: not
/// within [`BREAKER_MS`] of a refresh that did not help (a persistent
/// 40001 would otherwise cost two token fetches per call, of a daily
/// quota of 2,000). Shared through Redis when the token cache is there.
pub fn refresh_allowed(
    settings: &transport::Settings,
    cache: &CacheSetting,
    appid: &str,
    deadline: Instant,
) -> bool {
    let key = cache_key(&settings.api_base, appid);
    let open_here = breakers()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .is_some_and(|until| *until > now_ms());
    if open_here {
        return false;
    }
    if let CacheSetting::Redis(url) = cache {
        if let Ok(store) = redis_store(url, &settings.ca) {
            if store.available() {
                if let Ok(true) = store.locked(&format!("wxpay:token-breaker:{key}"), deadline) {
                    return false;
                }
            }
        }
    }
    true
}

/// A refresh did not help: no more refreshes for `appid` for a while.
pub fn refresh_failed(
    settings: &transport::Settings,
    cache: &CacheSetting,
    appid: &str,
    deadline: Instant,
) {
    let key = cache_key(&settings.api_base, appid);
    breakers()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key.clone(), now_ms() + BREAKER_MS);
    if let CacheSetting::Redis(url) = cache {
        if let Ok(store) = redis_store(url, &settings.ca) {
            if store.available() {
                let ttl = Duration::from_millis(BREAKER_MS);
                let _ = store.try_lock(&format!("wxpay:token-breaker:{key}"), ttl, deadline);
            }
        }
    }
}

/// Drops `token` from the caches that still hold it (after WeChat called it
/// invalid or expired). Returns whether any cache held it.
pub fn forget(
    settings: &transport::Settings,
    cache: &CacheSetting,
    appid: &str,
    token: &str,
    deadline: Instant,
) -> bool {
    local::invalidate_all();
    let key = cache_key(&settings.api_base, appid);
    let mut dropped = memory().forget(&key, token);
    if let CacheSetting::Redis(url) = cache {
        if let Ok(store) = redis_store(url, &settings.ca) {
            if store.available() {
                match store.forget(&format!("wxpay:token:{key}"), token, deadline) {
                    Ok(d) => dropped |= d,
                    Err(down) => {
                        store.failed(&down);
                    }
                }
            }
        }
    }
    dropped
}

/// The Redis path; `Err` only when Redis itself failed (the caller then
/// falls back to the worker's own cache).
fn via_redis(
    store: &RedisStore,
    key: &str,
    src: &Source<'_>,
    want: Want<'_>,
    fetch_now: &dyn Fn() -> Result<Cached>,
) -> std::result::Result<Result<Cached>, RedisDown> {
    let deadline = src.deadline;
    let token_key = format!("wxpay:token:{key}");
    let lock_key = format!("wxpay:lock:{key}");
    let first = store.get(&token_key, deadline)?;
    let before = first.as_ref().map(|c| c.token.clone());
    let accepts = |c: &Cached| want.accepts(c, before.as_deref(), src.secret);
    if let Some(c) = first.filter(accepts) {
        return Ok(Ok(c));
    }
    loop {
        // The lock outlives the holder's fetch (bounded by the timeout) by a
        // second, so a holder that dies blocks nobody for longer.
        let fetch_bound = src
            .settings
            .timeout
            .min(deadline.saturating_duration_since(Instant::now()));
        if let Some(id) =
            store.try_lock(&lock_key, fetch_bound + Duration::from_secs(1), deadline)?
        {
            // The lock is released whatever happens; a release that fails
            // only leaves it to expire (it never costs the token in hand).
            let held = holding(store, &lock_key, &id, deadline, || {
                // Someone may have stored a token between our read and the lock.
                if let Some(c) = store.get(&token_key, deadline)?.filter(accepts) {
                    return Ok(Ok(c));
                }
                let result = fetch_now();
                if let Ok(c) = &result {
                    // A token is worth returning even if it could not be shared.
                    let _ = store.put(&token_key, c, deadline);
                }
                Ok(result)
            });
            return held;
        }
        // Another worker is fetching: wait for its token.
        loop {
            if Instant::now() >= deadline {
                return Ok(Err(Error::transport(
                    "timed out waiting for another worker's token fetch",
                )));
            }
            std::thread::sleep(
                Duration::from_millis(20).min(deadline.saturating_duration_since(Instant::now())),
            );
            if let Some(c) = store.get(&token_key, deadline)?.filter(accepts) {
                return Ok(Ok(c));
            }
            if !store.locked(&lock_key, deadline)? {
                break; // the holder failed or died: try to take over
            }
        }
    }
}

/// Runs `f` while holding the lock `id` on `lock_key`, then releases it;
/// the release's own failure is ignored (the lock expires by itself).
fn holding<T>(
    store: &RedisStore,
    lock_key: &str,
    id: &str,
    deadline: Instant,
    f: impl FnOnce() -> std::result::Result<T, RedisDown>,
) -> std::result::Result<T, RedisDown> {
    let result = f();
    let _ = store.unlock(lock_key, id, deadline);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn access_token(
        c: &Config,
        appid: &[u8],
        secret: &[u8],
        force: bool,
        warn: &mut dyn FnMut(String),
    ) -> Result<String> {
        super::access_token(&c.transport, c.tokens(), appid, secret, force, warn)
    }

    #[test]
    fn freshness_refreshes_ahead() {
        let c = Cached {
            token: "t".into(),
            fetched_at_ms: 0,
            expires_at_ms: 7_200_000,
            proof: Proof::of("s").unwrap(),
        };
        assert!(c.fresh(6_800_000));
        assert!(!c.fresh(6_900_001));
        let short = Cached {
            token: "t".into(),
            fetched_at_ms: 0,
            expires_at_ms: 4_000,
            proof: Proof::of("s").unwrap(),
        };
        assert!(short.fresh(2_999));
        assert!(!short.fresh(3_000));
    }

    #[test]
    fn cache_settings() {
        assert_eq!(
            CacheSetting::parse("wxpay.token_cache", "memory"),
            Ok(CacheSetting::Memory)
        );
        assert!(matches!(
            CacheSetting::parse("wxpay.token_cache", "redis://127.0.0.1:6379/0"),
            Ok(CacheSetting::Redis(_))
        ));
        let e = CacheSetting::parse("wxpay.token_cache", "memcache://:pw@x").unwrap_err();
        assert_eq!(e.message(), "wxpay.token_cache must be \"memory\" or a redis[s]://[user:password@]host:port/db URL, not memcache://***@x");
        assert_eq!(
            CacheSetting::parse("wxpay.token_cache", ""),
            Ok(CacheSetting::Memory)
        );
    }

    /// Settings for tests whose fetches are closures: nothing is reached.
    fn offline_settings(timeout: Duration) -> transport::Settings {
        transport::Settings {
            api_base: "https://api.test".into(),
            timeout,
            connect_timeout: Duration::from_secs(1),
            ca: crate::net::tls::CaSource::Bundled,
            proxy: None,
        }
    }

    #[test]
    fn a_lock_that_cannot_be_released_never_costs_the_token_in_hand() {
        // An ACL user that may read and write but not run scripts: the
        // release (a script) fails, everything else works.
        let redis = redis::tests::TestRedis::start(&[
            "--user", "default", "off", "--user", "shop", "on", ">pw", "~*", "+@all", "-eval",
        ]);
        let url = redis.url.replace("redis://", "redis://shop:pw@");
        let store = RedisStore::open(&url, &crate::net::tls::CaSource::Bundled).unwrap();
        let deadline = Instant::now() + Duration::from_secs(2);
        let id = store
            .try_lock("wxpay:lock:t", Duration::from_secs(5), deadline)
            .unwrap()
            .expect("the lock is free");
        assert!(store.unlock("wxpay:lock:t", &id, deadline).is_err());
        let got = holding(&store, "wxpay:lock:t", &id, deadline, || Ok("the token"));
        assert_eq!(got, Ok("the token"));
    }

    #[test]
    fn via_redis_fetches_once_for_all_and_refreshes_only_a_refused_token() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let redis = redis::tests::TestRedis::start(&[]);
        let settings = offline_settings(Duration::from_secs(3));
        let cache = CacheSetting::Redis(redis.url.clone());
        let key = cache_key(&settings.api_base, "wxA");
        let src = |deadline| Source {
            copy_ms: local::MAX_AGE_MS,
            settings: &settings,
            endpoint: Endpoint::Token,
            cache: &cache,
            appid: "wxA",
            secret: "S",
            deadline,
        };
        let fetches = AtomicU32::new(0);
        let fetch = |name: &str| {
            fetches.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200));
            let now = now_ms();
            Ok(Cached {
                token: name.into(),
                fetched_at_ms: now,
                expires_at_ms: now + 60_000,
                proof: Proof::of("S").unwrap(),
            })
        };
        // Four workers at once, one fetch.
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        let store =
                            RedisStore::open(&redis.url, &crate::net::tls::CaSource::Bundled)
                                .unwrap();
                        let s = src(Instant::now() + Duration::from_secs(3));
                        via_redis(&store, &key, &s, Want::default(), &|| fetch("T1"))
                            .unwrap()
                            .unwrap()
                            .token
                    })
                })
                .collect();
            for h in handles {
                assert_eq!(h.join().unwrap(), "T1");
            }
        });
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        let store = RedisStore::open(&redis.url, &crate::net::tls::CaSource::Bundled).unwrap();
        let s = src(Instant::now() + Duration::from_secs(3));
        // Someone else already replaced T0, the refused token: take theirs.
        let got = via_redis(
            &store,
            &key,
            &s,
            Want {
                force: false,
                not: Some("T0"),
            },
            &|| fetch("T2"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (got.token.as_str(), fetches.load(Ordering::SeqCst)),
            ("T1", 1)
        );
        // The cached one itself was refused: fetch once.
        let got = via_redis(
            &store,
            &key,
            &s,
            Want {
                force: false,
                not: Some("T1"),
            },
            &|| fetch("T2"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (got.token.as_str(), fetches.load(Ordering::SeqCst)),
            ("T2", 2)
        );
        // Forced: a new one even though T2 is fresh.
        let got = via_redis(
            &store,
            &key,
            &s,
            Want {
                force: true,
                not: None,
            },
            &|| fetch("T3"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (got.token.as_str(), fetches.load(Ordering::SeqCst)),
            ("T3", 3)
        );
        // Another secret never gets T3: it fetches (and here WeChat refuses).
        let wrong = Source {
            copy_ms: local::MAX_AGE_MS,
            secret: "WRONG",
            ..src(Instant::now() + Duration::from_secs(3))
        };
        let refused = || {
            Err(Error::Api {
                code: 40125,
                message: "invalid appsecret".into(),
            })
        };
        assert!(matches!(
            via_redis(&store, &key, &wrong, Want::default(), &refused).unwrap(),
            Err(Error::Api { .. })
        ));
        assert_eq!(
            store
                .get(&format!("wxpay:token:{key}"), s.deadline)
                .unwrap()
                .unwrap()
                .token,
            "T3"
        );
        // forget() drops it from Redis and memory when it is still the cached one.
        assert!(forget(
            &settings,
            &cache,
            "wxA",
            "T3",
            Instant::now() + Duration::from_secs(1)
        ));
        assert_eq!(
            store
                .get(&format!("wxpay:token:{key}"), s.deadline)
                .unwrap(),
            None
        );
    }

    /// A token server (the core's test HTTPS server) and settings that trust it.
    fn token_server(
        answers: Vec<crate::testserver::Answer>,
    ) -> (crate::testserver::TestServer, transport::Settings) {
        let server = crate::testserver::TestServer::start(answers);
        let settings = transport::Settings {
            api_base: server.base.clone(),
            timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(1),
            ca: crate::net::tls::CaSource::File(server.ca_file.clone()),
            proxy: None,
        };
        (server, settings)
    }

    fn tokens(n: usize, expires_in: u64) -> Vec<crate::testserver::Answer> {
        (0..n)
            .map(|i| {
                crate::testserver::Answer::ok(&format!(
                    r#"{{"access_token":"TOKEN{i}","expires_in":{expires_in}}}"#
                ))
            })
            .collect()
    }

    #[test]
    fn obtain_fetches_once_per_app_and_refreshes_ahead_of_expiry() {
        let (server, settings) = token_server(tokens(10, 4));
        let cache = CacheSetting::Memory;
        let get = |appid: &'static str| {
            let src = Source {
                copy_ms: local::MAX_AGE_MS,
                settings: &settings,
                endpoint: Endpoint::Token,
                cache: &cache,
                appid,
                secret: "S",
                deadline: Instant::now() + Duration::from_secs(3),
            };
            obtain(&src, Want::default()).map(|o| o.token).unwrap()
        };
        let a = get("wxObtainA");
        assert_eq!(get("wxObtainA"), a, "cached");
        let b = get("wxObtainB");
        assert_ne!(b, a, "each app its own token");
        assert_eq!(server.requests.lock().unwrap().len(), 2);
        assert!(server.requests.lock().unwrap()[0].starts_with(
            "GET /cgi-bin/token?grant_type=client_credential&appid=wxObtainA&secret=S "
        ));
        // A 4 s token is kept for its first 3 s and refreshed in its last
        // quarter, before it expires.
        std::thread::sleep(Duration::from_millis(1000));
        assert_eq!(get("wxObtainA"), a);
        std::thread::sleep(Duration::from_millis(2300));
        assert_ne!(get("wxObtainA"), a);
        assert_eq!(server.requests.lock().unwrap().len(), 3);
    }

    #[test]
    fn obtain_reads_redis_first_and_backs_off_after_a_failure() {
        let (server, settings) = token_server(tokens(10, 7200));
        let redis = redis::tests::TestRedis::start(&[]);
        let cache = CacheSetting::Redis(redis.url.clone());
        let src = |appid| Source {
            copy_ms: local::MAX_AGE_MS,
            settings: &settings,
            endpoint: Endpoint::Token,
            cache: &cache,
            appid,
            secret: "S",
            deadline: Instant::now() + Duration::from_secs(3),
        };
        let first = obtain(&src("wxObtainR"), Want::default()).unwrap();
        assert!(first.warning.is_none());
        // Another worker stores a newer token in Redis: this one hands it out.
        let store = RedisStore::open(&redis.url, &crate::net::tls::CaSource::Bundled).unwrap();
        let key = format!("wxpay:token:{}", cache_key(&settings.api_base, "wxObtainR"));
        let mut newer = store
            .get(&key, Instant::now() + Duration::from_secs(1))
            .unwrap()
            .unwrap();
        newer.token = "FROM-ANOTHER-WORKER".into();
        store
            .put(&key, &newer, Instant::now() + Duration::from_secs(1))
            .unwrap();
        // This thread keeps serving its copy (bounded staleness); a thread
        // without one reads Redis.
        assert_eq!(
            obtain(&src("wxObtainR"), Want::default()).unwrap().token,
            first.token
        );
        let fresh_thread =
            |f: &(dyn Fn() -> Obtained + Sync)| std::thread::scope(|s| s.spawn(f).join().unwrap());
        assert_eq!(
            fresh_thread(&|| obtain(&src("wxObtainR"), Want::default()).unwrap()).token,
            "FROM-ANOTHER-WORKER"
        );
        assert_eq!(server.requests.lock().unwrap().len(), 1);
        // A silent Redis: the first call pays one bounded wait and warns; the
        // next ones leave Redis alone (the back-off) and use the worker's copy.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let quiet = CacheSetting::Redis(format!("redis://{}/0", silent.local_addr().unwrap()));
        let src = |appid| Source {
            copy_ms: local::MAX_AGE_MS,
            settings: &settings,
            endpoint: Endpoint::Token,
            cache: &quiet,
            appid,
            secret: "S",
            deadline: Instant::now() + Duration::from_secs(3),
        };
        let started = Instant::now();
        let got = fresh_thread(&|| obtain(&src("wxObtainR"), Want::default()).unwrap());
        assert!(got.warning.unwrap().contains("timed out"));
        assert!(started.elapsed() >= Duration::from_millis(400));
        let started = Instant::now();
        let again = fresh_thread(&|| obtain(&src("wxObtainR"), Want::default()).unwrap());
        assert!(again.warning.is_none() && again.token == got.token);
        assert!(
            started.elapsed() < Duration::from_millis(300),
            "backing off: {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn via_redis_takes_over_a_lock_whose_holder_died_and_sets_a_bounded_ttl() {
        let redis = redis::tests::TestRedis::start(&[]);
        let settings = offline_settings(Duration::from_secs(2));
        let cache = CacheSetting::Redis(redis.url.clone());
        let key = cache_key(&settings.api_base, "wxTakeover");
        let store = RedisStore::open(&redis.url, &crate::net::tls::CaSource::Bundled).unwrap();
        let soon = || Instant::now() + Duration::from_secs(1);
        // A holder that died: its lock lingers 300 ms, no token was stored.
        store
            .try_lock(
                &format!("wxpay:lock:{key}"),
                Duration::from_millis(300),
                soon(),
            )
            .unwrap()
            .unwrap();
        let src = Source {
            copy_ms: local::MAX_AGE_MS,
            settings: &settings,
            endpoint: Endpoint::Token,
            cache: &cache,
            appid: "wxTakeover",
            secret: "S",
            deadline: Instant::now() + Duration::from_secs(2),
        };
        let ttl_seen = std::sync::Mutex::new(0i64);
        let fetch = || {
            let ttl: i64 = store
                .run(soon(), |c| {
                    ::redis::cmd("PTTL")
                        .arg(format!("wxpay:lock:{key}"))
                        .query(c)
                })
                .unwrap();
            *ttl_seen.lock().unwrap() = ttl;
            let now = now_ms();
            Ok(Cached {
                token: "MINE".into(),
                fetched_at_ms: now,
                expires_at_ms: now + 60_000,
                proof: Proof::of("S").unwrap(),
            })
        };
        let got = via_redis(&store, &key, &src, Want::default(), &fetch)
            .unwrap()
            .unwrap();
        assert_eq!(got.token, "MINE");
        // The fetcher's lock outlives its fetch (timeout 2 s) by one second.
        let ttl = *ttl_seen.lock().unwrap();
        assert!((2500..=3000).contains(&ttl), "{ttl}");
        assert!(
            !store.locked(&format!("wxpay:lock:{key}"), soon()).unwrap(),
            "released after the fetch"
        );
    }

    #[test]
    fn access_token_serves_the_threads_copy_and_force_fetches_anew() {
        let server = crate::testserver::TestServer::start(tokens(10, 7200));
        let c = crate::testserver::config(&server, &[]);
        let mut quiet = crate::testserver::quiet();
        let get = |force: bool, quiet: &mut dyn FnMut(String)| {
            access_token(&c, b"wxAccessCopy", b"SECRET-AT", force, quiet).unwrap()
        };
        let first = get(false, &mut quiet);
        assert!(first.starts_with("TOKEN"), "{first}");
        assert_eq!(get(false, &mut quiet), first);
        assert_eq!(
            server.requests.lock().unwrap().len(),
            1,
            "the copy served it"
        );
        let forced = get(true, &mut quiet);
        assert_ne!(forced, first);
        assert_eq!(server.requests.lock().unwrap().len(), 2);
        assert_eq!(get(false, &mut quiet), forced, "the new one, from then on");
        // A wrong secret is never served the copy of the right one.
        let other = access_token(&c, b"wxAccessCopy", b"SECRET-OTHER", false, &mut quiet);
        assert!(other.map_or(true, |t| t != forced));
        let e = access_token(&c, b"", b"SECRET-AT", false, &mut quiet).unwrap_err();
        assert!(e.message().starts_with("$appid must be"), "{e}");
    }

    /// Transport settings for tests that never reach the network.
    fn nowhere() -> transport::Settings {
        transport::Settings {
            api_base: "https://127.0.0.1:9".into(),
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            ca: crate::net::tls::CaSource::Bundled,
            proxy: None,
        }
    }

    #[test]
    fn a_failed_refresh_stops_refreshes_for_five_minutes_for_that_app_only() {
        let settings = nowhere();
        let deadline = Instant::now() + Duration::from_secs(1);
        let cache = CacheSetting::Memory;
        assert!(refresh_allowed(&settings, &cache, "wxBreakerA", deadline));
        let before = now_ms();
        refresh_failed(&settings, &cache, "wxBreakerA", deadline);
        let after = now_ms();
        assert!(!refresh_allowed(&settings, &cache, "wxBreakerA", deadline));
        assert!(refresh_allowed(&settings, &cache, "wxBreakerB", deadline));
        let until = breakers().lock().unwrap()[&cache_key(&settings.api_base, "wxBreakerA")];
        assert!(
            (before + 300_000..=after + 300_000).contains(&until),
            "{until} is 5 minutes from {before}"
        );
    }

    #[test]
    fn a_breaker_opened_by_one_worker_holds_for_every_worker_of_the_redis() {
        let redis = redis::tests::TestRedis::start(&[]);
        let settings = nowhere();
        let deadline = Instant::now() + Duration::from_secs(3);
        let cache = CacheSetting::Redis(redis.url.clone());
        refresh_failed(&settings, &cache, "wxBreakerShared", deadline);
        // Another worker: this process's own breaker forgotten, Redis's kept.
        let key = cache_key(&settings.api_base, "wxBreakerShared");
        breakers().lock().unwrap().remove(&key);
        assert!(!refresh_allowed(
            &settings,
            &cache,
            "wxBreakerShared",
            deadline
        ));
        assert!(refresh_allowed(
            &settings,
            &cache,
            "wxBreakerOther",
            deadline
        ));
        let store = RedisStore::open(&redis.url, &crate::net::tls::CaSource::Bundled).unwrap();
        let ttl: u64 = store
            .run(deadline, |c| {
                ::redis::cmd("PTTL")
                    .arg(format!("wxpay:token-breaker:{key}"))
                    .query(c)
            })
            .unwrap();
        assert!(
            (BREAKER_MS - 60_000..=BREAKER_MS).contains(&ttl),
            "{ttl} ms left of {BREAKER_MS}"
        );
    }

    #[test]
    fn a_threads_copy_is_served_for_copy_ms_and_then_redis_is_asked_again() {
        let (_server, settings) = token_server(tokens(10, 7200));
        let redis = redis::tests::TestRedis::start(&[]);
        let cache = CacheSetting::Redis(redis.url.clone());
        let src = Source {
            copy_ms: 300,
            settings: &settings,
            endpoint: Endpoint::Token,
            cache: &cache,
            appid: "wxCopyMs",
            secret: "S",
            deadline: Instant::now() + Duration::from_secs(3),
        };
        let first = obtain(&src, Want::default()).unwrap().token;
        let store = RedisStore::open(&redis.url, &crate::net::tls::CaSource::Bundled).unwrap();
        let key = format!("wxpay:token:{}", cache_key(&settings.api_base, "wxCopyMs"));
        let soon = || Instant::now() + Duration::from_secs(1);
        let mut newer = store.get(&key, soon()).unwrap().unwrap();
        newer.token = "FROM-ANOTHER-WORKER".into();
        store.put(&key, &newer, soon()).unwrap();
        assert!(first.starts_with("TOKEN"));
        // Twice the copy's 300 ms later: Redis again, whatever the token's
        // own lifetime (obtain_reads_redis_first... shows the copy before).
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(
            obtain(&src, Want::default()).unwrap().token,
            "FROM-ANOTHER-WORKER"
        );
    }
}
