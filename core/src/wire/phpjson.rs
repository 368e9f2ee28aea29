//! A JSON object written as PHP's `json_encode()` writes it with default
//! flags, which is what WxPayHelper hands to the buyer's WeChat client:
//! `\/` for a slash, every non-ASCII character as a lowercase `\uXXXX`.

use crate::error::{Error, Result};
use crate::wire::Scalar;
use std::fmt::Write;

/// `{"name":value,...}` in the given order: ints bare, bytes as strings.
/// A string that is not valid UTF-8 is an error (where `json_encode`
/// returns `false` and the page echoes nothing).
pub fn object(members: &[(&str, Scalar<'_>)]) -> Result<String> {
    let mut out = String::with_capacity(64 + members.len() * 32);
    out.push('{');
    for (n, (name, value)) in members.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        string_into(name, &mut out);
        out.push(':');
        match value {
            Scalar::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Scalar::Bytes(bytes) => string_into(utf8(name, bytes)?, &mut out),
        }
    }
    out.push('}');
    Ok(out)
}

/// That every string member is valid UTF-8, as [`object`] requires.
pub fn check(members: &[(&str, Scalar<'_>)]) -> Result<()> {
    for (name, value) in members {
        if let Scalar::Bytes(bytes) = value {
            utf8(name, bytes)?;
        }
    }
    Ok(())
}

fn utf8<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|_| {
        Error::invalid(format!(
            "the value of '{name}' is not valid UTF-8, so it cannot go into the JSON the page hands to WeChat (json_encode() would return false)"
        ))
    })
}

/// The bytes `json_encode` writes as they are: printable ASCII but `"`,
/// `\\` and `/`.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        t[b as usize] = !matches!(b, b'"' | b'\\' | b'/');
        b += 1;
    }
    t
};

fn string_into(text: &str, out: &mut String) {
    out.push('"');
    let mut rest = text;
    while !rest.is_empty() {
        // Most of a package is plain ASCII: copy it a run at a time.
        let plain = rest
            .bytes()
            .position(|b| !PLAIN[usize::from(b)])
            .unwrap_or(rest.len());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7f}' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_php_json_encode_does() {
        // Expected strings from PHP 8.2's json_encode() with default flags.
        let got = object(&[
            ("a", Scalar::bytes("订单/1".as_bytes())),
            ("b", Scalar::Int(-7)),
            ("c", Scalar::bytes(b"\"\\\x08\x0c\n\r\t\x01\x1f\x7f")),
            ("d", Scalar::bytes("😀é".as_bytes())),
        ])
        .unwrap();
        assert_eq!(
            got,
            r#"{"a":"\u8ba2\u5355\/1","b":-7,"c":"\"\\\b\f\n\r\t\u0001\u001f"#.to_owned()
                + "\u{7f}"
                + r#"","d":"\ud83d\ude00\u00e9"}"#
        );
    }

    #[test]
    fn refuses_invalid_utf8() {
        let e = object(&[("traceid", Scalar::bytes(b"\xb2\xe2"))]).unwrap_err();
        assert!(
            e.message().contains("'traceid' is not valid UTF-8"),
            "{e:?}"
        );
    }
}
