//! Draining the outbox: send what is due, retry with back-off until the
//! deadline, and say early and loudly what is at risk.

use super::{is_permanent, Claimed, Finish, Store};
use crate::client::{self, Api, Request, MANAGED_BUDGET_TIMEOUTS};
use crate::clock::Clocks;
use crate::error::{Error, Result};
use nix::sys::signal::SigSet;
use std::collections::{HashMap, VecDeque};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// Entries still undelivered this close to their deadline are warned about.
pub const WARN_BEFORE_MS: u64 = 2 * 3600 * 1000;

/// The most sends one drain keeps in flight (`wxpay.outbox_concurrency`):
/// each has a keep-alive connection of its own in the worker's pool.
pub const MAX_CONCURRENCY: usize = crate::net::transport::CONNECTIONS_PER_HOST;

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
    let k = settings.concurrency.clamp(1, MAX_CONCURRENCY);
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
        clock() + retry.max_ms.max(lease_ms * k as u64) + 60_000,
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
    let mut run = Run {
        store,
        clock,
        retry,
        owner: &owner,
        apps,
        limits,
        lease_ms,
        k,
        started,
        until,
        counts: &mut counts,
        died: &mut died,
        warn,
    };
    let (jobs, job_rx) = mpsc::channel::<Job>();
    let job_rx = Mutex::new(job_rx);
    let (answers, answer_rx) = mpsc::channel::<Answer>();
    let sent = std::thread::scope(|scope| {
        let jobs = jobs;
        for _ in 0..k {
            let (job_rx, answers) = (&job_rx, answers.clone());
            scope.spawn(move || sender(api, job_rx, answers, until));
        }
        drop(answers);
        // `jobs` is dropped when this returns, which ends the senders.
        run.sends(&jobs, &answer_rx)
    });
    sent?;
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

/// One send handed to a sender thread, and its answer.
struct Job {
    entry: Claimed,
    secret: String,
    /// The drain's clock when the send began (retry times count from it).
    now: u64,
}

struct Answer {
    job: Job,
    result: Result<()>,
    took: Duration,
    /// What the call wanted to warn about; said by the drain's own thread.
    warnings: Vec<String>,
}

/// A sender thread: takes jobs until the drain drops its end of the queue.
/// PHP's signals (its timeout's SIGPROF, a pcntl handler) are for PHP's
/// thread: blocked here, so the kernel never runs PHP's handlers on a
/// thread PHP does not know.
fn sender(
    api: &Api<'_>,
    jobs: &Mutex<mpsc::Receiver<Job>>,
    answers: mpsc::Sender<Answer>,
    until: Instant,
) {
    let _ = SigSet::all().thread_block();
    loop {
        let next = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(job) = next else { return };
        let mut warnings = Vec::new();
        let started = Instant::now();
        let api = Api {
            appsecret: Some(&job.secret),
            ..api.clone()
        };
        let result = send(&api, &job.entry, until, &mut |w| warnings.push(w));
        let answer = Answer {
            took: started.elapsed(),
            result,
            warnings,
            job,
        };
        if answers.send(answer).is_err() {
            return;
        }
    }
}

/// The drain's own thread: claims, hands sends to the senders, and
/// commits their answers in groups.
struct Run<'a, 'w> {
    store: &'a dyn Store,
    clock: &'a dyn Fn() -> u64,
    retry: Retry,
    /// This drain's name on its claims.
    owner: &'a str,
    apps: &'a Apps,
    limits: Limits,
    /// How long a claim holds an entry, per position in its batch.
    lease_ms: u64,
    /// The most sends in flight.
    k: usize,
    started: Instant,
    /// Every send ends by then.
    until: Instant,
    counts: &'a mut Counts,
    died: &'a mut Vec<String>,
    warn: &'w mut dyn FnMut(String),
}

impl Run<'_, '_> {
    /// Keeps up to `k` sends in flight until nothing is due or a limit is
    /// reached. An answer is committed before its sender gets another
    /// entry, so a drain killed at any point leaves at most `k` entries
    /// sent and not recorded (sent once more by the next drain).
    fn sends(&mut self, jobs: &mpsc::Sender<Job>, answers: &mpsc::Receiver<Answer>) -> Result<()> {
        let (k, limits, until) = (self.k, self.limits, self.until);
        let mut queue: VecDeque<Claimed> = VecDeque::new();
        let mut done: Vec<(Claimed, Finish)> = Vec::new();
        let (mut handled, mut in_flight) = (0u64, 0usize);
        let mut longest = Duration::ZERO;
        let (mut stopping, mut exhausted) = (false, false);
        let mut failure: Option<Error> = None;
        loop {
            if self.started.elapsed() >= limits.max_time {
                stopping = true;
            }
            while in_flight < k && !stopping {
                if queue.is_empty() {
                    if exhausted || handled >= limits.max_items {
                        break;
                    }
                    exhausted = !self.claim(handled, &mut queue)?;
                    continue;
                }
                // A send cut short by the drain's own time may still reach
                // WeChat and be sent again: none is started that would likely
                // not finish (twice the longest send of this drain).
                if until.saturating_duration_since(Instant::now()) < longest * 2 {
                    stopping = true;
                    break;
                }
                let entry = queue.pop_front().expect("not empty");
                handled += 1;
                let now = (self.clock)();
                if now >= entry.deadline_ms {
                    let error = "the deadline passed before it could be sent".into();
                    done.push((entry, Finish::Dead { error }));
                } else if let Some(secret) = self.apps.secret(&entry.appid) {
                    let secret = secret.to_string();
                    jobs.send(Job { entry, secret, now })
                        .map_err(|_| Error::Outbox("a drain's sender thread ended early".into()))?;
                    in_flight += 1;
                } else {
                    let error = format!(
                        "no appsecret for appid {} was given to wx_deliver_drain()",
                        entry.appid
                    );
                    let next_ms = now + self.retry.first_ms;
                    done.push((entry, Finish::Release { next_ms, error }));
                }
            }
            // The next batch is claimed while the sends are in flight, so
            // that the store's round trip is not added to theirs.
            if in_flight > 0
                && queue.is_empty()
                && !stopping
                && !exhausted
                && handled < limits.max_items
            {
                exhausted = !self.claim(handled, &mut queue)?;
            }
            if in_flight > 0 {
                // Wait for one answer unless there is already something to
                // commit; then take every answer that has arrived.
                let first = if done.is_empty() {
                    answers.recv().ok()
                } else {
                    answers.try_recv().ok()
                };
                for answer in first
                    .into_iter()
                    .chain(std::iter::from_fn(|| answers.try_recv().ok()))
                {
                    in_flight -= 1;
                    longest = longest.max(answer.took);
                    for w in answer.warnings {
                        (self.warn)(w);
                    }
                    let Job { entry, now, .. } = answer.job;
                    let how = match answer.result {
                        Err(e @ Error::Configuration(_)) => {
                            failure.get_or_insert(e);
                            stopping = true;
                            Finish::Release {
                                next_ms: (self.clock)(),
                                error: String::new(),
                            }
                        }
                        // Cut short by the drain's own time, not a failure of the entry.
                        Err(Error::Transport { .. }) if Instant::now() >= until => {
                            Finish::Release {
                                next_ms: (self.clock)(),
                                error: String::new(),
                            }
                        }
                        result => outcome(result, &entry, now, self.retry),
                    };
                    done.push((entry, how));
                }
            }
            if !done.is_empty() {
                self.commit(&done)?;
                done.clear();
            }
            let idle = queue.is_empty() && (exhausted || handled >= limits.max_items);
            if in_flight == 0 && (stopping || idle) {
                break;
            }
        }
        // Claimed and not started: handed back untouched, due at once.
        let now = (self.clock)();
        let back: Vec<(&Claimed, Finish)> = queue
            .iter()
            .map(|entry| {
                (
                    entry,
                    Finish::Release {
                        next_ms: now,
                        error: String::new(),
                    },
                )
            })
            .collect();
        if !back.is_empty() {
            self.store.finish_all(&back, now)?;
        }
        failure.map_or(Ok(()), Err)
    }

    /// Claims up to `k` entries into `queue`, no more than `max_items`
    /// leaves after `handled`; false when none was due. A batch at a time:
    /// each entry's lease counts its place in the batch (see Store::claim).
    fn claim(&self, handled: u64, queue: &mut VecDeque<Claimed>) -> Result<bool> {
        let room = (self.limits.max_items - handled).min(self.k as u64) as usize;
        let batch = self
            .store
            .claim(self.owner, (self.clock)(), room, self.lease_ms)?;
        let any = !batch.is_empty();
        queue.extend(batch);
        Ok(any)
    }

    /// Records a group of answers in one store transaction, and counts them.
    fn commit(&mut self, done: &[(Claimed, Finish)]) -> Result<()> {
        let group: Vec<(&Claimed, Finish)> = done.iter().map(|(c, how)| (c, how.clone())).collect();
        self.store.finish_all(&group, (self.clock)())?;
        for (entry, how) in done {
            match how {
                Finish::Sent => self.counts.sent += 1,
                Finish::Retry { .. } => self.counts.retried += 1,
                Finish::Dead { error } => {
                    self.counts.dead += 1;
                    self.died
                        .push(format!("out_trade_no {}: {error}", entry.out_trade_no));
                }
                // Handed back untouched: the drain's time ran out mid-send.
                Finish::Release { error, .. } if error.is_empty() => {}
                Finish::Release { .. } => self.counts.skipped += 1,
            }
        }
        Ok(())
    }
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
