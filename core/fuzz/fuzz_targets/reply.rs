//! A reply body of any bytes never panics, and what `parse` and
//! `parse_issued` make of it agrees with a model of WeChat's rules written
//! apart from them: success only for an errcode whose JSON text is an
//! integer (or a string of digits) equal to 0.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wxpay_core::wire::reply::{parse, Outcome};
use wxpay_core::token::parse_issued;

/// The errcode as the model reads it: `None` when absent, `Some(None)` when
/// present but not an exact 64-bit integer.
fn model_errcode(obj: &serde_json::Map<String, Value>) -> Option<Option<i64>> {
    let v = obj.get("errcode")?;
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Some(None),
    };
    let digits = text.strip_prefix('-').unwrap_or(&text);
    let exact =
        !digits.is_empty() && digits.len() <= 19 && digits.chars().all(|c| c.is_ascii_digit());
    Some(if exact {
        text.parse::<i64>().ok()
    } else {
        None
    })
}

fuzz_target!(|data: &[u8]| {
    let value = serde_json::from_slice::<Value>(data)
        .or_else(|_| serde_json::from_str::<Value>(&String::from_utf8_lossy(data)));
    let obj = match &value {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    };
    let parsed = parse(data);
    match obj.map(model_errcode) {
        None | Some(None) | Some(Some(None)) => assert!(parsed.is_err(), "accepted: {parsed:?}"),
        Some(Some(Some(0))) => assert!(matches!(parsed, Ok(Outcome::Ok(_))), "{parsed:?}"),
        Some(Some(Some(code))) => assert!(
            matches!(parsed, Ok(Outcome::Api { code: c, .. }) if c == code),
            "{parsed:?}"
        ),
    }
    if let Ok(issued) = parse_issued(data) {
        let obj = obj.expect("a token came from a JSON object");
        assert!(matches!(model_errcode(obj), None | Some(Some(0))));
        assert_eq!(
            obj.get("access_token").and_then(Value::as_str),
            Some(issued.token.as_str())
        );
        assert!(!issued.token.is_empty() && issued.token.bytes().all(|b| b.is_ascii_graphic()));
        let lifetime = match obj.get("expires_in") {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.clone(),
            other => panic!("a token without a lifetime: {other:?}"),
        };
        let secs: u64 = lifetime.parse().expect("an integer lifetime");
        assert!(secs > 0);
        assert_eq!(issued.expires_in, secs.min(7200));
    }
});
