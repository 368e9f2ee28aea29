//! Connections, routing, the control endpoints and the records.

use crate::buyer::Buyer;
use crate::faults::{Fault, Faults};
use crate::http::{self, Request};
use crate::pay::Pay;
use crate::wechat::{Api, Notification, Reply};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One API request as seen (control requests are not recorded).
struct Seen {
    conn: u64,
    target: String,
    /// The request body (JSON: no appkey is ever in it).
    body: String,
}

pub struct Server {
    pub api: Api,
    pub pay: Arc<Pay>,
    buyer: Buyer,
    pub faults: Faults,
    tls: Arc<ServerConfig>,
    connections: AtomicU64,
    seen: Mutex<Vec<Seen>>,
    notifications: Mutex<Vec<Notification>>,
    journal: Mutex<File>,
}

type Tls = StreamOwned<ServerConnection, TcpStream>;

impl Server {
    pub fn new(api: Api, pay: Arc<Pay>, tls: Arc<ServerConfig>, journal: File) -> Server {
        Server {
            api,
            buyer: Buyer::new(pay.clone()),
            pay,
            faults: Faults::default(),
            tls,
            connections: AtomicU64::new(0),
            seen: Mutex::new(Vec::new()),
            notifications: Mutex::new(Vec::new()),
            journal: Mutex::new(journal),
        }
    }

    pub fn serve(self: Arc<Self>, listener: TcpListener) {
        for stream in listener.incoming().flatten() {
            let server = Arc::clone(&self);
            std::thread::spawn(move || server.connection(stream));
        }
    }

    fn connection(&self, sock: TcpStream) {
        let _ = sock.set_read_timeout(Some(Duration::from_secs(60)));
        let _ = sock.set_nodelay(true);
        let Ok(conn) = ServerConnection::new(Arc::clone(&self.tls)) else {
            return;
        };
        let mut tls = StreamOwned::new(conn, sock);
        // Finish the handshake first: a client that rejects our certificate
        // is not a connection that carried requests.
        while tls.conn.is_handshaking() {
            if tls.conn.complete_io(&mut tls.sock).is_err() {
                return;
            }
        }
        let id = self.connections.fetch_add(1, Ordering::SeqCst) + 1;
        let mut reader = BufReader::new(tls);
        loop {
            let req = match http::read_request(&mut reader) {
                Ok(Some(r)) => r,
                Ok(None) | Err(_) => return,
            };
            match self.respond(id, &req, reader.get_mut()) {
                Next::Continue if req.keep_alive => {}
                Next::Abort => return, // dropped with SO_LINGER 0: the peer sees a reset
                _ => {
                    let tls = reader.get_mut();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                    return;
                }
            }
        }
    }

    /// Answers one request and says what becomes of the connection.
    fn respond(&self, conn: u64, req: &Request, out: &mut Tls) -> Next {
        if req.path().starts_with("/_sandbox/") {
            let (status, body) = self.control(req);
            return send(out, status, &body, req.keep_alive);
        }
        self.lock(&self.seen).push(Seen {
            conn,
            target: req.target.clone(),
            body: String::from_utf8_lossy(&req.body).into_owned(),
        });
        let mut fault = self.faults.take(&req.target, &req.body);
        if let Some(Fault::After(d, inner)) = fault {
            std::thread::sleep(d);
            fault = Some(*inner);
        }
        if let Some(Fault::Delay(d)) = &fault {
            std::thread::sleep(*d);
        }
        match fault {
            Some(Fault::Close) => return Next::Close,
            Some(Fault::Reset) => {
                set_linger_zero(&out.sock);
                return Next::Abort;
            }
            Some(Fault::Status(code)) => {
                return send_raw(
                    out,
                    code,
                    "text/html",
                    b"<html><body>upstream error</body></html>",
                    None,
                    req.keep_alive,
                )
            }
            Some(Fault::Garbage) => {
                return send_raw(
                    out,
                    200,
                    "text/html",
                    b"<html>\x00\xff not json",
                    None,
                    req.keep_alive,
                );
            }
            Some(Fault::Truncated) => {
                send_raw(
                    out,
                    200,
                    "application/json",
                    br#"{"errcode":0,"err"#,
                    Some(200),
                    false,
                );
                return Next::Close;
            }
            Some(Fault::Errcode(code, msg)) => {
                return send(
                    out,
                    200,
                    &json!({ "errcode": code, "errmsg": msg }),
                    req.keep_alive,
                );
            }
            Some(Fault::Body(bytes)) => {
                return send_raw(out, 200, "application/json", &bytes, None, req.keep_alive)
            }
            Some(Fault::Echo(code)) => {
                let echoed = format!(
                    "refused {} {}",
                    req.target,
                    String::from_utf8_lossy(&req.body)
                );
                return send(
                    out,
                    200,
                    &json!({ "errcode": code, "errmsg": echoed }),
                    req.keep_alive,
                );
            }
            Some(Fault::Delay(_) | Fault::After(..)) | None => {}
        }
        let reply = self.route(conn, req);
        send(out, reply.status, &reply.body, req.keep_alive)
    }

    fn route(&self, conn: u64, req: &Request) -> Reply {
        match (req.method.as_str(), req.path()) {
            ("GET", "/cgi-bin/token") => self.api.token(
                req.query("grant_type").as_deref(),
                req.query("appid").as_deref(),
                req.query("secret").as_deref(),
            ),
            ("POST", "/cgi-bin/stable_token") => self.api.stable_token(&req.body),
            ("POST", "/pay/delivernotify") => {
                let (reply, record) = self
                    .api
                    .deliver_notify(req.query("access_token").as_deref(), &req.body);
                let Some(record) = record else {
                    return reply;
                };
                let text = |k: &str| record.get(k).and_then(Value::as_str).unwrap_or("");
                if let Err(refused) = self.pay.deliver(
                    text("appid"),
                    text("transid"),
                    text("out_trade_no"),
                    text("openid"),
                ) {
                    return refused;
                }
                self.record(conn, record);
                reply
            }
            ("POST", "/pay/orderquery") => {
                match self.api.check_token(req.query("access_token").as_deref()) {
                    Ok(app) => self.pay.order_query(&app, &req.body),
                    Err(reply) => reply,
                }
            }
            ("GET", "/payfeedback/update") => {
                match self.api.check_token(req.query("access_token").as_deref()) {
                    Ok(app) => self.pay.feedback_update(
                        &app,
                        req.query("openid").as_deref(),
                        req.query("feedbackid").as_deref(),
                    ),
                    Err(reply) => reply,
                }
            }
            (_, "/payfeedback/update") => Reply {
                status: 405,
                body: json!({ "errcode": 43001, "errmsg": "require GET method" }),
            },
            (
                _,
                "/cgi-bin/token"
                | "/cgi-bin/stable_token"
                | "/pay/delivernotify"
                | "/pay/orderquery",
            ) => Reply {
                status: 405,
                body: json!({ "errcode": 43002, "errmsg": "require POST method" }),
            },
            _ => Reply {
                status: 404,
                body: json!({ "errcode": 404, "errmsg": "not found" }),
            },
        }
    }

    /// Keeps an accepted notification in memory and appends it to the
    /// journal (fields only: no access_token, no appkey).
    fn record(&self, conn: u64, mut record: Notification) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        record.insert("received_at".into(), json!(now));
        record.insert("connection".into(), json!(conn));
        let line = Value::Object(record.clone()).to_string();
        let mut journal = self.lock(&self.journal);
        let _ = writeln!(journal, "{line}");
        drop(journal);
        self.lock(&self.notifications).push(record);
    }

    /// `/_sandbox/...`: what tests and shops use to inspect and steer the sandbox.
    fn control(&self, req: &Request) -> (u16, Value) {
        let matching = req.query("match");
        let matches = |s: &str| matching.as_deref().is_none_or(|m| s.contains(m));
        let path = req.path();
        let Some(&(endpoint, ..)) = CONTROL
            .iter()
            .find(|(_, method, p, _)| *method == req.method && *p == path)
        else {
            let known: Vec<String> = CONTROL
                .iter()
                .map(|(_, m, p, _)| format!("{m} {p}"))
                .collect();
            return (
                404,
                json!({ "error": "unknown control endpoint", "endpoints": known }),
            );
        };
        match endpoint {
            Control::Stats => {
                let (calls, issued) = self.api.token_counts(req.query("appid").as_deref());
                let seen = self.lock(&self.seen);
                let notifications = self.lock(&self.notifications);
                (
                    200,
                    json!({
                        "connections": self.connections.load(Ordering::SeqCst),
                        "requests": seen.len(),
                        "token_calls": calls,
                        "tokens_issued": issued,
                        "notifications": notifications.len(),
                    }),
                )
            }
            Control::Requests => {
                let seen = self.lock(&self.seen);
                let hits: Vec<&Seen> = seen
                    .iter()
                    .filter(|s| matches(&s.target) || matches(&s.body))
                    .collect();
                let mut conns: Vec<u64> = hits.iter().map(|s| s.conn).collect();
                conns.dedup();
                (200, json!({ "count": hits.len(), "connections": conns }))
            }
            Control::Notifications => {
                let all = self.lock(&self.notifications);
                let list: Vec<&Notification> = all
                    .iter()
                    .filter(|n| matches(&Value::Object((*n).clone()).to_string()))
                    .collect();
                (200, json!({ "count": list.len(), "notifications": list }))
            }
            Control::Fault => {
                let parsed = serde_json::from_slice::<Value>(&req.body).map_err(|e| e.to_string());
                let v = match parsed {
                    Ok(v) => v,
                    Err(e) => return (400, json!({ "ok": false, "error": e })),
                };
                let scope = v.get("match").and_then(Value::as_str).map(str::to_string);
                let count = v.get("count").and_then(Value::as_u64).unwrap_or(1);
                if count == 0 {
                    // "count": 0 stops the faults armed with this match.
                    let removed = self.faults.disarm(scope.as_deref());
                    return (200, json!({ "ok": true, "removed": removed }));
                }
                match Fault::from_json(&v) {
                    Ok(fault) => {
                        self.faults.arm(fault, count, scope);
                        (200, json!({ "ok": true }))
                    }
                    Err(e) => (400, json!({ "ok": false, "error": e })),
                }
            }
            Control::Unfault => {
                let removed = self.faults.disarm(matching.as_deref());
                (200, json!({ "ok": true, "removed": removed }))
            }
            Control::Pay => answer(self.pay.pay(&req.body)),
            Control::Jsapi => self.buyer.jsapi(&req.body),
            Control::App => self.buyer.app(&req.body),
            Control::Scan => self.buyer.scan(&req.body),
            Control::Replay => answer(self.pay.replay(&req.body)),
            Control::Feedback => answer(self.pay.feedback(&req.body)),
            Control::Alarm => answer(self.pay.alarm(&req.body)),
            Control::Orders => (200, self.pay.orders(matching.as_deref())),
            Control::Clear => {
                let removed = self.faults.disarm(None);
                (
                    200,
                    json!({
                        "ok": true,
                        "cleared": "every armed fault",
                        "removed": removed,
                        "kept": "the request log, notifications, orders, tokens",
                    }),
                )
            }
            Control::Retire => {
                let appid = req.query("appid").unwrap_or_default();
                (200, json!({ "ok": self.api.retire(&appid) }))
            }
        }
    }

    fn lock<'a, T>(&self, m: &'a Mutex<T>) -> std::sync::MutexGuard<'a, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The control endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Stats,
    Requests,
    Notifications,
    Fault,
    Unfault,
    Pay,
    Jsapi,
    App,
    Scan,
    Replay,
    Feedback,
    Alarm,
    Orders,
    Clear,
    Retire,
}

/// Every control endpoint: method, path, what it does. `control()` routes
/// by this table and `--help` prints it, so the two cannot drift.
pub const CONTROL: [(Control, &str, &str, &str); 15] = [
    (Control::Stats, "GET", "/_sandbox/stats", "[?appid=] connections, requests, token calls and tokens issued, notifications"),
    (Control::Requests, "GET", "/_sandbox/requests", "[?match=] how many API requests contained match, on which connections"),
    (Control::Notifications, "GET", "/_sandbox/notifications", "[?match=] the accepted shipping notifications"),
    (Control::Fault, "POST", "/_sandbox/fault", "{kind, count (1), match, delay_ms, ...}: the next count matching API requests misbehave; count 0 stops the faults with that match"),
    (Control::Unfault, "DELETE", "/_sandbox/fault", "[?match=] stops the faults armed with match (all without it)"),
    (Control::Pay, "POST", "/_sandbox/pay", "{appid, openid, out_trade_no, total_fee, notify_url, ...}: pays an order and posts its notification until the shop answers success"),
    (Control::Jsapi, "POST", "/_sandbox/jsapi", "{request, openid}: the buyer's client gets what a checkout page passes to getBrandWCPayRequest: checks paySign and the package's sign, then pays (err_msg get_brand_wcpay_request:ok or :fail, with the reason)"),
    (Control::App, "POST", "/_sandbox/app", "{request, openid}: the same for an app's payment object (app_signature)"),
    (Control::Scan, "POST", "/_sandbox/scan", "{url, openid, native_url}: a buyer scans a weixin://wxpay/bizpayurl code: checks its sign, posts the NativeCall to native_url, checks the reply, then pays"),
    (Control::Replay, "POST", "/_sandbox/replay", "{appid, out_trade_no}: posts a paid order's notification once more"),
    (Control::Feedback, "POST", "/_sandbox/feedback", "{appid, openid, url, msgtype, ...}: posts a signed complaint"),
    (Control::Alarm, "POST", "/_sandbox/alarm", "{appid, url, errortype, ...}: posts a signed alarm"),
    (Control::Orders, "GET", "/_sandbox/orders", "[?match=] every order with its attempts and answers, and pending_posts (posts still to come)"),
    (Control::Clear, "POST", "/_sandbox/clear", "stops every fault; keeps the request log, notifications, orders and tokens"),
    (Control::Retire, "POST", "/_sandbox/retire", "?appid= replaces the app's token now, as WeChat does when another server fetches one"),
];

/// A control endpoint's result as (status, body).
fn answer(result: Result<Value, String>) -> (u16, Value) {
    match result {
        Ok(v) => (200, v),
        Err(e) => (400, json!({ "ok": false, "error": e })),
    }
}

enum Next {
    Continue,
    Close,
    Abort,
}

fn send(out: &mut Tls, status: u16, body: &Value, keep_alive: bool) -> Next {
    send_raw(
        out,
        status,
        "application/json; charset=utf-8",
        body.to_string().as_bytes(),
        None,
        keep_alive,
    )
}

fn send_raw(
    out: &mut Tls,
    status: u16,
    ctype: &str,
    body: &[u8],
    declared: Option<usize>,
    keep_alive: bool,
) -> Next {
    match http::write_response(
        out,
        status,
        ctype,
        body,
        declared.unwrap_or(body.len()),
        keep_alive,
    ) {
        Ok(()) if keep_alive => Next::Continue,
        _ => Next::Close,
    }
}

/// With SO_LINGER 0 the close that follows sends a TCP reset, not a FIN.
fn set_linger_zero(sock: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt on a socket we own, with a correctly sized struct.
    unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            std::ptr::from_ref(&linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}
