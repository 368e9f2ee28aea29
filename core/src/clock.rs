//! The one clock every part reads (unix time), and the boot clock a drain
//! also goes by.

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix time in ms (0 before 1970: a clock that wrong fails every deadline
/// check loudly rather than wrapping).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Unix time in seconds.
pub fn now_secs() -> u64 {
    now_ms() / 1000
}

/// This boot's id and the boot clock in ms (it counts suspend and never
/// jumps), from /proc; None where that cannot be read.
pub fn boot() -> Option<(String, u64)> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let up = std::fs::read_to_string("/proc/uptime").ok()?;
    let secs: f64 = up.split_whitespace().next()?.parse().ok()?;
    Some((id.trim().to_string(), (secs * 1000.0) as u64))
}

/// The clocks a drain reads: the machine's, or a test's own.
#[derive(Clone, Copy)]
pub struct Clocks<'a> {
    /// Unix time in ms.
    pub wall: &'a dyn Fn() -> u64,
    /// See [`boot`].
    pub boot: &'a dyn Fn() -> Option<(String, u64)>,
}

impl Clocks<'static> {
    pub const SYSTEM: Clocks<'static> = Clocks {
        wall: &now_ms,
        boot: &boot,
    };
}
