//! The WeChat endpoints: access tokens and the v2 shipping notification,
//! with WeChat's checks and error codes.

use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct App {
    pub appid: String,
    pub secret: String,
    pub appkey: String,
    /// The merchant (Tenpay partner) id and key, for apps that take payments.
    pub partner: Option<String>,
    pub partnerkey: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// `expires_in` of a new token.
    pub token_ttl: Duration,
    /// How long a token stays valid after a newer one was issued (WeChat: ~5 min).
    pub grace: Duration,
    /// Token calls allowed per app before 45009 (WeChat: 2000 a day).
    pub token_quota: u32,
}

struct Token {
    appid: String,
    expires: Instant,
    retires: Option<Instant>,
}

#[derive(Default)]
struct State {
    tokens: HashMap<String, Token>,
    current: HashMap<String, String>,
    token_calls: HashMap<String, u32>,
    tokens_issued: HashMap<String, u32>,
}

/// What a handler answers: an HTTP status and a JSON body.
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply { status: 200, body }
    }

    pub fn err(code: i64, msg: &str) -> Reply {
        Reply::ok(json!({ "errcode": code, "errmsg": msg }))
    }
}

/// An accepted notification, as recorded.
pub type Notification = Map<String, Value>;

pub struct Api {
    apps: HashMap<String, App>,
    settings: Settings,
    state: Mutex<State>,
}

/// The fields of the v2 delivery notification, all JSON strings.
const DELIVER_FIELDS: [&str; 9] = [
    "appid",
    "openid",
    "transid",
    "out_trade_no",
    "deliver_timestamp",
    "deliver_status",
    "deliver_msg",
    "app_signature",
    "sign_method",
];

impl Api {
    pub fn new(apps: Vec<App>, settings: Settings) -> Api {
        Api {
            apps: apps.into_iter().map(|a| (a.appid.clone(), a)).collect(),
            settings,
            state: Mutex::new(State::default()),
        }
    }

    pub fn apps(&self) -> impl Iterator<Item = &App> {
        self.apps.values()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks appid/secret and the quota; `Err` is WeChat's error reply.
    fn authenticate(
        &self,
        st: &mut State,
        appid: Option<&str>,
        secret: Option<&str>,
    ) -> Result<(), Reply> {
        let appid = match appid {
            Some(a) if !a.is_empty() => a,
            _ => return Err(Reply::err(41002, "appid missing")),
        };
        let secret = match secret {
            Some(s) if !s.is_empty() => s,
            _ => return Err(Reply::err(41004, "appsecret missing")),
        };
        let app = self
            .apps
            .get(appid)
            .ok_or_else(|| Reply::err(40013, "invalid appid"))?;
        if app.secret != secret {
            return Err(Reply::err(40125, "invalid appsecret"));
        }
        let calls = st.token_calls.entry(appid.to_string()).or_default();
        *calls += 1;
        if *calls > self.settings.token_quota {
            return Err(Reply::err(45009, "reach max api daily quota limit"));
        }
        Ok(())
    }

    /// Issues a new token; the previous one keeps working for the grace period.
    fn issue(&self, st: &mut State, appid: &str) -> (String, u64) {
        let now = Instant::now();
        if let Some(old) = st.current.get(appid).cloned() {
            if let Some(t) = st.tokens.get_mut(&old) {
                t.retires = Some(now + self.settings.grace);
            }
        }
        let token = new_token();
        st.tokens.insert(
            token.clone(),
            Token {
                appid: appid.to_string(),
                expires: now + self.settings.token_ttl,
                retires: None,
            },
        );
        st.current.insert(appid.to_string(), token.clone());
        *st.tokens_issued.entry(appid.to_string()).or_default() += 1;
        // Forget tokens that can no longer be used, so the map stays small.
        st.tokens
            .retain(|_, t| t.expires > now && t.retires.is_none_or(|r| r > now));
        (token, self.settings.token_ttl.as_secs())
    }

    /// `GET /cgi-bin/token?grant_type=client_credential&appid=..&secret=..`
    pub fn token(
        &self,
        grant_type: Option<&str>,
        appid: Option<&str>,
        secret: Option<&str>,
    ) -> Reply {
        if grant_type != Some("client_credential") {
            return Reply::err(40002, "invalid grant_type");
        }
        let mut st = self.lock();
        if let Err(reply) = self.authenticate(&mut st, appid, secret) {
            return reply;
        }
        let (token, ttl) = self.issue(&mut st, appid.unwrap_or_default());
        Reply::ok(json!({ "access_token": token, "expires_in": ttl }))
    }

    /// `POST /cgi-bin/stable_token`: the current token unless it is about to
    /// expire or `force_refresh` is set.
    pub fn stable_token(&self, body: &[u8]) -> Reply {
        let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
            return Reply::err(47001, "data format error");
        };
        let field = |k: &str| req.get(k).and_then(Value::as_str);
        if field("grant_type") != Some("client_credential") {
            return Reply::err(40002, "invalid grant_type");
        }
        let (appid, secret) = (field("appid"), field("secret"));
        let force = req
            .get("force_refresh")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut st = self.lock();
        if let Err(reply) = self.authenticate(&mut st, appid, secret) {
            return reply;
        }
        let appid = appid.unwrap_or_default();
        let now = Instant::now();
        if !force {
            if let Some(t) = st
                .current
                .get(appid)
                .and_then(|tok| st.tokens.get(tok).map(|t| (tok, t)))
            {
                let (tok, info) = t;
                if info.retires.is_none() && info.expires > now + Duration::from_secs(1) {
                    let left = info.expires.duration_since(now).as_secs();
                    return Reply::ok(json!({ "access_token": tok, "expires_in": left }));
                }
            }
        }
        let (token, ttl) = self.issue(&mut st, appid);
        Reply::ok(json!({ "access_token": token, "expires_in": ttl }))
    }

    /// Which app a token belongs to, or WeChat's error for it.
    pub fn check_token(&self, token: Option<&str>) -> Result<String, Reply> {
        let token = match token {
            Some(t) if !t.is_empty() => t,
            _ => return Err(Reply::err(41001, "access_token missing")),
        };
        let st = self.lock();
        let now = Instant::now();
        match st.tokens.get(token) {
            None => Err(Reply::err(
                40001,
                "invalid credential, access_token is invalid or not latest",
            )),
            Some(t) if t.expires <= now => Err(Reply::err(42001, "access_token expired")),
            Some(t) if t.retires.is_some_and(|r| r <= now) => Err(Reply::err(
                40001,
                "invalid credential, access_token is invalid or not latest",
            )),
            Some(t) => Ok(t.appid.clone()),
        }
    }

    /// `POST /pay/delivernotify?access_token=..`: the v2 shipping notification.
    pub fn deliver_notify(
        &self,
        token: Option<&str>,
        body: &[u8],
    ) -> (Reply, Option<Notification>) {
        let token_app = match self.check_token(token) {
            Ok(a) => a,
            Err(r) => return (r, None),
        };
        let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
            return (
                Reply::err(47001, "data format error: the body is not a JSON object"),
                None,
            );
        };
        let mut fields = HashMap::new();
        for name in DELIVER_FIELDS {
            match req.get(name) {
                Some(Value::String(s)) => {
                    fields.insert(name, s.as_str());
                }
                Some(_) => {
                    return (
                        Reply::err(
                            47001,
                            &format!("data format error: {name} must be a string"),
                        ),
                        None,
                    )
                }
                None => {
                    return (
                        Reply::err(47001, &format!("data format error: {name} missing")),
                        None,
                    )
                }
            }
        }
        if req.contains_key("appkey") {
            return (
                Reply::err(47001, "data format error: appkey must never be sent"),
                None,
            );
        }
        if fields["appid"] != token_app {
            return (Reply::err(40013, "invalid appid"), None);
        }
        if fields["openid"].is_empty() {
            return (Reply::err(40003, "invalid openid"), None);
        }
        if fields["sign_method"] != "sha1" {
            return (
                Reply::err(49004, "signature error: sign_method must be sha1"),
                None,
            );
        }
        let ts = fields["deliver_timestamp"];
        if ts.is_empty() || !ts.bytes().all(|b| b.is_ascii_digit()) {
            return (
                Reply::err(47001, "data format error: deliver_timestamp"),
                None,
            );
        }
        if !matches!(fields["deliver_status"], "0" | "1") {
            return (Reply::err(47001, "data format error: deliver_status"), None);
        }
        let app = &self.apps[&token_app];
        if signature(&fields, &app.appkey) != fields["app_signature"] {
            return (Reply::err(49004, "signature error"), None);
        }
        let mut record = Notification::new();
        for name in DELIVER_FIELDS {
            record.insert(name.to_string(), Value::String(fields[name].to_string()));
        }
        (Reply::err(0, "ok"), Some(record))
    }

    /// Retires the app's current token now (as if another server fetched one
    /// and the grace period ran out). Returns whether there was one.
    pub fn retire(&self, appid: &str) -> bool {
        let mut st = self.lock();
        let Some(tok) = st.current.remove(appid) else {
            return false;
        };
        if let Some(t) = st.tokens.get_mut(&tok) {
            t.retires = Some(Instant::now());
        }
        true
    }

    /// (token calls, tokens issued) for one app, or summed over all.
    pub fn token_counts(&self, appid: Option<&str>) -> (u32, u32) {
        let st = self.lock();
        let sum = |m: &HashMap<String, u32>| match appid {
            Some(a) => m.get(a).copied().unwrap_or(0),
            None => m.values().sum(),
        };
        (sum(&st.token_calls), sum(&st.tokens_issued))
    }
}

/// The get_biz_sign rule over the notification's fields and the appkey.
fn signature(fields: &HashMap<&str, &str>, appkey: &str) -> String {
    let signed: Vec<(&str, &[u8])> = [
        "appid",
        "deliver_msg",
        "deliver_status",
        "deliver_timestamp",
        "openid",
        "out_trade_no",
        "transid",
    ]
    .iter()
    .map(|k| (*k, fields[k].as_bytes()))
    .collect();
    crate::signing::biz_sign(&signed, appkey.as_bytes())
}

/// A fresh token: 128 random hex characters (WeChat's are opaque, ≤ 512).
fn new_token() -> String {
    let mut buf = [0u8; 64];
    if getrandom::getrandom(&mut buf).is_err() {
        // Unique enough for a local test server.
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        buf[..16].copy_from_slice(&t.to_le_bytes());
    }
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(grace: u64, quota: u32) -> Api {
        Api::new(
            vec![App {
                appid: "wxA".into(),
                secret: "S".into(),
                appkey: "KEY".into(),
                partner: None,
                partnerkey: None,
            }],
            Settings {
                token_ttl: Duration::from_secs(7200),
                grace: Duration::from_secs(grace),
                token_quota: quota,
            },
        )
    }

    fn token_of(r: &Reply) -> String {
        r.body["access_token"].as_str().unwrap().to_string()
    }

    #[test]
    fn token_errors() {
        let a = api(300, 10);
        assert_eq!(
            a.token(Some("x"), Some("wxA"), Some("S")).body["errcode"],
            40002
        );
        assert_eq!(
            a.token(Some("client_credential"), Some("nope"), Some("S"))
                .body["errcode"],
            40013
        );
        assert_eq!(
            a.token(Some("client_credential"), Some("wxA"), Some("bad"))
                .body["errcode"],
            40125
        );
        assert_eq!(
            a.token(Some("client_credential"), None, Some("S")).body["errcode"],
            41002
        );
    }

    #[test]
    fn new_token_retires_old_after_grace() {
        let a = api(0, 10);
        let t1 = token_of(&a.token(Some("client_credential"), Some("wxA"), Some("S")));
        assert!(a.check_token(Some(&t1)).is_ok());
        let t2 = token_of(&a.token(Some("client_credential"), Some("wxA"), Some("S")));
        assert_eq!(
            a.check_token(Some(&t1)).err().unwrap().body["errcode"],
            40001
        );
        assert!(a.check_token(Some(&t2)).is_ok());
        assert_eq!(a.check_token(None).err().unwrap().body["errcode"], 41001);
    }

    #[test]
    fn quota_gives_45009() {
        let a = api(300, 2);
        for _ in 0..2 {
            assert!(a
                .token(Some("client_credential"), Some("wxA"), Some("S"))
                .body
                .get("access_token")
                .is_some());
        }
        assert_eq!(
            a.token(Some("client_credential"), Some("wxA"), Some("S"))
                .body["errcode"],
            45009
        );
    }

    #[test]
    fn stable_token_does_not_rotate() {
        let a = api(300, 10);
        let body = br#"{"grant_type":"client_credential","appid":"wxA","secret":"S"}"#;
        let t1 = token_of(&a.stable_token(body));
        assert_eq!(token_of(&a.stable_token(body)), t1);
        let forced = br#"{"grant_type":"client_credential","appid":"wxA","secret":"S","force_refresh":true}"#;
        assert_ne!(token_of(&a.stable_token(forced)), t1);
    }

    #[test]
    fn notification_checks_signature_and_types() {
        let a = api(300, 10);
        let tok = token_of(&a.token(Some("client_credential"), Some("wxA"), Some("S")));
        let mut fields: HashMap<&str, &str> = [
            ("appid", "wxA"),
            ("openid", "o1"),
            ("transid", "t1"),
            ("out_trade_no", "n1"),
            ("deliver_timestamp", "1369745073"),
            ("deliver_status", "1"),
            ("deliver_msg", "ok"),
        ]
        .into_iter()
        .collect();
        let sig = signature(&fields, "KEY");
        fields.insert("app_signature", &sig);
        fields.insert("sign_method", "sha1");
        let body = serde_json::to_vec(&fields).unwrap();
        let (reply, rec) = a.deliver_notify(Some(&tok), &body);
        assert_eq!(reply.body["errcode"], 0);
        assert_eq!(rec.unwrap()["openid"], "o1");

        let mut bad = fields.clone();
        bad.insert("deliver_msg", "tampered");
        let (reply, rec) = a.deliver_notify(Some(&tok), &serde_json::to_vec(&bad).unwrap());
        assert_eq!(reply.body["errcode"], 49004);
        assert!(rec.is_none());

        let numeric = String::from_utf8(body.clone())
            .unwrap()
            .replace("\"1369745073\"", "1369745073");
        assert_eq!(
            a.deliver_notify(Some(&tok), numeric.as_bytes()).0.body["errcode"],
            47001
        );
        assert_eq!(
            a.deliver_notify(Some(&tok), b"not json").0.body["errcode"],
            47001
        );
        assert_eq!(
            a.deliver_notify(Some("bogus"), &body).0.body["errcode"],
            40001
        );
    }
}
