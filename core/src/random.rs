//! Random bytes from the operating system.

/// `N` random bytes. The OS generator does not fail on Linux after boot;
/// if it ever did, a time-and-pid mix still keeps salts and lock ids apart.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if getrandom::getrandom(&mut buf).is_err() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mix = (now ^ (u128::from(std::process::id()) << 96)).to_le_bytes();
        for (b, m) in buf.iter_mut().zip(mix.iter().cycle()) {
            *b ^= m;
        }
    }
    buf
}
