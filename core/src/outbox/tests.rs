//! The outbox's policy over a real SQLite file and the core's HTTPS test
//! server, with a clock of the test's own.

use super::*;
use crate::testserver::{config, delivery, errcode, lines, quiet, token, Answer, TestServer};

fn sqlite_config(server: &TestServer, name: &str) -> Config {
    let dir = std::env::temp_dir().join(format!("wxpay-outbox-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("o.sqlite").display().to_string();
    config(
        server,
        &[
            ("outbox", &path),
            ("outbox_retry_first", "10"),
            ("outbox_retry_max", "40"),
        ],
    )
}

const T0: u64 = 1_800_000_000_000;
const DAY: u64 = 24 * 3_600_000;
const LIMITS: Limits = Limits {
    max_items: 100,
    max_time: Duration::from_secs(30),
};

fn run(c: &Config, apps: &Apps, now: u64, warn: &mut dyn FnMut(String)) -> Counts {
    let (store, _) = store(c).unwrap();
    drain(&*store, c, apps, LIMITS, &|| now, warn).unwrap()
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
    let n = run(&c, &apps, T0, &mut quiet());
    assert_eq!((n.dead, n.pending), (1, 0));

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
    let n = run(&c, &apps, T0 + 3_600_000, &mut quiet());
    assert_eq!((n.dead, n.pending, n.overdue), (1, 0, 0));
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
        &crate::tls::CaSource::Bundled,
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
