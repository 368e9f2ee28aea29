//! Misbehaviour on request: the next N matching API requests get a fault.

use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer normally, but only after this long.
    Delay(Duration),
    /// Close the connection without answering.
    Close,
    /// Abort the connection with a TCP RST.
    Reset,
    /// Answer with this HTTP status.
    Status(u16),
    /// A 200 whose body is not JSON.
    Garbage,
    /// A 200 that announces more body than it sends, then closes.
    Truncated,
    /// A 200 carrying this WeChat errcode.
    Errcode(i64, String),
    /// A 200 with exactly these bytes as its body (`body`, or `body_hex` for
    /// bytes that are not UTF-8): replies without errcode, odd errcode forms,
    /// odd token lifetimes.
    Body(Vec<u8>),
    /// A 200 whose errmsg quotes the request target and body, as some
    /// gateways echo a request they refuse.
    Echo(i64),
    /// Another fault, after a pause (`"delay_ms"` on any kind): a slow
    /// server that then answers badly.
    After(Duration, Box<Fault>),
}

/// Every fault kind: its name, its own fields, what it does. `--help`
/// prints this table and `/_sandbox/fault` refuses a kind not in it.
pub const KINDS: [(&str, &str, &str); 9] = [
    ("delay", "ms", "answer normally, after ms milliseconds"),
    ("close", "", "close the connection without answering"),
    ("reset", "", "abort the connection with a TCP reset"),
    ("status", "status (500)", "answer with this HTTP status"),
    ("garbage", "", "a 200 whose body is not JSON"),
    (
        "truncated",
        "",
        "a 200 that announces more body than it sends",
    ),
    (
        "errcode",
        "errcode, errmsg",
        "a 200 carrying this WeChat errcode",
    ),
    ("body", "body or body_hex", "a 200 with exactly these bytes"),
    (
        "echo",
        "errcode (40001)",
        "a 200 whose errmsg quotes the request, as some gateways do",
    ),
];

impl Fault {
    /// Parses `{"kind": "...", ...}` as posted to `/_sandbox/fault`.
    pub fn from_json(v: &Value) -> Result<Fault, String> {
        let fault = Self::kind_from_json(v)?;
        Ok(match v.get("delay_ms").and_then(Value::as_u64) {
            Some(ms) => Fault::After(Duration::from_millis(ms), Box::new(fault)),
            None => fault,
        })
    }

    fn kind_from_json(v: &Value) -> Result<Fault, String> {
        let kinds = || KINDS.map(|k| k.0).join(", ");
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("kind missing; the kinds are {}", kinds()))?;
        if !KINDS.iter().any(|k| k.0 == kind) {
            return Err(format!(
                "unknown fault kind {kind}; the kinds are {}",
                kinds()
            ));
        }
        Ok(match kind {
            "delay" => Fault::Delay(Duration::from_millis(
                v.get("ms").and_then(Value::as_u64).ok_or("ms missing")?,
            )),
            "close" => Fault::Close,
            "reset" => Fault::Reset,
            "status" => {
                Fault::Status(v.get("status").and_then(Value::as_u64).unwrap_or(500) as u16)
            }
            "garbage" => Fault::Garbage,
            "truncated" => Fault::Truncated,
            "errcode" => Fault::Errcode(
                v.get("errcode")
                    .and_then(Value::as_i64)
                    .ok_or("errcode missing")?,
                v.get("errmsg")
                    .and_then(Value::as_str)
                    .unwrap_or("injected by wxpay-sandbox")
                    .to_string(),
            ),
            "body" => Fault::Body(
                match (
                    v.get("body").and_then(Value::as_str),
                    v.get("body_hex").and_then(Value::as_str),
                ) {
                    (Some(text), _) => text.as_bytes().to_vec(),
                    (None, Some(hex)) => decode_hex(hex).ok_or("body_hex is not hex")?,
                    (None, None) => return Err("body or body_hex missing".into()),
                },
            ),
            "echo" => Fault::Echo(v.get("errcode").and_then(Value::as_i64).unwrap_or(40001)),
            other => unreachable!("{other} is in KINDS but not parsed"),
        })
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

struct Armed {
    fault: Fault,
    remaining: u64,
    /// Only requests whose target or body contains this are affected.
    matching: Option<String>,
}

#[derive(Default)]
pub struct Faults {
    armed: Mutex<Vec<Armed>>,
}

impl Faults {
    pub fn arm(&self, fault: Fault, count: u64, matching: Option<String>) {
        self.lock().push(Armed {
            fault,
            remaining: count,
            matching,
        });
    }

    /// Disarms every fault (or those armed with this `match`); returns how many.
    pub fn disarm(&self, matching: Option<&str>) -> usize {
        let mut armed = self.lock();
        let before = armed.len();
        armed.retain(|a| matching.is_some_and(|m| a.matching.as_deref() != Some(m)));
        before - armed.len()
    }

    /// The fault for this request, if one is armed for it (and uses it up).
    pub fn take(&self, target: &str, body: &[u8]) -> Option<Fault> {
        let mut armed = self.lock();
        let body = String::from_utf8_lossy(body);
        let i = armed.iter().position(|a| {
            a.remaining > 0
                && a.matching
                    .as_deref()
                    .is_none_or(|m| target.contains(m) || body.contains(m))
        })?;
        armed[i].remaining -= 1;
        let fault = armed[i].fault.clone();
        if armed[i].remaining == 0 {
            armed.remove(i);
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.armed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn faults_are_used_up_and_scoped() {
        let f = Faults::default();
        f.arm(
            Fault::from_json(&json!({"kind": "status", "status": 503})).unwrap(),
            2,
            Some("tokA".into()),
        );
        assert_eq!(f.take("/pay/delivernotify?access_token=tokB", b""), None);
        assert_eq!(
            f.take("/pay/delivernotify?access_token=tokA", b""),
            Some(Fault::Status(503))
        );
        assert_eq!(
            f.take("/x", b"{\"appid\":\"tokA\"}"),
            Some(Fault::Status(503))
        );
        assert_eq!(f.take("/pay/delivernotify?access_token=tokA", b""), None);
        assert!(Fault::from_json(&json!({"kind": "nope"})).is_err());
        assert_eq!(
            Fault::from_json(&json!({"kind": "body", "body_hex": "7bff7d"})).unwrap(),
            Fault::Body(vec![0x7b, 0xff, 0x7d])
        );
        assert!(Fault::from_json(&json!({"kind": "body", "body_hex": "7"})).is_err());
    }

    #[test]
    fn every_kind_in_the_table_parses_and_no_other() {
        for (kind, fields, _) in KINDS {
            let mut v = json!({ "kind": kind });
            for field in fields
                .split([',', ' '])
                .filter(|f| !f.is_empty() && !f.starts_with('('))
            {
                v[field] = match field {
                    "body" | "errmsg" => json!("x"),
                    "body_hex" => continue,
                    _ => json!(7),
                };
            }
            assert!(Fault::from_json(&v).is_ok(), "{kind}: {v}");
        }
        let e = Fault::from_json(&json!({"kind": "slow"})).unwrap_err();
        assert!(
            e.starts_with("unknown fault kind slow; the kinds are delay, close,"),
            "{e}"
        );
    }

    #[test]
    fn faults_are_disarmed_by_their_match_or_all_at_once() {
        let f = Faults::default();
        f.arm(Fault::Close, 5, Some("A".into()));
        f.arm(Fault::Reset, 5, Some("A".into()));
        f.arm(Fault::Garbage, 5, Some("B".into()));
        f.arm(Fault::Truncated, 5, None);
        assert_eq!(f.disarm(Some("A")), 2);
        assert_eq!(f.take("/x?A", b""), Some(Fault::Truncated));
        assert_eq!(f.take("/x?B", b""), Some(Fault::Garbage));
        assert_eq!(f.disarm(None), 2);
        assert_eq!(f.take("/x?B", b""), None);
    }
}
