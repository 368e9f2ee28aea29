//! The outbox's policy over a real SQLite file and the core's HTTPS test
//! server, with a clock of the test's own.

use super::*;
use crate::config::Config;
use crate::testserver::{config, delivery, errcode, lines, quiet, token, Answer, TestServer};
use std::collections::HashMap;

/// The outbox functions as the binding calls them, from a whole [`Config`].
fn enqueue(c: &Config, d: &Delivery, deadline_ms: u64, now_ms: u64) -> Result<String> {
    super::enqueue(c.outbox()?, &c.transport, d, deadline_ms, now_ms)
}

fn store(c: &Config) -> Result<(Arc<dyn Store + Send + Sync>, String)> {
    super::store(c.outbox()?, &c.transport)
}

fn drain(
    store: &dyn Store,
    c: &Config,
    apps: &Apps,
    limits: Limits,
    clock: &dyn Fn() -> u64,
    boot: &dyn Fn() -> Option<(String, u64)>,
    warn: &mut dyn FnMut(String),
) -> Result<Counts> {
    let clocks = crate::clock::Clocks { wall: clock, boot };
    super::drain(store, c.outbox()?, &c.api(), apps, limits, &clocks, warn)
}

/// A test's configuration with a SQLite outbox in a directory of its own,
/// removed when the test ends.
struct Scratch {
    config: Config,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Scratch {
    type Target = Config;
    fn deref(&self) -> &Config {
        &self.config
    }
}

impl std::ops::DerefMut for Scratch {
    fn deref_mut(&mut self) -> &mut Config {
        &mut self.config
    }
}

fn sqlite_config(server: &TestServer, name: &str) -> Scratch {
    let dir = scratch_dir(name);
    let path = dir.path().join("o.sqlite").display().to_string();
    let config = config(
        server,
        &[
            ("outbox", &path),
            ("outbox_retry_first", "10"),
            ("outbox_retry_max", "40"),
        ],
    );
    Scratch { config, _dir: dir }
}

fn scratch_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("wxpay-outbox-{name}-"))
        .tempdir()
        .unwrap()
}

/// The configuration of an outbox at `path`, without wiping it.
fn sqlite_config_at(server: &TestServer, path: &str) -> Config {
    config(server, &[("outbox", path)])
}

const T0: u64 = 1_800_000_000_000;
const DAY: u64 = 24 * 3_600_000;
const LIMITS: Limits = Limits {
    max_items: 100,
    max_time: Duration::from_secs(30),
};

fn run(c: &Config, apps: &Apps, now: u64, warn: &mut dyn FnMut(String)) -> Counts {
    let (store, _) = store(c).unwrap();
    drain(&*store, c, apps, LIMITS, &|| now, &|| None, warn).unwrap()
}

/// True (and says so) where no redis-server is installed: `make test-deps`
/// installs it, so the suite itself never skips.
fn redis_missing() -> bool {
    let missing = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .is_err();
    if missing {
        eprintln!("redis-server is not installed: skipped");
    }
    missing
}

/// A redis-server of the test's own that keeps the outbox (AOF in a
/// directory of its own, removed by the caller).
fn redis_with_aof(name: &str) -> (std::path::PathBuf, crate::token::redis::tests::TestRedis) {
    let dir = std::env::temp_dir().join(format!("wxpay-redis-{name}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let redis = crate::token::redis::tests::TestRedis::start(&[
        "--appendonly",
        "yes",
        "--dir",
        &dir.display().to_string(),
    ]);
    (dir, redis)
}

fn secret(s: &str) -> Apps {
    apps(Some(s), &[]).unwrap()
}

#[test]
fn a_shipment_is_kept_once_signed_and_without_the_appkey() {
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "once");
    let d = delivery("wxOutboxOnce", "n1");
    let first = enqueue(&c, &d, T0 + 1000, T0).unwrap();
    assert_eq!(enqueue(&c, &d, T0 + 1000, T0 + 5).unwrap(), first);
    let other = enqueue(&c, &delivery("wxOutboxOnce", "n2"), T0 + 1000, T0).unwrap();
    assert_ne!(other, first);
    let (s, _) = store(&c).unwrap();
    assert_eq!(s.status(T0, 10).unwrap().pending, 2);
    let file = std::fs::read(c.outbox().unwrap().location.shown()).unwrap_or_default();
    let wal =
        std::fs::read(format!("{}-wal", c.outbox().unwrap().location.shown())).unwrap_or_default();
    let all = [file, wal].concat();
    assert!(
        all.windows(10).any(|w| w == b"wxOutboxOn"),
        "the entry is in the file"
    );
    assert!(
        !all.windows(10).any(|w| w == b"THE-APPKEY"),
        "the appkey is not stored"
    );
}

#[test]
fn failures_are_retried_with_back_off_and_a_sent_entry_is_never_sent_again() {
    let server = TestServer::start(vec![
        token("T1"),
        Answer {
            status: 503,
            ..errcode(0)
        },
        errcode(0),
    ]);
    let c = sqlite_config(&server, "retry");
    enqueue(&c, &delivery("wxOutboxRetry", "n1"), T0 + DAY, T0).unwrap();
    let apps = secret("SECRET-R");
    let first = run(&c, &apps, T0, &mut quiet());
    assert_eq!((first.sent, first.retried, first.pending), (0, 1, 1));
    // Not due before the back-off (10 s, drawn from its upper half).
    assert_eq!(run(&c, &apps, T0 + 4_999, &mut quiet()).retried, 0);
    let later = run(&c, &apps, T0 + 10_001, &mut quiet());
    assert_eq!((later.sent, later.pending), (1, 0));
    // A second failure waits twice as long: from the upper half of 20 s.
    let server2 = TestServer::start(vec![
        token("T1"),
        Answer {
            status: 503,
            ..errcode(0)
        },
    ]);
    let c2 = sqlite_config(&server2, "retry-twice");
    enqueue(&c2, &delivery("wxOutboxRetry2", "n1"), T0 + DAY, T0).unwrap();
    run(&c2, &apps, T0, &mut quiet());
    let (s2, _) = store(&c2).unwrap();
    let first_wait = s2.status(T0, 1).unwrap().retrying_entries[0].at_ms - T0;
    assert!((5_000..=10_000).contains(&first_wait), "{first_wait}");
    run(&c2, &apps, T0 + first_wait, &mut quiet());
    let r = &s2.status(T0, 1).unwrap().retrying_entries[0];
    let second_wait = r.at_ms - (T0 + first_wait);
    assert_eq!(r.attempts, 2);
    assert!((10_001..=20_000).contains(&second_wait), "{second_wait}");
    assert_eq!(
        run(&c, &apps, T0 + 100_000, &mut quiet()),
        Counts::default()
    );
    let sends = lines(&server)
        .iter()
        .filter(|l| l.starts_with("POST /pay/delivernotify"))
        .count();
    assert_eq!(sends, 2);
}

#[test]
fn permanent_errors_and_the_deadline_make_entries_dead_and_requeue_revives_them() {
    let server = TestServer::start(vec![
        token("T1"),
        errcode(49004),
        errcode(-1),
        errcode(-1),
        errcode(-1),
    ]);
    let c = sqlite_config(&server, "dead");
    enqueue(
        &c,
        &delivery("wxOutboxDead", "bad-sign"),
        T0 + 3_600_000,
        T0,
    )
    .unwrap();
    let apps = secret("SECRET-D");
    let mut died = Vec::new();
    let n = run(&c, &apps, T0, &mut |w| died.push(w));
    assert_eq!((n.dead, n.pending), (1, 0));
    assert_eq!(died.len(), 1, "{died:?}");
    assert!(
        died[0].starts_with("1 shipping notification(s) died in this drain and will not be sent unless re-queued (wx_deliver_requeue()): out_trade_no bad-sign: WeChat error 49004"),
        "{}",
        died[0]
    );

    // Busy until the deadline: warned about, then dead with its last error.
    enqueue(&c, &delivery("wxOutboxDead", "late"), T0 + 3_600_000, T0).unwrap();
    let mut warnings = Vec::new();
    let n = run(&c, &apps, T0, &mut |w| warnings.push(w));
    assert_eq!((n.retried, n.overdue), (1, 1));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(
            "out_trade_no late (transid t1, deadline in 60 min, last error: WeChat error -1"
        ),
        "{}",
        warnings[0]
    );
    // (The test server's errmsg quotes "THE-APPKEY" literally; WeChat never sees an appkey.)
    assert!(!warnings[0].contains("SECRET-D") && !warnings[0].contains("T1"));
    let mut died = Vec::new();
    let n = run(&c, &apps, T0 + 3_600_000, &mut |w| died.push(w));
    assert_eq!((n.dead, n.pending, n.overdue), (1, 0, 0));
    assert_eq!(died.len(), 1, "{died:?}");
    assert!(
        died[0].contains(
            "out_trade_no late (transid t1): the deadline passed (last error: WeChat error -1"
        ),
        "{}",
        died[0]
    );
    // Told once: the next drain says nothing.
    run(&c, &apps, T0 + 3_600_001, &mut quiet());
    let (s, _) = store(&c).unwrap();
    let status = s.status(T0 + 3_600_000, 10).unwrap();
    assert_eq!(status.dead, 2);
    let late = status
        .dead_entries
        .iter()
        .find(|d| d.out_trade_no == "late")
        .unwrap();
    assert!(
        late.last_error
            .starts_with("the deadline passed (last error: WeChat error -1"),
        "{}",
        late.last_error
    );
    assert!(status
        .dead_entries
        .iter()
        .any(|d| d.last_error.starts_with("WeChat error 49004")));

    assert_eq!(
        s.requeue(
            Some(std::slice::from_ref(&late.id)),
            T0 + 7_200_000,
            T0 + 3_600_000
        )
        .unwrap(),
        1
    );
    assert_eq!(s.status(T0 + 3_600_000, 0).unwrap().pending, 1);
}

#[test]
fn a_claimed_entry_is_not_claimed_again_until_its_lease_runs_out() {
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "lease");
    for i in 0..3 {
        enqueue(
            &c,
            &delivery("wxOutboxLease", &format!("n{i}")),
            T0 + 3_600_000,
            T0,
        )
        .unwrap();
    }
    let (s, _) = store(&c).unwrap();
    let a = s.claim("a", T0, 2, 1_000).unwrap();
    assert_eq!(a.len(), 2);
    let b = s.claim("b", T0, 8, 1_000).unwrap();
    assert_eq!(b.len(), 1, "only the one nobody holds");
    assert_eq!(
        s.claim("c", T0 + 1_000, 8, 1_000).unwrap().len(),
        2,
        "the first leases ran out"
    );
    assert!(s.claim("d", T0 + 2_000, 8, 1_000).unwrap().len() == 2);
    // A drainer whose lease was taken over cannot retry or kill the entry; a send it saw through still counts.
    s.finish(&a[1], &Finish::Dead { error: "x".into() }, T0 + 2_000)
        .unwrap();
    s.finish(&a[0], &Finish::Sent, T0 + 2_000).unwrap();
    let st = s.status(T0 + 2_000, 10).unwrap();
    assert_eq!((st.sent, st.dead, st.pending), (1, 0, 2));
}

#[test]
fn a_drain_without_a_secret_for_an_app_leaves_its_entries_alone() {
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "skip");
    enqueue(&c, &delivery("wxOutboxSkip", "n1"), T0 + DAY, T0).unwrap();
    let apps = apps(None, &[("wxOther".into(), "S".into())]).unwrap();
    let n = run(&c, &apps, T0, &mut quiet());
    assert_eq!((n.skipped, n.pending), (1, 1));
    assert!(lines(&server).is_empty());
    // Back as it was, due again after the first retry wait (10 s), its reason kept.
    let (s, _) = store(&c).unwrap();
    let r = &s.status(T0, 10).unwrap().retrying_entries[0];
    assert_eq!(r.at_ms, T0 + 10_000);
    assert_eq!(
        r.last_error,
        "no appsecret for appid wxOutboxSkip was given to wx_deliver_drain()"
    );
    assert!(super::apps(None, &[])
        .unwrap_err()
        .message()
        .contains("option 'appsecret'"));
}

#[test]
fn back_off_doubles_from_its_first_wait_up_to_its_cap_with_jitter() {
    let r = Retry {
        first_ms: 1_000,
        max_ms: 8_000,
    };
    for (attempt, full) in [
        (1, 1_000),
        (2, 2_000),
        (3, 4_000),
        (4, 8_000),
        (9, 8_000),
        (200, 8_000),
    ] {
        for random in [0, 1, 499, 500, 12_345_678, u64::MAX] {
            let d = r.delay_ms(attempt, random);
            assert!(
                d > full / 2 && d <= full,
                "attempt {attempt}: {d} of {full}"
            );
        }
    }
}

#[test]
fn deadlines_and_locations_are_checked() {
    assert_eq!(deadline_ms(T0, None, None).unwrap(), T0 + 24 * 3_600_000);
    assert_eq!(
        deadline_ms(T0, None, Some("physical")).unwrap(),
        T0 + 72 * 3_600_000
    );
    assert!(deadline_ms(T0, Some(1), None).is_err());
    // A deadline is after now and at most 30 days ahead, both exactly.
    let secs = (T0 / 1000) as i64;
    assert!(deadline_ms(T0, Some(secs), None).is_err());
    assert_eq!(deadline_ms(T0, Some(secs + 1), None).unwrap(), T0 + 1000);
    let month = 30 * 86_400;
    assert_eq!(
        deadline_ms(T0, Some(secs + month), None).unwrap(),
        T0 + 30 * DAY
    );
    assert!(deadline_ms(T0, Some(secs + month + 1), None).is_err());
    assert!(deadline_ms(T0, Some(-1), None).is_err());
    assert!(deadline_ms(T0, Some((T0 / 1000) as i64 + 60), Some("virtual")).is_err());
    assert!(deadline_ms(T0, None, Some("digital"))
        .unwrap_err()
        .message()
        .contains("'virtual'"));
    assert!(Location::parse("wxpay.outbox", "relative.sqlite").is_err());
    assert_eq!(
        Location::parse("o", "redis://u:pw@h:1/2").unwrap().shown(),
        "redis://u:***@h:1/2".replace("u:***", "***")
    );
    let e = open(
        &Location::Sqlite("/proc/nope/o.sqlite".into()),
        "wxpay.outbox",
        &crate::net::transport::Settings {
            api_base: "https://127.0.0.1:1".into(),
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            ca: crate::net::tls::CaSource::Bundled,
            proxy: None,
        },
    )
    .err()
    .unwrap();
    assert!(matches!(e, Error::Configuration(_)));
    assert!(
        e.message()
            .starts_with("wxpay.outbox: cannot use the SQLite outbox /proc/nope/o.sqlite"),
        "{e}"
    );
}

fn body_of(s: &dyn Store, now: u64) -> Vec<u8> {
    let c = s.claim("peek", now, 1, 1).unwrap();
    s.finish(
        &c[0],
        &Finish::Release {
            next_ms: now,
            error: String::new(),
        },
        now,
    )
    .unwrap();
    c[0].body.clone()
}

#[test]
fn a_dead_shipment_enqueued_again_is_rearmed_with_the_new_body() {
    let server = TestServer::start(vec![token("T1"), errcode(49004), errcode(0)]);
    let c = sqlite_config(&server, "rearm");
    let mut wrong = delivery("wxOutboxRearm", "n1");
    wrong.appkey = b"A-WRONG-APPKEY".to_vec();
    let id = enqueue(&c, &wrong, T0 + DAY, T0).unwrap();
    let apps = secret("SECRET-RA");
    assert_eq!(run(&c, &apps, T0, &mut |_| ()).dead, 1);
    let right = delivery("wxOutboxRearm", "n1");
    assert_eq!(
        enqueue(&c, &right, T0 + 2 * DAY, T0 + 10).unwrap(),
        id,
        "the same entry, re-armed"
    );
    let (s, _) = store(&c).unwrap();
    let st = s.status(T0 + 10, 10).unwrap();
    assert_eq!((st.pending, st.dead), (1, 0));
    assert_eq!(body_of(&*s, T0 + 10), right.body(), "freshly signed");
    assert_ne!(right.body(), wrong.body());
    let n = run(&c, &apps, T0 + 20, &mut quiet());
    assert_eq!((n.sent, n.pending), (1, 0));
    // Sent: the first id again, and nothing more is sent.
    assert_eq!(enqueue(&c, &right, T0 + DAY, T0 + 30).unwrap(), id);
    assert_eq!(run(&c, &apps, T0 + 40, &mut quiet()), Counts::default());
    let sends = lines(&server)
        .iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    assert_eq!(sends, 2);
}

#[test]
fn the_latest_enqueued_status_of_an_order_wins() {
    let server = TestServer::start(vec![token("T1"), errcode(0)]);
    let c = sqlite_config(&server, "supersede");
    let (s, _) = store(&c).unwrap();
    let mut failed = delivery("wxOutboxStatus", "n1");
    failed.deliver_status = "0".into();
    let old = enqueue(&c, &failed, T0 + DAY, T0).unwrap();
    // A drainer holds the old status (on its way to WeChat) when the new one comes.
    let held = s.claim("a", T0, 1, 5_000).unwrap();
    assert_eq!(held[0].id, old);
    let shipped = delivery("wxOutboxStatus", "n1");
    let new = enqueue(&c, &shipped, T0 + DAY, T0 + 100).unwrap();
    assert_ne!(new, old);
    let st = s.status(T0 + 100, 0).unwrap();
    assert_eq!((st.pending, st.superseded), (1, 1));
    assert!(
        s.claim("b", T0 + 200, 4, 1_000).unwrap().is_empty(),
        "waits for the old one's lease"
    );
    // The old one's finish no longer counts; the new one goes once the lease is over.
    s.finish(
        &held[0],
        &Finish::Retry {
            next_ms: T0 + 300,
            error: "x".into(),
        },
        T0 + 300,
    )
    .unwrap();
    let n = run(&c, &secret("SECRET-ST"), T0 + 5_000, &mut quiet());
    assert_eq!((n.sent, n.pending), (1, 0));
    let posts: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .cloned()
        .collect();
    assert_eq!(posts.len(), 1);
    assert!(posts[0].contains(r#""deliver_status":"1""#), "{}", posts[0]);
    // Re-enqueued, the old status wins back and supersedes the new one.
    assert_eq!(enqueue(&c, &failed, T0 + DAY, T0 + 6_000).unwrap(), old);
    assert_eq!(s.status(T0 + 6_000, 0).unwrap().pending, 1);
}

#[test]
fn a_deleted_or_replaced_file_is_noticed_and_a_damaged_one_refused() {
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "replaced");
    let path = c.outbox().unwrap().location.shown();
    enqueue(&c, &delivery("wxOutboxGone", "n1"), T0 + DAY, T0).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    enqueue(&c, &delivery("wxOutboxGone", "n2"), T0 + DAY, T0).unwrap();
    assert!(std::path::Path::new(&path).exists(), "created again");
    let (s, _) = store(&c).unwrap();
    assert_eq!(
        s.status(T0, 0).unwrap().pending,
        1,
        "the new entry is in the file at the path"
    );

    // A copy with damaged pages in its middle is refused before any enqueue.
    for i in 0..300 {
        enqueue(
            &c,
            &delivery("wxOutboxGone", &format!("m{i}")),
            T0 + DAY,
            T0,
        )
        .unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    drop(conn);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 40 * 1024);
    for b in &mut bytes[20 * 1024..30 * 1024] {
        *b = 0x5a;
    }
    let damaged = format!("{path}.damaged");
    std::fs::write(&damaged, &bytes).unwrap();
    let mut settings = config(&server, &[("outbox", &damaged)]);
    settings.appsecret = None;
    let e = enqueue(&settings, &delivery("wxOutboxGone", "x"), T0 + DAY, T0).unwrap_err();
    assert!(matches!(e, Error::Outbox(_)), "{e:?}");
    assert!(e.message().contains("move it aside"), "{e}");
    std::fs::write(
        &damaged,
        b"not a database at all, just some text that is long enough",
    )
    .unwrap();
    let e = enqueue(
        &config(&server, &[("outbox", &format!("{damaged}2"))]),
        &delivery("wxOutboxGone", "x"),
        T0 + DAY,
        T0,
    );
    assert!(e.is_ok(), "a new path is a new outbox");
}

#[test]
fn another_applications_database_is_refused_by_name_and_left_untouched() {
    let server = TestServer::start(vec![]);
    let dir = std::env::temp_dir().join(format!("wxpay-foreign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, sql, says) in [
        (
            "same-name.sqlite",
            "CREATE TABLE entries (id INTEGER PRIMARY KEY, title TEXT, body TEXT)",
            "its table 'entries' is not the outbox's (it has no column appid)",
        ),
        (
            "shop.sqlite",
            "CREATE TABLE orders (id INTEGER PRIMARY KEY); CREATE TABLE users (id INTEGER)",
            "it holds other tables (orders, users)",
        ),
        (
            "five.sqlite",
            "CREATE TABLE a (x); CREATE TABLE b (x); CREATE TABLE c (x); CREATE TABLE d (x); CREATE TABLE e (x)",
            "it holds other tables (a, b, c, d, e))",
        ),
        (
            "six.sqlite",
            "CREATE TABLE a (x); CREATE TABLE b (x); CREATE TABLE c (x); CREATE TABLE d (x); CREATE TABLE e (x); CREATE TABLE f (x)",
            "it holds other tables (a, b, c, d, e, ...)",
        ),
    ] {
        let path = dir.join(file);
        let _ = std::fs::remove_file(&path);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        let c = config(&server, &[("outbox", path.to_str().unwrap())]);
        let e = enqueue(&c, &delivery("wxForeign", "n1"), T0 + DAY, T0).unwrap_err();
        assert!(matches!(e, Error::Configuration(_)), "{e:?}");
        let m = e.message();
        assert!(
            m.contains("is another application's database, not a wxpay outbox")
                && m.contains(says)
                && m.contains("give wxpay.outbox a file of its own"),
            "{m}"
        );
        // Nothing of the outbox was added to it.
        let tables: Vec<String> = rusqlite::Connection::open(&path)
            .unwrap()
            .prepare("SELECT name FROM sqlite_master ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            !tables.iter().any(|t| t == "clock" || t == "due"),
            "{tables:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_drain_ends_within_its_max_seconds_whatever_the_timeout() {
    let slow = Answer {
        delay: Duration::from_millis(2_500),
        ..errcode(0)
    };
    let server = TestServer::start(vec![token("T1"), slow]);
    let mut c = sqlite_config(&server, "bounded");
    c.transport.timeout = Duration::from_secs(20);
    for i in 0..6 {
        enqueue(
            &c,
            &delivery("wxOutboxBounded", &format!("n{i}")),
            T0 + DAY,
            T0,
        )
        .unwrap();
    }
    let (s, _) = store(&c).unwrap();
    let limits = Limits {
        max_items: 100,
        max_time: Duration::from_secs(1),
    };
    let started = std::time::Instant::now();
    let n = drain(
        &*s,
        &c,
        &secret("SECRET-B"),
        limits,
        &|| T0,
        &|| None,
        &mut quiet(),
    )
    .unwrap();
    // Before: each send could take 3 x 20 s. The bound leaves a loaded machine 4x room.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((n.sent, n.retried, n.pending), (0, 0, 6), "{n:?}");
    assert_eq!(
        s.claim("x", T0, 10, 1).unwrap().len(),
        6,
        "handed back, due now"
    );
}

#[test]
fn a_clock_that_jumps_ahead_kills_nothing_and_one_that_was_ahead_delays_nothing() {
    let server = TestServer::start(vec![
        token("T1"),
        Answer {
            status: 503,
            ..errcode(0)
        },
    ]);
    let c = sqlite_config(&server, "clock");
    let (s, _) = store(&c).unwrap();
    let apps = secret("SECRET-C");
    let boot = |ms: u64| move || Some(("boot-a".to_string(), ms));
    enqueue(&c, &delivery("wxOutboxClock", "n1"), T0 + 3_600_000, T0).unwrap();
    let mut warnings = Vec::new();
    let run_at = |now: u64, boot: &dyn Fn() -> Option<(String, u64)>, w: &mut Vec<String>| {
        drain(&*s, &c, &apps, LIMITS, &|| now, boot, &mut |m| w.push(m)).unwrap()
    };
    assert_eq!(run_at(T0, &boot(1_000), &mut warnings).retried, 1);
    // A minute later by the boot clock, the wall clock reads 25 h later: not believed.
    let n = run_at(T0 + 25 * 3_600_000, &boot(61_000), &mut warnings);
    assert_eq!((n.dead, n.pending), (0, 1), "{n:?}");
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "the system clock reads 1499 min ahead of the time measured since the last drain"
        )),
        "{warnings:?}"
    );
    // Still ahead a minute later: still judged by the measured time.
    assert_eq!(
        run_at(T0 + 25 * 3_600_000 + 60_000, &boot(121_000), &mut warnings).dead,
        0
    );
    // Measured time itself passes the deadline: dead, as it should be.
    assert_eq!(
        run_at(T0 + 26 * 3_600_000, &boot(3_700_000), &mut warnings).dead,
        1
    );

    // After a reboot the wall clock is believed again.
    // (Measured time is now about T0 + 1 h; n2's deadline is T0 + 30 h.)
    enqueue(
        &c,
        &delivery("wxOutboxClock", "n2"),
        T0 + 30 * 3_600_000,
        T0,
    )
    .unwrap();
    assert_eq!(
        run_at(T0 + 31 * 3_600_000, &boot(5_000_000), &mut warnings).dead,
        0,
        "same boot: measured"
    );
    assert_eq!(
        run_at(
            T0 + 31 * 3_600_000,
            &|| Some(("boot-b".into(), 1_000)),
            &mut warnings
        )
        .dead,
        1
    );

    // Enqueued on a clock 3 h ahead, drained once it is right again: due now, not in 3 h.
    enqueue(
        &c,
        &delivery("wxOutboxClock", "n3"),
        T0 + 10 * 3_600_000,
        T0 + 3 * 3_600_000,
    )
    .unwrap();
    let n = run_at(T0 + 60_000, &|| None, &mut warnings);
    assert_eq!(n.retried, 1, "{n:?}");
}

/// A redis-server of the test's own (skipped where none is installed):
/// drains on clocks 25 h ahead go by the server's TIME and kill nothing.
#[test]
fn redis_drains_go_by_the_servers_time() {
    if redis_missing() {
        return;
    }
    let (dir, redis) = redis_with_aof("clock");
    let server = TestServer::start(vec![
        token("T1"),
        Answer {
            status: 503,
            ..errcode(0)
        },
    ]);
    let c = config(
        &server,
        &[
            ("outbox", &redis.url),
            ("outbox_retry_first", "10"),
            ("outbox_retry_max", "40"),
        ],
    );
    let real = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    };
    enqueue(
        &c,
        &delivery("wxOutboxRedisClock", "n1"),
        real() + 5 * 3_600_000,
        real(),
    )
    .unwrap();
    let (s, _) = store(&c).unwrap();
    let ahead = || real() + 25 * 3_600_000;
    let n = drain(
        &*s,
        &c,
        &secret("SECRET-RC"),
        LIMITS,
        &ahead,
        &|| None,
        &mut quiet(),
    )
    .unwrap();
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!((n.dead, n.retried, n.pending), (0, 1, 1), "{n:?}");
}

/// The outbox on a primary found through a sentinel, with enqueues
/// acknowledged only once a replica holds them (WAIT): refused, and said
/// so, while there is none; accepted once one follows the primary.
#[test]
fn a_sentinel_names_the_primary_and_an_enqueue_waits_for_its_replicas() {
    use crate::token::redis::tests::TestRedis;
    if redis_missing() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("wxpay-sentinel-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("p")).unwrap();
    std::fs::create_dir_all(dir.join("r")).unwrap();
    let aof = |sub: &str| {
        [
            "--appendonly",
            "yes",
            "--dir",
            &dir.join(sub).display().to_string(),
        ]
        .map(String::from)
    };
    let primary = TestRedis::start(&aof("p").each_ref().map(String::as_str));
    let sentinel = TestRedis::sentinel(&dir, "wxcore", primary.port());
    let server = TestServer::start(vec![token("T1"), errcode(0)]);
    let url = format!("redis+sentinel://{}/wxcore/0", sentinel.url);
    let c = config(&server, &[("outbox", &url), ("outbox_replicas", "1")]);
    assert_eq!(
        serving(&c.outbox().unwrap().location),
        format!("Redis, primary found through Sentinel at {url}"),
        "nothing asked yet"
    );
    let e = enqueue(&c, &delivery("wxSentinel", "n1"), T0 + DAY, T0).unwrap_err();
    assert!(
        e.message()
            .contains("0 of the 1 replica(s) wxpay.outbox_replicas asks for had the write"),
        "{e:?}"
    );
    assert_eq!(
        serving(&c.outbox().unwrap().location),
        format!(
            "Redis, primary found through Sentinel at {url}, primary in use 127.0.0.1:{}",
            primary.port()
        )
    );
    let port = primary.port().to_string();
    let mut replica_args = aof("r").to_vec();
    replica_args.extend(["--replicaof", "127.0.0.1", &port].map(String::from));
    let _replica = TestRedis::start(&replica_args.iter().map(String::as_str).collect::<Vec<_>>());
    // Accepted once the replica has caught up (its first sync takes a moment).
    let mut acked = Err(Error::Outbox(String::new()));
    for _ in 0..100 {
        acked = enqueue(&c, &delivery("wxSentinel", "n2"), T0 + DAY, T0);
        if acked.is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let id = acked.unwrap();
    // Without the setting, the same shipment keeps its id (nothing to wait for).
    let plain = config(&server, &[("outbox", &url)]);
    assert_eq!(
        enqueue(&plain, &delivery("wxSentinel", "n2"), T0 + DAY, T0).unwrap(),
        id
    );
    // A SQLite outbox has no replicas: the setting is refused there.
    let sqlite = sqlite_config(&server, "no-replicas");
    let path = match &sqlite.outbox().unwrap().location {
        Location::Sqlite(p) => p.clone(),
        Location::Redis(_) => unreachable!(),
    };
    let e = enqueue(
        &config(&server, &[("outbox", &path), ("outbox_replicas", "1")]),
        &delivery("wxSentinel", "n3"),
        T0 + DAY,
        T0,
    )
    .unwrap_err();
    assert!(
        e.message()
            .contains("wxpay.outbox_replicas applies to a Redis outbox"),
        "{e:?}"
    );
    drop(sentinel);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_boot_clock_is_this_boots_id_and_uptime_in_ms() {
    let read = || {
        let up = std::fs::read_to_string("/proc/uptime").unwrap();
        (up.split_whitespace()
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            * 1000.0) as u64
    };
    let before = read();
    let (id, ms) = crate::clock::boot().expect("Linux has /proc");
    let after = read();
    assert_eq!(
        id,
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .unwrap()
            .trim()
    );
    assert_eq!(id.len(), 36, "{id}");
    assert!(before <= ms && ms <= after, "{before} <= {ms} <= {after}");
}

#[test]
fn the_status_view_has_defaults_and_refuses_what_it_cannot_show() {
    assert_eq!(view(None, None).unwrap(), View::Array { dead_limit: 100 });
    assert_eq!(view(Some("array"), Some(0)).unwrap().dead_limit(), 0);
    assert_eq!(view(Some("prometheus"), Some(5)).unwrap(), View::Prometheus);
    assert_eq!(View::Prometheus.dead_limit(), 0);
    assert_eq!(
        view(None, Some(-1)).unwrap_err(),
        Error::invalid("option 'dead_limit' must be 0 or more")
    );
    assert_eq!(
        view(Some("json"), None).unwrap_err(),
        Error::invalid("option 'format' must be 'array' or 'prometheus'")
    );
}

#[test]
fn drain_limits_have_defaults_and_exact_bounds() {
    let l = limits(None, None).unwrap();
    assert_eq!((l.max_items, l.max_time), (1000, Duration::from_secs(50)));
    let l = limits(Some(1), Some(86_400.0)).unwrap();
    assert_eq!((l.max_items, l.max_time), (1, Duration::from_secs(86_400)));
    assert_eq!(
        limits(Some(7), Some(0.25)).unwrap().max_time,
        Duration::from_millis(250)
    );
    assert_eq!(
        limits(Some(0), None).err().unwrap(),
        Error::invalid("option 'max_items' must be at least 1")
    );
    assert!(limits(Some(-3), None).is_err());
    for secs in [0.0, -1.0, 86_400.001, f64::NAN, f64::INFINITY] {
        assert_eq!(
            limits(None, Some(secs)).err().unwrap(),
            Error::invalid("option 'max_seconds' must be more than 0 and at most 86400"),
            "{secs}"
        );
    }
}

/// What every store does with the same calls at the same (explicit) times:
/// dedup, claims and leases, retries with their error, sent, the deadline,
/// requeue, a dead entry, a superseded status, pruning.
fn conformance(s: &dyn Store) {
    let entry = |order: &str, status: &str, deadline_ms: u64| NewEntry {
        appid: "wxConform".into(),
        transid: format!("t-{order}"),
        out_trade_no: order.into(),
        deliver_status: status.into(),
        body: format!("{{\"out_trade_no\":\"{order}\",\"deliver_status\":\"{status}\"}}")
            .into_bytes(),
        created_ms: T0,
        deadline_ms,
    };
    let a = entry("A", "1", T0 + DAY);
    assert_eq!(s.enqueue(&a, "id-a").unwrap(), ("id-a".to_string(), true));
    assert_eq!(s.enqueue(&a, "id-a2").unwrap(), ("id-a".to_string(), false));
    let st = s.status(T0, 10).unwrap();
    assert_eq!(
        (st.pending, st.sent, st.dead, st.superseded, st.overdue),
        (1, 0, 0, 0, 0)
    );
    assert_eq!(
        (st.oldest_pending_ms, st.nearest_deadline_ms),
        (Some(T0), Some(T0 + DAY))
    );
    assert!(st.dead_entries.is_empty() && st.retrying_entries.is_empty());

    let claimed = s.claim("o1", T0, 4, 60_000).unwrap();
    assert_eq!(claimed.len(), 1);
    let c = &claimed[0];
    assert_eq!(
        (
            c.id.as_str(),
            c.appid.as_str(),
            c.out_trade_no.as_str(),
            c.deadline_ms,
            c.attempts
        ),
        ("id-a", "wxConform", "A", T0 + DAY, 0)
    );
    assert_eq!(c.body, a.body);
    assert!(
        s.claim("o2", T0, 4, 60_000).unwrap().is_empty(),
        "held by o1"
    );

    s.finish(
        c,
        &Finish::Retry {
            next_ms: T0 + 10_000,
            error: "E1".into(),
        },
        T0,
    )
    .unwrap();
    let st = s.status(T0, 10).unwrap();
    assert_eq!(st.pending, 1);
    let r = &st.retrying_entries;
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        (
            r[0].id.as_str(),
            r[0].transid.as_str(),
            r[0].last_error.as_str(),
            r[0].attempts,
            r[0].at_ms,
            r[0].deadline_ms
        ),
        ("id-a", "t-A", "E1", 1, T0 + 10_000, T0 + DAY)
    );
    assert!(
        s.status(T0, 0).unwrap().retrying_entries.is_empty(),
        "bounded by the limit"
    );
    assert!(
        s.claim("o1", T0 + 5_000, 4, 60_000).unwrap().is_empty(),
        "not due yet"
    );
    let again = s.claim("o1", T0 + 10_000, 4, 60_000).unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 1));
    s.finish(&again[0], &Finish::Sent, T0 + 10_000).unwrap();
    let st = s.status(T0 + 10_000, 10).unwrap();
    assert_eq!((st.pending, st.sent, st.oldest_pending_ms), (0, 1, None));
    assert_eq!(
        s.enqueue(&a, "id-a3").unwrap(),
        ("id-a".to_string(), false),
        "sent keeps its id"
    );

    // B: close to its deadline, then past it.
    let b = entry("B", "1", T0 + 60_000);
    s.enqueue(&b, "id-b").unwrap();
    let (n, near) = s.near_deadline(T0 + 2 * 3_600_000, 10).unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        (
            near[0].out_trade_no.as_str(),
            near[0].transid.as_str(),
            near[0].deadline_ms,
            near[0].last_error.as_deref()
        ),
        ("B", "t-B", T0 + 60_000, None)
    );
    assert_eq!(s.status(T0, 0).unwrap().overdue, 1);
    assert!(s.expire(T0 + 59_999).unwrap().is_empty());
    let died = s.expire(T0 + 60_000).unwrap();
    assert_eq!(died.len(), 1);
    assert_eq!(
        (died[0].out_trade_no.as_str(), died[0].last_error.as_deref()),
        ("B", Some("the deadline passed"))
    );
    let st = s.status(T0 + 60_000, 10).unwrap();
    assert_eq!((st.pending, st.dead), (0, 1));
    let d = &st.dead_entries[0];
    assert_eq!(
        (
            d.id.as_str(),
            d.appid.as_str(),
            d.out_trade_no.as_str(),
            d.at_ms,
            d.attempts
        ),
        ("id-b", "wxConform", "B", T0 + 60_000, 0)
    );
    assert_eq!(
        s.requeue(Some(&["id-b".to_string()]), T0 + DAY, T0 + 61_000)
            .unwrap(),
        1
    );
    assert_eq!(
        s.requeue(Some(&["id-b".to_string()]), T0 + DAY, T0 + 61_000)
            .unwrap(),
        0
    );
    let st = s.status(T0 + 61_000, 10).unwrap();
    assert_eq!(
        (st.pending, st.dead, st.nearest_deadline_ms),
        (1, 0, Some(T0 + DAY))
    );
    let claimed = s.claim("o1", T0 + 61_000, 4, 60_000).unwrap();
    assert_eq!(claimed[0].id, "id-b");
    s.finish(
        &claimed[0],
        &Finish::Dead {
            error: "WeChat error 49004".into(),
        },
        T0 + 62_000,
    )
    .unwrap();
    let st = s.status(T0 + 62_000, 10).unwrap();
    assert_eq!(
        (
            st.dead,
            st.dead_entries[0].last_error.as_str(),
            st.dead_entries[0].attempts
        ),
        (1, "WeChat error 49004", 1)
    );
    assert_eq!(
        s.requeue(None, T0 + DAY, T0 + 63_000).unwrap(),
        1,
        "all dead entries"
    );

    // C: status 0 pending, then status 1 enqueued: the first is superseded.
    s.enqueue(&entry("C", "0", T0 + DAY), "id-c0").unwrap();
    let (id, new) = s.enqueue(&entry("C", "1", T0 + DAY), "id-c1").unwrap();
    assert_eq!((id.as_str(), new), ("id-c1", true));
    let st = s.status(T0 + 63_000, 10).unwrap();
    assert_eq!((st.pending, st.superseded), (2, 1), "B requeued and C1");

    // Released untouched (no secret): pending again, due at its time, its error kept.
    let claimed = s.claim("o1", T0 + 64_000, 4, 60_000).unwrap();
    assert_eq!(claimed.len(), 2);
    for c in &claimed {
        s.finish(
            c,
            &Finish::Release {
                next_ms: T0 + 70_000,
                error: "no appsecret".into(),
            },
            T0 + 64_000,
        )
        .unwrap();
    }
    assert!(s.claim("o1", T0 + 69_999, 4, 60_000).unwrap().is_empty());
    let st = s.status(T0 + 64_000, 10).unwrap();
    assert_eq!(st.retrying_entries.len(), 2);
    assert!(st
        .retrying_entries
        .iter()
        .all(|e| e.last_error == "no appsecret" && e.at_ms == T0 + 70_000));
    assert_eq!(s.claim("o1", T0 + 70_000, 4, 60_000).unwrap().len(), 2);

    // Sent and superseded entries are pruned once their deadline is older
    // than the cut (A, and C's status 0).
    assert_eq!(s.prune(T0 + DAY, 10).unwrap(), 0);
    assert_eq!(s.prune(T0 + DAY + 1, 1).unwrap(), 1, "at most max");
    assert_eq!(s.prune(T0 + DAY + 1, 10).unwrap(), 1);
    let st = s.status(T0 + 70_000, 0).unwrap();
    assert_eq!((st.sent, st.superseded, st.pending), (0, 0, 2));
}

#[test]
fn the_sqlite_store_does_what_every_store_does() {
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "conformance");
    let (s, _) = store(&c).unwrap();
    conformance(&*s);
}

#[test]
fn the_redis_store_does_what_every_store_does() {
    if redis_missing() {
        return;
    }
    let redis = crate::token::redis::tests::TestRedis::start(&[]);
    let server = TestServer::start(vec![]);
    let c = config(&server, &[("outbox", &redis.url)]);
    let (s, label) = store(&c).unwrap();
    assert_eq!(label, redis.url);
    conformance(&*s);
}

#[test]
fn a_redis_that_can_lose_the_outbox_is_refused_and_a_lost_one_is_noticed() {
    if redis_missing() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("wxpay-redis-risk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.display().to_string();
    let server = TestServer::start(vec![]);
    let verdict = |extra: &[&str]| {
        let redis = crate::token::redis::tests::TestRedis::start(extra);
        let c = config(&server, &[("outbox", &redis.url)]);
        let (s, _) = store(&c).unwrap();
        let refused = s
            .check_durable(false)
            .err()
            .map(|e| e.message().to_string());
        assert!(s.check_durable(true).is_ok(), "the risk accepted");
        refused
    };
    let evicting = verdict(&[
        "--appendonly",
        "yes",
        "--dir",
        &dir,
        "--maxmemory",
        "2mb",
        "--maxmemory-policy",
        "allkeys-lru",
    ])
    .expect("refused");
    assert!(
        evicting
            .contains("its maxmemory-policy allkeys-lru with maxmemory 2097152 lets Redis evict"),
        "{evicting}"
    );
    assert!(
        evicting.contains("or set wxpay.outbox_redis_unsafe = 1"),
        "{evicting}"
    );
    let volatile = verdict(&[
        "--appendonly",
        "yes",
        "--dir",
        &dir,
        "--maxmemory",
        "2mb",
        "--maxmemory-policy",
        "volatile-lru",
    ]);
    assert_eq!(
        volatile, None,
        "a volatile-* policy never evicts the outbox's keys (they have no TTL)"
    );
    let unlimited = verdict(&[
        "--appendonly",
        "yes",
        "--dir",
        &dir,
        "--maxmemory-policy",
        "allkeys-lru",
    ]);
    assert_eq!(unlimited, None, "no maxmemory: nothing is evicted");
    let diskless = verdict(&[]).expect("refused");
    assert!(diskless.contains("it keeps nothing on disk"), "{diskless}");
    let rdb = verdict(&["--save", "60 1", "--dir", &dir]);
    assert_eq!(rdb, None, "RDB snapshots keep it");
    let hidden = verdict(&["--rename-command", "CONFIG", ""]).expect("refused");
    assert!(
        hidden.contains("its configuration cannot be read"),
        "{hidden}"
    );

    // The marker: gone while entries remain, or a new one (emptied), is loud.
    let redis =
        crate::token::redis::tests::TestRedis::start(&["--appendonly", "yes", "--dir", &dir]);
    let c = config(&server, &[("outbox", &redis.url)]);
    let (s, _) = store(&c).unwrap();
    assert_eq!(s.lost().unwrap(), None);
    enqueue(&c, &delivery("wxRedisLost", "n1"), T0 + DAY, T0).unwrap();
    assert_eq!(s.lost().unwrap(), None);
    let mut conn = ::redis::Client::open(redis.url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let _: () = ::redis::cmd("DEL")
        .arg("wxpay:{outbox}:epoch")
        .query(&mut conn)
        .unwrap();
    let why = s.lost().unwrap().expect("noticed");
    assert!(
        why.contains("lost its marker key while entries remain"),
        "{why}"
    );
    let _: () = ::redis::cmd("FLUSHALL").query(&mut conn).unwrap();
    enqueue(&c, &delivery("wxRedisLost", "n2"), T0 + DAY, T0).unwrap();
    let why = s.lost().unwrap().expect("noticed");
    assert!(
        why.contains("was emptied or replaced since this process last used it"),
        "{why}"
    );
    assert_eq!(s.lost().unwrap(), None, "once per change");

    // The server's clock, and due times bounded.
    let local = 1_000_000u64;
    let offset = s.time(local, None).unwrap().offset_ms;
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((offset + local as i64 - real).abs() < 5_000, "{offset}");
    let claimed = s.claim("o1", T0, 4, 60_000).unwrap();
    s.finish(
        &claimed[0],
        &Finish::Retry {
            next_ms: T0 + 30 * DAY,
            error: "E".into(),
        },
        T0,
    )
    .unwrap();
    assert!(s.claim("o1", T0, 4, 60_000).unwrap().is_empty());
    assert_eq!(s.bound_due(T0, T0 + 60_000).unwrap(), 1);
    assert_eq!(s.bound_due(T0, T0 + 60_000).unwrap(), 0);
    let held = s.claim("o1", T0, 4, 60_000).unwrap();
    assert_eq!(held.len(), 1, "due now");
    // A claim is held for its leases (4 x 1 s here) in real time too: another
    // drainer does not take it over 2 s later.
    s.finish(
        &held[0],
        &Finish::Release {
            next_ms: T0,
            error: String::new(),
        },
        T0,
    )
    .unwrap();
    let held = s.claim("o1", T0, 4, 1_000).unwrap();
    assert_eq!(held.len(), 1);
    std::thread::sleep(Duration::from_millis(2_000));
    assert!(s.claim("o2", T0, 4, 1_000).unwrap().is_empty());
    // A drainer that holds nothing leaves the consumer group; one that holds
    // something stays (its claim is taken over later).
    let consumers = |conn: &mut ::redis::Connection| -> Vec<String> {
        let info: Vec<std::collections::HashMap<String, ::redis::Value>> = ::redis::cmd("XINFO")
            .arg("CONSUMERS")
            .arg("wxpay:{outbox}:stream")
            .arg("drain")
            .query(conn)
            .unwrap();
        let mut names: Vec<String> = info
            .iter()
            .filter_map(|c| match c.get("name") {
                Some(::redis::Value::BulkString(b)) => {
                    Some(String::from_utf8_lossy(b).into_owned())
                }
                _ => None,
            })
            .collect();
        names.sort();
        names
    };
    assert!(consumers(&mut conn).contains(&"o1".to_string()));
    s.leave("o1").unwrap();
    assert!(
        consumers(&mut conn).contains(&"o1".to_string()),
        "o1 still holds an entry"
    );
    s.finish(&held[0], &Finish::Sent, T0).unwrap();
    s.leave("o1").unwrap();
    assert!(!consumers(&mut conn).contains(&"o1".to_string()), "o1 left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redis_urls_are_checked_without_showing_their_password() {
    let e = crate::net::redis::check_url("wxpay.outbox", "redis://u:pw@127.0.0.1:1/0?timeout=1")
        .unwrap_err();
    assert!(
        e.message().contains("has a query") && !e.message().contains("pw"),
        "{e}"
    );
    let e = crate::net::redis::check_url("wxpay.outbox", "redis://u:pw@[nope/0").unwrap_err();
    assert!(
        e.message().contains("is not a usable Redis URL") && !e.message().contains("pw"),
        "{e}"
    );
    assert!(crate::net::redis::check_url("wxpay.outbox", "redis://127.0.0.1:6379/0").is_ok());
    // Sentinel: host:port list, the primary's name, an optional DB; each
    // refusal says why, and never shows the password.
    for ok in [
        "redis+sentinel://127.0.0.1:26379/mymaster",
        "rediss+sentinel://u:pw@s1.example:26379,s2.example:26380,[::1]:26381/shop-primary.1/3",
        "redis+cluster://u:pw@10.0.0.1:7000,10.0.0.2:7000",
    ] {
        let checked = crate::net::redis::check_url("wxpay.outbox", ok);
        assert!(checked.is_ok(), "{ok}: {checked:?}");
    }
    for (bad, why) in [
        (
            "redis+sentinel://u:pw@127.0.0.1:26379",
            "no /NAME of the primary",
        ),
        (
            "redis+sentinel://u:pw@127.0.0.1/m",
            "each sentinel must be host:port",
        ),
        (
            "redis+sentinel://u:pw@127.0.0.1:0/m",
            "each sentinel must be host:port",
        ),
        (
            "redis+sentinel://u:pw@a:1,:2/m",
            "each sentinel must be host:port",
        ),
        ("redis+sentinel://u:pw@a:1/", "the primary's NAME must be"),
        (
            "redis+sentinel://u:pw@a:1/my master",
            "the primary's NAME must be",
        ),
        (
            "redis+sentinel://u:pw@a:1/m/x",
            "the DB after the name must be a number",
        ),
        (
            "redis+cluster://u:pw@a:1/0",
            "a Cluster has one database: no /db after its nodes",
        ),
        ("redis+cluster://u:pw@a:1,b", "each node must be host:port"),
        (
            "redis+cluter://u:pw@a:1",
            "is not a redis://, rediss://, redis[s]+sentinel:// or redis[s]+cluster:// URL",
        ),
    ] {
        let e = crate::net::redis::check_url("wxpay.outbox", bad).unwrap_err();
        assert!(
            e.message().contains(why) && !e.message().contains("pw"),
            "{bad}: {e}"
        );
    }
    assert_eq!(
        crate::secrets::masked("redis+sentinel://u:pw@a:1,b:2/m/0"),
        "redis+sentinel://***@a:1,b:2/m/0"
    );
}

/// A store that records what a drain asked of it, around a real one.
struct Recording<'s> {
    inner: &'s dyn Store,
    claims: std::sync::Mutex<Vec<(usize, u64)>>,
    bounds: std::sync::Mutex<Vec<(u64, u64)>>,
}

impl Store for Recording<'_> {
    fn enqueue(&self, entry: &NewEntry, id: &str) -> Result<(String, bool)> {
        self.inner.enqueue(entry, id)
    }
    fn claim(&self, owner: &str, now_ms: u64, max: usize, lease_ms: u64) -> Result<Vec<Claimed>> {
        self.claims.lock().unwrap().push((max, lease_ms));
        self.inner.claim(owner, now_ms, max, lease_ms)
    }
    fn finish(&self, claimed: &Claimed, how: &Finish, now_ms: u64) -> Result<()> {
        self.inner.finish(claimed, how, now_ms)
    }
    fn expire(&self, now_ms: u64) -> Result<Vec<Overdue>> {
        self.inner.expire(now_ms)
    }
    fn near_deadline(&self, before_ms: u64, max: usize) -> Result<(u64, Vec<Overdue>)> {
        self.inner.near_deadline(before_ms, max)
    }
    fn status(&self, now_ms: u64, dead_max: usize) -> Result<Status> {
        self.inner.status(now_ms, dead_max)
    }
    fn requeue(&self, ids: Option<&[String]>, deadline_ms: u64, now_ms: u64) -> Result<u64> {
        self.inner.requeue(ids, deadline_ms, now_ms)
    }
    fn prune(&self, before_ms: u64, max: usize) -> Result<u64> {
        self.inner.prune(before_ms, max)
    }
    fn time(&self, local_now_ms: u64, boot: Option<(String, u64)>) -> Result<Clock> {
        self.inner.time(local_now_ms, boot)
    }
    fn bound_due(&self, now_ms: u64, latest_ms: u64) -> Result<u64> {
        self.bounds.lock().unwrap().push((now_ms, latest_ms));
        self.inner.bound_due(now_ms, latest_ms)
    }
}

#[test]
fn a_drain_leases_for_three_timeouts_takes_at_most_max_items_and_bounds_due_times() {
    let server = TestServer::start(vec![token("T1"), errcode(0)]);
    let dir = scratch_dir("recorded");
    let path = dir.path().join("o.sqlite").display().to_string();
    let c = config(
        &server,
        &[
            ("outbox", &path),
            ("outbox_retry_first", "1"),
            ("outbox_retry_max", "2"),
        ],
    );
    for i in 0..5 {
        enqueue(&c, &delivery("wxRecorded", &format!("n{i}")), T0 + DAY, T0).unwrap();
    }
    let (inner, _) = store(&c).unwrap();
    let s = Recording {
        inner: &*inner,
        claims: Default::default(),
        bounds: Default::default(),
    };
    let limits = Limits {
        max_items: 2,
        max_time: Duration::from_secs(30),
    };
    // (max_items 5 over 8 entries is claimed 4, then 1: checked below.)
    let n = drain(
        &s,
        &c,
        &secret("SECRET-REC"),
        limits,
        &|| T0,
        &|| None,
        &mut quiet(),
    )
    .unwrap();
    assert_eq!((n.sent, n.pending), (2, 3));
    // The tests' timeout is 2 s: a lease of 3 x 2 s + 2 s, claims no larger
    // than the items left.
    assert_eq!(*s.claims.lock().unwrap(), [(2, 8_000)]);
    // Due times are bounded by the longest wait: a batch's leases (4 x 8 s,
    // longer than the 2 s retry cap here), plus a minute.
    assert_eq!(*s.bounds.lock().unwrap(), [(T0, T0 + 32_000 + 60_000)]);
    let n = drain(
        &s,
        &c,
        &secret("SECRET-REC"),
        LIMITS,
        &|| T0,
        &|| None,
        &mut quiet(),
    )
    .unwrap();
    assert_eq!((n.sent, n.pending), (3, 0), "the rest, in one drain");
    assert_eq!(s.claims.lock().unwrap()[1..], [(4, 8_000), (4, 8_000)]);
    for i in 5..13 {
        enqueue(&c, &delivery("wxRecorded", &format!("n{i}")), T0 + DAY, T0).unwrap();
    }
    s.claims.lock().unwrap().clear();
    let five = Limits {
        max_items: 5,
        max_time: Duration::from_secs(30),
    };
    let n = drain(
        &s,
        &c,
        &secret("SECRET-REC"),
        five,
        &|| T0,
        &|| None,
        &mut quiet(),
    )
    .unwrap();
    assert_eq!((n.sent, n.pending), (5, 3));
    assert_eq!(*s.claims.lock().unwrap(), [(4, 8_000), (1, 8_000)]);
}

#[test]
fn a_drain_that_runs_out_of_time_hands_back_what_it_claimed_and_did_not_send() {
    let slow = |a: Answer| Answer {
        delay: Duration::from_millis(400),
        ..a
    };
    let server = TestServer::start(vec![token("T1"), slow(errcode(0))]);
    let c = sqlite_config(&server, "handed-back");
    for i in 0..8 {
        enqueue(&c, &delivery("wxHandBack", &format!("n{i}")), T0 + DAY, T0).unwrap();
    }
    let (s, _) = store(&c).unwrap();
    let limits = Limits {
        max_items: 100,
        max_time: Duration::from_millis(1_000),
    };
    // Four sends of 400 ms at once (outbox_concurrency 4) leave less than
    // twice that: the other four go back.
    let n = drain(
        &*s,
        &c,
        &secret("SECRET-HB"),
        limits,
        &|| T0,
        &|| None,
        &mut quiet(),
    )
    .unwrap();
    assert_eq!((n.sent, n.retried, n.skipped, n.pending), (4, 0, 0, 4));
    // Handed back, not held: the next drain takes them at once, no lease to wait out.
    assert_eq!(s.claim("next", T0, 8, 60_000).unwrap().len(), 4);
}

#[test]
fn a_drain_keeps_its_concurrency_of_sends_in_flight_each_on_its_own_connection() {
    for (k, name) in [("1", "one-at-a-time"), ("4", "four-at-a-time")] {
        let slow = |a: Answer| Answer {
            delay: Duration::from_millis(300),
            ..a
        };
        let server = TestServer::start(vec![token("T1"), slow(errcode(0))]);
        let scratch = sqlite_config(&server, name);
        let Location::Sqlite(path) = scratch.outbox().unwrap().location.clone() else {
            unreachable!()
        };
        let c = config(&server, &[("outbox", &path), ("outbox_concurrency", k)]);
        for i in 0..12 {
            enqueue(&c, &delivery("wxInFlight", &format!("n{i}")), T0 + DAY, T0).unwrap();
        }
        let n = run(&c, &secret("SECRET-IF"), T0, &mut quiet());
        assert_eq!((n.sent, n.pending), (12, 0), "{name}");
        // The server saw exactly k requests at once at the most, and kept
        // one connection per sender (the token's fetch reuses one of them).
        let k: u32 = k.parse().unwrap();
        assert_eq!(
            server.busy.lock().unwrap().1,
            k,
            "{name}: the most requests at once"
        );
        assert_eq!(
            *server.connections.lock().unwrap(),
            k,
            "{name}: connections"
        );
    }
}

#[test]
fn a_failure_close_to_the_deadline_is_tried_once_more_just_before_it() {
    let server = TestServer::start(vec![token("T1"), errcode(-1)]);
    let c = sqlite_config(&server, "last-try");
    enqueue(&c, &delivery("wxLastTry", "n1"), T0 + 500, T0).unwrap();
    enqueue(&c, &delivery("wxLastTry", "n2"), T0 + 3_000, T0).unwrap();
    let (s, _) = store(&c).unwrap();
    let mut warned = Vec::new();
    let n = drain(
        &*s,
        &c,
        &secret("SECRET-LT"),
        LIMITS,
        &|| T0,
        &|| None,
        &mut |w| warned.push(w),
    )
    .unwrap();
    assert_eq!(n.retried, 2);
    let next: HashMap<String, u64> = s
        .status(T0, 10)
        .unwrap()
        .retrying_entries
        .into_iter()
        .map(|e| (e.out_trade_no, e.at_ms))
        .collect();
    // The back-off (10 s or more) would pass the deadline: a second before
    // it, or at once when there is not a second left.
    assert_eq!(next["n1"], T0 + 1);
    assert_eq!(next["n2"], T0 + 2_000);
}

#[test]
fn the_overdue_warning_names_ten_and_counts_the_rest() {
    let server = TestServer::start(vec![token("T1"), errcode(-1)]);
    let warning = |n: usize| {
        let dir = format!("overdue-{n}");
        let c = sqlite_config(&server, &dir);
        for i in 0..n {
            enqueue(
                &c,
                &delivery("wxOverdue", &format!("n{i}")),
                T0 + 3_600_000,
                T0,
            )
            .unwrap();
        }
        let (s, _) = store(&c).unwrap();
        let mut warned = Vec::new();
        // No secret: nothing is sent, every entry stays overdue.
        drain(
            &*s,
            &c,
            &Apps::default(),
            LIMITS,
            &|| T0,
            &|| None,
            &mut |w| warned.push(w),
        )
        .unwrap();
        assert_eq!(warned.len(), 1, "{warned:?}");
        warned.remove(0)
    };
    let ten = warning(10);
    assert!(
        ten.starts_with("10 shipping notification(s) still undelivered within 2 hours"),
        "{ten}"
    );
    assert!(!ten.contains("more"), "{ten}");
    // Two hours is the line: 119 minutes before a deadline is overdue, 121 is not.
    let c = sqlite_config(&server, "overdue-line");
    enqueue(&c, &delivery("wxOverdueLine", "in"), T0 + 119 * 60_000, T0).unwrap();
    enqueue(&c, &delivery("wxOverdueLine", "out"), T0 + 121 * 60_000, T0).unwrap();
    let (s, _) = store(&c).unwrap();
    let n = drain(
        &*s,
        &c,
        &Apps::default(),
        LIMITS,
        &|| T0,
        &|| None,
        &mut |_| (),
    )
    .unwrap();
    assert_eq!((n.overdue, n.pending), (1, 2));
    let eleven = warning(11);
    assert!(eleven.ends_with(" and 1 more"), "{eleven}");
    assert_eq!(eleven.matches("out_trade_no ").count(), 10);
}

#[test]
fn the_sqlite_clock_believes_the_wall_clock_within_five_minutes_of_what_it_measured() {
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "clock-bounds");
    let (s, _) = store(&c).unwrap();
    let boot = |id: &str, ms: u64| Some((id.to_string(), ms));
    assert_eq!(
        s.time(T0, boot("b1", 1_000)).unwrap(),
        Clock::default(),
        "first: believed"
    );
    // A minute later on the boot clock; the wall clock exactly 5 minutes
    // further ahead than that: still believed.
    assert_eq!(
        s.time(T0 + 60_000 + 300_000, boot("b1", 61_000)).unwrap(),
        Clock::default()
    );
    // Measured: T0 + 360 s (the last trusted time) + 60 s. A wall clock
    // ten minutes ahead of that is not.
    let ahead = s.time(T0 + 420_000 + 600_000, boot("b1", 121_000)).unwrap();
    assert_eq!(ahead.offset_ms, -600_000);
    assert!(ahead
        .warning
        .unwrap()
        .contains("reads 10 min ahead of the time measured"));
    // Another boot, or a boot clock that went back: the wall clock again.
    assert_eq!(
        s.time(T0 + 5 * DAY, boot("b2", 500)).unwrap(),
        Clock::default()
    );
    assert_eq!(
        s.time(T0 + 9 * DAY, boot("b2", 100)).unwrap(),
        Clock::default()
    );
    assert_eq!(
        s.time(T0 + 20 * DAY, None).unwrap(),
        Clock::default(),
        "no boot clock"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_advice_names_the_owner() {
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "not-a-db");
    let path = c.outbox().unwrap().location.shown();
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let e = enqueue(&c, &delivery("wxNotADb", "n1"), T0 + DAY, T0).unwrap_err();
    assert!(matches!(e, Error::Outbox(_)), "{e:?}");
    assert!(
        e.message().contains("is not a usable outbox file")
            && e.message().contains("move it aside"),
        "{e}"
    );

    use std::os::unix::fs::PermissionsExt;
    let file = std::path::Path::new(&path);
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let advice = super::sqlite::chown_advice(file);
    assert!(
        advice.contains(" mode 640: the user PHP runs as must be able to write it"),
        "{advice}"
    );
    if std::os::unix::fs::chown(file, Some(0), Some(0)).is_ok() {
        assert!(
            advice.starts_with("the file is ")
                && super::sqlite::chown_advice(file).starts_with("the file is root:root mode 640"),
            "{advice}"
        );
    }
    assert_eq!(super::sqlite::chown_advice(std::path::Path::new("/nonexistent/o.sqlite")),
        "the file is : the user PHP runs as must be able to write it and its directory /nonexistent (chown it to that user or its group, mode 660)");
}

#[test]
fn a_send_cut_short_by_the_drains_own_time_is_handed_back_uncounted() {
    let slow = Answer {
        delay: Duration::from_millis(1_500),
        ..errcode(0)
    };
    let server = TestServer::start(vec![token("T1"), slow]);
    let c = sqlite_config(&server, "cut-short");
    enqueue(&c, &delivery("wxCutShort", "n1"), T0 + DAY, T0).unwrap();
    let (s, _) = store(&c).unwrap();
    let limits = Limits {
        max_items: 100,
        max_time: Duration::from_millis(600),
    };
    let n = drain(
        &*s,
        &c,
        &secret("SECRET-CUT"),
        limits,
        &|| T0,
        &|| None,
        &mut quiet(),
    )
    .unwrap();
    assert_eq!(
        (n.sent, n.retried, n.dead, n.skipped, n.pending),
        (0, 0, 0, 0, 1),
        "neither a failure nor a skip"
    );
    let st = s.status(T0, 10).unwrap();
    assert!(st.retrying_entries.is_empty(), "no error recorded: {st:?}");
}

#[test]
fn the_deaths_of_a_drain_are_named_ten_at_most_and_the_rest_counted() {
    let server = TestServer::start(vec![]);
    let died = |n: usize| {
        let c = sqlite_config(&server, &format!("died-{n}"));
        for i in 0..n {
            enqueue(&c, &delivery("wxDied", &format!("n{i}")), T0 + 1_000, T0).unwrap();
        }
        let (s, _) = store(&c).unwrap();
        let mut warned = Vec::new();
        let counts = drain(
            &*s,
            &c,
            &Apps::default(),
            LIMITS,
            &|| T0 + 2_000,
            &|| None,
            &mut |w| warned.push(w),
        )
        .unwrap();
        assert_eq!(counts.dead, n as u64);
        assert_eq!(warned.len(), 1, "{warned:?}");
        warned.remove(0)
    };
    let ten = died(10);
    assert!(
        ten.starts_with("10 shipping notification(s) died in this drain"),
        "{ten}"
    );
    assert!(!ten.contains("more"), "{ten}");
    let eleven = died(11);
    assert!(eleven.ends_with(" and 1 more"), "{eleven}");
    assert_eq!(eleven.matches("out_trade_no ").count(), 10);
}

#[test]
fn an_unreachable_redis_outbox_says_why_in_one_line() {
    let server = TestServer::start(vec![]);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("redis://{}/0", closed.local_addr().unwrap());
    drop(closed);
    let c = config(&server, &[("outbox", &closed_url)]);
    let e = enqueue(&c, &delivery("wxRedisDown", "n1"), T0 + DAY, T0).unwrap_err();
    assert!(e.message().ends_with("connection refused"), "{e}");
    let cluster = closed_url
        .replace("redis://", "redis+cluster://")
        .replace("/0", "");
    let c = config(&server, &[("outbox", &cluster)]);
    let e = enqueue(&c, &delivery("wxRedisDown", "n1"), T0 + DAY, T0).unwrap_err();
    assert!(
        e.message()
            .contains("Failed to connect to each cluster node (127.0.0.1:"),
        "{e}"
    );
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let c = config(
        &server,
        &[
            (
                "outbox",
                &format!("redis://{}/0", silent.local_addr().unwrap()),
            ),
            ("timeout", "0.5"),
        ],
    );
    let e = enqueue(&c, &delivery("wxRedisSilent", "n1"), T0 + DAY, T0).unwrap_err();
    assert!(
        e.message().contains("timed out after 0.5s (wxpay.timeout)"),
        "{e}"
    );
    assert!(!e.message().contains('\n'), "{e}");
}

#[test]
fn a_new_sqlite_outbox_is_read_write_for_its_directorys_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let server = TestServer::start(vec![]);
    let c = sqlite_config(&server, "group");
    let path = c.outbox().unwrap().location.shown();
    let dir = std::path::Path::new(&path).parent().unwrap().to_path_buf();
    // Root may give the directory to any group; another user, to its own.
    let gid = if std::os::unix::fs::chown(&dir, None, Some(65534)).is_ok() {
        65534
    } else {
        std::fs::metadata(&dir).unwrap().gid()
    };
    enqueue(&c, &delivery("wxGroup", "n1"), T0 + DAY, T0).unwrap();
    let m = std::fs::metadata(&path).unwrap();
    assert_eq!((m.permissions().mode() & 0o777, m.gid()), (0o660, gid));
    // An existing file is left as it is.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let c2 = sqlite_config_at(&server, &path);
    enqueue(&c2, &delivery("wxGroup", "n2"), T0 + DAY, T0).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn an_outbox_of_the_first_layout_is_moved_into_this_one_and_drained_once() {
    if redis_missing() {
        return;
    }
    let (dir, redis) = redis_with_aof("first");
    let server = TestServer::start(vec![token("T1"), errcode(0)]);
    let c = config(&server, &[("outbox", &redis.url)]);
    let mut conn = ::redis::Client::open(redis.url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let deadline = now + DAY;
    let mut cmd = |args: &[&str]| -> ::redis::Value {
        let mut c = ::redis::cmd(args[0]);
        for a in &args[1..] {
            c.arg(*a);
        }
        c.query(&mut conn).unwrap()
    };
    // The first layout, as the release before it wrote it (its doc comment):
    // a hash per entry under wxpay:outbox, shipments in :keys.
    let (now_s, deadline_s) = (now.to_string(), deadline.to_string());
    {
        let mut put = |id: &str, order: &str, state: &str, set: &str, score: &str| {
            let shipment = format!("wxFirst\nt1\n{order}\n1");
            let body = format!(r#"{{"out_trade_no":"{order}"}}"#);
            cmd(&[
                "HSET",
                &format!("wxpay:outbox:e:{id}"),
                "appid",
                "wxFirst",
                "transid",
                "t1",
                "out_trade_no",
                order,
                "deliver_status",
                "1",
                "body",
                &body,
                "created_ms",
                &now_s,
                "deadline_ms",
                &deadline_s,
                "state",
                state,
                "attempts",
                "0",
                "lease_ms",
                "0",
                "shipment",
                &shipment,
                "msg",
                "",
            ]);
            cmd(&["HSET", "wxpay:outbox:keys", &shipment, id]);
            cmd(&["ZADD", &format!("wxpay:outbox:{set}"), score, id]);
            if state == "pending" {
                cmd(&["ZADD", "wxpay:outbox:created", &now_s, id]);
            }
        };
        put("a", "first-a", "pending", "pending", &deadline_s);
        put("b", "first-b", "pending", "pending", &deadline_s);
        put("c", "first-c", "dead", "dead", &now_s);
        put("d", "first-d", "sent", "sent_by_deadline", &deadline_s);
    }
    cmd(&["SET", "wxpay:outbox:sent", "1"]);
    cmd(&["SET", "wxpay:outbox:epoch", "first"]);
    // a is due (delayed until a moment ago); b is held by a drainer of the
    // earlier release, under its stream message.
    let past = (now - 1_000).to_string();
    cmd(&["ZADD", "wxpay:outbox:delayed", &past, "a"]);
    cmd(&[
        "XGROUP",
        "CREATE",
        "wxpay:outbox:stream",
        "drain",
        "0",
        "MKSTREAM",
    ]);
    let xid = cmd(&["XADD", "wxpay:outbox:stream", "*", "id", "b"]);
    let xid: String = ::redis::from_redis_value(xid).unwrap();
    cmd(&["HSET", "wxpay:outbox:e:b", "msg", &xid]);
    cmd(&[
        "XREADGROUP",
        "GROUP",
        "drain",
        "old",
        "COUNT",
        "1",
        "STREAMS",
        "wxpay:outbox:stream",
        ">",
    ]);

    let (s, _) = store(&c).unwrap();
    let st = s.status(now, 10).unwrap();
    assert_eq!(st.lost, None, "moved, not lost");
    assert_eq!((st.pending, st.sent, st.dead), (2, 1, 1), "{st:?}");
    assert_eq!(st.dead_entries[0].id, "c");
    assert_eq!(st.dead_entries[0].out_trade_no, "first-c");
    let left: Vec<String> = ::redis::cmd("KEYS")
        .arg("wxpay:outbox:*")
        .query(&mut conn)
        .unwrap();
    assert!(left.is_empty(), "the first layout is gone: {left:?}");

    let n = run(&c, &secret("SECRET-FIRST"), now, &mut quiet());
    assert_eq!((n.sent, n.pending), (2, 0), "{n:?}");
    let sent: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.starts_with("POST /pay/delivernotify"))
        .map(|r| r.rsplit("\r\n\r\n").next().unwrap().to_string())
        .collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    for order in ["first-a", "first-b"] {
        assert!(sent.iter().any(|b| b.contains(order)), "{order}: {sent:?}");
    }
    // The shipments moved too: the sent one keeps its id and is not sent
    // again; the dead one is re-armed under its id.
    let again = |order| enqueue(&c, &delivery("wxFirst", order), deadline, now).unwrap();
    assert_eq!(again("first-d"), "d");
    assert_eq!(again("first-c"), "c");
    let st = s.status(now, 10).unwrap();
    assert_eq!((st.pending, st.sent, st.dead), (1, 3, 0), "{st:?}");
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}
