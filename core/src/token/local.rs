//! A thread's own copies of the tokens it obtained, so that a hit costs no
//! lock, no key allocation, no HMAC and no Redis round trip.
//!
//! A copy is used for at most `wxpay.token_copy_ttl` (at most
//! [`MAX_AGE_MS`], well inside the ~5 minutes for which WeChat keeps
//! accepting a token after issuing the next one), and never past the point
//! where the cache would refresh it. Dropping a token
//! anywhere in the process ([`invalidate_all`], after 40001/40014/42001)
//! retires every thread's copies at once. A copy is only handed to a caller
//! whose secret gives the same keyed 64-bit tag as the caller that obtained
//! it through the full check; the tag's key is random per process and the
//! secret itself is not kept.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The longest a copy may be used without asking the cache again.
pub const MAX_AGE_MS: u64 = 60_000;

struct Copy {
    api_base: String,
    appid: String,
    token: String,
    secret_tag: u64,
    until_ms: u64,
    epoch: u64,
}

thread_local! {
    static COPIES: RefCell<Vec<Copy>> = const { RefCell::new(Vec::new()) };
}

/// Bumped whenever a token is dropped: every older copy is stale.
static EPOCH: AtomicU64 = AtomicU64::new(0);

fn tag(secret: &[u8]) -> u64 {
    static KEY: OnceLock<RandomState> = OnceLock::new();
    KEY.get_or_init(RandomState::new).hash_one(secret)
}

/// The epoch to pass to [`keep`], read before the cache is consulted.
pub fn epoch() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

/// This thread's copy of the token for `appid`, if it is still usable for
/// a caller holding `secret`. Raw bytes: a copy exists only for an appid
/// and secret that passed every check when it was made.
pub fn get(api_base: &str, appid: &[u8], secret: &[u8], now_ms: u64) -> Option<String> {
    let epoch = epoch();
    COPIES.with_borrow(|copies| {
        let c = copies
            .iter()
            .find(|c| c.appid.as_bytes() == appid && c.api_base == api_base)?;
        let usable = c.epoch == epoch && now_ms < c.until_ms && c.secret_tag == tag(secret);
        usable.then(|| c.token.clone())
    })
}

/// Keeps a copy of `token`, obtained through the full check for `secret`
/// when the epoch was `epoch`, until `fresh_until_ms` at the latest.
pub fn keep(
    api_base: &str,
    appid: &str,
    secret: &str,
    token: &str,
    fresh_until_ms: u64,
    now_ms: u64,
    epoch: u64,
) {
    let copy = Copy {
        api_base: api_base.to_string(),
        appid: appid.to_string(),
        token: token.to_string(),
        secret_tag: tag(secret.as_bytes()),
        until_ms: fresh_until_ms.min(now_ms + MAX_AGE_MS),
        epoch,
    };
    COPIES.with_borrow_mut(|copies| {
        copies.retain(|c| !(c.appid == appid && c.api_base == api_base));
        copies.push(copy);
    });
}

/// Retires every copy in every thread.
pub fn invalidate_all() {
    EPOCH.fetch_add(1, Ordering::AcqRel);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_serve_only_their_secret_until_their_time_or_an_invalidation() {
        let e = epoch();
        keep("https://a", "wxLocal", "S", "T1", 10_000, 1_000, e);
        assert_eq!(
            get("https://a", b"wxLocal", b"S", 1_001).as_deref(),
            Some("T1")
        );
        assert_eq!(get("https://a", b"wxLocal", b"WRONG", 1_001), None);
        assert_eq!(
            get("https://b", b"wxLocal", b"S", 1_001),
            None,
            "another API base"
        );
        assert_eq!(
            get("https://a", b"wxLocal", b"S", 10_000),
            None,
            "past its freshness"
        );
        // At most MAX_AGE_MS, however long the token lives.
        keep("https://a", "wxLocal", "S", "T2", u64::MAX, 1_000, e);
        assert_eq!(
            get("https://a", b"wxLocal", b"S", 1_000 + MAX_AGE_MS - 1).as_deref(),
            Some("T2")
        );
        assert_eq!(get("https://a", b"wxLocal", b"S", 1_000 + MAX_AGE_MS), None);
        invalidate_all();
        assert_eq!(
            get("https://a", b"wxLocal", b"S", 1_001),
            None,
            "dropped everywhere"
        );
        // A copy made from a read that began before an invalidation is stale.
        keep("https://a", "wxLocal", "S", "T3", 10_000, 1_000, e);
        assert_eq!(get("https://a", b"wxLocal", b"S", 1_001), None);
    }
}
