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
}

impl Fault {
    /// Parses `{"kind": "...", ...}` as posted to `/_sandbox/fault`.
    pub fn from_json(v: &Value) -> Result<Fault, String> {
        let kind = v.get("kind").and_then(Value::as_str).ok_or("kind missing")?;
        Ok(match kind {
            "delay" => Fault::Delay(Duration::from_millis(v.get("ms").and_then(Value::as_u64).ok_or("ms missing")?)),
            "close" => Fault::Close,
            "reset" => Fault::Reset,
            "status" => Fault::Status(v.get("status").and_then(Value::as_u64).unwrap_or(500) as u16),
            "garbage" => Fault::Garbage,
            "truncated" => Fault::Truncated,
            "errcode" => Fault::Errcode(
                v.get("errcode").and_then(Value::as_i64).ok_or("errcode missing")?,
                v.get("errmsg").and_then(Value::as_str).unwrap_or("injected by wxpay-sandbox").to_string(),
            ),
            other => return Err(format!("unknown fault kind {other}")),
        })
    }
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
        self.lock().push(Armed { fault, remaining: count, matching });
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The fault for this request, if one is armed for it (and uses it up).
    pub fn take(&self, target: &str, body: &[u8]) -> Option<Fault> {
        let mut armed = self.lock();
        let body = String::from_utf8_lossy(body);
        let i = armed.iter().position(|a| {
            a.remaining > 0 && a.matching.as_deref().is_none_or(|m| target.contains(m) || body.contains(m))
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
        f.arm(Fault::from_json(&json!({"kind": "status", "status": 503})).unwrap(), 2, Some("tokA".into()));
        assert_eq!(f.take("/pay/delivernotify?access_token=tokB", b""), None);
        assert_eq!(f.take("/pay/delivernotify?access_token=tokA", b""), Some(Fault::Status(503)));
        assert_eq!(f.take("/x", b"{\"appid\":\"tokA\"}"), Some(Fault::Status(503)));
        assert_eq!(f.take("/pay/delivernotify?access_token=tokA", b""), None);
        assert!(Fault::from_json(&json!({"kind": "nope"})).is_err());
    }
}
