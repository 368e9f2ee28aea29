//! State that belongs to one process and must not survive a `fork()`.
//!
//! A CLI script that notifies and then `pcntl_fork`s would otherwise share
//! its pooled TLS connections and Redis connection with its children: two
//! processes writing one TLS stream corrupt it (bad record MACs, replies
//! read by the wrong process). A child notices the PID change and starts
//! with empty state.

use std::sync::{Mutex, MutexGuard};

pub struct PerProcess<T> {
    inner: Mutex<Option<(u32, T)>>,
}

impl<T: Default> PerProcess<T> {
    pub const fn new() -> Self {
        PerProcess {
            inner: Mutex::new(None),
        }
    }

    /// Runs `f` on this process's value, made fresh after a fork.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let pid = std::process::id();
        let mut guard: MutexGuard<'_, Option<(u32, T)>> =
            self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_none_or(|(owner, _)| *owner != pid) {
            // The parent's connections are the parent's: never close or
            // shut them down from here (a TLS close_notify or a half-read
            // reply would reach the parent's peer), just stop using them.
            if let Some(inherited) = guard.take() {
                std::mem::forget(inherited);
            }
            *guard = Some((pid, T::default()));
        }
        let (_, value) = guard.as_mut().expect("set above");
        f(value)
    }
}

impl<T: Default> Default for PerProcess<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_state_within_a_process() {
        let p: PerProcess<Vec<u32>> = PerProcess::new();
        p.with(|v| v.push(1));
        assert_eq!(p.with(|v| v.clone()), vec![1]);
    }
}
