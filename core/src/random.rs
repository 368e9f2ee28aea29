//! Random bytes from the operating system.

use crate::error::{Error, Result};

/// `N` random bytes. The OS generator does not fail on Linux after boot;
/// if it ever did, nothing weaker is put in its place: salts, lock ids and
/// entry ids must not become guessable or collide.
pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf).map_err(|e| {
        Error::transport(format!(
            "the operating system's random source failed ({e}); nothing was sent"
        ))
    })?;
    Ok(buf)
}
