//! What WeChat posts to a shop: the payment notification (a signed query
//! string and a signed XML body), complaints (维权) and alarms (告警).
//! Each is checked against the shop's keys before anything is returned.
//!
//! Malformed input is `InvalidArgument`; a signature that does not match is
//! `Signature`, naming the signature and never a value or a key.

use crate::error::{Error, Result};
use crate::wire::paysign::{app_signature, digest_matches, partner_sign};
use crate::wire::xml::{self, Element};

/// The shop's keys for the payment notification.
#[derive(Debug, Default)]
pub struct Keys<'a> {
    pub partnerkey: &'a [u8],
    pub appkey: &'a [u8],
    /// When given, the notification must be for this app...
    pub appid: Option<&'a [u8]>,
    /// ...and this partner (merchant) id.
    pub partner: Option<&'a [u8]>,
}

impl<'a> Keys<'a> {
    /// One `$keys` entry; an unknown name is refused (a typo must not
    /// silently skip a check).
    pub fn set(&mut self, name: &[u8], value: &'a [u8]) -> Result<()> {
        match name {
            b"partnerkey" => self.partnerkey = value,
            b"appkey" => self.appkey = value,
            b"appid" => self.appid = Some(value),
            b"partner" => self.partner = Some(value),
            other => {
                return Err(Error::invalid(format!(
                    "unknown key '{}' in $keys; the keys are partnerkey, appkey, appid, partner",
                    crate::secrets::display_bytes(&other[..other.len().min(64)])
                )))
            }
        }
        Ok(())
    }
}

/// The verify functions' `$options`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Options {
    /// Seconds a message's signed `<TimeStamp>` may lie from the clock, in
    /// either direction. A signature is never stale by itself: without this,
    /// a genuine message captured in 2013 verifies today.
    pub max_age: Option<u64>,
}

/// Ten years: a larger max_age is a unit mistake (milliseconds), not a policy.
const MAX_AGE_LIMIT: i64 = 10 * 365 * 86_400;

impl Options {
    /// One `$options` entry: `value` is the int given, or the PHP type
    /// given instead of an int.
    pub fn set(&mut self, name: &[u8], value: std::result::Result<i64, &str>) -> Result<()> {
        if name != b"max_age" {
            return Err(Error::invalid(format!(
                "unknown option '{}'; the option of this function is max_age",
                crate::secrets::display_bytes(&name[..name.len().min(64)])
            )));
        }
        match value {
            Ok(n) if (1..=MAX_AGE_LIMIT).contains(&n) => {
                self.max_age = Some(n as u64);
                Ok(())
            }
            Ok(n) => Err(Error::invalid(format!(
                "option 'max_age' must be between 1 and {MAX_AGE_LIMIT} seconds, {n} given"
            ))),
            Err(given) => Err(Error::invalid(format!(
                "option 'max_age' must be an int (seconds), {given} given"
            ))),
        }
    }

    /// With `max_age`, the signed `timestamp` (unix seconds) must be within
    /// it of `now`.
    fn check_age(&self, timestamp: &[u8], now: u64) -> Result<()> {
        let Some(max_age) = self.max_age else {
            return Ok(());
        };
        let ts: u64 = std::str::from_utf8(timestamp)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| {
                Error::invalid(
                    "the XML body is not a WeChat message: <TimeStamp> is not unix seconds",
                )
            })?;
        let (gap, side) = if ts <= now {
            (now - ts, "old")
        } else {
            (ts - now, "in the future")
        };
        if gap > max_age {
            return Err(Error::Signature(format!(
                "the message's signed <TimeStamp> is {gap} s {side}, more than max_age ({max_age} s): a replayed or delayed message, or a wrong clock"
            )));
        }
        Ok(())
    }
}

/// A verified payment notification.
#[derive(Debug, PartialEq, Eq)]
pub struct Payment {
    /// The query string's parameters as received, `sign` left out.
    pub trade: Vec<(Vec<u8>, Vec<u8>)>,
    /// From the XML body: appid, openid, issubscribe, timestamp, noncestr.
    pub buyer: Vec<(&'static str, Vec<u8>)>,
}

/// The buyer's fields: (name in the result and in the signature, element).
const BUYER: [(&str, &str); 5] = [
    ("appid", "AppId"),
    ("openid", "OpenId"),
    ("issubscribe", "IsSubscribe"),
    ("timestamp", "TimeStamp"),
    ("noncestr", "NonceStr"),
];

/// Checks both signatures of a payment notification: the partner key's MD5
/// over `query` and the appkey's AppSignature over the XML `body`.
/// Each signature is checked on its own: WeChat's v2 binds nothing between
/// the query and the body.
pub fn verify_payment(
    query: &[(Vec<u8>, Vec<u8>)],
    body: &[u8],
    keys: &Keys<'_>,
    options: &Options,
    now: u64,
) -> Result<Payment> {
    require_key("$keys['partnerkey']", keys.partnerkey)?;
    require_key("$keys['appkey']", keys.appkey)?;
    // WeChat's parameter names are ASCII; two keys that only differ in
    // bytes that are not UTF-8 would collapse into one key of 'trade'.
    if query.iter().any(|(k, _)| std::str::from_utf8(k).is_err()) {
        return Err(Error::invalid(
            "a key of $query is not UTF-8: this is not a WeChat payment notification",
        ));
    }
    let sign = query
        .iter()
        .find(|(k, _)| k == b"sign")
        .map(|(_, v)| v.as_slice())
        .ok_or_else(|| {
            Error::invalid("$query has no 'sign': this is not a WeChat payment notification")
        })?;
    let doc = xml::parse(body)?;
    let buyer = fields(&doc, &BUYER)?;

    let expected = partner_sign(
        query.iter().map(|(k, v)| (k.as_slice(), v.as_slice())),
        keys.partnerkey,
    );
    if !digest_matches(&expected, sign) {
        return Err(Error::Signature(
            "the partner sign (MD5 with the partner key over the query string) does not match"
                .into(),
        ));
    }
    check_app_signature(&doc, &buyer, keys.appkey)?;
    options.check_age(&buyer[3].1, now)?;

    if let Some(appid) = keys.appid {
        if buyer[0].1 != appid {
            return Err(Error::invalid(
                "the notification is for another app (its <AppId> is not $keys['appid'])",
            ));
        }
    }
    if let Some(partner) = keys.partner {
        let got = query
            .iter()
            .find(|(k, _)| k == b"partner")
            .map(|(_, v)| v.as_slice());
        if got != Some(partner) {
            return Err(Error::invalid(
                "the notification is for another merchant (its 'partner' is not $keys['partner'])",
            ));
        }
    }
    let trade = query
        .iter()
        .filter(|(k, _)| k != b"sign")
        .cloned()
        .collect();
    Ok(Payment { trade, buyer })
}

/// What a complaint says, kept apart by what its AppSignature covers: it
/// covers only who and when, so anything in `unsigned` may have been
/// changed on the way.
#[derive(Debug, PartialEq, Eq)]
pub struct Feedback {
    /// appid, openid, timestamp.
    pub signed: Vec<(&'static str, Vec<u8>)>,
    /// msgtype, feedbackid, transid, reason, solution, extinfo (absent
    /// optional elements as "").
    pub unsigned: Vec<(&'static str, Vec<u8>)>,
    /// The non-empty `PicInfo/item/PicUrl`s, in order (unsigned too).
    pub pictures: Vec<Vec<u8>>,
}

/// Signed: (name, element).
const FEEDBACK_SIGNED: [(&str, &str); 3] = [
    ("appid", "AppId"),
    ("openid", "OpenId"),
    ("timestamp", "TimeStamp"),
];
const FEEDBACK_REQUIRED: [(&str, &str); 2] = [("msgtype", "MsgType"), ("feedbackid", "FeedBackId")];
const FEEDBACK_OPTIONAL: [(&str, &str); 4] = [
    ("transid", "TransId"),
    ("reason", "Reason"),
    ("solution", "Solution"),
    ("extinfo", "ExtInfo"),
];

/// Checks a complaint (维权) message: AppSignature over appid, appkey,
/// openid, timestamp.
pub fn verify_feedback(
    body: &[u8],
    appkey: &[u8],
    options: &Options,
    now: u64,
) -> Result<Feedback> {
    require_key("$appkey", appkey)?;
    let doc = xml::parse(body)?;
    let signed = fields(&doc, &FEEDBACK_SIGNED)?;
    let mut unsigned = fields(&doc, &FEEDBACK_REQUIRED)?;
    if !matches!(
        unsigned[0].1.as_slice(),
        b"request" | b"confirm" | b"reject"
    ) {
        return Err(Error::invalid(
            "the XML body is not a WeChat message: <MsgType> is not request, confirm or reject",
        ));
    }
    for (name, element) in FEEDBACK_OPTIONAL {
        let text = doc
            .child(element)
            .map(|e| e.text.clone())
            .unwrap_or_default();
        unsigned.push((name, text));
    }
    let pictures = doc
        .child("PicInfo")
        .map(|info| {
            info.children
                .iter()
                .filter_map(|item| item.child("PicUrl"))
                .map(|url| url.text.clone())
                .filter(|url| !url.is_empty())
                .collect()
        })
        .unwrap_or_default();
    check_app_signature(&doc, &signed, appkey)?;
    options.check_age(&signed[2].1, now)?;
    Ok(Feedback {
        signed,
        unsigned,
        pictures,
    })
}

const ALARM: [(&str, &str); 5] = [
    ("appid", "AppId"),
    ("errortype", "ErrorType"),
    ("description", "Description"),
    ("alarmcontent", "AlarmContent"),
    ("timestamp", "TimeStamp"),
];

/// Checks an alarm (告警) message: AppSignature over all five fields and the
/// appkey. Returns appid, errortype, description, alarmcontent, timestamp.
pub fn verify_alarm(
    body: &[u8],
    appkey: &[u8],
    options: &Options,
    now: u64,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    verify_all_signed(body, appkey, options, now, &ALARM)
}

/// WeChat's NativeCall: what it posts to the shop's native callback URL
/// when a buyer scans a `weixin://wxpay/bizpayurl` code. Its AppSignature
/// covers every field (docs/reference.md says where that comes from).
const NATIVE_CALL: [(&str, &str); 6] = [
    ("appid", "AppId"),
    ("openid", "OpenId"),
    ("issubscribe", "IsSubscribe"),
    ("productid", "ProductId"),
    ("timestamp", "TimeStamp"),
    ("noncestr", "NonceStr"),
];

/// Checks a NativeCall request. Returns appid, openid, issubscribe,
/// productid (as WeChat sends it), timestamp, noncestr.
pub fn verify_native_call(
    body: &[u8],
    appkey: &[u8],
    options: &Options,
    now: u64,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    verify_all_signed(body, appkey, options, now, &NATIVE_CALL)
}

/// A message whose AppSignature covers every field in `wanted` (one of
/// them `timestamp`, for max_age): the fields, once all is checked.
fn verify_all_signed(
    body: &[u8],
    appkey: &[u8],
    options: &Options,
    now: u64,
    wanted: &[(&'static str, &str)],
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    require_key("$appkey", appkey)?;
    let doc = xml::parse(body)?;
    let all = fields(&doc, wanted)?;
    check_app_signature(&doc, &all, appkey)?;
    if let Some((_, ts)) = all.iter().find(|(name, _)| *name == "timestamp") {
        options.check_age(ts, now)?;
    }
    Ok(all)
}

fn require_key(name: &str, value: &[u8]) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(format!(
            "{name} is required and must not be empty"
        )));
    }
    Ok(())
}

/// The texts of required elements, by result name.
fn fields(doc: &Element, wanted: &[(&'static str, &str)]) -> Result<Vec<(&'static str, Vec<u8>)>> {
    wanted
        .iter()
        .map(|(name, element)| Ok((*name, doc.text_of(element)?.to_vec())))
        .collect()
}

/// `<SignMethod>` must say sha1, and `<AppSignature>` must be the
/// get_biz_sign of `signed` with the appkey.
fn check_app_signature(doc: &Element, signed: &[(&str, Vec<u8>)], appkey: &[u8]) -> Result<()> {
    let method = doc.text_of("SignMethod")?;
    if !method.eq_ignore_ascii_case(b"sha1") {
        return Err(Error::invalid(
            "the XML body is not a WeChat message: <SignMethod> is not sha1",
        ));
    }
    let received = doc.text_of("AppSignature")?;
    let pairs: Vec<(&str, &[u8])> = signed.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    if !digest_matches(&app_signature(&pairs, appkey), received) {
        return Err(Error::Signature(
            "the AppSignature (SHA-1 with the appkey over the XML body) does not match".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTNERKEY: &[u8] = b"8934e7d15453e97507ef794cf7b0519d";
    const APPKEY: &[u8] = b"L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K";

    /// The spec's E1 query with its published sign.
    fn e1() -> Vec<(Vec<u8>, Vec<u8>)> {
        let raw = "bank_billno=206064184488&bank_type=0&discount=0&fee_type=1&input_charset=GBK&notify_id=WE37gwCoFBcAKdkH34Y1nW94r_vao2ljmwE3oAHEeAP690xSVhRleOMfhsgjwVGDpluT -vdS79kbDbkDnjYg4qsmTdSjuJxl&out_trade_no=843254536943809900&partner=1900000109&product_fee=1&sign_type=MD5&time_end=20130606015331&total_fee=1&trade_mode=1&trade_state=0&transaction_id=1900000109201306060282555397&transport_fee=0&sign=9EBF3EFE9CEFAF3111020DB5CAD6EE82";
        raw.split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.as_bytes().to_vec(), v.as_bytes().to_vec())
            })
            .collect()
    }

    /// The spec's E2 PostData, as the doc prints it.
    const E2: &[u8] = b"<xml>\n<OpenId><![CDATA[111222]]></OpenId>\n<AppId><![CDATA[wxd930ea5d5a258f4f]]></AppId>\n<IsSubscribe>1</IsSubscribe>\n<TimeStamp> 1369743511</TimeStamp>\n<NonceStr><![CDATA[jALldRTHAFd5Tgs5]]></NonceStr>\n<AppSignature><![CDATA[4d117f7f0f4885a995a05eafbc9a405782d03bc5]]></AppSignature>\n<SignMethod><![CDATA[sha1]]></SignMethod>\n</xml>";

    /// The verify functions without max_age.
    fn payment(q: &[(Vec<u8>, Vec<u8>)], body: &[u8], k: &Keys<'_>) -> Result<Payment> {
        verify_payment(q, body, k, &Options::default(), 0)
    }
    fn feedback(body: &[u8], appkey: &[u8]) -> Result<Feedback> {
        verify_feedback(body, appkey, &Options::default(), 0)
    }
    fn alarm(body: &[u8], appkey: &[u8]) -> Result<Vec<(&'static str, Vec<u8>)>> {
        verify_alarm(body, appkey, &Options::default(), 0)
    }

    fn keys() -> Keys<'static> {
        Keys {
            partnerkey: PARTNERKEY,
            appkey: APPKEY,
            ..Keys::default()
        }
    }

    #[test]
    fn e1_e2_verify() {
        let p = payment(&e1(), E2, &keys()).unwrap();
        assert_eq!(p.trade.len(), 16);
        assert!(p.trade.iter().all(|(k, _)| k != b"sign"));
        assert_eq!(p.buyer[1], ("openid", b"111222".to_vec()));
        assert_eq!(p.buyer[3], ("timestamp", b"1369743511".to_vec()));
        let k = Keys {
            appid: Some(b"wxd930ea5d5a258f4f"),
            partner: Some(b"1900000109"),
            ..keys()
        };
        assert!(payment(&e1(), E2, &k).is_ok());
        // Lower-case sign accepted.
        let mut lower = e1();
        lower.last_mut().unwrap().1.make_ascii_lowercase();
        assert!(payment(&lower, E2, &keys()).is_ok());
    }

    #[test]
    fn tampering_is_a_signature_error_that_shows_nothing() {
        let mut q = e1();
        q[11].1 = b"100".to_vec(); // total_fee
        let e = payment(&q, E2, &keys()).unwrap_err();
        assert!(
            matches!(e, Error::Signature(_)) && e.message().contains("partner sign"),
            "{e}"
        );
        let wrong = Keys {
            partnerkey: b"another",
            ..keys()
        };
        assert!(matches!(
            payment(&e1(), E2, &wrong),
            Err(Error::Signature(_))
        ));
        let other_openid = String::from_utf8_lossy(E2).replace("111222", "111223");
        let e = payment(&e1(), other_openid.as_bytes(), &keys()).unwrap_err();
        assert!(
            matches!(e, Error::Signature(_)) && e.message().contains("AppSignature"),
            "{e}"
        );
        for e in [e, payment(&q, E2, &keys()).unwrap_err()] {
            for shown in ["111223", "100", "8934e7", "L8LrMq", "9EBF3E"] {
                assert!(!e.message().contains(shown), "{e}");
            }
        }
    }

    #[test]
    fn malformed_and_foreign() {
        let no_sign: Vec<_> = e1().into_iter().filter(|(k, _)| k != b"sign").collect();
        let e = payment(&no_sign, E2, &keys()).unwrap_err();
        assert_eq!(
            e,
            Error::invalid("$query has no 'sign': this is not a WeChat payment notification")
        );
        let no_nonce = String::from_utf8_lossy(E2)
            .replace("<NonceStr><![CDATA[jALldRTHAFd5Tgs5]]></NonceStr>", "");
        let e = payment(&e1(), no_nonce.as_bytes(), &keys()).unwrap_err();
        assert!(
            e.message().ends_with("the element <NonceStr> is missing"),
            "{e}"
        );
        let md5 = String::from_utf8_lossy(E2).replace("[sha1]", "[md5]");
        assert!(payment(&e1(), md5.as_bytes(), &keys())
            .unwrap_err()
            .message()
            .contains("SignMethod"));
        let k = Keys {
            appid: Some(b"wxOTHER"),
            ..keys()
        };
        assert!(
            matches!(payment(&e1(), E2, &k), Err(Error::InvalidArgument(m)) if m.contains("another app"))
        );
        let k = Keys {
            partner: Some(b"1900000110"),
            ..keys()
        };
        assert!(
            matches!(payment(&e1(), E2, &k), Err(Error::InvalidArgument(m)) if m.contains("another merchant"))
        );
        let k = Keys {
            partnerkey: b"",
            ..keys()
        };
        assert_eq!(
            payment(&e1(), E2, &k).unwrap_err(),
            Error::invalid("$keys['partnerkey'] is required and must not be empty")
        );
    }

    const E4: &str = "<xml>\n<OpenId><![CDATA[111222]]></OpenId>\n<AppId><![CDATA[wxd930ea5d5a258f4f]]></AppId>\n<TimeStamp> 1369743511</TimeStamp>\n<MsgType><![CDATA[request]]></MsgType>\n<FeedBackId><![CDATA[5883726847655944563]]></FeedBackId>\n<TransId><![CDATA[10123312412321435345]]></TransId>\n<Reason><![CDATA[商品质量有问题]]></Reason>\n<Solution><![CDATA[补发货给我]]></Solution>\n<ExtInfo><![CDATA[明天六点前联系我 18610847266]]></ExtInfo>\n<AppSignature><![CDATA[b6f95a2368dd81952c4d7198e5102acd1fdd601a]]></AppSignature>\n<SignMethod><![CDATA[sha1]]></SignMethod>\n<PicInfo><item><PicUrl><![CDATA[http://mmbiz.qpic.cn/a/0]]></PicUrl></item><item><PicUrl></PicUrl></item><item><PicUrl><![CDATA[http://mmbiz.qpic.cn/b/0]]></PicUrl></item></PicInfo>\n</xml>";

    #[test]
    fn e4_feedback() {
        let f = feedback(E4.as_bytes(), APPKEY).unwrap();
        let names = |v: &[(&'static str, Vec<u8>)]| v.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        assert_eq!(names(&f.signed), ["appid", "openid", "timestamp"]);
        assert_eq!(
            names(&f.unsigned),
            [
                "msgtype",
                "feedbackid",
                "transid",
                "reason",
                "solution",
                "extinfo"
            ]
        );
        assert_eq!(f.unsigned[3].1, "商品质量有问题".as_bytes());
        assert_eq!(
            f.pictures,
            [
                b"http://mmbiz.qpic.cn/a/0".to_vec(),
                b"http://mmbiz.qpic.cn/b/0".to_vec()
            ]
        );
        // A confirm carries no TransId/Solution; the same signature holds.
        let confirm = E4
            .replace("[request]", "[confirm]")
            .replace("<TransId><![CDATA[10123312412321435345]]></TransId>", "");
        let f = feedback(confirm.as_bytes(), APPKEY).unwrap();
        assert_eq!(f.unsigned[2], ("transid", Vec::new()));
        let bad = E4.replace("[request]", "[maybe]");
        assert!(feedback(bad.as_bytes(), APPKEY)
            .unwrap_err()
            .message()
            .contains("MsgType"));
        let tampered = E4.replace("111222", "111223");
        assert!(matches!(
            feedback(tampered.as_bytes(), APPKEY),
            Err(Error::Signature(_))
        ));
    }

    const E5: &str = "<xml>\n<AppId><![CDATA[wxd930ea5d5a258f4f]]></AppId>\n<ErrorType>1001</ErrorType>\n<Description><![CDATA[错误描述]]></Description>\n<AlarmContent><![CDATA[错误详情]]></AlarmContent>\n<TimeStamp>1393860740</TimeStamp>\n<AppSignature><![CDATA[a7fdeb6930a2a070da542d2da9c674a55d10972c]]></AppSignature>\n<SignMethod><![CDATA[sha1]]></SignMethod>\n</xml>";

    #[test]
    fn e5_alarm() {
        let a = alarm(E5.as_bytes(), APPKEY).unwrap();
        assert_eq!(a[1], ("errortype", b"1001".to_vec()));
        assert_eq!(a[2].1, "错误描述".as_bytes());
        let tampered = E5.replace("1001", "1002");
        assert!(matches!(
            alarm(tampered.as_bytes(), APPKEY),
            Err(Error::Signature(_))
        ));
        assert!(matches!(
            alarm(E5.as_bytes(), b"wrong"),
            Err(Error::Signature(_))
        ));
    }

    #[test]
    fn what_a_complaint_signature_does_not_cover_is_returned_apart() {
        // WeChat's AppSignature covers appid, openid and timestamp only: a
        // changed reason or feedback id still verifies, and is only ever
        // returned under `unsigned`.
        let changed = E4
            .replace("商品质量有问题", "changed")
            .replace("5883726847655944563", "1");
        let f = feedback(changed.as_bytes(), APPKEY).unwrap();
        assert!(f.signed.iter().all(|(_, v)| v != b"changed" && v != b"1"));
        assert_eq!(f.unsigned[1].1, b"1");
    }

    #[test]
    fn max_age_refuses_old_and_future_messages_and_accepts_fresh_ones() {
        let age = |max_age| Options {
            max_age: Some(max_age),
        };
        // E2's, E4's and E5's signed TimeStamps.
        let (t2, t4, t5) = (1_369_743_511u64, 1_369_743_511u64, 1_393_860_740u64);
        assert!(verify_payment(&e1(), E2, &keys(), &age(3600), t2 + 3600).is_ok());
        let e = verify_payment(&e1(), E2, &keys(), &age(3600), t2 + 3601).unwrap_err();
        assert_eq!(
            e,
            Error::Signature("the message's signed <TimeStamp> is 3601 s old, more than max_age (3600 s): a replayed or delayed message, or a wrong clock".into())
        );
        let e = verify_payment(&e1(), E2, &keys(), &age(60), t2 - 61).unwrap_err();
        assert!(e.message().contains("61 s in the future"), "{e}");
        assert!(verify_payment(&e1(), E2, &keys(), &age(60), t2 - 60).is_ok());
        assert!(verify_feedback(E4.as_bytes(), APPKEY, &age(10), t4 + 10).is_ok());
        assert!(matches!(
            verify_feedback(E4.as_bytes(), APPKEY, &age(10), t4 + 11),
            Err(Error::Signature(_))
        ));
        assert!(verify_alarm(E5.as_bytes(), APPKEY, &age(10), t5 + 10).is_ok());
        assert!(matches!(
            verify_alarm(E5.as_bytes(), APPKEY, &age(10), t5 + 11),
            Err(Error::Signature(_))
        ));
        // Without max_age a 2013 message still verifies, as WeChat's v2 allows.
        assert!(alarm(E5.as_bytes(), APPKEY).is_ok());
        // The age is checked after the signature: a forged message is a
        // signature error whatever its time.
        let e = verify_alarm(E5.as_bytes(), b"wrong", &age(10), t5 + 11).unwrap_err();
        assert!(e.message().contains("AppSignature"), "{e}");
    }

    #[test]
    fn options_are_checked() {
        let mut o = Options::default();
        o.set(b"max_age", Ok(1800)).unwrap();
        assert_eq!(o.max_age, Some(1800));
        for (name, value, message) in [
            (
                &b"max_agee"[..],
                Ok(1),
                "unknown option 'max_agee'; the option of this function is max_age",
            ),
            (
                b"max_age",
                Ok(0),
                "option 'max_age' must be between 1 and 315360000 seconds, 0 given",
            ),
            (
                b"max_age",
                Ok(-5),
                "option 'max_age' must be between 1 and 315360000 seconds, -5 given",
            ),
            (
                b"max_age",
                Ok(315_360_001),
                "option 'max_age' must be between 1 and 315360000 seconds, 315360001 given",
            ),
            (
                b"max_age",
                Err("string"),
                "option 'max_age' must be an int (seconds), string given",
            ),
        ] {
            assert_eq!(o.set(name, value), Err(Error::invalid(message)));
        }
        o.set(b"max_age", Ok(315_360_000)).unwrap();
        let e = Options { max_age: Some(5) }
            .check_age(b"soon", 0)
            .unwrap_err();
        assert_eq!(
            e,
            Error::invalid("the XML body is not a WeChat message: <TimeStamp> is not unix seconds")
        );
    }

    #[test]
    fn keys_are_set_by_name_and_a_typo_is_refused() {
        let mut k = Keys::default();
        for (name, value) in [
            (&b"partnerkey"[..], &b"P"[..]),
            (b"appkey", b"A"),
            (b"appid", b"wx1"),
            (b"partner", b"19"),
        ] {
            k.set(name, value).unwrap();
        }
        assert_eq!(
            (k.partnerkey, k.appkey, k.appid, k.partner),
            (&b"P"[..], &b"A"[..], Some(&b"wx1"[..]), Some(&b"19"[..]))
        );
        assert_eq!(
            k.set(b"partner_key", b"x"),
            Err(Error::invalid(
                "unknown key 'partner_key' in $keys; the keys are partnerkey, appkey, appid, partner"
            ))
        );
        assert_eq!(k.partnerkey, b"P", "a refused key changes nothing");
    }

    #[test]
    fn native_call_verifies_and_refuses_tampering() {
        // AppSignature computed independently: sha1 of the sorted k=v pairs.
        let signed = "appid=wx0000000000000000&appkey=k&issubscribe=1&noncestr=n1&openid=o1&productid=PROD+1&timestamp=1400000000";
        let sig = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(signed.as_bytes()));
        let body = format!("<xml><OpenId><![CDATA[o1]]></OpenId><AppId><![CDATA[wx0000000000000000]]></AppId><IsSubscribe>1</IsSubscribe><ProductId><![CDATA[PROD+1]]></ProductId><TimeStamp>1400000000</TimeStamp><NonceStr><![CDATA[n1]]></NonceStr><AppSignature><![CDATA[{sig}]]></AppSignature><SignMethod><![CDATA[sha1]]></SignMethod></xml>");
        let got = verify_native_call(body.as_bytes(), b"k", &Options::default(), 0).unwrap();
        assert_eq!(got[3], ("productid", b"PROD+1".to_vec()));
        let tampered = body.replace("PROD+1", "PROD+2");
        let e = verify_native_call(tampered.as_bytes(), b"k", &Options::default(), 0).unwrap_err();
        assert!(matches!(e, Error::Signature(_)), "{e:?}");
        let e = verify_native_call(body.as_bytes(), b"other", &Options::default(), 0).unwrap_err();
        assert!(matches!(e, Error::Signature(_)), "{e:?}");
        let no_product = body.replace("<ProductId><![CDATA[PROD+1]]></ProductId>", "");
        let e =
            verify_native_call(no_product.as_bytes(), b"k", &Options::default(), 0).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        let old = Options { max_age: Some(60) };
        let e = verify_native_call(body.as_bytes(), b"k", &old, 1_400_000_100).unwrap_err();
        assert!(e.message().contains("max_age"), "{e:?}");
    }
}
