//! WeChat's answers: JSON objects, failures told by `errcode`.
//!
//! Only an integer `errcode` of 0 means success. A gateway's `{}` or
//! `{"errmsg":"system error"}` is a malformed reply, never a delivery, and
//! an errcode that is not an exact integer is malformed too (it must not be
//! mistaken for -1 and retried).

use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// Replies larger than this are refused: WeChat's are a few dozen bytes, and
/// a proxy's error page must not be read into memory without bound.
pub const MAX_REPLY_BYTES: u64 = 64 * 1024;

/// What a 200 reply says.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `errcode` is 0: the whole decoded object.
    Ok(Map<String, Value>),
    /// `errcode` is not 0.
    Api { code: i64, message: String },
}

/// A decoded reply object and its errcode, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub map: Map<String, Value>,
    pub errcode: Option<i64>,
}

impl Decoded {
    /// `errmsg` as text ("" when absent).
    pub fn errmsg(&self) -> String {
        match self.map.get("errmsg") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }
}

/// Decodes a reply object. Bytes that are not UTF-8 (a GBK errmsg from some
/// gateway) are replaced rather than losing the errcode. Never panics.
pub fn decode(body: &[u8]) -> Result<Decoded> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => serde_json::from_str(&String::from_utf8_lossy(body)).map_err(|_| {
            Error::transport(format!("the reply is not JSON ({} bytes)", body.len()))
        })?,
    };
    let Value::Object(map) = value else {
        return Err(Error::transport("the reply is JSON but not an object"));
    };
    let errcode = match map.get("errcode") {
        None => None,
        Some(v) => Some(
            exact_integer(v)
                .ok_or_else(|| Error::transport("the reply's errcode is not an integer"))?,
        ),
    };
    Ok(Decoded { map, errcode })
}

/// An integer as WeChat writes them: a JSON integer within 64 bits, or a
/// string of decimal digits (optionally negative). `0.0`, `1e0`, `-0` as a
/// float, `"abc"` and out-of-range values are not.
pub fn exact_integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            s.parse().ok()
        }
        _ => None,
    }
}

/// Decodes a reply that must carry an errcode (`/pay/delivernotify`).
pub fn parse(body: &[u8]) -> Result<Outcome> {
    let decoded = decode(body)?;
    match decoded.errcode {
        None => Err(Error::transport("the reply has no errcode")),
        Some(0) => {
            // One shape whatever a gateway wrote: errcode the int 0, errmsg a string.
            let mut map = decoded.map;
            let errmsg = match map.remove("errmsg") {
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => String::new(),
            };
            map.insert("errcode".into(), Value::from(0));
            map.insert("errmsg".into(), Value::String(errmsg));
            Ok(Outcome::Ok(map))
        }
        Some(code) => Ok(Outcome::Api {
            code,
            message: decoded.errmsg(),
        }),
    }
}

/// WeChat's refusal in words: `WeChat error CODE[ during]: errmsg`, with a
/// hint for the errcodes whose cause is on the shop's side.
pub fn api_error(code: i64, during: &str, errmsg: &str) -> Error {
    let during = if during.is_empty() {
        String::new()
    } else {
        format!(" {during}")
    };
    Error::Api {
        code,
        message: format!("WeChat error {code}{during}: {errmsg}{}", hint(code)),
    }
}

/// What to check, for the errcodes whose cause is on the shop's side.
fn hint(code: i64) -> &'static str {
    match code {
        40125 => " (check the appsecret)",
        40013 => " (check the appid)",
        49004 => " (check the appkey (PaySignKey), and for an order query the partner key: a signature did not match)",
        _ => "",
    }
}

/// The errcodes that mean "this access_token is no good": invalid or not
/// the latest (40001), invalid (40014), expired (42001).
pub fn is_token_error(code: i64) -> bool {
    matches!(code, 40001 | 40014 | 42001)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_errcode_0_is_normalised() {
        let Ok(Outcome::Ok(map)) = parse(br#"{"errcode":"0"}"#) else {
            panic!("a success")
        };
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            r#"{"errcode":0,"errmsg":""}"#
        );
    }

    fn api(code: i64, message: &str) -> Result<Outcome> {
        Ok(Outcome::Api {
            code,
            message: message.into(),
        })
    }

    #[test]
    fn ok_and_errors() {
        assert!(matches!(
            parse(br#"{"errcode":0,"errmsg":"ok"}"#),
            Ok(Outcome::Ok(_))
        ));
        assert!(matches!(
            parse(br#"{"errcode":"0","errmsg":"ok"}"#),
            Ok(Outcome::Ok(_))
        ));
        assert_eq!(
            parse(br#"{"errcode":40003,"errmsg":"invalid openid"}"#),
            api(40003, "invalid openid")
        );
        assert_eq!(
            parse(br#"{"errcode":"-1","errmsg":"busy"}"#),
            api(-1, "busy")
        );
        assert!(parse(b"<html>").is_err());
        assert!(parse(b"[1,2]").is_err());
        assert!(is_token_error(42001) && !is_token_error(45009));
    }

    #[test]
    fn a_reply_without_errcode_is_not_success() {
        for body in [
            &br#"{}"#[..],
            br#"{"errmsg":"system error"}"#,
            br#"{"access_token":"x","expires_in":7200}"#,
        ] {
            assert_eq!(
                parse(body),
                Err(Error::transport("the reply has no errcode")),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn errcodes_are_exact_integers() {
        for body in [
            &br#"{"errcode":0.0}"#[..],
            br#"{"errcode":-0.0}"#,
            br#"{"errcode":1e0}"#,
            br#"{"errcode":"abc"}"#,
            br#"{"errcode":""}"#,
            br#"{"errcode":" 1"}"#,
            br#"{"errcode":"1.0"}"#,
            br#"{"errcode":18446744073709551616}"#,
            br#"{"errcode":9223372036854775808}"#,
            br#"{"errcode":"99999999999999999999"}"#,
            br#"{"errcode":"12345678901234567890"}"#,
            br#"{"errcode":"00000000000000000000"}"#,
            br#"{"errcode":"+5"}"#,
            br#"{"errcode":"-"}"#,
            br#"{"errcode":"--1"}"#,
            br#"{"errcode":true}"#,
            br#"{"errcode":null}"#,
            br#"{"errcode":[]}"#,
        ] {
            assert_eq!(
                parse(body),
                Err(Error::transport("the reply's errcode is not an integer")),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(
            parse(br#"{"errcode":9223372036854775807}"#),
            api(i64::MAX, "")
        );
        assert_eq!(
            parse(br#"{"errcode":-9223372036854775808}"#),
            api(i64::MIN, "")
        );
        assert_eq!(
            parse(br#"{"errcode":4294967296,"errmsg":"big"}"#),
            api(4_294_967_296, "big")
        );
        assert_eq!(
            parse(br#"{"errcode":"1234567890123456789"}"#),
            api(1_234_567_890_123_456_789, "")
        );
        assert_eq!(
            parse(br#"{"errcode":"-1234567890123456789"}"#),
            api(-1_234_567_890_123_456_789, "")
        );
        assert_eq!(MAX_REPLY_BYTES, 65_536);
    }

    #[test]
    fn a_bad_byte_in_errmsg_keeps_the_errcode() {
        assert_eq!(
            parse(b"{\"errcode\":45009,\"errmsg\":\"\xc4\xe3 quota\"}"),
            api(45009, "\u{fffd}\u{fffd} quota")
        );
    }

    #[test]
    fn any_bytes_never_panic() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed % 256) as u8
                })
                .collect();
            let _ = parse(&bytes);
        }
    }

    #[test]
    fn the_shops_own_errcodes_say_what_to_check() {
        for (code, says) in [
            (40125, "(check the appsecret)"),
            (40013, "(check the appid)"),
            (49004, "(check the appkey (PaySignKey)"),
        ] {
            assert!(api_error(code, "", "m").message().contains(says), "{code}");
        }
        assert_eq!(api_error(45009, "", "m").message(), "WeChat error 45009: m");
    }
}
