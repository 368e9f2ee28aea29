//! The shared token cache: one token per (API, appid) for every worker of
//! every server, in Redis, with a lock that expires so a crashed holder
//! cannot block the fleet.
//!
//! Keys (documented in the README):
//!   wxpay:token:<api_base>:<appid>   {"access_token", "fetched_at_ms", "expires_at_ms", "salt", "proof"}, TTL = lifetime
//!   wxpay:lock:<api_base>:<appid>    the fetcher's random id, PX = the fetch's bound + 1 s
//!
//! Every operation is bounded by the caller's deadline (and a second at
//! most). After a failure the worker leaves Redis alone for a while, so
//! a stopped or silent Redis costs one bounded wait, not one per call.

use super::{Cached, Proof};
use crate::net::redis::Conn;
use crate::net::redis::{Backoff, Down, Link};
use crate::net::tls::CaSource;
use redis::Value as RValue;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub use crate::net::redis::Down as RedisDown;

pub struct RedisStore {
    link: Link,
    backoff: Backoff,
}

/// How long one Redis round trip may take at most, whatever the deadline:
/// a Redis that needs longer is treated as down (and backed off).
const MAX_IO: Duration = Duration::from_millis(500);

impl RedisStore {
    /// The store at `url` (checked by `CacheSetting::parse`); a `rediss://`
    /// server is verified against `ca`.
    pub fn open(url: &str, ca: &CaSource) -> Result<RedisStore, Down> {
        Ok(RedisStore {
            link: Link::open(url, ca, "wxpay.token_cache", None)?,
            backoff: Backoff::default(),
        })
    }

    /// False while backing off after a failure.
    pub fn available(&self) -> bool {
        self.backoff.available()
    }

    /// Records a failure; returns the warning to show if this outage has
    /// not been reported yet.
    pub fn failed(&self, why: &Down) -> Option<String> {
        self.backoff.failed().then(|| {
            format!(
                "the token cache Redis at {} is unusable ({}); using this worker's own token cache, and trying Redis again in {} s",
                self.link.shown(),
                why.0,
                Backoff::PAUSE.as_secs()
            )
        })
    }

    /// Records a success: the next failure is a new outage.
    pub fn succeeded(&self) {
        self.backoff.succeeded();
    }

    pub(crate) fn run<T>(
        &self,
        deadline: Instant,
        f: impl FnMut(&mut Conn) -> redis::RedisResult<T>,
    ) -> Result<T, Down> {
        let io = deadline
            .saturating_duration_since(Instant::now())
            .min(MAX_IO);
        self.link.run(io, f)
    }

    pub fn get(&self, key: &str, deadline: Instant) -> Result<Option<Cached>, RedisDown> {
        let raw: Option<String> = self.run(deadline, |c| redis::cmd("GET").arg(key).query(c))?;
        Ok(raw.and_then(|s| {
            let v: Value = serde_json::from_str(&s).ok()?;
            Some(Cached {
                token: v.get("access_token")?.as_str()?.to_string(),
                fetched_at_ms: v.get("fetched_at_ms")?.as_u64()?,
                expires_at_ms: v.get("expires_at_ms")?.as_u64()?,
                // An entry without a proof (an older version's) is no token.
                proof: Proof::from_hex(v.get("salt")?.as_str()?, v.get("proof")?.as_str()?)?,
            })
        }))
    }

    pub fn put(&self, key: &str, c: &Cached, deadline: Instant) -> Result<(), RedisDown> {
        let ttl = c.expires_at_ms.saturating_sub(super::now_ms()).max(1);
        let (salt, proof) = c.proof.to_hex();
        let v = json!({
            "access_token": c.token, "fetched_at_ms": c.fetched_at_ms, "expires_at_ms": c.expires_at_ms,
            "salt": salt, "proof": proof,
        });
        self.run(deadline, |conn| {
            redis::cmd("SET")
                .arg(key)
                .arg(v.to_string())
                .arg("PX")
                .arg(ttl)
                .query::<()>(conn)
        })
    }

    /// Deletes the cached token only if it is still `token`.
    pub fn forget(&self, key: &str, token: &str, deadline: Instant) -> Result<bool, RedisDown> {
        const SCRIPT: &str = "local v = redis.call('GET', KEYS[1]) \
            if v and cjson.decode(v).access_token == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        self.run(deadline, |c| {
            redis::cmd("EVAL")
                .arg(SCRIPT)
                .arg(1)
                .arg(key)
                .arg(token)
                .query::<i64>(c)
        })
        .map(|n| n > 0)
    }

    /// Takes the lock if free; `Some(id)` when this caller holds it.
    pub fn try_lock(
        &self,
        key: &str,
        ttl: Duration,
        deadline: Instant,
    ) -> Result<Option<String>, RedisDown> {
        let id = hex::encode(crate::random::bytes::<16>().map_err(|e| Down(e.to_string()))?);
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let got: RValue = self.run(deadline, |c| {
            redis::cmd("SET")
                .arg(key)
                .arg(&id)
                .arg("NX")
                .arg("PX")
                .arg(ms)
                .query(c)
        })?;
        Ok(matches!(got, RValue::Okay | RValue::SimpleString(_)).then_some(id))
    }

    /// Releases the lock only if this caller still holds it.
    pub fn unlock(&self, key: &str, id: &str, deadline: Instant) -> Result<(), RedisDown> {
        const SCRIPT: &str =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        self.run(deadline, |c| {
            redis::cmd("EVAL")
                .arg(SCRIPT)
                .arg(1)
                .arg(key)
                .arg(id)
                .query::<i64>(c)
        })
        .map(|_| ())
    }

    pub fn locked(&self, key: &str, deadline: Instant) -> Result<bool, RedisDown> {
        self.run(deadline, |c| redis::cmd("EXISTS").arg(key).query::<i64>(c))
            .map(|n| n > 0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::secrets::masked;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(2)
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            masked("redis://:hunter2@127.0.0.1:6379/0"),
            "redis://***@127.0.0.1:6379/0"
        );
        assert_eq!(
            masked("redis://user:hunter2@127.0.0.1:6379/0"),
            "redis://***@127.0.0.1:6379/0"
        );
        assert_eq!(masked("http://u:p@proxy:3128"), "http://***@proxy:3128");
        assert_eq!(
            masked("redis://127.0.0.1:6379/0"),
            "redis://127.0.0.1:6379/0"
        );
        assert_eq!(masked("redis://h:1/0?x=a@b"), "redis://h:1/0?x=a@b");
        assert!(crate::net::redis::check_url("wxpay.token_cache", "http://x").is_err());
    }

    #[test]
    fn a_query_is_refused_without_showing_it() {
        let e = crate::net::redis::check_url(
            "wxpay.token_cache",
            "redis://127.0.0.1:6379/0?password=hunter2",
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("redis://127.0.0.1:6379/0"), "{e}");
    }

    #[test]
    fn an_unreachable_redis_is_reported_once_per_outage_and_backed_off() {
        let store = RedisStore::open("redis://127.0.0.1:1/0", &CaSource::Bundled).unwrap();
        assert!(store.available());
        let e = store.get("k", soon()).unwrap_err();
        assert_eq!(e.0, "connection refused");
        assert!(store.failed(&e).unwrap().contains("redis://127.0.0.1:1/0"));
        assert!(!store.available());
        assert!(store.failed(&e).is_none());
        store.succeeded();
        assert!(store.available());
        assert!(store.failed(&e).is_some());
    }

    #[test]
    fn a_silent_redis_costs_at_most_the_deadline() {
        // Accepts connections (the kernel completes them) and never answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("redis://{}/0", silent.local_addr().unwrap());
        let store = RedisStore::open(&url, &CaSource::Bundled).unwrap();
        let started = Instant::now();
        let e = store
            .get("k", Instant::now() + Duration::from_millis(300))
            .unwrap_err();
        assert_eq!(e.0, "timed out");
        assert!(
            // Unbounded, a silent server would hold the call forever; the
            // margin is for a loaded machine.
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let e = store.get("k", Instant::now()).unwrap_err();
        assert!(e.0.contains("budget"), "{e:?}");
    }

    /// A redis-server of the test's own on a free loopback port (make
    /// test-deps installs it); stopped when dropped.
    pub(crate) struct TestRedis {
        pub url: String,
        child: std::process::Child,
    }

    impl TestRedis {
        pub(crate) fn start(extra: &[&str]) -> TestRedis {
            let port = free_port();
            let mut cmd = std::process::Command::new("redis-server");
            cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .args(extra);
            TestRedis {
                url: format!("redis://127.0.0.1:{port}/0"),
                child: spawn_listening(cmd, port, "redis-server"),
            }
        }

        /// The port in `url`.
        pub(crate) fn port(&self) -> u16 {
            let tail = self.url.rsplit_once(':').unwrap().1;
            tail.split('/').next().unwrap().parse().unwrap()
        }

        /// A sentinel (redis-sentinel, which rewrites its config file in
        /// `dir`) watching the primary `name` on `primary_port`, quorum 1;
        /// its `url` is its host:port.
        pub(crate) fn sentinel(dir: &std::path::Path, name: &str, primary_port: u16) -> TestRedis {
            let port = free_port();
            let conf = dir.join(format!("sentinel-{port}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "port {port}\nbind 127.0.0.1\ndir {}\nsentinel monitor {name} 127.0.0.1 {primary_port} 1\n",
                    dir.display()
                ),
            )
            .unwrap();
            let mut cmd = std::process::Command::new("redis-sentinel");
            cmd.arg(&conf);
            TestRedis {
                url: format!("127.0.0.1:{port}"),
                child: spawn_listening(cmd, port, "redis-sentinel"),
            }
        }
    }

    fn free_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    /// Starts `cmd` (a Debian package's server, `what`) and waits until it
    /// listens on `port`.
    fn spawn_listening(
        mut cmd: std::process::Command,
        port: u16,
        what: &str,
    ) -> std::process::Child {
        let child = cmd
            .stdout(std::process::Stdio::null())
            // Not the test's stderr: a pipe reader would wait for it.
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} (make test-deps installs it): {e}"));
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        child
    }

    impl Drop for TestRedis {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn cached(token: &str, secret: &str) -> Cached {
        let now = super::super::now_ms();
        Cached {
            token: token.into(),
            fetched_at_ms: now,
            expires_at_ms: now + 60_000,
            proof: Proof::of(secret).unwrap(),
        }
    }

    #[test]
    fn tokens_round_trip_with_their_proof_and_a_ttl() {
        let redis = TestRedis::start(&[]);
        let store = RedisStore::open(&redis.url, &CaSource::Bundled).unwrap();
        assert_eq!(store.get("k", soon()).unwrap(), None);
        let c = cached("TOKEN1", "secret");
        store.put("k", &c, soon()).unwrap();
        assert_eq!(store.get("k", soon()).unwrap(), Some(c));
        let ttl: i64 = store
            .run(soon(), |conn| redis::cmd("PTTL").arg("k").query(conn))
            .unwrap();
        assert!((50_000..=60_000).contains(&ttl), "{ttl}");
        let raw: String = store
            .run(soon(), |conn| redis::cmd("GET").arg("k").query(conn))
            .unwrap();
        assert!(
            !raw.contains("secret") && raw.contains("\"proof\""),
            "{raw}"
        );
        // An entry without a proof (an older version's) is no token.
        store
            .run(soon(), |conn| {
                redis::cmd("SET")
                    .arg("k")
                    .arg(r#"{"access_token":"T","fetched_at_ms":1,"expires_at_ms":9}"#)
                    .query::<()>(conn)
            })
            .unwrap();
        assert_eq!(store.get("k", soon()).unwrap(), None);
    }

    #[test]
    fn forget_drops_only_the_same_token() {
        let redis = TestRedis::start(&[]);
        let store = RedisStore::open(&redis.url, &CaSource::Bundled).unwrap();
        store.put("k", &cached("CURRENT", "s"), soon()).unwrap();
        assert!(!store.forget("k", "OTHER", soon()).unwrap());
        assert!(store.get("k", soon()).unwrap().is_some());
        assert!(store.forget("k", "CURRENT", soon()).unwrap());
        assert_eq!(store.get("k", soon()).unwrap(), None);
        assert!(!store.forget("k", "CURRENT", soon()).unwrap());
    }

    #[test]
    fn the_lock_is_exclusive_expires_and_is_released_only_by_its_holder() {
        let redis = TestRedis::start(&[]);
        let store = RedisStore::open(&redis.url, &CaSource::Bundled).unwrap();
        assert!(!store.locked("l", soon()).unwrap());
        let id = store
            .try_lock("l", Duration::from_millis(3000), soon())
            .unwrap()
            .expect("free");
        assert_eq!(id.len(), 32);
        assert!(store.locked("l", soon()).unwrap());
        assert_eq!(
            store
                .try_lock("l", Duration::from_millis(3000), soon())
                .unwrap(),
            None
        );
        let ttl: i64 = store
            .run(soon(), |conn| redis::cmd("PTTL").arg("l").query(conn))
            .unwrap();
        assert!((1..=3000).contains(&ttl), "{ttl}");
        store.unlock("l", "someone-else", soon()).unwrap();
        assert!(store.locked("l", soon()).unwrap());
        store.unlock("l", &id, soon()).unwrap();
        assert!(!store.locked("l", soon()).unwrap());
        // A holder that never unlocks: the lock goes by itself.
        store
            .try_lock("l", Duration::from_millis(150), soon())
            .unwrap()
            .expect("free again");
        std::thread::sleep(Duration::from_millis(300));
        assert!(!store.locked("l", soon()).unwrap());
    }

    #[test]
    fn a_wrong_or_missing_password_is_an_authentication_failure() {
        let redis = TestRedis::start(&["--requirepass", "right-pw"]);
        let port = redis
            .url
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches("/0")
            .to_string();
        for url in [
            format!("redis://:wrong-pw@127.0.0.1:{port}/0"),
            redis.url.clone(),
        ] {
            let e = RedisStore::open(&url, &CaSource::Bundled)
                .unwrap()
                .get("k", soon())
                .unwrap_err();
            assert_eq!(
                e.0, "authentication failed: check the user and password in wxpay.token_cache",
                "{url}"
            );
        }
        let good = RedisStore::open(
            &format!("redis://:right-pw@127.0.0.1:{port}/0"),
            &CaSource::Bundled,
        )
        .unwrap();
        assert_eq!(good.get("k", soon()).unwrap(), None);
    }
}
