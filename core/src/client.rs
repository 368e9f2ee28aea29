//! Calling WeChat's pay APIs (`/pay/delivernotify`, `/pay/orderquery`,
//! `/payfeedback/update`): with the caller's token, or managed, where the
//! core obtains the token, refreshes it once when WeChat calls it invalid or
//! expired, and retries "system busy", all by one deadline.

use crate::error::{Error, Result};
use crate::net::transport;
use crate::token::{self, Want};
use crate::wire::deliver::Delivery;
use crate::wire::reply::{self, Outcome};
pub use crate::wire::request::{Reply, Request};
use std::time::{Duration, Instant};

/// How often "system busy" (-1) is retried in managed mode, and the pause.
pub const BUSY_RETRIES: u32 = 2;
const BUSY_PAUSE: Duration = Duration::from_millis(200);

/// A managed call's whole budget, in units of `timeout`: the token fetch,
/// the send, one refresh and one resend, the -1 retries and every wait for
/// Redis or another worker all end by then.
pub const MANAGED_BUDGET_TIMEOUTS: u32 = 3;

/// What a call needs besides its request: where the API is, where tokens
/// come from, and the appsecret that lets the client obtain them.
#[derive(Clone, Debug)]
pub struct Api<'a> {
    pub transport: &'a transport::Settings,
    /// The token settings, or why one of them cannot be used (reported
    /// only by the calls that obtain a token).
    pub tokens: Result<&'a token::Settings>,
    pub appsecret: Option<&'a str>,
}

/// Sends `delivery`. With `token` the caller's access_token is used once;
/// with `None` the token is managed (`api.appsecret` is required).
/// `warn` receives what deserves a warning but not a failure (the shared
/// token cache being down). Every error is scrubbed of the call's secrets.
pub fn notify(
    api: &Api<'_>,
    delivery: &Delivery,
    token: Option<&[u8]>,
    warn: &mut dyn FnMut(String),
) -> Result<Reply> {
    let request = Request {
        path: "/pay/delivernotify",
        query: Vec::new(),
        body: Some(delivery.body()),
        appid: &delivery.appid,
        secrets: vec![&delivery.appkey],
    };
    call(api, &request, token, warn)
}

/// Sends `request` with the caller's token, or managed when `token` is
/// `None`; every error is scrubbed of the request's secrets, the appsecret
/// and the token.
pub fn call(
    api: &Api<'_>,
    request: &Request<'_>,
    token: Option<&[u8]>,
    warn: &mut dyn FnMut(String),
) -> Result<Reply> {
    call_until(api, request, token, None, warn)
}

/// [`call`], ending by `until` at the latest (a drain's own deadline).
pub fn call_until(
    api: &Api<'_>,
    request: &Request<'_>,
    token: Option<&[u8]>,
    until: Option<Instant>,
    warn: &mut dyn FnMut(String),
) -> Result<Reply> {
    let mut secrets = request.secrets.clone();
    if let Some(s) = api.appsecret {
        secrets.push(s.as_bytes());
    }
    let result = match token {
        Some(t) => {
            let t = check_token(t)?;
            secrets.push(t.as_bytes());
            given(api, request, t, until)
        }
        None => managed(api, request, until, &mut |m| warn(m)),
    };
    result.map_err(|e| e.scrubbed(&secrets))
}

fn earliest(deadline: Instant, until: Option<Instant>) -> Instant {
    until.map_or(deadline, |u| u.min(deadline))
}

/// An access_token as WeChat issues them: printable ASCII, at most 2048
/// bytes. Anything else is refused without being shown.
fn check_token(token: &[u8]) -> Result<&str> {
    match std::str::from_utf8(token) {
        Ok(t) if token::is_token_text(token) => Ok(t),
        _ => Err(Error::invalid(
            "$access_token must be a non-empty token of printable ASCII characters (at most 2048)",
        )),
    }
}

/// One send with the caller's token, bounded by `timeout`.
fn given(
    api: &Api<'_>,
    request: &Request<'_>,
    token: &str,
    until: Option<Instant>,
) -> Result<Reply> {
    let deadline = earliest(Instant::now() + api.transport.timeout, until);
    send(api.transport, request, token, deadline).map_err(|e| match e {
        Error::Api { code, .. } if reply::is_token_error(code) => {
            let note = forget(api, request.appid, token, deadline);
            e.note(note)
        }
        other => other,
    })
}

/// Sends `request` once with `token`.
fn send(
    transport: &transport::Settings,
    request: &Request<'_>,
    token: &str,
    deadline: Instant,
) -> Result<Reply> {
    let mut query = vec![("access_token", token)];
    query.extend(request.query.iter().copied());
    let answer = transport::call(
        transport,
        request.path,
        &query,
        request.body.as_deref(),
        deadline,
    )?;
    match reply::parse(&answer).map_err(|e| e.context("malformed reply"))? {
        Outcome::Ok(map) => Ok(map),
        Outcome::Api { code, message } => Err(reply::api_error(code, "", &message)),
    }
}

/// After WeChat called `token` invalid or expired: drops it from the token
/// cache if the cache still holds it, and says so.
fn forget(api: &Api<'_>, appid: &str, token: &str, deadline: Instant) -> &'static str {
    let Ok(tokens) = &api.tokens else {
        return "";
    };
    if token::forget(api.transport, &tokens.cache, appid, token, deadline) {
        " (this access_token was dropped from the token cache: wx_access_token() fetches a new one)"
    } else {
        ""
    }
}

/// The extension obtains the token, and on 40001/40014/42001 refreshes it
/// once (only if nobody else has) and resends once; -1 is retried a bounded
/// number of times; any other error, 45009 included, is reported at once.
fn managed(
    api: &Api<'_>,
    request: &Request<'_>,
    until: Option<Instant>,
    warn: &mut dyn FnMut(String),
) -> Result<Reply> {
    let secret = api.appsecret.ok_or_else(|| {
        Error::invalid(
            "$access_token is null: pass $options['appsecret'] so the extension can obtain the token, or pass a token",
        )
    })?;
    let appid = crate::secrets::credential("'appid'", request.appid.as_bytes())?;
    let secret = crate::secrets::credential("option 'appsecret'", secret.as_bytes())?;
    let deadline = earliest(
        Instant::now() + api.transport.timeout * MANAGED_BUDGET_TIMEOUTS,
        until,
    );
    let tokens = api.tokens.clone()?;
    let source = token::Source::new(api.transport, tokens, appid, secret, deadline);
    let mut obtain = |want: Want<'_>| {
        let got = token::obtain(&source, want)?;
        if let Some(w) = got.warning {
            warn(crate::secrets::redact(&w, &[secret.as_bytes()]));
        }
        Ok::<String, Error>(got.token)
    };
    let mut current = obtain(Want::default())?;
    let (mut refreshed, mut busy) = (false, 0);
    loop {
        match send(api.transport, request, &current, deadline) {
            Ok(answer) => return Ok(answer),
            Err(e @ Error::Api { code, .. }) if reply::is_token_error(code) && !refreshed => {
                if !token::refresh_allowed(api.transport, &tokens.cache, appid, deadline) {
                    // Kept, not dropped: dropping it would make every call fetch.
                    return Err(e
                        .note(" (not refreshed: a refresh for this app did not help within the last 5 minutes)")
                        .scrubbed(&[current.as_bytes()]));
                }
                refreshed = true;
                let failed = std::mem::take(&mut current);
                current = obtain(Want {
                    force: false,
                    not: Some(&failed),
                })?;
            }
            Err(Error::Api { code: -1, .. })
                if busy < BUSY_RETRIES && Instant::now() + BUSY_PAUSE < deadline =>
            {
                busy += 1;
                std::thread::sleep(BUSY_PAUSE);
            }
            Err(e @ Error::Api { code, .. }) if reply::is_token_error(code) => {
                // The refresh did not help: stop refreshing for a while and
                // keep this token, so the next calls fetch nothing either.
                token::refresh_failed(api.transport, &tokens.cache, appid, deadline);
                return Err(e
                    .note(
                        " (a new token did not help either: no refresh for this app for 5 minutes)",
                    )
                    .scrubbed(&[current.as_bytes()]));
            }
            Err(e) => return Err(e.scrubbed(&[current.as_bytes()])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::testserver::{config, errcode, lines, quiet, token, Answer, TestServer};

    fn notify(
        c: &Config,
        d: &Delivery,
        token: Option<&[u8]>,
        warn: &mut dyn FnMut(String),
    ) -> Result<Reply> {
        super::notify(&c.api(), d, token, warn)
    }

    fn delivery(appid: &str) -> Delivery {
        crate::testserver::delivery(appid, "n1")
    }

    #[test]
    fn a_given_token_is_sent_once_and_errors_are_scrubbed() {
        let server = TestServer::start(vec![errcode(0), errcode(40003), errcode(-1)]);
        let c = config(&server, &[]);
        let d = delivery("wxGiven");
        assert_eq!(
            notify(&c, &d, Some(b"TOK"), &mut quiet()).unwrap()["errcode"],
            0
        );
        let e = notify(&c, &d, Some(b"TOK"), &mut quiet()).unwrap_err();
        assert_eq!(
            e,
            Error::Api {
                code: 40003,
                message: "WeChat error 40003: e40003 ***".into()
            }
        );
        let e = notify(&c, &d, Some(b"TOK"), &mut quiet()).unwrap_err();
        assert_eq!(e.code(), -1, "no retry with a given token");
        assert_eq!(lines(&server).len(), 3);
        assert!(lines(&server)[0].starts_with("POST /pay/delivernotify?access_token=TOK"));
        let bad = notify(&c, &d, Some(b"a token"), &mut quiet()).unwrap_err();
        assert!(matches!(bad, Error::InvalidArgument(_)) && !bad.message().contains("a token"));
    }

    #[test]
    fn managed_refreshes_once_on_a_token_error_and_resends() {
        let server = TestServer::start(vec![token("T1"), errcode(40001), token("T2"), errcode(0)]);
        let c = config(&server, &[("appsecret", "SECRET-1")]);
        let reply = notify(&c, &delivery("wxManagedRefresh"), None, &mut quiet()).unwrap();
        assert_eq!(reply["errmsg"], "e0 THE-APPKEY");
        let l = lines(&server);
        assert_eq!(l.len(), 4, "{l:?}");
        assert!(l[0].starts_with("GET /cgi-bin/token?grant_type=client_credential&appid=wxManagedRefresh&secret=SECRET-1"));
        assert!(
            l[1].ends_with("access_token=T1") && l[3].ends_with("access_token=T2"),
            "{l:?}"
        );
    }

    #[test]
    fn managed_gives_up_after_one_refresh_and_then_stops_refreshing_for_a_while() {
        let server = TestServer::start(vec![
            token("T1"),
            errcode(42001),
            token("T2"),
            errcode(40014),
        ]);
        let c = config(&server, &[("appsecret", "SECRET-2")]);
        let e = notify(&c, &delivery("wxManagedTwice"), None, &mut quiet()).unwrap_err();
        assert_eq!(e.code(), 40014);
        assert!(
            e.message().ends_with(
                "(a new token did not help either: no refresh for this app for 5 minutes)"
            ),
            "{e}"
        );
        assert_eq!(lines(&server).len(), 4);
        // The breaker: 20 more calls refused the same way fetch no token at all.
        for _ in 0..20 {
            let e = notify(&c, &delivery("wxManagedTwice"), None, &mut quiet()).unwrap_err();
            assert_eq!(e.code(), 40014);
            assert!(e.message().ends_with("(not refreshed: a refresh for this app did not help within the last 5 minutes)"), "{e}");
        }
        let fetches = lines(&server)
            .iter()
            .filter(|l| l.starts_with("GET /cgi-bin/token"))
            .count();
        assert_eq!((fetches, lines(&server).len()), (2, 24));
    }

    #[test]
    fn managed_retries_busy_twice_and_nothing_else() {
        let server = TestServer::start(vec![token("T1"), errcode(-1), errcode(-1), errcode(-1)]);
        let c = config(&server, &[("appsecret", "SECRET-3")]);
        let e = notify(&c, &delivery("wxManagedBusy"), None, &mut quiet()).unwrap_err();
        assert_eq!(e.code(), -1);
        assert_eq!(lines(&server).len(), 1 + 1 + BUSY_RETRIES as usize);

        let server = TestServer::start(vec![token("T1"), errcode(45009)]);
        let c = config(&server, &[("appsecret", "SECRET-4")]);
        let e = notify(&c, &delivery("wxManagedQuota"), None, &mut quiet()).unwrap_err();
        assert_eq!((e.code(), lines(&server).len()), (45009, 2));
        assert!(!e.message().contains("token"), "not a token's fault: {e}");

        let server = TestServer::start(vec![token("T1"), Answer::ok("{}")]);
        let c = config(&server, &[("appsecret", "SECRET-5")]);
        let e = notify(&c, &delivery("wxManagedMalformed"), None, &mut quiet()).unwrap_err();
        assert_eq!(
            e,
            Error::transport("malformed reply: the reply has no errcode")
        );
        assert_eq!(lines(&server).len(), 2, "a malformed reply is not retried");
    }

    #[test]
    fn managed_needs_a_secret_and_ends_by_its_deadline() {
        let server = TestServer::start(vec![token("T1")]);
        let c = config(&server, &[]);
        let e = notify(&c, &delivery("wxNoSecret"), None, &mut quiet()).unwrap_err();
        assert!(e
            .message()
            .starts_with("$access_token is null: pass $options['appsecret']"));
        assert!(lines(&server).is_empty());

        let c = config(&server, &[("appsecret", "bad secret")]);
        let e = notify(&c, &delivery("wxBadSecret"), None, &mut quiet()).unwrap_err();
        assert_eq!(
            e.message(),
            "option 'appsecret' must be a non-empty string of printable ASCII characters (at most 256)"
        );

        // Busy forever, slowly: the whole call still ends by 3 x timeout.
        let slow = Answer {
            delay: Duration::from_millis(400),
            ..errcode(-1)
        };
        let server = TestServer::start(vec![token("T1"), slow]);
        let c = config(&server, &[("appsecret", "SECRET-6"), ("timeout", "0.5")]);
        let started = Instant::now();
        let e = notify(&c, &delivery("wxManagedDeadline"), None, &mut quiet()).unwrap_err();
        // The last resend is cut short by the budget, or the budget left no room for it.
        assert!(e.code() == -1 || e.message().contains("budget"), "{e}");
        assert!(
            started.elapsed() < Duration::from_millis(1500 + 300),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn token_fetch_refusals_are_api_errors_without_the_secret() {
        let server = TestServer::start(vec![Answer::ok(
            r#"{"errcode":40125,"errmsg":"invalid appsecret SECRET-7"}"#,
        )]);
        let c = config(&server, &[("appsecret", "SECRET-7")]);
        let e = notify(&c, &delivery("wxManagedRefused"), None, &mut quiet()).unwrap_err();
        assert_eq!(
            e,
            Error::Api {
                code: 40125,
                message: "WeChat error 40125 while fetching the access_token: invalid appsecret *** (check the appsecret)"
                    .into()
            }
        );
    }

    #[test]
    fn a_given_token_that_wechat_calls_invalid_is_dropped_from_the_cache_and_no_other_error_drops_it(
    ) {
        // T1 is obtained (and cached) by a managed call; then given by the caller.
        let server = TestServer::start(vec![
            token("T1"),
            errcode(0),
            errcode(40003),
            errcode(40001),
            errcode(40001),
        ]);
        let c = config(&server, &[("appsecret", "SECRET-7")]);
        let d = delivery("wxGivenForget");
        notify(&c, &d, None, &mut quiet()).unwrap();
        let e = notify(&c, &d, Some(b"T1"), &mut quiet()).unwrap_err();
        assert_eq!(e.code(), 40003);
        assert!(!e.message().contains("dropped"), "{e}");
        let e = notify(&c, &d, Some(b"T1"), &mut quiet()).unwrap_err();
        assert_eq!(e.code(), 40001);
        assert!(
            e.message().ends_with(" (this access_token was dropped from the token cache: wx_access_token() fetches a new one)"),
            "{e}"
        );
        // Dropped already: the same token refused again says nothing more.
        let e = notify(&c, &d, Some(b"T1"), &mut quiet()).unwrap_err();
        assert_eq!(e.code(), 40001);
        assert!(!e.message().contains("dropped"), "{e}");
        // The 40003 did not drop it, the 40001 did: exactly one token fetch
        // before it, and the next managed call fetches again.
        let fetches = || {
            lines(&server)
                .iter()
                .filter(|l| l.starts_with("GET /cgi-bin/token"))
                .count()
        };
        assert_eq!(fetches(), 1);
    }

    #[test]
    fn a_managed_call_has_three_timeouts_and_does_not_pause_past_its_deadline() {
        // Two answers of 250 ms each fit in 3 x 1 s with room to spare.
        let slow = |a: Answer| Answer {
            delay: Duration::from_millis(250),
            ..a
        };
        let server = TestServer::start(vec![slow(token("T1")), slow(errcode(0))]);
        let c = config(&server, &[("appsecret", "SECRET-8"), ("timeout", "1")]);
        notify(&c, &delivery("wxManagedBudget"), None, &mut quiet()).unwrap();

        // A budget of 3 x 0.05 s leaves no room for a 200 ms pause: the busy
        // answer is returned at once, not retried after the deadline.
        let server = TestServer::start(vec![token("T1"), errcode(-1)]);
        let c = config(&server, &[("appsecret", "SECRET-9"), ("timeout", "0.05")]);
        let e = notify(&c, &delivery("wxManagedNoPause"), None, &mut quiet()).unwrap_err();
        assert_eq!((e.code(), lines(&server).len()), (-1, 2), "{e}");
    }
}
