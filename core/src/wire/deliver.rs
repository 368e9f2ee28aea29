//! The `/pay/delivernotify` request: validating the caller's fields, signing
//! them, and producing the JSON body.
//!
//! Every value is sent as the same string that was signed, and the body is
//! produced by serde_json (quotes, newlines, backslashes and Chinese text
//! arrive intact); `appkey` takes part in the signature but is never sent.

use crate::error::{Error, Result};
use crate::wire::sign::SignInput;
use crate::wire::Scalar;
use serde_json::{Map, Value};

/// A caller-supplied value, as the binding layer read it from PHP.
#[derive(Clone, Debug, PartialEq)]
pub enum Input<'a> {
    Str(&'a [u8]),
    Int(i64),
    Bool(bool),
    /// Anything else; carries PHP's type name for the message.
    Other(String),
}

impl Input<'_> {
    fn type_name(&self) -> &str {
        match self {
            Input::Str(_) => "string",
            Input::Int(_) => "int",
            Input::Bool(_) => "bool",
            Input::Other(t) => t,
        }
    }
}

/// The keys of `$params`, matched after ASCII lowercasing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Appid,
    Appkey,
    Openid,
    Transid,
    OutTradeNo,
    DeliverTimestamp,
    DeliverStatus,
    DeliverMsg,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Appid,
        Field::Appkey,
        Field::Openid,
        Field::Transid,
        Field::OutTradeNo,
        Field::DeliverTimestamp,
        Field::DeliverStatus,
        Field::DeliverMsg,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Appid => "appid",
            Field::Appkey => "appkey",
            Field::Openid => "openid",
            Field::Transid => "transid",
            Field::OutTradeNo => "out_trade_no",
            Field::DeliverTimestamp => "deliver_timestamp",
            Field::DeliverStatus => "deliver_status",
            Field::DeliverMsg => "deliver_msg",
        }
    }

    pub fn from_key(key: &[u8]) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.name().as_bytes().eq_ignore_ascii_case(key))
    }
}

/// Bad input: the message names the key and what was wrong, never a value.
fn err(msg: impl Into<String>) -> Error {
    Error::invalid(msg)
}

/// A validated shipping notification, ready to sign and send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub appid: String,
    pub openid: String,
    pub transid: String,
    pub out_trade_no: String,
    pub deliver_timestamp: String,
    pub deliver_status: String,
    pub deliver_msg: String,
    /// Signs, never sent; raw bytes as given.
    pub appkey: Vec<u8>,
}

/// Collects `$params` entries; later keys that lowercase to the same name
/// replace earlier ones, as in `get_biz_sign`.
#[derive(Default)]
pub struct DeliveryBuilder {
    values: [Option<Text>; 8],
}

/// A field's value after validation: its string form.
#[derive(Clone, Debug)]
struct Text(Vec<u8>);

impl DeliveryBuilder {
    /// Adds one `$params` entry.
    pub fn set(&mut self, key: &Scalar<'_>, value: Input<'_>) -> Result<()> {
        let field = match key {
            Scalar::Bytes(k) => Field::from_key(k),
            Scalar::Int(_) => None,
        }
        .ok_or_else(|| unknown_key(key))?;
        let text = validate(field, &value)?;
        self.values[field as usize] = Some(Text(text));
        Ok(())
    }

    /// Applies the defaults and checks that the required fields are there.
    /// `now` is the Unix time used when `deliver_timestamp` is absent.
    pub fn build(self, now: u64) -> Result<Delivery> {
        let [appid, appkey, openid, transid, out_trade_no, ts, status, msg] = self.values;
        let required = |v: Option<Text>, f: Field| {
            v.map(|v| v.0)
                .ok_or_else(|| err(format!("the required key '{}' is missing", f.name())))
        };
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap_or_default(); // validated UTF-8 already
        Ok(Delivery {
            appid: text(required(appid, Field::Appid)?),
            appkey: required(appkey, Field::Appkey)?,
            openid: text(required(openid, Field::Openid)?),
            transid: text(required(transid, Field::Transid)?),
            out_trade_no: text(required(out_trade_no, Field::OutTradeNo)?),
            deliver_timestamp: ts.map_or_else(|| now.to_string(), |v| text(v.0)),
            deliver_status: status.map_or_else(|| "1".to_string(), |v| text(v.0)),
            deliver_msg: msg.map_or_else(|| "ok".to_string(), |v| text(v.0)),
        })
    }
}

/// Keys longer than this get no "did you mean" (the edit distance is
/// quadratic) and are shown cut short.
const MAX_HINTED_KEY: usize = 64;

fn unknown_key(key: &Scalar<'_>) -> Error {
    let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    let raw = match key {
        Scalar::Bytes(b) => &b[..],
        Scalar::Int(_) => &[][..],
    };
    if raw.eq_ignore_ascii_case(b"appsecret") {
        return err("'appsecret' does not belong in $params: pass it as $options['appsecret'] (it is never signed or sent)");
    }
    if raw.len() > MAX_HINTED_KEY {
        let shown = Scalar::bytes(&raw[..MAX_HINTED_KEY]).display();
        return err(format!(
            "unknown key '{shown}...' ({} bytes); the keys are {}",
            raw.len(),
            names.join(", ")
        ));
    }
    let shown = key.display();
    let lower = shown.to_ascii_lowercase();
    let hint = Field::ALL
        .into_iter()
        .filter(|f| *f != Field::Appkey || lower.contains("key"))
        .map(|f| (edit_distance(f.name(), &lower), f))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, _)| *d <= 3)
        .map(|(_, f)| format!(" (did you mean '{}'?)", f.name()))
        .unwrap_or_default();
    err(format!(
        "unknown key '{shown}'{hint}; the keys are {}",
        names.join(", ")
    ))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The longest appid, openid, transid or out_trade_no accepted.
pub const MAX_IDENTIFIER: usize = 128;
/// The longest deliver_msg accepted.
pub const MAX_MESSAGE: usize = 2048;

/// The string a field is signed and sent as, or why the value is refused.
fn validate(field: Field, value: &Input<'_>) -> Result<Vec<u8>> {
    let name = field.name();
    let wrong = |expected: &str| {
        err(format!(
            "'{name}' must be {expected}, {} given",
            value.type_name()
        ))
    };
    let utf8 = |s: &[u8]| {
        std::str::from_utf8(s).map(|_| s.to_vec()).map_err(|_| {
            err(format!(
                "'{name}' must be valid UTF-8 (it is sent as a JSON string)"
            ))
        })
    };
    // WeChat's identifiers are short and plain (transid 28 digits, an
    // out_trade_no at most 32 characters): anything far longer, or with a
    // control character, is a bug that must not be stored, sent or quoted.
    let identifier = |s: &[u8]| {
        if s.len() > MAX_IDENTIFIER || s.iter().any(|b| b.is_ascii_control()) {
            return Err(err(format!(
                "'{name}' must be at most {MAX_IDENTIFIER} bytes without control characters ({} bytes given)",
                s.len()
            )));
        }
        utf8(s)
    };
    match field {
        Field::Appid | Field::Openid | Field::Transid | Field::OutTradeNo => match value {
            Input::Str([]) => Err(err(format!("'{name}' must not be empty"))),
            Input::Str(s) => identifier(s),
            Input::Int(n) => Ok(n.to_string().into_bytes()),
            _ => Err(wrong("a non-empty string or an int")),
        },
        Field::Appkey => match value {
            Input::Str([]) => Err(err("'appkey' must not be empty")),
            Input::Str(s) => Ok(s.to_vec()),
            Input::Int(n) => Ok(n.to_string().into_bytes()),
            _ => Err(wrong("a non-empty string")),
        },
        Field::DeliverTimestamp => match value {
            Input::Int(n) if *n >= 0 => Ok(n.to_string().into_bytes()),
            Input::Str(s) if !s.is_empty() && s.len() <= 19 && s.iter().all(u8::is_ascii_digit) => Ok(s.to_vec()),
            Input::Int(_) | Input::Str(_) => Err(err("'deliver_timestamp' must be a Unix time: a non-negative int or a string of decimal digits")),
            _ => Err(wrong("an int or a decimal string")),
        },
        Field::DeliverStatus => match value {
            Input::Int(1) | Input::Bool(true) | Input::Str(b"1") => Ok(b"1".to_vec()),
            Input::Int(0) | Input::Bool(false) | Input::Str(b"0") => Ok(b"0".to_vec()),
            Input::Int(_) | Input::Str(_) => Err(err("'deliver_status' must be 1 (shipped) or 0 (failed)")),
            _ => Err(wrong("1, 0, \"1\", \"0\", true or false")),
        },
        Field::DeliverMsg => match value {
            Input::Str(s) if s.len() > MAX_MESSAGE || s.contains(&0) => Err(err(format!(
                "'deliver_msg' must be at most {MAX_MESSAGE} bytes without NUL ({} bytes given)",
                s.len()
            ))),
            Input::Str(s) => utf8(s),
            Input::Int(n) => Ok(n.to_string().into_bytes()),
            _ => Err(wrong("a string")),
        },
    }
}

impl Delivery {
    /// The seven fields that are both signed and sent, by name.
    fn sent_fields(&self) -> [(&'static str, &str); 7] {
        [
            ("appid", &self.appid),
            ("openid", &self.openid),
            ("transid", &self.transid),
            ("out_trade_no", &self.out_trade_no),
            ("deliver_timestamp", &self.deliver_timestamp),
            ("deliver_status", &self.deliver_status),
            ("deliver_msg", &self.deliver_msg),
        ]
    }

    /// `app_signature`: the get_biz_sign rule over those fields and the appkey.
    pub fn signature(&self) -> String {
        let mut input = SignInput::new();
        for (k, v) in self.sent_fields() {
            input.insert(Scalar::bytes(k.as_bytes()), Scalar::bytes(v.as_bytes()));
        }
        input.set_appkey(Scalar::bytes(&self.appkey));
        let order = input.byte_order();
        let hex = input.signature(&order);
        hex.iter().map(|&b| char::from(b)).collect()
    }

    /// The JSON body: nine string fields, appkey absent.
    pub fn body(&self) -> Vec<u8> {
        let mut m: Map<String, Value> = self
            .sent_fields()
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect();
        m.insert("app_signature".into(), Value::String(self.signature()));
        m.insert("sign_method".into(), Value::String("sha1".into()));
        serde_json::to_vec(&Value::Object(m)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Scalar<'_> {
        Scalar::bytes(s.as_bytes())
    }

    fn spec() -> DeliveryBuilder {
        let mut b = DeliveryBuilder::default();
        for (key, v) in [
            ("appid", Input::Str(b"wwwwb4f85f3a797777")),
            ("AppKey", Input::Str(b"KEY")),
            ("openid", Input::Str(b"oX99MDgNcgwnz3zFN3DNmo8uwa-w")),
            ("transid", Input::Str(b"111112222233333")),
            ("out_trade_no", Input::Str(b"555666uuu")),
            ("deliver_timestamp", Input::Int(1369745073)),
        ] {
            b.set(&k(key), v).unwrap();
        }
        b
    }

    #[test]
    fn spec_example_signs_and_defaults() {
        let d = spec().build(0).unwrap();
        assert_eq!(d.deliver_status, "1");
        assert_eq!(d.deliver_msg, "ok");
        assert_eq!(d.signature(), "9fc68a590c0809a9cd6323dc48c801a6a79077d2");
        let body: Value = serde_json::from_slice(&d.body()).unwrap();
        assert_eq!(body["deliver_timestamp"], "1369745073");
        assert_eq!(
            body["app_signature"],
            "9fc68a590c0809a9cd6323dc48c801a6a79077d2"
        );
        assert_eq!(body["sign_method"], "sha1");
        assert!(body.get("appkey").is_none());
        assert_eq!(body.as_object().unwrap().len(), 9);
        assert!(body.as_object().unwrap().values().all(Value::is_string));
    }

    #[test]
    fn default_timestamp_is_now() {
        let mut b = spec();
        b.values[Field::DeliverTimestamp as usize] = None;
        assert_eq!(b.build(1700000000).unwrap().deliver_timestamp, "1700000000");
    }

    #[test]
    fn messages_with_quotes_newlines_and_chinese_survive() {
        let mut b = spec();
        let msg = "该商品已退款 \"quoted\" \\ back\nnew line 😀";
        b.set(&k("deliver_msg"), Input::Str(msg.as_bytes()))
            .unwrap();
        let body: Value = serde_json::from_slice(&b.build(0).unwrap().body()).unwrap();
        assert_eq!(body["deliver_msg"], msg);
        // Unescaped UTF-8 on the wire, as WeChat expects.
        let mut b = spec();
        b.set(&k("deliver_msg"), Input::Str("退款".as_bytes()))
            .unwrap();
        assert!(String::from_utf8(b.build(0).unwrap().body())
            .unwrap()
            .contains("退款"));
    }

    #[test]
    fn bad_input_is_named_without_its_value() {
        let mut b = DeliveryBuilder::default();
        let e = b
            .set(&k("out_trade_to"), Input::Str(b"SECRET"))
            .unwrap_err();
        assert!(
            e.message().contains("'out_trade_to'")
                && e.message().contains("did you mean 'out_trade_no'"),
            "{e}"
        );
        assert!(!e.message().contains("SECRET"));
        assert!(b
            .set(&Scalar::Int(3), Input::Int(1))
            .unwrap_err()
            .message()
            .contains("unknown key '3'"));
        assert!(b
            .set(&k("openid"), Input::Str(b""))
            .unwrap_err()
            .message()
            .contains("must not be empty"));
        assert!(b
            .set(&k("openid"), Input::Str(b"\xb8\xc3"))
            .unwrap_err()
            .message()
            .contains("UTF-8"));
        assert!(b
            .set(&k("deliver_status"), Input::Int(2))
            .unwrap_err()
            .message()
            .contains("1 (shipped) or 0"));
        assert!(b
            .set(&k("deliver_timestamp"), Input::Str(b"12:00"))
            .unwrap_err()
            .message()
            .contains("Unix time"));
        assert!(b.set(&k("deliver_timestamp"), Input::Int(-1)).is_err());
        assert!(b
            .set(&k("appid"), Input::Other("array".into()))
            .unwrap_err()
            .message()
            .contains("array given"));
        assert_eq!(
            DeliveryBuilder::default().build(0).unwrap_err().message(),
            "the required key 'appid' is missing"
        );
    }

    #[test]
    fn status_accepts_the_documented_forms() {
        for (v, want) in [
            (Input::Int(1), "1"),
            (Input::Bool(true), "1"),
            (Input::Str(b"1"), "1"),
            (Input::Int(0), "0"),
            (Input::Bool(false), "0"),
            (Input::Str(b"0"), "0"),
        ] {
            let mut b = spec();
            b.set(&k("Deliver_Status"), v).unwrap();
            assert_eq!(b.build(0).unwrap().deliver_status, want);
        }
    }

    #[test]
    fn huge_unknown_keys_are_cut_short_and_appsecret_is_pointed_to_options() {
        let mut b = DeliveryBuilder::default();
        let huge = vec![b'x'; 10 * 1024 * 1024];
        let e = b
            .set(&Scalar::bytes(&huge), Input::Int(1))
            .unwrap_err()
            .to_string();
        assert!(
            e.len() < 400 && e.contains("10485760 bytes"),
            "{}",
            &e[..e.len().min(200)]
        );
        let e = b
            .set(&k("AppSecret"), Input::Str(b"x"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("$options['appsecret']") && !e.contains("did you mean"),
            "{e}"
        );
    }

    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("out_trade_no", "out_trade_to"), 1);
        assert_eq!(edit_distance("openid", "open_id"), 1);
        assert_eq!(edit_distance("ab", "ba"), 2);
        assert_eq!(edit_distance("abcdef", "a"), 5);
        assert_eq!(edit_distance("a", "abcdef"), 5);
        assert_eq!(edit_distance("deliver_status", "deliver_stat"), 2);
    }

    #[test]
    fn keys_up_to_64_bytes_get_a_hint_longer_ones_are_cut() {
        let mut b = DeliveryBuilder::default();
        let at_limit = "x".repeat(MAX_HINTED_KEY);
        let e = b.set(&k(&at_limit), Input::Int(1)).unwrap_err();
        assert!(
            e.message()
                .starts_with(&format!("unknown key '{at_limit}';")),
            "{e}"
        );
        let over = "x".repeat(MAX_HINTED_KEY + 1);
        let e = b.set(&k(&over), Input::Int(1)).unwrap_err();
        assert!(
            e.message()
                .starts_with(&format!("unknown key '{at_limit}...' (65 bytes);")),
            "{e}"
        );
        assert_eq!(format!("{e}"), e.message(), "Display is the message");
    }

    #[test]
    fn each_field_takes_its_documented_forms() {
        let ok = |field: &str, v: Input<'_>| {
            let mut b = DeliveryBuilder::default();
            b.set(&k(field), v).map(|()| {
                b.values[Field::from_key(field.as_bytes()).unwrap() as usize]
                    .clone()
                    .unwrap()
                    .0
            })
        };
        assert_eq!(ok("appid", Input::Int(123)).unwrap(), b"123");
        assert_eq!(ok("appkey", Input::Int(-7)).unwrap(), b"-7");
        assert_eq!(
            ok("appkey", Input::Str(b"\xb8\xc3")).unwrap(),
            b"\xb8\xc3",
            "appkey bytes are signed as given"
        );
        assert_eq!(
            ok("appkey", Input::Str(b"")).unwrap_err().message(),
            "'appkey' must not be empty"
        );
        assert!(ok("appkey", Input::Bool(true))
            .unwrap_err()
            .message()
            .contains("bool given"));
        assert_eq!(ok("deliver_timestamp", Input::Int(0)).unwrap(), b"0");
        assert_eq!(
            ok("deliver_timestamp", Input::Str(b"1369745073")).unwrap(),
            b"1369745073"
        );
        assert_eq!(
            ok("deliver_timestamp", Input::Str(b"1234567890123456789"))
                .unwrap()
                .len(),
            19
        );
        assert!(ok("deliver_timestamp", Input::Str(b"12345678901234567890")).is_err());
        assert!(ok("deliver_timestamp", Input::Str(b"")).is_err());
        assert!(ok("deliver_timestamp", Input::Str(b"-5")).is_err());
        assert!(ok("deliver_timestamp", Input::Bool(true))
            .unwrap_err()
            .message()
            .contains("an int or a decimal string, bool given"));
        assert_eq!(ok("deliver_msg", Input::Int(42)).unwrap(), b"42");
        assert_eq!(ok("deliver_msg", Input::Str(b"")).unwrap(), b"");
        assert!(ok("deliver_msg", Input::Bool(false))
            .unwrap_err()
            .message()
            .contains("a string, bool given"));
    }

    #[test]
    fn identifiers_and_messages_are_bounded_exactly_at_their_limits() {
        let check =
            |field: Field, bytes: &[u8]| validate(field, &Input::Str(bytes)).map(|v| v.len());
        for field in [
            Field::Appid,
            Field::Openid,
            Field::Transid,
            Field::OutTradeNo,
        ] {
            assert_eq!(check(field, &[b'a'; MAX_IDENTIFIER]), Ok(MAX_IDENTIFIER));
            let e = check(field, &[b'a'; MAX_IDENTIFIER + 1]).unwrap_err();
            assert!(
                e.message()
                    .contains("at most 128 bytes without control characters (129 bytes given)"),
                "{e}"
            );
            for control in [&b"a\nb"[..], b"\0", b"tab\there", b"\x7f"] {
                assert!(check(field, control).is_err(), "{control:?}");
            }
            assert_eq!(
                check(field, "订单-1".as_bytes()),
                Ok(8),
                "UTF-8 is not a control character"
            );
        }
        assert_eq!(
            check(Field::DeliverMsg, &[b'm'; MAX_MESSAGE]),
            Ok(MAX_MESSAGE)
        );
        let e = check(Field::DeliverMsg, &[b'm'; MAX_MESSAGE + 1]).unwrap_err();
        assert!(
            e.message()
                .contains("at most 2048 bytes without NUL (2049 bytes given)"),
            "{e}"
        );
        assert!(check(Field::DeliverMsg, b"ok\0").is_err());
        assert_eq!(
            check(Field::DeliverMsg, b"line\nbreak\ttab"),
            Ok(14),
            "only NUL is refused in a message"
        );
    }
}
