//! The `/pay/orderquery` request: the package (signed with the partner key)
//! and the app_signature (signed with the appkey), as JSON; and reading the
//! `order_info` out of the reply.

use super::deliver::Input;
use super::paysign::{app_signature, partner_sign};
use super::request::{Reply, Request};
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};

/// The keys of `$params`.
const KEYS: [&str; 6] = [
    "appid",
    "appkey",
    "partner",
    "partnerkey",
    "out_trade_no",
    "timestamp",
];

/// A validated order query.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    pub appid: String,
    pub partner: String,
    pub out_trade_no: String,
    pub timestamp: String,
    /// Sign, never sent.
    pub appkey: Vec<u8>,
    pub partnerkey: Vec<u8>,
}

/// Collects `$params` entries (keys matched after ASCII lowercasing).
#[derive(Default)]
pub struct OrderQueryBuilder {
    values: [Option<Vec<u8>>; 6],
}

impl OrderQueryBuilder {
    pub fn set(&mut self, key: &[u8], value: Input<'_>) -> Result<()> {
        let index = KEYS
            .iter()
            .position(|k| k.as_bytes().eq_ignore_ascii_case(key))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown key '{}'; the keys are {}",
                    crate::secrets::display_bytes(&key[..key.len().min(64)]),
                    KEYS.join(", ")
                ))
            })?;
        let name = KEYS[index];
        let wrong = |given: &str| {
            Error::invalid(format!(
                "'{name}' must be a string or a non-negative int, {given} given"
            ))
        };
        let text = match value {
            Input::Str(s) => s.to_vec(),
            Input::Int(n) if n >= 0 => n.to_string().into_bytes(),
            Input::Int(_) => return Err(wrong("a negative int")),
            Input::Bool(_) => return Err(wrong("bool")),
            Input::Other(t) => return Err(wrong(&t)),
        };
        if text.is_empty() {
            return Err(Error::invalid(format!("'{name}' must not be empty")));
        }
        let plain = |max: usize, what: &str| {
            if text.len() <= max
                && text
                    .iter()
                    .all(|b| b.is_ascii_graphic() && !b"&=".contains(b))
            {
                Ok(())
            } else {
                Err(Error::invalid(format!("'{name}' must be {what}")))
            }
        };
        match name {
            // They go into the package literally, between '&' and '='.
            "appid" | "partner" => plain(64, "printable ASCII without '&' or '=' (at most 64)")?,
            "out_trade_no" => plain(32, "printable ASCII without '&' or '=' (at most 32, as WeChat allows)")?,
            "timestamp" if text.len() > 19 || !text.iter().all(u8::is_ascii_digit) => {
                return Err(Error::invalid(
                    "'timestamp' must be a Unix time: a non-negative int or a string of decimal digits",
                ))
            }
            _ => {}
        }
        self.values[index] = Some(text);
        Ok(())
    }

    /// `now` is the Unix time used when `timestamp` is absent.
    pub fn build(self, now: u64) -> Result<OrderQuery> {
        let [appid, appkey, partner, partnerkey, out_trade_no, timestamp] = self.values;
        let required = |v: Option<Vec<u8>>, name: &str| {
            v.ok_or_else(|| Error::invalid(format!("the required key '{name}' is missing")))
        };
        // Validated as ASCII above.
        let text = |v: Vec<u8>| String::from_utf8_lossy(&v).into_owned();
        Ok(OrderQuery {
            appid: text(required(appid, "appid")?),
            appkey: required(appkey, "appkey")?,
            partner: text(required(partner, "partner")?),
            partnerkey: required(partnerkey, "partnerkey")?,
            out_trade_no: text(required(out_trade_no, "out_trade_no")?),
            timestamp: timestamp.map_or_else(|| now.to_string(), text),
        })
    }
}

impl OrderQuery {
    /// `out_trade_no=..&partner=..&sign=UPPER(MD5(...&key=partnerkey))`.
    pub fn package(&self) -> String {
        let sign = partner_sign(
            [
                (b"out_trade_no".as_slice(), self.out_trade_no.as_bytes()),
                (b"partner".as_slice(), self.partner.as_bytes()),
            ],
            &self.partnerkey,
        );
        format!(
            "out_trade_no={}&partner={}&sign={sign}",
            self.out_trade_no, self.partner
        )
    }

    /// The JSON body: appid, package, timestamp, app_signature, sign_method.
    pub fn body(&self) -> Vec<u8> {
        let package = self.package();
        let signature = app_signature(
            &[
                ("appid", self.appid.as_bytes()),
                ("package", package.as_bytes()),
                ("timestamp", self.timestamp.as_bytes()),
            ],
            &self.appkey,
        );
        let body = json!({
            "appid": self.appid,
            "package": package,
            "timestamp": self.timestamp,
            "app_signature": signature,
            "sign_method": "sha1",
        });
        serde_json::to_vec(&body).unwrap_or_default()
    }

    pub fn request(&self) -> Request<'_> {
        Request {
            path: "/pay/orderquery",
            query: Vec::new(),
            body: Some(self.body()),
            appid: &self.appid,
            secrets: vec![&self.appkey, &self.partnerkey],
        }
    }
}

/// The `order_info` of a successful reply, as WeChat sent it, once it is
/// known to be the order asked about (`out_trade_no`), with `ret_code` an
/// integer.
pub fn order_info(mut reply: Reply, out_trade_no: &str) -> Result<Map<String, Value>> {
    let Some(Value::Object(mut info)) = reply.remove("order_info") else {
        return Err(Error::transport(
            "malformed reply: errcode 0 without an order_info object",
        ));
    };
    match info.get("out_trade_no") {
        Some(Value::String(s)) if s == out_trade_no => {}
        None => {}
        Some(_) => {
            return Err(Error::transport(
                "malformed reply: its order_info is for another order (its out_trade_no is not the one asked about)",
            ))
        }
    }
    if let Some(code) = info.get("ret_code") {
        let code = crate::wire::reply::exact_integer(code).ok_or_else(|| {
            Error::transport(
                "malformed reply: order_info's ret_code is not an integer within 64 bits",
            )
        })?;
        info.insert("ret_code".into(), Value::from(code));
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::feedback::feedback_update;

    const APPKEY: &[u8] = b"L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K";

    fn e3() -> OrderQuery {
        let mut b = OrderQueryBuilder::default();
        for (k, v) in [
            ("appid", "wxd930ea5d5a258f4f"),
            ("APPKEY", std::str::from_utf8(APPKEY).unwrap()),
            ("partner", "1900000109"),
            ("partnerkey", "8934e7d15453e97507ef794cf7b0519d"),
            ("out_trade_no", "843254536943809900"),
        ] {
            b.set(k.as_bytes(), Input::Str(v.as_bytes())).unwrap();
        }
        b.set(b"timestamp", Input::Int(1369745073)).unwrap();
        b.build(0).unwrap()
    }

    #[test]
    fn e3_package_and_app_signature() {
        let q = e3();
        assert_eq!(
            q.package(),
            "out_trade_no=843254536943809900&partner=1900000109&sign=005F35ADFDE09755425F43F31A07E8B3"
        );
        let body: Value = serde_json::from_slice(&q.body()).unwrap();
        assert_eq!(
            body["app_signature"],
            "a423023746229c5989dcfc6d6726fc13b6000edb"
        );
        assert_eq!(body["timestamp"], "1369745073");
        assert_eq!(body["sign_method"], "sha1");
        let text = String::from_utf8(q.body()).unwrap();
        assert!(
            !text.contains("L8LrMq") && !text.contains("8934e7"),
            "no key is sent"
        );
    }

    #[test]
    fn bad_params() {
        let err = |k: &str, v: Input<'_>| {
            OrderQueryBuilder::default()
                .set(k.as_bytes(), v)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(err("out_trade_no", Input::Str(b"a&b")), "'out_trade_no' must be printable ASCII without '&' or '=' (at most 32, as WeChat allows)");
        assert_eq!(
            err("partner", Input::Str(b"")),
            "'partner' must not be empty"
        );
        assert_eq!(
            err("timestamp", Input::Str(b"soon")),
            "'timestamp' must be a Unix time: a non-negative int or a string of decimal digits"
        );
        assert_eq!(
            err("appkey", Input::Other("array".into())),
            "'appkey' must be a string or a non-negative int, array given"
        );
        assert_eq!(err("transid", Input::Str(b"1")), "unknown key 'transid'; the keys are appid, appkey, partner, partnerkey, out_trade_no, timestamp");
        let e = OrderQueryBuilder::default().build(1).unwrap_err();
        assert_eq!(e.to_string(), "the required key 'appid' is missing");
    }

    #[test]
    fn managed_query_refreshes_once_and_feedback_update_is_a_get() {
        use crate::client::call;
        use crate::testserver::{config, errcode, lines, quiet, token, Answer, TestServer};
        let info = Answer::ok(
            r#"{"errcode":0,"errmsg":"ok","order_info":{"ret_code":0,"trade_state":"0"}}"#,
        );
        let server = TestServer::start(vec![token("T1"), errcode(42001), token("T2"), info]);
        let c = config(&server, &[("appsecret", "SECRET-Q")]);
        let mut q = e3();
        q.appid = "wxOrderQuery".into();
        let reply = call(&c.api(), &q.request(), None, &mut quiet())
            .and_then(|r| order_info(r, &q.out_trade_no))
            .unwrap();
        assert_eq!(reply["trade_state"], "0");
        let l = lines(&server);
        assert_eq!(l.len(), 4, "{l:?}");
        assert_eq!(l[1], "POST /pay/orderquery?access_token=T1");
        assert_eq!(l[3], "POST /pay/orderquery?access_token=T2");
        let sent = server.requests.lock().unwrap()[3].clone();
        assert!(sent.contains(r#""package":"out_trade_no=843254536943809900&partner=1900000109&sign=005F35ADFDE09755425F43F31A07E8B3""#), "{sent}");

        // The partner key never shows, even when a server quotes it back.
        let server = TestServer::start(vec![Answer::ok(
            r#"{"errcode":49004,"errmsg":"bad sign 8934e7d15453e97507ef794cf7b0519d"}"#,
        )]);
        let e = call(
            &config(&server, &[]).api(),
            &e3().request(),
            Some(b"TOK"),
            &mut quiet(),
        )
        .unwrap_err();
        assert_eq!(e.code(), 49004);
        assert!(
            !e.message().contains("8934e7d1") && e.message().contains("***"),
            "{e}"
        );

        let server = TestServer::start(vec![errcode(0)]);
        let update = feedback_update(Some("wxF"), true, b"o1", b"5883726847655944563").unwrap();
        call(
            &config(&server, &[]).api(),
            &update,
            Some(b"TOK"),
            &mut quiet(),
        )
        .unwrap();
        assert_eq!(
            lines(&server),
            ["GET /payfeedback/update?access_token=TOK&openid=o1&feedbackid=5883726847655944563"]
        );
    }

    #[test]
    fn order_info_is_required() {
        let reply: Reply = serde_json::from_str(
            r#"{"errcode":0,"errmsg":"ok","order_info":{"ret_code":0,"trade_state":"0"}}"#,
        )
        .unwrap();
        assert_eq!(order_info(reply, "n1").unwrap()["trade_state"], "0");
        let reply: Reply = serde_json::from_str(r#"{"errcode":0,"errmsg":"ok"}"#).unwrap();
        assert!(matches!(
            order_info(reply, "n1"),
            Err(Error::Transport { .. })
        ));
        let other = |info: &str| {
            let reply: Reply =
                serde_json::from_str(&format!(r#"{{"errcode":0,"order_info":{info}}}"#)).unwrap();
            order_info(reply, "n1")
        };
        let e = other(r#"{"ret_code":0,"out_trade_no":"n2"}"#).unwrap_err();
        assert!(e.message().contains("another order"), "{e}");
        let e = other(r#"{"ret_code":9223372036854775808,"out_trade_no":"n1"}"#).unwrap_err();
        assert!(e.message().contains("ret_code"), "{e}");
        assert_eq!(
            other(r#"{"ret_code":"7","out_trade_no":"n1"}"#).unwrap()["ret_code"],
            7
        );
    }

    #[test]
    fn ints_are_taken_as_decimal_text_and_negative_ones_refused() {
        let mut b = OrderQueryBuilder::default();
        b.set(b"out_trade_no", Input::Int(0)).unwrap();
        b.set(b"out_trade_no", Input::Int(843_254_536_943_809_900))
            .unwrap();
        for key in ["out_trade_no", "partner", "timestamp"] {
            assert_eq!(
                b.set(key.as_bytes(), Input::Int(-5)),
                Err(Error::invalid(format!(
                    "'{key}' must be a string or a non-negative int, a negative int given"
                )))
            );
        }
    }

    #[test]
    fn package_fields_are_plain_ascii_within_their_limits() {
        let set =
            |key: &str, v: &[u8]| OrderQueryBuilder::default().set(key.as_bytes(), Input::Str(v));
        for (key, max) in [("appid", 64), ("partner", 64), ("out_trade_no", 32)] {
            assert!(set(key, &vec![b'a'; max]).is_ok(), "{key}");
            assert!(set(key, &vec![b'a'; max + 1]).is_err(), "{key}");
            for bad in [&b"a&b"[..], b"a=b", b"a b", b"\xe8\xae\xa2"] {
                assert!(set(key, bad).is_err(), "{key} {bad:?}");
            }
        }
        assert!(set("timestamp", &[b'1'; 19]).is_ok());
        assert!(set("timestamp", &[b'1'; 20]).is_err());
        assert!(set("timestamp", b"12a").is_err());
    }
}
