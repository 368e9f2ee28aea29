//! Draining the outbox: send what is due, retry with back-off until the
//! deadline, and say early and loudly what is at risk.

use super::{is_permanent, Claimed, Finish, Store};
use crate::client::{self, Api, Request, MANAGED_BUDGET_TIMEOUTS};
use crate::clock::Clocks;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Entries still undelivered this close to their deadline are warned about.
pub const WARN_BEFORE_MS: u64 = 2 * 3600 * 1000;

/// How many entries one claim takes: few, so a killed drainer holds few.
const BATCH: usize = 4;

/// How many overdue orders one warning names.
const WARN_NAMES: usize = 10;

/// The secrets a drain may use: per appid, else the one for every app.
#[derive(Clone, Debug, Default)]
pub struct Apps {
    pub all: Option<String>,
    pub each: HashMap<String, String>,
}

impl Apps {
    fn secret(&self, appid: &str) -> Option<&str> {
        self.each
            .get(appid)
            .or(self.all.as_ref())
            .map(String::as_str)
    }
}

/// When a failed entry is tried again: `first_ms` after the first failure,
/// doubling up to `max_ms`, each delay drawn from its upper half.
#[derive(Clone, Copy, Debug, Default)]
pub struct Retry {
    pub first_ms: u64,
    pub max_ms: u64,
}

impl Retry {
    pub fn delay_ms(&self, attempts: u32, random: u64) -> u64 {
        let full = self
            .first_ms
            .saturating_mul(1u64 << attempts.saturating_sub(1).min(40))
            .min(self.max_ms)
            .max(1);
        full - (random % full.div_ceil(2))
    }
}

/// How much one drain may do.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_items: u64,
    pub max_time: Duration,
}

/// What one drain did, and what is left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub sent: u64,
    pub retried: u64,
    pub dead: u64,
    /// Due, but no secret for their app was given to this drain.
    pub skipped: u64,
    pub pending: u64,
    pub overdue: u64,
}

/// Sends due entries until none is due or a limit is reached, retrying
/// and pruning by the outbox `settings`; each app's entries are sent
/// through `api` with that app's secret. `clock`
/// gives the unix time in ms; `warn` receives the overdue warning and the
/// token cache's warnings.
pub fn drain(
    store: &dyn Store,
    settings: &super::Settings,
    api: &Api<'_>,
    apps: &Apps,
    limits: Limits,
    clocks: &Clocks<'_>,
    warn: &mut dyn FnMut(String),
) -> Result<Counts> {
    let started = Instant::now();
    // Every send ends by then, so a drain ends within its max_seconds (plus
    // one store round trip): a cron line every minute never overlaps itself.
    let until = started + limits.max_time;
    let retry = settings.retry;
    let owner = hex::encode(crate::random::bytes::<8>()?);
    // Each entry may take a whole managed call; a claim holds an entry
    // that long after the one before it in the batch.
    let lease_ms = (api.transport.timeout * MANAGED_BUDGET_TIMEOUTS).as_millis() as u64 + 2_000;
    if let Some(why) = store.lost()? {
        warn(why);
    }
    let time = store.time((clocks.wall)(), (clocks.boot)())?;
    if let Some(w) = time.warning {
        warn(w);
    }
    let clock = &|| (clocks.wall)().saturating_add_signed(time.offset_ms);
    store.bound_due(
        clock(),
        clock() + retry.max_ms.max(lease_ms * BATCH as u64) + 60_000,
    )?;
    // Each entry that dies in this drain is named once, in one warning at its end.
    let mut died: Vec<String> = store
        .expire(clock())?
        .into_iter()
        .map(|o| {
            format!(
                "out_trade_no {} (transid {}): {}",
                o.out_trade_no,
                o.transid,
                o.last_error.unwrap_or_default()
            )
        })
        .collect();
    let mut counts = Counts {
        dead: died.len() as u64,
        ..Counts::default()
    };
    let mut handled = 0u64;
    let mut longest = Duration::ZERO;
    'drain: while handled < limits.max_items && started.elapsed() < limits.max_time {
        let room = (limits.max_items - handled).min(BATCH as u64) as usize;
        let batch = store.claim(&owner, clock(), room, lease_ms)?;
        if batch.is_empty() {
            break;
        }
        let mut entries = batch.iter();
        while let Some(entry) = entries.next() {
            // A send cut short by the drain's own time may still reach
            // WeChat and be sent again: none is started that would likely
            // not finish (twice the longest send of this drain).
            if until.saturating_duration_since(Instant::now()) < longest * 2 {
                release(store, std::iter::once(entry).chain(entries), clock())?;
                break 'drain;
            }
            handled += 1;
            let now = clock();
            let sending = Instant::now();
            let how = if now >= entry.deadline_ms {
                Finish::Dead {
                    error: "the deadline passed before it could be sent".into(),
                }
            } else if let Some(secret) = apps.secret(&entry.appid) {
                let api = Api {
                    appsecret: Some(secret),
                    ..api.clone()
                };
                let result = send(&api, entry, until, warn);
                longest = longest.max(sending.elapsed());
                match result {
                    Err(e @ Error::Configuration(_)) => {
                        release(store, std::iter::once(entry).chain(entries), clock())?;
                        return Err(e);
                    }
                    // Cut short by the drain's own time, not a failure of the entry.
                    Err(Error::Transport { .. }) if Instant::now() >= until => Finish::Release {
                        next_ms: clock(),
                        error: String::new(),
                    },
                    result => outcome(result, entry, now, retry),
                }
            } else {
                Finish::Release {
                    next_ms: now + retry.first_ms,
                    error: format!(
                        "no appsecret for appid {} was given to wx_deliver_drain()",
                        entry.appid
                    ),
                }
            };
            store.finish(entry, &how, clock())?;
            if let Finish::Dead { error } = &how {
                died.push(format!("out_trade_no {}: {error}", entry.out_trade_no));
            }
            match how {
                Finish::Sent => counts.sent += 1,
                Finish::Retry { .. } => counts.retried += 1,
                Finish::Dead { .. } => counts.dead += 1,
                // Handed back untouched: the drain's time ran out mid-send.
                Finish::Release { ref error, .. } if error.is_empty() => {}
                Finish::Release { .. } => counts.skipped += 1,
            }
            if started.elapsed() >= limits.max_time {
                release(store, entries, clock())?;
                break 'drain;
            }
        }
    }
    store.leave(&owner)?;
    if !died.is_empty() {
        let more = died.len().saturating_sub(WARN_NAMES);
        died.truncate(WARN_NAMES);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        warn(format!(
            "{} shipping notification(s) died in this drain and will not be sent unless re-queued (wx_deliver_requeue()): {}{more}",
            counts.dead,
            died.join("; ")
        ));
    }
    // Sent entries past their keeping time go, a bounded number per drain.
    store.prune(clock().saturating_sub(settings.keep_sent_ms), 1000)?;
    let now = clock();
    let (overdue, named) = store.near_deadline(now + WARN_BEFORE_MS, WARN_NAMES)?;
    counts.overdue = overdue;
    counts.pending = store.status(now, 0)?.pending;
    if overdue > 0 {
        let list: Vec<String> = named
            .iter()
            .map(|o| {
                let left = o.deadline_ms as i64 - now as i64;
                let when = if left > 0 {
                    format!("deadline in {} min", left / 60_000)
                } else {
                    "deadline passed".into()
                };
                let last = o
                    .last_error
                    .as_deref()
                    .map_or(String::new(), |e| format!(", last error: {e}"));
                format!(
                    "out_trade_no {} (transid {}, {when}{last})",
                    o.out_trade_no, o.transid
                )
            })
            .collect();
        let more = if overdue as usize > named.len() {
            format!(" and {} more", overdue as usize - named.len())
        } else {
            String::new()
        };
        warn(format!(
            "{overdue} shipping notification(s) still undelivered within 2 hours of their deadline: {}{more}",
            list.join("; ")
        ));
    }
    Ok(counts)
}

fn send(
    api: &Api<'_>,
    entry: &Claimed,
    until: Instant,
    warn: &mut dyn FnMut(String),
) -> Result<()> {
    let request = Request {
        path: "/pay/delivernotify",
        query: Vec::new(),
        body: Some(entry.body.clone()),
        appid: &entry.appid,
        secrets: Vec::new(),
    };
    client::call_until(api, &request, None, Some(until), warn).map(drop)
}

/// What a send's result means for the entry.
fn outcome(result: Result<()>, entry: &Claimed, now: u64, retry: Retry) -> Finish {
    match result {
        Ok(()) => Finish::Sent,
        Err(e @ (Error::InvalidArgument(_) | Error::Api { .. })) if !matches!(e, Error::Api { code, .. } if !is_permanent(code)) => {
            Finish::Dead {
                error: e.to_string(),
            }
        }
        Err(e) => {
            // Jitter only: no jitter is harmless, and this drain's owner id
            // came from the same source a moment ago.
            let random = u64::from_le_bytes(crate::random::bytes::<8>().unwrap_or_default());
            let mut next_ms = now + retry.delay_ms(entry.attempts + 1, random);
            if next_ms >= entry.deadline_ms {
                // One last try a moment before the deadline.
                next_ms = entry.deadline_ms.saturating_sub(1_000).max(now + 1);
            }
            Finish::Retry {
                next_ms,
                error: e.to_string(),
            }
        }
    }
}

/// Hands entries back untouched, due at once.
fn release<'a>(
    store: &dyn Store,
    entries: impl Iterator<Item = &'a Claimed>,
    now: u64,
) -> Result<()> {
    for entry in entries {
        store.finish(
            entry,
            &Finish::Release {
                next_ms: now,
                error: String::new(),
            },
            now,
        )?;
    }
    Ok(())
}
