//! What `wx_deliver_outbox()` reports, and the same in Prometheus' text
//! exposition format for node_exporter's textfile collector.

use std::fmt::Write;

/// An entry listed by status: a dead one (never sent again unless it is
/// re-queued) or one waiting to be retried after a failure.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listed {
    pub id: String,
    pub appid: String,
    pub transid: String,
    pub out_trade_no: String,
    pub last_error: String,
    pub attempts: u64,
    pub deadline_ms: u64,
    /// Dead: when it died. Retrying: when it is tried next.
    pub at_ms: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    pub pending: u64,
    pub sent: u64,
    pub dead: u64,
    /// Pending entries a newer status of the same order replaced (never sent).
    pub superseded: u64,
    /// Pending entries within two hours of their deadline (or past it).
    pub overdue: u64,
    /// When the oldest pending entry was enqueued.
    pub oldest_pending_ms: Option<u64>,
    pub nearest_deadline_ms: Option<u64>,
    /// The first dead entries, oldest first.
    pub dead_entries: Vec<Listed>,
    /// The first pending entries waiting for a retry after a failure, the
    /// next to be tried first, each with the error it last got.
    pub retrying_entries: Vec<Listed>,
    /// Why the store is known to have lost entries (Redis), if it is.
    pub lost: Option<String>,
}

impl Status {
    /// Seconds the oldest pending entry has waited (0 with none pending).
    pub fn oldest_pending_age(&self, now_ms: u64) -> f64 {
        self.oldest_pending_ms
            .map_or(0.0, |t| now_ms.saturating_sub(t) as f64 / 1000.0)
    }

    /// The status as Prometheus text; `store` labels every sample.
    pub fn prometheus(&self, store: &str, now_ms: u64) -> String {
        let store = label_value(store);
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let sep = if labels.is_empty() { "" } else { "," };
                let _ = writeln!(out, "{name}{{store=\"{store}\"{sep}{labels}}} {value}");
            }
        };
        metric(
            "wxpay_outbox_entries",
            "gauge",
            "Shipping notifications in the outbox, by state.",
            &[
                ("state=\"pending\"", self.pending as f64),
                ("state=\"sent\"", self.sent as f64),
                ("state=\"dead\"", self.dead as f64),
                ("state=\"superseded\"", self.superseded as f64),
            ],
        );
        metric(
            "wxpay_outbox_overdue",
            "gauge",
            "Pending notifications within two hours of their deadline or past it.",
            &[("", self.overdue as f64)],
        );
        metric(
            "wxpay_outbox_oldest_pending_age_seconds",
            "gauge",
            "How long the oldest pending notification has waited.",
            &[("", self.oldest_pending_age(now_ms))],
        );
        metric(
            "wxpay_outbox_lost",
            "gauge",
            "1 when the store is known to have lost entries (an evicting or emptied Redis).",
            &[("", f64::from(u8::from(self.lost.is_some())))],
        );
        if let Some(d) = self.nearest_deadline_ms {
            metric(
                "wxpay_outbox_nearest_deadline_seconds",
                "gauge",
                "Unix time of the nearest deadline of a pending notification.",
                &[("", d as f64 / 1000.0)],
            );
        }
        out
    }
}

/// A label value with `\`, `"` and newlines escaped as the format requires.
fn label_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_text_is_well_formed() {
        let s = Status {
            pending: 3,
            sent: 10,
            dead: 1,
            superseded: 0,
            overdue: 1,
            oldest_pending_ms: Some(1_000),
            nearest_deadline_ms: Some(90_000),
            dead_entries: vec![],
            retrying_entries: vec![],
            lost: None,
        };
        let text = s.prometheus("/var/lib/\"x\"", 11_000);
        assert!(text
            .contains("wxpay_outbox_entries{store=\"/var/lib/\\\"x\\\"\",state=\"pending\"} 3\n"));
        assert!(text.contains(
            "wxpay_outbox_oldest_pending_age_seconds{store=\"/var/lib/\\\"x\\\"\"} 10\n"
        ));
        assert!(text
            .contains("wxpay_outbox_nearest_deadline_seconds{store=\"/var/lib/\\\"x\\\"\"} 90\n"));
        for line in text.lines() {
            assert!(
                line.starts_with("# HELP ")
                    || line.starts_with("# TYPE ")
                    || line.starts_with("wxpay_outbox_"),
                "{line}"
            );
        }
        let none = Status::default().prometheus("s", 5);
        assert!(!none.contains("nearest_deadline"));
    }
}
