//! The per-worker token cache, with single flight: while one caller fetches
//! a token for a key, the others wait for it instead of fetching their own.

use super::{Cached, Want};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

#[derive(Default)]
struct Slot {
    cached: Option<Cached>,
    fetching: bool,
    /// Bumped after every fetch, so waiters know one finished.
    generation: u64,
}

#[derive(Default)]
pub struct MemoryCache {
    slots: Mutex<HashMap<String, Slot>>,
    done: Condvar,
    /// The process the fetch flags belong to (see `crate::process`).
    pid: AtomicU32,
}

/// Waiting for another caller's fetch took longer than the deadline.
#[derive(Debug, PartialEq, Eq)]
pub struct WaitTimedOut;

impl MemoryCache {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let pid = std::process::id();
        if self.pid.swap(pid, Ordering::Relaxed) != pid {
            // Forked: a fetch in flight belongs to the parent and will never
            // finish here. Tokens stay valid; single-flight state does not.
            for slot in slots.values_mut() {
                slot.fetching = false;
                slot.generation += 1;
            }
        }
        slots
    }

    /// Stores a token obtained elsewhere (the shared cache), so the worker
    /// still has it if the shared cache goes down.
    pub fn put(&self, key: &str, cached: Cached) {
        self.lock().entry(key.to_string()).or_default().cached = Some(cached);
    }

    /// Drops `token` if it is still the one cached for `key`.
    pub fn forget(&self, key: &str, token: &str) -> bool {
        let mut slots = self.lock();
        match slots.get_mut(key) {
            Some(slot) if slot.cached.as_ref().is_some_and(|c| c.token == token) => {
                slot.cached = None;
                true
            }
            _ => false,
        }
    }

    /// The token for `key`: the cached one if `want` accepts it for
    /// `secret`, else the result of `fetch`, run by one caller at a time.
    pub fn get_or_fetch<E>(
        &self,
        key: &str,
        want: &Want<'_>,
        secret: &str,
        deadline: Instant,
        fetch: impl FnOnce() -> Result<Cached, E>,
    ) -> Result<Result<Cached, E>, WaitTimedOut> {
        let mut slots = self.lock();
        let before = slots
            .get(key)
            .and_then(|s| s.cached.as_ref())
            .map(|c| c.token.clone());
        loop {
            let slot = slots.entry(key.to_string()).or_default();
            if let Some(c) = slot
                .cached
                .as_ref()
                .filter(|c| want.accepts(c, before.as_deref(), secret))
            {
                return Ok(Ok(c.clone()));
            }
            if !slot.fetching {
                break;
            }
            let generation = slot.generation;
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitTimedOut);
            }
            let (guard, _) = self
                .done
                .wait_timeout_while(slots, deadline - now, |s| {
                    s.get(key).is_some_and(|s| s.generation == generation)
                })
                .unwrap_or_else(|e| e.into_inner());
            slots = guard;
        }
        slots.entry(key.to_string()).or_default().fetching = true;
        drop(slots);

        // The fetch runs unlocked; a panic in it must still release waiters.
        struct Release<'a>(&'a MemoryCache, &'a str, Option<Cached>);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                let mut slots = self.0.lock();
                let slot = slots.entry(self.1.to_string()).or_default();
                slot.fetching = false;
                slot.generation += 1;
                if let Some(c) = self.2.take() {
                    slot.cached = Some(c);
                }
                self.0.done.notify_all();
            }
        }
        let mut release = Release(self, key, None);
        let result = fetch();
        if let Ok(c) = &result {
            release.2 = Some(c.clone());
        }
        drop(release);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::Proof;
    use std::sync::Arc;
    use std::time::Duration;

    const SECRET: &str = "the-secret";

    fn token(t: &str) -> Cached {
        let now = super::super::now_ms();
        Cached {
            token: t.into(),
            fetched_at_ms: now,
            expires_at_ms: now + 7_200_000,
            proof: Proof::of(SECRET).unwrap(),
        }
    }

    #[test]
    fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(MemoryCache::default());
        let fetches = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (cache, fetches) = (Arc::clone(&cache), Arc::clone(&fetches));
                std::thread::spawn(move || {
                    let deadline = Instant::now() + Duration::from_secs(5);
                    cache
                        .get_or_fetch::<()>("k", &Want::default(), SECRET, deadline, || {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(200));
                            Ok(token("T1"))
                        })
                        .unwrap()
                        .unwrap()
                        .token
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), "T1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn stale_and_forced_requests_fetch_again() {
        let cache = MemoryCache::default();
        let deadline = Instant::now() + Duration::from_secs(1);
        cache.put("k", token("OLD"));
        let got = cache
            .get_or_fetch::<()>("k", &Want::default(), SECRET, deadline, || Ok(token("NEW")))
            .unwrap()
            .unwrap();
        assert_eq!(got.token, "OLD");
        let not_old = Want {
            force: false,
            not: Some("OLD"),
        };
        let got = cache
            .get_or_fetch::<()>("k", &not_old, SECRET, deadline, || Ok(token("NEW")))
            .unwrap()
            .unwrap();
        assert_eq!(got.token, "NEW");
        // The failed token was already replaced: no second fetch.
        let got = cache
            .get_or_fetch::<()>("k", &not_old, SECRET, deadline, || Ok(token("NEWER")))
            .unwrap()
            .unwrap();
        assert_eq!(got.token, "NEW");
        let forced = Want {
            force: true,
            not: None,
        };
        assert_eq!(
            cache
                .get_or_fetch::<()>("k", &forced, SECRET, deadline, || Ok(token("F")))
                .unwrap()
                .unwrap()
                .token,
            "F"
        );
    }

    #[test]
    fn a_failed_fetch_is_not_cached() {
        let cache = MemoryCache::default();
        let deadline = Instant::now() + Duration::from_secs(1);
        assert_eq!(
            cache
                .get_or_fetch("k", &Want::default(), SECRET, deadline, || Err(45009))
                .unwrap(),
            Err(45009)
        );
        let got = cache
            .get_or_fetch::<()>("k", &Want::default(), SECRET, deadline, || Ok(token("T")))
            .unwrap();
        assert_eq!(got.unwrap().token, "T");
    }

    #[test]
    fn a_wrong_secret_never_gets_the_cached_token() {
        let cache = MemoryCache::default();
        let deadline = Instant::now() + Duration::from_secs(1);
        cache.put("k", token("GOOD"));
        let wrong = cache
            .get_or_fetch("k", &Want::default(), "WRONG", deadline, || Err(40125))
            .unwrap();
        assert_eq!(wrong, Err(40125));
        // ...and its failed fetch did not disturb the right secret's token.
        let right = cache
            .get_or_fetch::<i32>("k", &Want::default(), SECRET, deadline, || Err(1))
            .unwrap();
        assert_eq!(right.unwrap().token, "GOOD");
    }

    #[test]
    fn forget_drops_only_the_same_token() {
        let cache = MemoryCache::default();
        let deadline = Instant::now() + Duration::from_secs(1);
        cache.put("k", token("CURRENT"));
        assert!(!cache.forget("k", "OTHER"));
        assert!(cache.forget("k", "CURRENT"));
        let got = cache
            .get_or_fetch::<()>("k", &Want::default(), SECRET, deadline, || Ok(token("NEW")))
            .unwrap();
        assert_eq!(got.unwrap().token, "NEW");
    }

    #[test]
    fn waiters_are_woken_when_the_fetch_ends() {
        // Waiters must not sit out their deadline (5 s) once the 200 ms fetch is done.
        let started = Instant::now();
        concurrent_callers_share_one_fetch();
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_fork_forgets_the_parents_fetch_in_flight() {
        let cache = MemoryCache::default();
        cache.put("k", token("OLD"));
        {
            let mut slots = cache.lock();
            slots.get_mut("k").unwrap().fetching = true;
        }
        // As a forked child sees it: another process's fetch that will never end.
        cache.pid.store(0, Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(3);
        let started = Instant::now();
        let not_old = Want {
            force: false,
            not: Some("OLD"),
        };
        let got = cache
            .get_or_fetch::<()>("k", &not_old, SECRET, deadline, || Ok(token("NEW")))
            .unwrap();
        assert_eq!(got.unwrap().token, "NEW");
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(cache.lock()["k"].generation > 0);
    }
}
