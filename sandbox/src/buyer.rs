//! The buyer's WeChat client: what it checks in the object a checkout page
//! hands to `WeixinJSBridge.invoke('getBrandWCPayRequest')`, in an app's
//! payment object, and in a scanned `weixin://wxpay/bizpayurl` code (with the
//! NativeCall round trip to the shop), before it pays through [`Pay`].
//! Refusals carry the client's `err_msg`; the reason goes to the log.
//!
//! The rules are the sandbox's own (`signing.rs`), apart from the
//! extension's: this is the independent side of the checkout tests.

use crate::client::{self, Url};
use crate::pay::Pay;
use crate::signing::{biz_sign, partner_sign};
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the sandbox waits for the shop's NativeCall answer.
const NATIVE_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Buyer {
    pay: Arc<Pay>,
    /// (appid, nonce) of every signed request paid or refused after its
    /// signatures held: a nonce seen twice is a replay.
    nonces: Mutex<HashSet<(String, String)>>,
}

/// A refusal: the client's err_msg and why.
struct Refusal {
    err_msg: &'static str,
    reason: String,
}

type Checked<T> = Result<T, Refusal>;

fn refuse<T>(err_msg: &'static str, reason: impl Into<String>) -> Checked<T> {
    Err(Refusal {
        err_msg,
        reason: reason.into(),
    })
}

const JSAPI_FAIL: &str = "get_brand_wcpay_request:fail";
const APP_FAIL: &str = "app_pay:fail";
const SCAN_FAIL: &str = "native_pay:fail";

impl Buyer {
    pub fn new(pay: Arc<Pay>) -> Buyer {
        Buyer {
            pay,
            nonces: Mutex::new(HashSet::new()),
        }
    }

    /// `POST /_sandbox/jsapi {request, openid}`: `request` is the object
    /// (or its JSON) a checkout page passes to getBrandWCPayRequest.
    pub fn jsapi(&self, body: &[u8]) -> (u16, Value) {
        self.answer("jsapi", JSAPI_FAIL, || {
            // (member, signed name), in the signature's sorted order.
            let fields = [
                ("appId", "appid"),
                ("nonceStr", "noncestr"),
                ("package", "package"),
                ("timeStamp", "timestamp"),
            ];
            let (v, openid) = self.signed(body, JSAPI_FAIL, &fields, "paySign")?;
            self.pay_package(JSAPI_FAIL, &v[0], &v[2], &v[1], &openid)
        })
    }

    /// `POST /_sandbox/app {request, openid}`: an app's payment object.
    pub fn app(&self, body: &[u8]) -> (u16, Value) {
        self.answer("app", APP_FAIL, || {
            let fields = [
                ("appid", "appid"),
                ("noncestr", "noncestr"),
                ("package", "package"),
                ("timestamp", "timestamp"),
                ("traceid", "traceid"),
            ];
            let (v, openid) = self.signed(body, APP_FAIL, &fields, "app_signature")?;
            self.pay_package(APP_FAIL, &v[0], &v[2], &v[1], &openid)
        })
    }

    /// `{request, openid}` whose `signature` member is the get_biz_sign of
    /// `fields` (the first is the appid) with the app's appkey: the
    /// fields' values and the openid.
    fn signed(
        &self,
        body: &[u8],
        fail: &'static str,
        fields: &[(&str, &'static str)],
        signature: &str,
    ) -> Checked<(Vec<String>, String)> {
        let (req, openid) = read(body, fail)?;
        let values = fields
            .iter()
            .map(|(member, _)| text(&req, member, fail))
            .collect::<Checked<Vec<String>>>()?;
        let appkey = self.appkey(&values[0], fail)?;
        let signed: Vec<(&str, &[u8])> = fields
            .iter()
            .zip(&values)
            .map(|((_, name), v)| (*name, v.as_bytes()))
            .collect();
        if !biz_sign(&signed, appkey.as_bytes()).eq_ignore_ascii_case(&text(&req, signature, fail)?)
        {
            return refuse(fail, format!("{signature} does not match (appkey)"));
        }
        Ok((values, openid))
    }

    /// `POST /_sandbox/scan {url, openid, native_url}`: a buyer scans the QR
    /// code; the sandbox checks its sign, posts the NativeCall to the shop's
    /// `native_url`, checks the reply, then pays.
    pub fn scan(&self, body: &[u8]) -> (u16, Value) {
        self.answer("scan", SCAN_FAIL, || {
            let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
                return refuse(SCAN_FAIL, "the body must be a JSON object {url, openid, native_url}");
            };
            let get = |k: &str| text(&req, k, SCAN_FAIL);
            let (url, openid) = (get("url")?, get("openid")?);
            let native_url = Url::parse(&get("native_url")?).or_else(|e| refuse(SCAN_FAIL, e))?;
            let Some(query) = url.strip_prefix("weixin://wxpay/bizpayurl?") else {
                return refuse(SCAN_FAIL, "not a weixin://wxpay/bizpayurl? URL");
            };
            let pairs: Vec<(&str, &str)> = query.split('&').filter_map(|p| p.split_once('=')).collect();
            let field = |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
                    .ok_or_else(|| Refusal {
                        err_msg: SCAN_FAIL,
                        reason: format!("the URL has no {k}"),
                    })
            };
            let (appid, noncestr, productid, timestamp) =
                (field("appid")?, field("noncestr")?, field("productid")?, field("timestamp")?);
            let appkey = self.appkey(&appid, SCAN_FAIL)?;
            // The sign covers the productid as the URL carries it (encoded).
            let expected = biz_sign(
                &[
                    ("appid", appid.as_bytes()),
                    ("noncestr", noncestr.as_bytes()),
                    ("productid", productid.as_bytes()),
                    ("timestamp", timestamp.as_bytes()),
                ],
                appkey.as_bytes(),
            );
            if !expected.eq_ignore_ascii_case(&field("sign")?) {
                return refuse(SCAN_FAIL, "the QR URL's sign does not match (appkey)");
            }
            let product = String::from_utf8_lossy(&decode(&productid)).into_owned();
            let (now, nonce) = (now_unix().to_string(), random_nonce());
            let signature = biz_sign(
                &[
                    ("appid", appid.as_bytes()),
                    ("issubscribe", b"1"),
                    ("noncestr", nonce.as_bytes()),
                    ("openid", openid.as_bytes()),
                    ("productid", product.as_bytes()),
                    ("timestamp", now.as_bytes()),
                ],
                appkey.as_bytes(),
            );
            let call = format!(
                "<xml><OpenId><![CDATA[{openid}]]></OpenId><AppId><![CDATA[{appid}]]></AppId><IsSubscribe>1</IsSubscribe><ProductId><![CDATA[{product}]]></ProductId><TimeStamp>{now}</TimeStamp><NonceStr><![CDATA[{nonce}]]></NonceStr><AppSignature><![CDATA[{signature}]]></AppSignature><SignMethod><![CDATA[sha1]]></SignMethod></xml>"
            );
            let reply = match client::post_xml(&native_url, call.as_bytes(), NATIVE_TIMEOUT) {
                Ok((200, body)) => String::from_utf8_lossy(&body).into_owned(),
                Ok((status, _)) => return refuse(SCAN_FAIL, format!("the shop answered the NativeCall with HTTP {status}")),
                Err(e) => return refuse(SCAN_FAIL, format!("the NativeCall to the shop failed: {e}")),
            };
            let el = |name: &str| {
                element(&reply, name).ok_or_else(|| Refusal {
                    err_msg: SCAN_FAIL,
                    reason: format!("the shop's NativeCall reply has no <{name}>"),
                })
            };
            if !el("SignMethod")?.eq_ignore_ascii_case("sha1") {
                return refuse(SCAN_FAIL, "the reply's SignMethod is not sha1");
            }
            let (r_appid, package, r_ts, r_nonce, retcode, reterrmsg) = (
                el("AppId")?,
                el("Package")?,
                el("TimeStamp")?,
                el("NonceStr")?,
                el("RetCode")?,
                el("RetErrMsg")?,
            );
            let expected = biz_sign(
                &[
                    ("appid", r_appid.as_bytes()),
                    ("noncestr", r_nonce.as_bytes()),
                    ("package", package.as_bytes()),
                    ("retcode", retcode.as_bytes()),
                    ("reterrmsg", reterrmsg.as_bytes()),
                    ("timestamp", r_ts.as_bytes()),
                ],
                appkey.as_bytes(),
            );
            if !expected.eq_ignore_ascii_case(&el("AppSignature")?) {
                return refuse(SCAN_FAIL, "the reply's AppSignature does not match (appkey)");
            }
            if r_appid != appid {
                return refuse(SCAN_FAIL, "the reply is for another app");
            }
            if retcode != "0" {
                return refuse(SCAN_FAIL, format!("the shop declined: RetCode {retcode}, RetErrMsg {reterrmsg}"));
            }
            let mut paid = self.pay_package(SCAN_FAIL, &appid, &package, &r_nonce, &openid)?;
            paid["product"] = json!(product);
            Ok(paid)
        })
    }

    fn answer(&self, what: &str, fail: &str, run: impl FnOnce() -> Checked<Value>) -> (u16, Value) {
        match run() {
            Ok(v) => (200, v),
            Err(r) => {
                eprintln!(
                    "wxpay-sandbox: {what} refused ({}): {}",
                    r.err_msg, r.reason
                );
                debug_assert_eq!(r.err_msg, fail);
                (200, json!({ "err_msg": r.err_msg, "reason": r.reason }))
            }
        }
    }

    fn appkey(&self, appid: &str, fail: &'static str) -> Checked<String> {
        match self.pay.merchant(appid) {
            Ok((app, _, _)) => Ok(app.appkey.clone()),
            Err(e) => refuse(fail, e),
        }
    }

    /// Checks a package (its partner sign, its fields, the request's nonce)
    /// and pays the order it describes.
    fn pay_package(
        &self,
        fail: &'static str,
        appid: &str,
        package: &str,
        nonce: &str,
        openid: &str,
    ) -> Checked<Value> {
        let (_, partner, partnerkey) = self.pay.merchant(appid).or_else(|e| refuse(fail, e))?;
        let Some((signed, sign)) = package.rsplit_once("&sign=") else {
            return refuse(fail, "the package has no sign");
        };
        let pairs: Vec<(String, Vec<u8>)> = signed
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), decode(v)))
            .collect();
        if !partner_sign(&pairs, partnerkey.as_bytes()).eq_ignore_ascii_case(sign) {
            return refuse(fail, "the package's sign does not match (partner key)");
        }
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let as_text = |k: &str| String::from_utf8_lossy(&get(k)).into_owned();
        if as_text("partner") != partner {
            return refuse(fail, "the package names another partner");
        }
        if as_text("bank_type") != "WX" {
            return refuse(fail, "the package's bank_type is not WX");
        }
        let Ok(total_fee) = as_text("total_fee").parse::<u64>() else {
            return refuse(fail, "the package's total_fee is not a number of fen");
        };
        if !self
            .nonces
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((appid.to_string(), nonce.to_string()))
        {
            return refuse(
                fail,
                format!("nonce {nonce} was used before (a replayed request)"),
            );
        }
        let order = json!({
            "appid": appid,
            "openid": openid,
            "out_trade_no": as_text("out_trade_no"),
            "total_fee": total_fee,
            "notify_url": as_text("notify_url"),
            "input_charset": as_text("input_charset"),
            "attach_hex": hex::encode(get("attach")),
        });
        match self.pay.pay(order.to_string().as_bytes()) {
            Ok(mut paid) => {
                paid["err_msg"] = json!(fail.replace(":fail", ":ok"));
                Ok(paid)
            }
            Err(e) => refuse(fail, e),
        }
    }
}

/// `{request, openid}`, `request` an object or its JSON text.
fn read(body: &[u8], fail: &'static str) -> Checked<(Map<String, Value>, String)> {
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
        return refuse(fail, "the body must be a JSON object {request, openid}");
    };
    let request = match req.get("request") {
        Some(Value::Object(o)) => o.clone(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(o)) => o,
            _ => return refuse(fail, "'request' is not a JSON object"),
        },
        _ => {
            return refuse(
                fail,
                "'request' is required (the object the page hands to WeChat)",
            )
        }
    };
    let openid = text(&req, "openid", fail)?;
    Ok((request, openid))
}

/// A member as text: a string, or a number written as JSON writes it.
fn text(o: &Map<String, Value>, name: &str, fail: &'static str) -> Checked<String> {
    match o.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => refuse(fail, format!("'{name}' is missing")),
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'+', ..) => out.push(b' '),
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi << 4 | lo);
                i += 2;
            }
            (c, ..) => out.push(c),
        }
        i += 1;
    }
    out
}

/// The text of `<name>` in the shop's flat reply (CDATA or bare).
fn element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    let inner = &xml[start..end];
    Some(
        inner
            .strip_prefix("<![CDATA[")
            .and_then(|s| s.strip_suffix("]]>"))
            .unwrap_or(inner)
            .to_string(),
    )
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn random_nonce() -> String {
    let mut buf = [0u8; 8];
    let _ = getrandom::getrandom(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_and_reads_replies() {
        assert_eq!(decode("a+b%2Fc%E6%B5%8B%"), "a b/c测%".as_bytes());
        assert_eq!(decode("%4"), b"%4");
        let xml = "<xml><RetCode>0</RetCode><RetErrMsg><![CDATA[ok]]></RetErrMsg></xml>";
        assert_eq!(element(xml, "RetCode").as_deref(), Some("0"));
        assert_eq!(element(xml, "RetErrMsg").as_deref(), Some("ok"));
        assert_eq!(element(xml, "Package"), None);
    }
}
