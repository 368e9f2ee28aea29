//! The outbox in one SQLite file (WAL), shared by every PHP process of a
//! server. An enqueue is committed with a full fsync before its id is
//! returned; claims and acknowledgements are committed without one: a
//! process that dies keeps them (the WAL is in the kernel's cache), and a
//! power cut can lose only an acknowledgement, which means one more send,
//! never a lost notification.

use super::{store_error, Claimed, Clock, Finish, Listed, NewEntry, Overdue, Status, Store};
use crate::error::{Error, Result};
use crate::process::PerProcess;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    id             TEXT PRIMARY KEY,
    appid          TEXT NOT NULL,
    transid        TEXT NOT NULL,
    out_trade_no   TEXT NOT NULL,
    deliver_status TEXT NOT NULL,
    body           BLOB NOT NULL,
    created_ms     INTEGER NOT NULL,
    deadline_ms    INTEGER NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending',
    next_ms        INTEGER NOT NULL,
    lease_ms       INTEGER NOT NULL DEFAULT 0,
    lease_owner    TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    done_ms        INTEGER,
    UNIQUE (appid, transid, out_trade_no, deliver_status)
);
CREATE INDEX IF NOT EXISTS due ON entries (next_ms) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS by_state ON entries (state, deadline_ms);
CREATE TABLE IF NOT EXISTS clock (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    boot       TEXT NOT NULL,
    boot_ms    INTEGER NOT NULL,
    trusted_ms INTEGER NOT NULL
);
";

/// The outbox's own tables and the columns `entries` must have.
const OWN_TABLES: [&str; 2] = ["entries", "clock"];
const ENTRY_COLUMNS: [&str; 15] = [
    "id",
    "appid",
    "transid",
    "out_trade_no",
    "deliver_status",
    "body",
    "created_ms",
    "deadline_ms",
    "state",
    "next_ms",
    "lease_ms",
    "lease_owner",
    "attempts",
    "last_error",
    "done_ms",
];

/// Why the opened file is not a wxpay outbox, if it is not: it holds
/// tables of its own, or an `entries` table of another shape.
fn foreign(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let others: Vec<&str> = tables
        .iter()
        .map(String::as_str)
        .filter(|t| !OWN_TABLES.contains(t))
        .collect();
    if !others.is_empty() {
        let mut listed = others
            .iter()
            .take(5)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if others.len() > 5 {
            listed.push_str(", ...");
        }
        return Ok(Some(format!("it holds other tables ({listed})")));
    }
    if !tables.iter().any(|t| t == "entries") {
        return Ok(None);
    }
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('entries')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ENTRY_COLUMNS
        .iter()
        .find(|c| !columns.iter().any(|have| have == *c))
        .map(|missing| {
            format!("its table 'entries' is not the outbox's (it has no column {missing})")
        }))
}

/// How far the wall clock may run ahead of the measured time before the
/// measured time is used instead.
const CLOCK_TOLERANCE_MS: u64 = 5 * 60_000;

/// The due entries, by `due` in order: the planner would otherwise take
/// `by_state` and sort every pending entry on each claim.
const PICK: &str =
    "SELECT id, appid, out_trade_no, body, deadline_ms, attempts FROM entries INDEXED BY due
    WHERE state = 'pending' AND next_ms <= ?1 AND lease_ms <= ?1 ORDER BY next_ms LIMIT ?2";

/// How long a process waits for another's write transaction.
const BUSY: Duration = Duration::from_secs(10);

pub struct SqliteStore {
    path: String,
    /// Device and inode of the file opened.
    identity: (u64, u64),
    conn: Mutex<Connection>,
}

/// Why a first open did not work: another process holds the file (try again), or a real failure.
enum Opening {
    Busy,
    Failed(Error),
}
use Opening::{Busy, Failed};

static OPEN: PerProcess<HashMap<PathBuf, Arc<SqliteStore>>> = PerProcess::new();

/// The store for `path`, created on first use and opened again when the
/// path no longer names the file this process has open (deleted, replaced
/// or moved: commits to the old inode would reach nobody's drain).
pub fn open(path: &Path, label: &str) -> Result<Arc<dyn Store + Send + Sync>> {
    OPEN.with(|open| {
        if let Some(s) = open.get(path) {
            if identity(path) == Some(s.identity) {
                return Ok(Arc::clone(s) as Arc<dyn Store + Send + Sync>);
            }
            // Never closed: SQLite's last close checkpoints and then deletes
            // the -wal by name, which now belongs to the file at the path.
            // A few descriptors are left open, once per replacement.
            if let Some(stale) = open.remove(path) {
                std::mem::forget(stale);
            }
        }
        let store = Arc::new(SqliteStore::create(path, label)?);
        open.insert(path.to_path_buf(), Arc::clone(&store));
        Ok(store as Arc<dyn Store + Send + Sync>)
    })
}

/// Device and inode of the file at `path`, one `stat` (about a microsecond).
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Who owns `path`, for a message about permissions.
fn owner(path: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::metadata(path) else {
        return String::new();
    };
    let name = |file: &str, id: u32| {
        std::fs::read_to_string(file)
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| {
                    let mut f = l.split(':');
                    let n = f.next()?;
                    (f.nth(1)? == id.to_string()).then(|| n.to_string())
                })
            })
            .unwrap_or_else(|| id.to_string())
    };
    format!(
        "{}:{} mode {:o}",
        name("/etc/passwd", m.uid()),
        name("/etc/group", m.gid()),
        m.mode() & 0o7777
    )
}

/// What to do when the user PHP runs as cannot write the file at `path`.
pub(super) fn chown_advice(path: &Path) -> String {
    let dir = path
        .parent()
        .map_or("/".into(), |d| d.display().to_string());
    format!(
        "the file is {}: the user PHP runs as must be able to write it and its directory {dir} \
         (chown it to that user or its group, mode 660)",
        owner(path)
    )
}

/// A file this process just created: read-write for the directory's group,
/// before the -wal and -shm files exist (SQLite gives them the file's mode
/// and owner), so whoever creates the outbox (an admin's `php ship.php` as
/// root) the web server's group can still write it. Best effort: the group
/// stays the creator's when it may not give the file away.
fn share_with_group(path: &Path) {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if let Some(gid) = path
        .parent()
        .and_then(|d| std::fs::metadata(d).ok())
        .map(|m| m.gid())
    {
        let _ = std::os::unix::fs::chown(path, None, Some(gid));
    }
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660));
}

impl SqliteStore {
    fn create(path: &Path, label: &str) -> Result<SqliteStore> {
        // Several processes may create the same new file at once: the
        // schema waits for the others as any write does.
        let started = std::time::Instant::now();
        loop {
            match Self::try_create(path, label) {
                Err(Busy) if started.elapsed() < BUSY => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(Busy) => {
                    return Err(Error::Outbox(format!(
                        "{label}: the SQLite outbox {} stayed locked by another process for {} s",
                        path.display(),
                        BUSY.as_secs()
                    )))
                }
                Err(Failed(e)) => return Err(e),
                Ok(store) => return Ok(store),
            }
        }
    }

    fn try_create(path: &Path, label: &str) -> std::result::Result<SqliteStore, Opening> {
        let shown = path.display().to_string();
        let unusable = |e: rusqlite::Error| {
            use rusqlite::ErrorCode::*;
            let code = e.sqlite_error_code();
            if matches!(code, Some(DatabaseBusy | DatabaseLocked)) {
                return Busy;
            }
            let dir = path
                .parent()
                .map_or("/".into(), |d| d.display().to_string());
            Failed(match code {
                Some(NotADatabase | DatabaseCorrupt) => Error::Outbox(format!(
                    "{label}: the SQLite outbox {shown} is not a usable outbox file ({e}); move it aside (it may hold \
                     undelivered notifications) and let the next call create a new one"
                )),
                Some(ReadOnly | CannotOpen | PermissionDenied) if path.exists() => Error::Configuration(format!(
                    "{label}: cannot write the SQLite outbox {shown} ({e}); {}",
                    chown_advice(path)
                )),
                _ => Error::Configuration(format!(
                    "{label}: cannot use the SQLite outbox {shown} ({e}); its directory {dir} must exist and be writable by the user PHP runs as"
                )),
            })
        };
        let existed = path.exists();
        let conn = Connection::open(path).map_err(unusable)?;
        if !existed {
            share_with_group(path);
        }
        conn.busy_timeout(BUSY).map_err(unusable)?;
        // Before anything is changed: a file that is some other program's
        // database is refused, not switched to WAL and added to.
        if let Some(why) = foreign(&conn).map_err(unusable)? {
            return Err(Failed(Error::Configuration(format!(
                "{label}: the SQLite outbox {shown} is another application's database, not a wxpay outbox \
                 ({why}); give wxpay.outbox a file of its own"
            ))));
        }
        // Small pages: a commit appends every page it changed to the WAL, and
        // an entry (a ~400-byte row) changes three; 1 KiB pages write a
        // quarter of the bytes 4 KiB ones do. Only a new file takes it.
        conn.execute_batch("PRAGMA page_size = 1024")
            .map_err(unusable)?;
        // WAL: readers never block the writer; the -wal and -shm files need
        // the directory to be writable, which this checks on first use.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(unusable)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Failed(Error::Configuration(format!(
                "{label}: cannot use the SQLite outbox {shown} (journal mode {mode} instead of wal)"
            ))));
        }
        conn.execute_batch(SCHEMA).map_err(unusable)?;
        // A damaged file can still take an insert into its last pages while
        // every read fails: check it once per process before trusting it.
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(unusable)?;
        if check != "ok" {
            return Err(Failed(Error::Outbox(format!(
                "{label}: the SQLite outbox {shown} is damaged ({}); move it aside (it may hold undelivered \
                 notifications) and let the next call create a new one",
                check.chars().take(200).collect::<String>()
            ))));
        }
        // A checkpoint (WAL pages copied into the file, both fsync'd) every
        // 10,000 pages rather than SQLite's 1,000: a drain writes a few pages
        // per entry, and the fsyncs were most of its cost.
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000")
            .map_err(unusable)?;
        let identity = identity(path).ok_or_else(|| {
            Failed(Error::Outbox(format!(
                "{label}: the SQLite outbox {shown} vanished while it was being opened"
            )))
        })?;
        Ok(SqliteStore {
            path: shown,
            identity,
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut conn).map_err(|e| {
            // Opened read-only (a file another user created): say whose it is.
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
                let advice = chown_advice(Path::new(&self.path));
                return store_error(&self.path, format!("{e}; {advice}"));
            }
            store_error(&self.path, e)
        })
    }
}

/// An (out_trade_no, transid, deadline_ms, last_error) row.
fn overdue(r: &rusqlite::Row<'_>) -> rusqlite::Result<Overdue> {
    Ok(Overdue {
        out_trade_no: r.get(0)?,
        transid: r.get(1)?,
        deadline_ms: r.get::<_, i64>(2)?.max(0) as u64,
        last_error: r.get(3)?,
    })
}

/// A status row: id, appid, transid, out_trade_no, last_error, attempts,
/// deadline_ms and the time it lists (when it died, or is tried next).
fn listed(r: &rusqlite::Row<'_>) -> rusqlite::Result<Listed> {
    let ms = |i: usize| {
        r.get::<_, Option<i64>>(i)
            .map(|v| v.unwrap_or(0).max(0) as u64)
    };
    Ok(Listed {
        id: r.get(0)?,
        appid: r.get(1)?,
        transid: r.get(2)?,
        out_trade_no: r.get(3)?,
        last_error: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        attempts: ms(5)?,
        deadline_ms: ms(6)?,
        at_ms: ms(7)?,
    })
}

/// The dedup rule inside the enqueue's transaction: a shipment pending or
/// sent keeps its first id; one that is dead (or superseded) is re-armed
/// under its id with the new, freshly signed body; and the other status of
/// the same order, still pending, is superseded (the latest enqueued status
/// wins). While that one is on its way to WeChat, this one waits for its lease.
fn enqueue_in(
    tx: &rusqlite::Transaction<'_>,
    e: &NewEntry,
    id: &str,
) -> rusqlite::Result<(String, bool)> {
    let now = ms(e.created_ms);
    let order = params![e.appid, e.transid, e.out_trade_no, e.deliver_status];
    let existing: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT id, state FROM entries WHERE appid = ?1 AND transid = ?2 AND out_trade_no = ?3 AND deliver_status = ?4",
        )?
        .query_row(order, |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((first, state)) = &existing {
        if state == "pending" || state == "sent" {
            return Ok((first.clone(), false));
        }
    }
    let in_flight: Option<i64> = tx
        .prepare_cached(
            "SELECT max(lease_ms) FROM entries WHERE appid = ?1 AND transid = ?2 AND out_trade_no = ?3
             AND deliver_status <> ?4 AND state = 'pending' AND lease_ms > ?5",
        )?
        .query_row(params![e.appid, e.transid, e.out_trade_no, e.deliver_status, now], |r| r.get(0))?;
    tx.prepare_cached(
        "UPDATE entries SET state = 'superseded', done_ms = ?5, lease_ms = 0, lease_owner = NULL,
             last_error = 'superseded by deliver_status ' || ?4 || ' enqueued later'
         WHERE appid = ?1 AND transid = ?2 AND out_trade_no = ?3 AND deliver_status <> ?4 AND state = 'pending'",
    )?
    .execute(params![e.appid, e.transid, e.out_trade_no, e.deliver_status, now])?;
    let next = in_flight.unwrap_or(now).max(now);
    let id = match existing {
        Some((first, _)) => {
            tx.prepare_cached(
                "UPDATE entries SET body = ?2, created_ms = ?3, deadline_ms = ?4, next_ms = ?5, state = 'pending',
                     attempts = 0, last_error = NULL, done_ms = NULL, lease_ms = 0, lease_owner = NULL
                 WHERE id = ?1",
            )?
            .execute(params![first, e.body, now, ms(e.deadline_ms), next])?;
            first
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO entries (id, appid, transid, out_trade_no, deliver_status, body, created_ms, deadline_ms, next_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                id, e.appid, e.transid, e.out_trade_no, e.deliver_status, e.body,
                now, ms(e.deadline_ms), next
            ])?;
            id.to_string()
        }
    };
    Ok((id, true))
}

fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Records how a claim ended, on `c` (a connection or a transaction).
fn finish_in(c: &Connection, claimed: &Claimed, how: &Finish, now_ms: u64) -> rusqlite::Result<()> {
    let (id, owner, now) = (&claimed.id, &claimed.handle, ms(now_ms));
    match how {
        // Sent whoever holds it now: WeChat has it.
        Finish::Sent => c
            .prepare_cached(
                "UPDATE entries SET state = 'sent', done_ms = ?2, attempts = attempts + 1, lease_ms = 0, lease_owner = NULL
                 WHERE id = ?1 AND state = 'pending'",
            )?
            .execute(params![id, now])?,
        // The rest only while this drainer still holds it.
        Finish::Retry { next_ms, error } => c
            .prepare_cached(
                "UPDATE entries SET next_ms = ?3, last_error = ?4, attempts = attempts + 1, lease_ms = 0, lease_owner = NULL
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'pending'",
            )?
            .execute(params![id, owner, ms(*next_ms), error])?,
        Finish::Dead { error } => c
            .prepare_cached(
                "UPDATE entries SET state = 'dead', done_ms = ?3, last_error = ?4, attempts = attempts + 1, lease_ms = 0, lease_owner = NULL
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'pending'",
            )?
            .execute(params![id, owner, now, error])?,
        Finish::Release { next_ms, error } => c
            .prepare_cached(
                "UPDATE entries SET next_ms = ?3, last_error = coalesce(nullif(?4, ''), last_error), lease_ms = 0, lease_owner = NULL
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'pending'",
            )?
            .execute(params![id, owner, ms(*next_ms), error])?,
    };
    Ok(())
}

impl Store for SqliteStore {
    fn time(&self, local_now_ms: u64, boot: Option<(String, u64)>) -> Result<Clock> {
        let Some((boot, boot_ms)) = boot else {
            return Ok(Clock::default());
        };
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let last: Option<(String, i64, i64)> = tx
                .query_row("SELECT boot, boot_ms, trusted_ms FROM clock WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let mut clock = Clock::default();
            let mut trusted = local_now_ms;
            if let Some((b, last_boot, last_trusted)) = last {
                let elapsed = (boot_ms as i64).saturating_sub(last_boot);
                if b == boot && elapsed >= 0 {
                    let measured = (last_trusted.max(0) as u64).saturating_add(elapsed as u64);
                    // Ahead of what was measured: not believed. Behind it is
                    // believed (nothing dies early on a clock that went back).
                    if local_now_ms > measured + CLOCK_TOLERANCE_MS {
                        trusted = measured;
                        clock.offset_ms = measured as i64 - local_now_ms as i64;
                        clock.warning = Some(format!(
                            "the system clock reads {} min ahead of the time measured since the last drain of the outbox {}: \
                             deadlines are judged by the measured time until the next reboot (check NTP)",
                            (local_now_ms - measured) / 60_000,
                            self.path
                        ));
                    }
                }
            }
            tx.execute(
                "INSERT INTO clock (id, boot, boot_ms, trusted_ms) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET boot = ?1, boot_ms = ?2, trusted_ms = ?3",
                params![boot, ms(boot_ms), ms(trusted)],
            )?;
            tx.commit()?;
            Ok(clock)
        })
    }

    fn bound_due(&self, now_ms: u64, latest_ms: u64) -> Result<u64> {
        self.with(|c| {
            c.prepare_cached(
                "UPDATE entries SET next_ms = ?1 WHERE state = 'pending' AND next_ms > ?2",
            )?
            .execute(params![ms(now_ms), ms(latest_ms)])
            .map(|n| n as u64)
        })
    }

    fn enqueue(&self, e: &NewEntry, id: &str) -> Result<(String, bool)> {
        self.with(|c| {
            // The one commit that must reach the disk before the caller
            // is told the notification is kept.
            c.execute_batch("PRAGMA synchronous = FULL")?;
            let result = (|| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let found = enqueue_in(&tx, e, id)?;
                tx.commit()?;
                Ok(found)
            })();
            c.execute_batch("PRAGMA synchronous = NORMAL")?;
            result
        })
    }

    fn claim(&self, owner: &str, now_ms: u64, max: usize, lease_ms: u64) -> Result<Vec<Claimed>> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut claimed = Vec::new();
            {
                let mut pick = tx.prepare_cached(PICK)?;
                let rows = pick.query_map(params![ms(now_ms), max as i64], |r| {
                    Ok(Claimed {
                        id: r.get(0)?,
                        appid: r.get(1)?,
                        out_trade_no: r.get(2)?,
                        body: r.get(3)?,
                        deadline_ms: r.get::<_, i64>(4)?.max(0) as u64,
                        attempts: r.get::<_, i64>(5)?.clamp(0, i64::from(u32::MAX)) as u32,
                        handle: String::new(),
                    })
                })?;
                for row in rows {
                    claimed.push(row?);
                }
                let mut hold = tx.prepare_cached(
                    "UPDATE entries SET lease_ms = ?1, lease_owner = ?2 WHERE id = ?3",
                )?;
                for (i, entry) in claimed.iter().enumerate() {
                    let until = now_ms + lease_ms * (i as u64 + 1);
                    hold.execute(params![ms(until), owner, entry.id])?;
                }
            }
            tx.commit()?;
            Ok(claimed)
        })
        .map(|mut v: Vec<Claimed>| {
            for c in &mut v {
                c.handle = owner.to_string();
            }
            v
        })
    }

    fn finish(&self, claimed: &Claimed, how: &Finish, now_ms: u64) -> Result<()> {
        self.with(|c| finish_in(c, claimed, how, now_ms))
    }

    fn finish_all(&self, done: &[(&Claimed, Finish)], now_ms: u64) -> Result<()> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (claimed, how) in done {
                finish_in(&tx, claimed, how, now_ms)?;
            }
            tx.commit()
        })
    }

    fn expire(&self, now_ms: u64) -> Result<Vec<Overdue>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "UPDATE entries SET state = 'dead', done_ms = ?1,
                     last_error = 'the deadline passed' || COALESCE(' (last error: ' || last_error || ')', '')
                 WHERE id IN (SELECT id FROM entries INDEXED BY by_state
                     WHERE state = 'pending' AND deadline_ms <= ?1 AND lease_ms <= ?1 LIMIT 1000)
                 RETURNING out_trade_no, transid, deadline_ms, last_error",
            )?;
            let rows = stmt.query_map(params![ms(now_ms)], overdue)?;
            rows.collect()
        })
    }

    fn near_deadline(&self, before_ms: u64, max: usize) -> Result<(u64, Vec<Overdue>)> {
        self.with(|c| {
            let count: i64 = c
                .prepare_cached(
                    "SELECT count(*) FROM entries WHERE state = 'pending' AND deadline_ms < ?1",
                )?
                .query_row(params![ms(before_ms)], |r| r.get(0))?;
            let mut stmt = c.prepare_cached(
                "SELECT out_trade_no, transid, deadline_ms, last_error FROM entries
                 WHERE state = 'pending' AND deadline_ms < ?1 ORDER BY deadline_ms LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![ms(before_ms), max as i64], overdue)?;
            Ok((count.max(0) as u64, rows.collect::<rusqlite::Result<_>>()?))
        })
    }

    fn status(&self, now_ms: u64, dead_max: usize) -> Result<Status> {
        self.with(|c| {
            let mut s = Status::default();
            {
                let mut counts =
                    c.prepare_cached("SELECT state, count(*) FROM entries GROUP BY state")?;
                let rows =
                    counts.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
                for row in rows {
                    let (state, n) = row?;
                    let n = n.max(0) as u64;
                    match state.as_str() {
                        "pending" => s.pending = n,
                        "sent" => s.sent = n,
                        "superseded" => s.superseded = n,
                        _ => s.dead += n,
                    }
                }
            }
            let (oldest, nearest): (Option<i64>, Option<i64>) = c
                .prepare_cached(
                    "SELECT min(created_ms), min(deadline_ms) FROM entries WHERE state = 'pending'",
                )?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            s.oldest_pending_ms = oldest.map(|v| v.max(0) as u64);
            s.nearest_deadline_ms = nearest.map(|v| v.max(0) as u64);
            s.overdue = c
                .prepare_cached(
                    "SELECT count(*) FROM entries WHERE state = 'pending' AND deadline_ms < ?1",
                )?
                .query_row(params![ms(now_ms + super::drain::WARN_BEFORE_MS)], |r| {
                    r.get::<_, i64>(0)
                })?
                .max(0) as u64;
            let mut dead = c.prepare_cached(
                "SELECT id, appid, transid, out_trade_no, last_error, attempts, deadline_ms, done_ms
                 FROM entries WHERE state = 'dead' ORDER BY done_ms, id LIMIT ?1",
            )?;
            let rows = dead.query_map(params![dead_max as i64], listed)?;
            s.dead_entries = rows.collect::<rusqlite::Result<_>>()?;
            let mut retrying = c.prepare_cached(
                "SELECT id, appid, transid, out_trade_no, last_error, attempts, deadline_ms, next_ms
                 FROM entries INDEXED BY due WHERE state = 'pending' AND last_error IS NOT NULL
                 ORDER BY next_ms, id LIMIT ?1",
            )?;
            let rows = retrying.query_map(params![dead_max as i64], listed)?;
            s.retrying_entries = rows.collect::<rusqlite::Result<_>>()?;
            Ok(s)
        })
    }

    fn prune(&self, before_ms: u64, max: usize) -> Result<u64> {
        self.with(|c| {
            c.prepare_cached(
                "DELETE FROM entries WHERE id IN (SELECT id FROM entries INDEXED BY by_state
                     WHERE state IN ('sent', 'superseded') AND deadline_ms < ?1 LIMIT ?2)",
            )?
            .execute(params![ms(before_ms), max as i64])
            .map(|n| n as u64)
        })
    }

    fn requeue(&self, ids: Option<&[String]>, deadline_ms: u64, now_ms: u64) -> Result<u64> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = {
                let mut one = tx.prepare_cached(
                    "UPDATE entries SET state = 'pending', next_ms = ?2, deadline_ms = ?3, lease_ms = 0, lease_owner = NULL, done_ms = NULL
                     WHERE state = 'dead' AND (?1 IS NULL OR id = ?1)",
                )?;
                match ids {
                    None => one.execute(params![None::<String>, ms(now_ms), ms(deadline_ms)])?,
                    Some(ids) => ids
                        .iter()
                        .map(|id| one.execute(params![id, ms(now_ms), ms(deadline_ms)]))
                        .sum::<rusqlite::Result<usize>>()?,
                }
            };
            tx.commit()?;
            Ok(n as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A claim costs the same with 10 or 100,000 entries pending.
    #[test]
    fn a_claim_walks_the_due_index_without_sorting() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(SCHEMA).unwrap();
        let plan: Vec<String> = c
            .prepare(&format!("EXPLAIN QUERY PLAN {PICK}"))
            .unwrap()
            .query_map(params![1, 4], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            plan,
            ["SEARCH entries USING INDEX due (next_ms<?)"],
            "{plan:?}"
        );
    }
}
