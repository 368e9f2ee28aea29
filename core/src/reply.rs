//! WeChat's answers: JSON objects, failures told by `errcode`.

use serde_json::{Map, Value};

/// Replies larger than this are refused: WeChat's are a few dozen bytes, and
/// a proxy's error page must not be read into memory without bound.
pub const MAX_REPLY_BYTES: u64 = 64 * 1024;

/// What a 200 reply says.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `errcode` is 0 or absent: the whole decoded object.
    Ok(Map<String, Value>),
    /// `errcode` is not 0.
    Api { code: i64, message: String },
}

/// Why a reply body is unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadReply(pub String);

/// Decodes a reply body. Never panics, whatever the bytes.
pub fn parse(body: &[u8]) -> Result<Outcome, BadReply> {
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        BadReply(format!("the reply is not JSON ({} bytes)", body.len()))
    })?;
    let Value::Object(map) = value else {
        return Err(BadReply("the reply is JSON but not an object".into()));
    };
    let code = match map.get("errcode") {
        None => 0,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(-1),
        Some(_) => return Err(BadReply("the reply's errcode is not a number".into())),
    };
    if code == 0 {
        return Ok(Outcome::Ok(map));
    }
    let message = match map.get("errmsg") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    Ok(Outcome::Api { code, message })
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
    fn ok_and_errors() {
        assert!(matches!(parse(br#"{"errcode":0,"errmsg":"ok"}"#), Ok(Outcome::Ok(_))));
        assert!(matches!(parse(br#"{"access_token":"x","expires_in":7200}"#), Ok(Outcome::Ok(_))));
        assert_eq!(
            parse(br#"{"errcode":40003,"errmsg":"invalid openid"}"#),
            Ok(Outcome::Api { code: 40003, message: "invalid openid".into() })
        );
        assert!(parse(b"<html>").is_err());
        assert!(parse(b"[1,2]").is_err());
        assert!(parse(br#"{"errcode":"x"}"#).is_ok());
        assert!(parse(br#"{"errcode":[]}"#).is_err());
        assert!(is_token_error(42001) && !is_token_error(45009));
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
}
