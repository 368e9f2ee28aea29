//! Keeping access_tokens, appkeys and appsecrets out of every message.
//!
//! Messages are built from key names and host names, never from values; this
//! is the second line: text that quotes a server (an errmsg) is scrubbed of
//! the secrets of the call before it reaches an exception. A server that
//! echoes the request quotes them encoded (`%2B`, `%2f`, `\/`, `\u002b`), so
//! the text is also searched with those escapes decoded.
//!
//! Also here: how credentials are checked and how bytes and URLs are shown
//! in a message, so that nothing else decides what a message may contain.

use crate::error::{Error, Result};
use std::fmt::Write as _;

impl Error {
    /// The same error with every occurrence of `secrets` (plain or escaped)
    /// hidden: for messages that quote a server.
    pub fn scrubbed(mut self, secrets: &[&[u8]]) -> Error {
        let m = self.message_mut();
        *m = redact(m, secrets);
        self
    }
}

/// Replaces each occurrence of each secret (4 bytes or longer), plain or
/// escaped, with `***`.
pub fn redact(message: &str, secrets: &[&[u8]]) -> String {
    let secrets: Vec<&[u8]> = secrets.iter().copied().filter(|s| s.len() >= 4).collect();
    if secrets.is_empty() {
        return message.to_string();
    }
    let text = message.as_bytes();
    let decoded = Unescaped::of(text);
    // Byte ranges of `text` to hide.
    let mut hide: Vec<(usize, usize)> = Vec::new();
    for secret in &secrets {
        for start in find_all(text, secret) {
            hide.push((start, start + secret.len()));
        }
        for start in find_all(&decoded.bytes, secret) {
            let end = start + secret.len() - 1;
            hide.push((decoded.spans[start].0, decoded.spans[end].1));
        }
    }
    if hide.is_empty() {
        return message.to_string();
    }
    hide.sort_unstable();
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in hide {
        if end <= at {
            continue;
        }
        if start >= at {
            out.extend_from_slice(&text[at..start]);
            out.extend_from_slice(b"***");
        }
        at = end;
    }
    out.extend_from_slice(&text[at..]);
    String::from_utf8_lossy(&out).into_owned()
}

fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    hay.windows(needle.len())
        .enumerate()
        .filter(move |(_, w)| *w == needle)
        .map(|(i, _)| i)
}

/// The text with `%XX`, `\/` and `\u00XX` decoded, and for every decoded
/// byte the range of the original text it came from.
struct Unescaped {
    bytes: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl Unescaped {
    fn of(text: &[u8]) -> Unescaped {
        let hex = |b: &[u8]| {
            std::str::from_utf8(b)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
        };
        let (mut bytes, mut spans) = (
            Vec::with_capacity(text.len()),
            Vec::with_capacity(text.len()),
        );
        let mut i = 0;
        while i < text.len() {
            let (byte, len) = match &text[i..] {
                [b'%', a, b, ..] if hex(&[*a, *b]).is_some() => (hex(&[*a, *b]).unwrap_or(0), 3),
                [b'\\', b'/', ..] => (b'/', 2),
                [b'\\', b'u', b'0', b'0', a, b, ..] if hex(&[*a, *b]).is_some_and(|c| c < 0x80) => {
                    (hex(&[*a, *b]).unwrap_or(0), 6)
                }
                [b, ..] => (*b, 1),
                [] => break,
            };
            bytes.push(byte);
            spans.push((i, i + len));
            i += len;
        }
        Unescaped { bytes, spans }
    }
}

/// Formats bytes for a message without leaking control bytes or invalid UTF-8.
pub fn display_bytes(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// A URL with the user-info (`user:password@`) masked, for messages and
/// phpinfo.
pub fn masked(url: &str) -> String {
    let Some(s) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[s + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &url[..s + 3], &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// An appid or appsecret as WeChat issues them: printable ASCII, at most
/// 256 bytes; `what` names it in the message.
pub fn credential<'a>(what: &str, value: &'a [u8]) -> Result<&'a str> {
    match std::str::from_utf8(value) {
        Ok(v) if !v.is_empty() && v.len() <= 256 && value.iter().all(u8::is_ascii_graphic) => Ok(v),
        _ => Err(Error::invalid(format!(
            "{what} must be a non-empty string of printable ASCII characters (at most 256)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_every_occurrence() {
        assert_eq!(
            redact("token ABCDEF bad, ABCDEF again", &[b"ABCDEF"]),
            "token *** bad, *** again"
        );
        assert_eq!(redact("short ab", &[b"ab"]), "short ab");
    }

    #[test]
    fn scrubs_encoded_forms() {
        let secret: &[u8] = b"a+b/c=d&e";
        for shown in [
            "a%2Bb%2Fc%3Dd%26e",
            "a%2bb%2fc%3dd%26e",
            "a%2Bb/c%3Dd&e",
            "a+b\\/c=d&e",
            "a\\u002bb\\/c\\u003dd\\u0026e",
        ] {
            let out = redact(&format!("echo: access_token={shown}&x=1"), &[secret]);
            assert_eq!(out, "echo: access_token=***&x=1", "{shown}");
        }
    }

    #[test]
    fn overlapping_secrets_and_plain_text_survive() {
        assert_eq!(
            redact("xx SECRET1 yy", &[b"SECRET1", b"CRET1"]),
            "xx *** yy"
        );
        assert_eq!(redact("100% sure, 50%", &[b"sure!"]), "100% sure, 50%");
        assert_eq!(redact("中文 SECRET 文", &[b"SECRET"]), "中文 *** 文");
    }

    #[test]
    fn only_real_escapes_are_decoded() {
        // "%zz" is not an escape: it never stands for a byte.
        assert_eq!(redact("a%zz%zzb", &[b"a\0\0b"]), "a%zz%zzb");
        // \u00e9 is the character é (two bytes in UTF-8), not the byte 0xe9;
        // \u0080 likewise is not the byte 0x80.
        assert_eq!(redact("ab\\u00e9cd", &[b"ab\xe9cd"]), "ab\\u00e9cd");
        assert_eq!(redact("ab\\u0080cd", &[b"ab\x80cd"]), "ab\\u0080cd");
        assert_eq!(redact("ab\\u007fcd", &[b"ab\x7fcd"]), "***");
        assert_eq!(redact("tail %4", &[b"il %4"]), "ta***");
    }
}
