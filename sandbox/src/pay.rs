//! WeChat's side of a payment: paid orders, the signed notification posted
//! to the shop's notify_url (retried on WeChat's schedule until the shop
//! answers `success`), the 1001 alarm for an order not shipped in time,
//! complaints and alarms on request, `/pay/orderquery`, `/payfeedback/update`,
//! and the check that a shipping notification names a paid order.
//!
//! `--time-scale` shrinks every interval (the retry schedule, the 24 h / 72 h
//! shipping deadline) so tests see a day in seconds.

use crate::client::{self, Url};
use crate::signing::{biz_sign, partner_sign};
use crate::wechat::{App, Reply};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// WeChat's re-notification intervals after a failed attempt, in seconds.
pub const SCHEDULE: [u64; 9] = [8, 10, 10, 30, 30, 60, 120, 360, 1000];
/// How long the sandbox waits for the shop's answer to one attempt.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Concurrent callback posts (WeChat's are many; the shop's pool is small).
const POSTERS: usize = 16;

/// How a notification is spoiled on purpose, to see that the shop refuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tamper {
    /// total_fee changed after signing.
    Field,
    /// The query signed with another partner key.
    PartnerKey,
    /// The XML signed with another appkey.
    AppKey,
    /// The XML cut short.
    Malformed,
    /// A DOCTYPE with nested entities (a "billion laughs").
    Doctype,
}

impl Tamper {
    fn parse(s: &str) -> Result<Tamper, String> {
        Ok(match s {
            "field" => Tamper::Field,
            "partnerkey" => Tamper::PartnerKey,
            "appkey" => Tamper::AppKey,
            "malformed" => Tamper::Malformed,
            "doctype" => Tamper::Doctype,
            _ => {
                return Err(format!(
                    "unknown tamper '{s}': field, partnerkey, appkey, malformed, doctype"
                ))
            }
        })
    }
}

struct Order {
    appid: String,
    openid: String,
    out_trade_no: String,
    transaction_id: String,
    total_fee: u64,
    attach: String,
    notify_url: Url,
    alarm_url: Option<Url>,
    /// The notification as posted: query string and XML body.
    query: String,
    xml: Vec<u8>,
    attempts: Vec<Value>,
    settled: bool,
    deliveries: u32,
    alarms: Vec<Value>,
    tamper: Option<Tamper>,
}

impl Order {
    fn record(&self) -> Value {
        json!({
            "appid": self.appid, "openid": self.openid, "out_trade_no": self.out_trade_no,
            "transaction_id": self.transaction_id, "total_fee": self.total_fee,
            "tampered": self.tamper.is_some(), "attempts": self.attempts,
            "settled": self.settled, "deliveries": self.deliveries, "alarms": self.alarms,
        })
    }
}

enum Job {
    /// Post the order's notification on WeChat's schedule (the attempt
    /// number); dropped once the order is settled.
    Notify(usize, usize),
    /// Post it once more on request (`/_sandbox/replay`), settled or not.
    Replay(usize, usize),
    /// Alarm 1001 if the order has not been shipped by now.
    Alarm(usize),
}

#[derive(Default)]
struct State {
    orders: Vec<Order>,
    by_trade: HashMap<(String, String), usize>,
    by_transaction: HashMap<String, usize>,
    jobs: Vec<(Instant, Job)>,
    serial: u64,
    /// feedbackid -> (appid, openid, updated)
    feedback: HashMap<String, (String, String, bool)>,
}

pub struct Pay {
    apps: HashMap<String, App>,
    scale: f64,
    state: Mutex<State>,
    wake: Condvar,
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// (yyyymmdd, HHMMSS) of a Unix time in GMT+8, as WeChat writes times.
fn beijing(unix: u64) -> (String, String) {
    let t = unix + 8 * 3600;
    let (days, secs) = ((t / 86400) as i64, t % 86400);
    // Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}{month:02}{day:02}"),
        format!("{:02}{:02}{:02}", secs / 3600, secs / 60 % 60, secs % 60),
    )
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let _ = getrandom::getrandom(&mut buf);
    hex::encode(buf)
}

/// `<![CDATA[...]]>`, safe for any text.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

fn field<'a>(req: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    match req.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err(format!("'{name}' is required (a non-empty string)")),
    }
}

fn optional<'a>(req: &'a Map<String, Value>, name: &str) -> &'a str {
    req.get(name).and_then(Value::as_str).unwrap_or("")
}

impl Pay {
    pub fn new(apps: impl Iterator<Item = App>, scale: f64) -> Arc<Pay> {
        let pay = Arc::new(Pay {
            apps: apps.map(|a| (a.appid.clone(), a)).collect(),
            scale,
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        });
        for _ in 0..POSTERS {
            let p = Arc::clone(&pay);
            std::thread::spawn(move || p.post_forever());
        }
        pay
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn scaled(&self, secs: u64) -> Duration {
        Duration::from_secs_f64(secs as f64 * self.scale)
    }

    pub fn merchant(&self, appid: &str) -> Result<(&App, &str, &str), String> {
        let app = self
            .apps
            .get(appid)
            .ok_or_else(|| format!("unknown app {appid}"))?;
        match (&app.partner, &app.partnerkey) {
            (Some(p), Some(k)) => Ok((app, p, k)),
            _ => Err(format!(
                "app {appid} has no partner: declare it as APPID:SECRET:APPKEY:PARTNER:PARTNERKEY"
            )),
        }
    }

    /// `POST /_sandbox/pay`: records a paid order and starts notifying the shop.
    pub fn pay(&self, body: &[u8]) -> Result<Value, String> {
        let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
            return Err("the body must be a JSON object".into());
        };
        let appid = field(&req, "appid")?;
        let (app, partner, partnerkey) = self.merchant(appid)?;
        let openid = field(&req, "openid")?.to_string();
        let out_trade_no = field(&req, "out_trade_no")?.to_string();
        let total_fee = req
            .get("total_fee")
            .and_then(Value::as_u64)
            .filter(|f| *f > 0)
            .ok_or("'total_fee' is required (a positive int, in fen)")?;
        let notify_url = Url::parse(field(&req, "notify_url")?)?;
        let alarm_url = match req.get("alarm_url").and_then(Value::as_str) {
            Some(u) => Some(Url::parse(u)?),
            None => None,
        };
        let tamper = match req.get("tamper").and_then(Value::as_str) {
            Some(t) => Some(Tamper::parse(t)?),
            None => None,
        };
        let charset = match optional(&req, "input_charset") {
            "" => "UTF-8",
            c @ ("UTF-8" | "GBK") => c,
            other => return Err(format!("input_charset '{other}': UTF-8 or GBK")),
        };
        // Test-only: the attach as raw bytes (GBK), in hex.
        let attach = match req.get("attach_hex").and_then(Value::as_str) {
            Some(h) => hex::decode(h).map_err(|e| format!("attach_hex: {e}"))?,
            None => optional(&req, "attach").as_bytes().to_vec(),
        };
        // WeChat's shipping deadline (24 h, 72 h for physical goods), or the test's.
        let deliver_within = match req.get("deliver_within").and_then(Value::as_u64) {
            Some(secs) => secs,
            None if optional(&req, "goods") == "physical" => 72 * 3600,
            None => 24 * 3600,
        };

        let mut st = self.lock();
        let key = (appid.to_string(), out_trade_no.clone());
        if st.by_trade.contains_key(&key) {
            return Err(format!("order {out_trade_no} of {appid} is already paid"));
        }
        st.serial += 1;
        let paid = now_unix();
        let (date, time) = beijing(paid);
        let transaction_id = format!("{partner}{date}{:010}", st.serial);
        let mut query: Vec<(String, Vec<u8>)> = [
            ("sign_type", "MD5"),
            ("service_version", "1.0"),
            ("input_charset", charset),
            ("sign_key_index", "1"),
            ("trade_mode", "1"),
            ("trade_state", "0"),
            ("partner", partner),
            ("bank_type", "0"),
            ("fee_type", "1"),
            ("transport_fee", "0"),
            ("discount", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
        for (k, v) in [
            ("bank_billno", format!("2{}", &st.serial.to_string())),
            ("total_fee", total_fee.to_string()),
            ("product_fee", total_fee.to_string()),
            ("notify_id", random_hex(24)),
            ("transaction_id", transaction_id.clone()),
            ("out_trade_no", out_trade_no.clone()),
            ("time_end", format!("{date}{time}")),
        ] {
            query.push((k.to_string(), v.into_bytes()));
        }
        if !attach.is_empty() {
            query.push(("attach".into(), attach.clone()));
        }
        let key_used = if tamper == Some(Tamper::PartnerKey) {
            b"not-the-partner-key".as_slice()
        } else {
            partnerkey.as_bytes()
        };
        let sign = partner_sign(&query, key_used);
        query.push(("sign".into(), sign.into_bytes()));
        if tamper == Some(Tamper::Field) {
            for (k, v) in &mut query {
                if k == "total_fee" {
                    *v = (total_fee + 1).to_string().into_bytes();
                }
            }
        }
        let query_string: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", client::encode(v)))
            .collect();

        let (timestamp, nonce) = (paid.to_string(), random_hex(8));
        let appkey = if tamper == Some(Tamper::AppKey) {
            b"not-the-appkey".as_slice()
        } else {
            app.appkey.as_bytes()
        };
        let signature = biz_sign(
            &[
                ("appid", appid.as_bytes()),
                ("openid", openid.as_bytes()),
                ("issubscribe", b"1"),
                ("timestamp", timestamp.as_bytes()),
                ("noncestr", nonce.as_bytes()),
            ],
            appkey,
        );
        let mut xml = format!(
            "<xml><OpenId>{}</OpenId><AppId>{}</AppId><IsSubscribe>1</IsSubscribe><TimeStamp>{timestamp}</TimeStamp><NonceStr>{}</NonceStr><AppSignature>{}</AppSignature><SignMethod>{}</SignMethod></xml>",
            cdata(&openid), cdata(appid), cdata(&nonce), cdata(&signature), cdata("sha1")
        )
        .into_bytes();
        match tamper {
            Some(Tamper::Malformed) => xml.truncate(xml.len() / 2),
            Some(Tamper::Doctype) => {
                let mut bomb = String::from(
                    "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\">",
                );
                for i in 1..10 {
                    let p = if i == 1 {
                        "a".to_string()
                    } else {
                        format!("a{}", i - 1)
                    };
                    bomb.push_str(&format!(
                        "<!ENTITY a{i} \"{}\">",
                        format!("&{p};").repeat(10)
                    ));
                }
                bomb.push_str("]>");
                let body = String::from_utf8_lossy(&xml).replace(&cdata(&openid), "&a9;");
                xml = format!("{bomb}{body}").into_bytes();
            }
            _ => {}
        }

        let index = st.orders.len();
        st.orders.push(Order {
            appid: appid.to_string(),
            openid,
            out_trade_no: out_trade_no.clone(),
            transaction_id: transaction_id.clone(),
            total_fee,
            attach: String::from_utf8_lossy(&attach).into_owned(),
            notify_url,
            alarm_url,
            query: query_string.join("&"),
            xml,
            attempts: Vec::new(),
            settled: false,
            deliveries: 0,
            alarms: Vec::new(),
            tamper,
        });
        st.by_trade.insert(key, index);
        st.by_transaction.insert(transaction_id.clone(), index);
        let now = Instant::now();
        st.jobs.push((now, Job::Notify(index, 0)));
        if st.orders[index].alarm_url.is_some() {
            st.jobs
                .push((now + self.scaled(deliver_within), Job::Alarm(index)));
        }
        drop(st);
        self.wake.notify_all();
        Ok(json!({ "ok": true, "transaction_id": transaction_id, "out_trade_no": out_trade_no }))
    }

    /// `POST /_sandbox/replay`: posts a paid order's notification once more.
    pub fn replay(&self, body: &[u8]) -> Result<Value, String> {
        let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
            return Err("the body must be a JSON object".into());
        };
        let key = (
            field(&req, "appid")?.to_string(),
            field(&req, "out_trade_no")?.to_string(),
        );
        let mut st = self.lock();
        let index = *st.by_trade.get(&key).ok_or("no such paid order")?;
        let attempt = st.orders[index].attempts.len();
        st.jobs.push((Instant::now(), Job::Replay(index, attempt)));
        drop(st);
        self.wake.notify_all();
        Ok(json!({ "ok": true }))
    }

    /// `GET /_sandbox/orders`: every order, or those whose out_trade_no contains `matching`.
    pub fn orders(&self, matching: Option<&str>) -> Value {
        let st = self.lock();
        let list: Vec<Value> = st
            .orders
            .iter()
            .filter(|o| matching.is_none_or(|m| o.out_trade_no.contains(m)))
            .map(Order::record)
            .collect();
        // Posts still to come: scheduled ones of unsettled orders, and replays.
        let pending = st
            .jobs
            .iter()
            .filter_map(|(_, j)| match *j {
                Job::Notify(i, _) if !st.orders[i].settled => Some(i),
                Job::Replay(i, _) => Some(i),
                _ => None,
            })
            .filter(|&i| matching.is_none_or(|m| st.orders[i].out_trade_no.contains(m)))
            .count();
        json!({ "count": list.len(), "pending_posts": pending, "orders": list })
    }

    /// The posting threads: take the earliest due job, run it, repeat.
    fn post_forever(&self) {
        loop {
            let job = {
                let mut st = self.lock();
                loop {
                    let now = Instant::now();
                    let next = st
                        .jobs
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, (due, _))| *due)
                        .map(|(i, (due, _))| (i, *due));
                    match next {
                        Some((i, due)) if due <= now => break st.jobs.swap_remove(i).1,
                        Some((_, due)) => {
                            st = self
                                .wake
                                .wait_timeout(st, due - now)
                                .unwrap_or_else(|e| e.into_inner())
                                .0
                        }
                        None => st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner()),
                    }
                }
            };
            match job {
                // A retry scheduled before another attempt settled the order.
                Job::Notify(index, _) if self.lock().orders[index].settled => {}
                Job::Notify(index, attempt) | Job::Replay(index, attempt) => {
                    self.notify(index, attempt)
                }
                Job::Alarm(index) => self.alarm_if_undelivered(index),
            }
        }
    }

    fn notify(&self, index: usize, attempt: usize) {
        let (url, xml) = {
            let st = self.lock();
            let o = &st.orders[index];
            (o.notify_url.with_query(&o.query), o.xml.clone())
        };
        let answer = client::post_xml(&url, &xml, ANSWER_TIMEOUT);
        let success = matches!(&answer, Ok((200, body)) if body.trim_ascii() == b"success");
        let mut st = self.lock();
        let o = &mut st.orders[index];
        o.attempts.push(match &answer {
            Ok((status, body)) => json!({ "attempt": attempt + 1, "status": status, "answer": String::from_utf8_lossy(&body[..body.len().min(200)]) }),
            Err(e) => json!({ "attempt": attempt + 1, "error": e }),
        });
        // A replay of a settled order is not retried.
        let retry = !success && !o.settled && attempt < SCHEDULE.len();
        o.settled |= success;
        if retry {
            let due = Instant::now() + self.scaled(SCHEDULE[attempt]);
            st.jobs.push((due, Job::Notify(index, attempt + 1)));
            drop(st);
            self.wake.notify_all();
        }
    }

    fn alarm_if_undelivered(&self, index: usize) {
        let (appid, url, content) = {
            let st = self.lock();
            let o = &st.orders[index];
            match (&o.alarm_url, o.deliveries) {
                (Some(url), 0) => (
                    o.appid.clone(),
                    url.clone(),
                    format!(
                        "transaction_id={}&out_trade_no={}",
                        o.transaction_id, o.out_trade_no
                    ),
                ),
                _ => return,
            }
        };
        let answer = self.post_alarm(&appid, &url, "1001", "发货超时", &content);
        self.lock().orders[index].alarms.push(answer);
    }

    /// Signs and posts an alarm; returns what the shop answered.
    fn post_alarm(
        &self,
        appid: &str,
        url: &Url,
        errortype: &str,
        description: &str,
        content: &str,
    ) -> Value {
        let Some(app) = self.apps.get(appid) else {
            return json!({ "error": "unknown app" });
        };
        let timestamp = now_unix().to_string();
        let signature = biz_sign(
            &[
                ("alarmcontent", content.as_bytes()),
                ("appid", appid.as_bytes()),
                ("description", description.as_bytes()),
                ("errortype", errortype.as_bytes()),
                ("timestamp", timestamp.as_bytes()),
            ],
            app.appkey.as_bytes(),
        );
        let xml = format!(
            "<xml><AppId>{}</AppId><ErrorType>{errortype}</ErrorType><Description>{}</Description><AlarmContent>{}</AlarmContent><TimeStamp>{timestamp}</TimeStamp><AppSignature>{}</AppSignature><SignMethod>{}</SignMethod></xml>",
            cdata(appid), cdata(description), cdata(content), cdata(&signature), cdata("sha1")
        );
        answer_json(client::post_xml(url, xml.as_bytes(), ANSWER_TIMEOUT))
    }

    /// `POST /_sandbox/alarm`: `{appid, url, errortype?, description?, alarmcontent?}`.
    pub fn alarm(&self, body: &[u8]) -> Result<Value, String> {
        let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
            return Err("the body must be a JSON object".into());
        };
        let appid = field(&req, "appid")?;
        self.apps
            .get(appid)
            .ok_or_else(|| format!("unknown app {appid}"))?;
        let url = Url::parse(field(&req, "url")?)?;
        let or = |name: &str, default: &'static str| match optional(&req, name) {
            "" => default.to_string(),
            v => v.to_string(),
        };
        Ok(self.post_alarm(
            appid,
            &url,
            &or("errortype", "1001"),
            &or("description", "发货超时"),
            &or("alarmcontent", ""),
        ))
    }

    /// `POST /_sandbox/feedback`: `{appid, openid, url, msgtype?, feedbackid?,
    /// transid?, reason?, solution?, extinfo?, picurls?: [..]}`, posted signed.
    pub fn feedback(&self, body: &[u8]) -> Result<Value, String> {
        let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
            return Err("the body must be a JSON object".into());
        };
        let appid = field(&req, "appid")?;
        let app = self
            .apps
            .get(appid)
            .ok_or_else(|| format!("unknown app {appid}"))?;
        let openid = field(&req, "openid")?;
        let url = Url::parse(field(&req, "url")?)?;
        let msgtype = match optional(&req, "msgtype") {
            "" => "request",
            m => m,
        };
        let feedbackid = match optional(&req, "feedbackid") {
            "" => {
                let mut digits = [0u8; 8];
                let _ = getrandom::getrandom(&mut digits);
                (u64::from_le_bytes(digits) % 10_000_000_000_000_000_000).to_string()
            }
            f => f.to_string(),
        };
        let timestamp = now_unix().to_string();
        let signature = biz_sign(
            &[
                ("appid", appid.as_bytes()),
                ("openid", openid.as_bytes()),
                ("timestamp", timestamp.as_bytes()),
            ],
            app.appkey.as_bytes(),
        );
        let mut xml = format!(
            "<xml><OpenId>{}</OpenId><AppId>{}</AppId><TimeStamp>{timestamp}</TimeStamp><MsgType>{}</MsgType><FeedBackId>{}</FeedBackId>",
            cdata(openid), cdata(appid), cdata(msgtype), cdata(&feedbackid)
        );
        for (element, name) in [
            ("TransId", "transid"),
            ("Reason", "reason"),
            ("Solution", "solution"),
            ("ExtInfo", "extinfo"),
        ] {
            if let Some(v) = req.get(name).and_then(Value::as_str) {
                xml.push_str(&format!("<{element}>{}</{element}>", cdata(v)));
            }
        }
        xml.push_str(&format!(
            "<AppSignature>{}</AppSignature><SignMethod>{}</SignMethod>",
            cdata(&signature),
            cdata("sha1")
        ));
        if let Some(Value::Array(pics)) = req.get("picurls") {
            xml.push_str("<PicInfo>");
            for p in pics.iter().filter_map(Value::as_str) {
                xml.push_str(&format!("<item><PicUrl>{}</PicUrl></item>", cdata(p)));
            }
            xml.push_str("</PicInfo>");
        }
        xml.push_str("</xml>");
        self.lock().feedback.insert(
            feedbackid.clone(),
            (appid.to_string(), openid.to_string(), false),
        );
        let mut answer = answer_json(client::post_xml(&url, xml.as_bytes(), ANSWER_TIMEOUT));
        answer["feedbackid"] = json!(feedbackid);
        Ok(answer)
    }

    /// `GET /payfeedback/update?openid=..&feedbackid=..` for the token's app.
    pub fn feedback_update(
        &self,
        token_app: &str,
        openid: Option<&str>,
        feedbackid: Option<&str>,
    ) -> Reply {
        let (Some(openid), Some(feedbackid)) = (
            openid.filter(|s| !s.is_empty()),
            feedbackid.filter(|s| !s.is_empty()),
        ) else {
            return Reply::err(
                47001,
                "data format error: openid and feedbackid are required",
            );
        };
        let mut st = self.lock();
        match st.feedback.get_mut(feedbackid) {
            Some((appid, who, updated)) if appid == token_app && who == openid => {
                *updated = true;
                Reply::err(0, "ok")
            }
            Some((appid, ..)) if appid == token_app => {
                Reply::err(49003, "not match openid with appid")
            }
            _ => Reply::err(47001, "data format error: no such feedbackid for this app"),
        }
    }

    /// `POST /pay/orderquery` for the token's app.
    pub fn order_query(&self, token_app: &str, body: &[u8]) -> Reply {
        let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
            return Reply::err(47001, "data format error: the body is not a JSON object");
        };
        let text = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or("");
        let timestamp = match req.get("timestamp") {
            Some(Value::Number(n)) => n.to_string(),
            _ => text("timestamp").to_string(),
        };
        let (appid, package) = (text("appid"), text("package"));
        if appid != token_app {
            return Reply::err(49001, "not same appid with appid of access_token");
        }
        let Ok((app, partner, partnerkey)) = self.merchant(appid) else {
            return Reply::err(49001, "the app has no partner");
        };
        if text("sign_method") != "sha1" {
            return Reply::err(49004, "not match signature");
        }
        let expected = biz_sign(
            &[
                ("appid", appid.as_bytes()),
                ("package", package.as_bytes()),
                ("timestamp", timestamp.as_bytes()),
            ],
            app.appkey.as_bytes(),
        );
        if expected != text("app_signature") {
            return Reply::err(49004, "not match signature");
        }
        let parts: HashMap<&str, &str> = package
            .split('&')
            .filter_map(|p| p.split_once('='))
            .collect();
        let (Some(otn), Some(p), Some(sign)) = (
            parts.get("out_trade_no"),
            parts.get("partner"),
            parts.get("sign"),
        ) else {
            return Reply::err(47001, "data format error: package");
        };
        let signed = [
            ("out_trade_no".to_string(), otn.as_bytes().to_vec()),
            ("partner".to_string(), p.as_bytes().to_vec()),
        ];
        if *p != partner || partner_sign(&signed, partnerkey.as_bytes()) != *sign {
            return Reply::err(49004, "not match signature");
        }
        let st = self.lock();
        let info = match st.by_trade.get(&(appid.to_string(), otn.to_string())) {
            Some(&i) => {
                let o = &st.orders[i];
                let (date, time) = beijing(now_unix());
                json!({
                    "ret_code": 0, "ret_msg": "", "input_charset": "UTF-8", "trade_state": "0", "trade_mode": "1",
                    "partner": partner, "bank_type": "0", "bank_billno": "", "total_fee": o.total_fee.to_string(),
                    "fee_type": "1", "transaction_id": o.transaction_id, "out_trade_no": o.out_trade_no,
                    "is_split": "false", "is_refund": "false", "attach": o.attach, "time_end": format!("{date}{time}"),
                    "transport_fee": "0", "product_fee": o.total_fee.to_string(), "discount": "0", "rmb_total_fee": "",
                })
            }
            None => json!({ "ret_code": 88, "ret_msg": "order not found", "out_trade_no": otn }),
        };
        Reply::ok(json!({ "errcode": 0, "errmsg": "ok", "order_info": info }))
    }

    /// For an app with a partner: the shipping notification must name a paid
    /// order of that app (transid, out_trade_no and openid); counts it.
    pub fn deliver(
        &self,
        appid: &str,
        transid: &str,
        out_trade_no: &str,
        openid: &str,
    ) -> Result<(), Reply> {
        if self.merchant(appid).is_err() {
            return Ok(()); // an app without a partner has no orders to check
        }
        let mut st = self.lock();
        let Some(&i) = st.by_transaction.get(transid) else {
            return Err(Reply::err(49002, "no paid order with this transid"));
        };
        let o = &mut st.orders[i];
        if o.appid != appid || o.out_trade_no != out_trade_no {
            return Err(Reply::err(
                49002,
                "transid and out_trade_no are not one order of this app",
            ));
        }
        if o.openid != openid {
            return Err(Reply::err(49003, "not match openid with appid"));
        }
        o.deliveries += 1;
        Ok(())
    }
}

fn answer_json(answer: client::Answer) -> Value {
    match answer {
        Ok((status, body)) => {
            json!({ "status": status, "answer": String::from_utf8_lossy(&body[..body.len().min(200)]) })
        }
        Err(e) => json!({ "error": e }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time() {
        // 2013-06-06 01:53:31 +08:00 (E1's time_end).
        assert_eq!(beijing(1_370_454_811), ("20130606".into(), "015331".into()));
        assert_eq!(beijing(0), ("19700101".into(), "080000".into()));
        assert_eq!(
            beijing(951_782_400 - 8 * 3600),
            ("20000229".into(), "000000".into())
        );
    }
}
