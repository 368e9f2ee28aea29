//! Keeping access_tokens, appkeys and appsecrets out of every message.
//!
//! Messages are built from key names and host names, never from values; this
//! is the second line: text that quotes a server (an errmsg) is scrubbed of
//! the secrets of the call before it reaches an exception.

/// Replaces each occurrence of each secret (4 bytes or longer) with `***`.
pub fn redact(message: &str, secrets: &[&[u8]]) -> String {
    let mut out = message.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        if let Ok(s) = std::str::from_utf8(secret) {
            out = out.replace(s, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_every_occurrence() {
        assert_eq!(redact("token ABCDEF bad, ABCDEF again", &[b"ABCDEF"]), "token *** bad, *** again");
        assert_eq!(redact("short ab", &[b"ab"]), "short ab");
    }
}
