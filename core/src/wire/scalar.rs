//! The value type shared by the signing rule and the binding: a PHP array
//! key, or a value already in its string form.

use crate::secrets::display_bytes;
use std::borrow::Cow;
use std::cmp::Ordering;

/// A PHP array key, or a value already converted to its string form: an
/// integer (written in decimal when needed) or raw bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scalar<'a> {
    Int(i64),
    Bytes(Cow<'a, [u8]>),
}

impl<'a> Scalar<'a> {
    pub fn bytes(b: &'a [u8]) -> Self {
        Scalar::Bytes(Cow::Borrowed(b))
    }

    /// Calls `f` with the string form, as PHP's string concatenation writes it.
    #[inline(always)]
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Scalar::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            Scalar::Bytes(s) => f(s),
        }
    }

    /// Appends the string form.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        self.with_bytes(|b| out.extend_from_slice(b));
    }

    /// At least the length of the string form, without formatting an int.
    pub(super) fn max_len(&self) -> usize {
        match self {
            Scalar::Int(_) => 20,
            Scalar::Bytes(s) => s.len(),
        }
    }

    /// The string form, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Scalar::Bytes(b) => b.into_owned(),
            Scalar::Int(n) => itoa::Buffer::new().format(n).as_bytes().to_vec(),
        }
    }

    /// True when the string form is empty.
    pub fn is_empty(&self) -> bool {
        matches!(self, Scalar::Bytes(s) if s.is_empty())
    }

    /// A printable form for error messages: bytes outside printable ASCII
    /// are shown as `\xNN`, so a message never carries a NUL or broken UTF-8.
    pub fn display(&self) -> String {
        self.with_bytes(display_bytes)
    }

    /// True when PHP could treat this key as a number in `ksort`.
    /// Over-approximates on purpose: a false "maybe" only costs speed.
    pub fn maybe_numeric(&self) -> bool {
        match self {
            Scalar::Int(_) => true,
            Scalar::Bytes(s) => {
                let first = s.iter().find(|b| !b.is_ascii_whitespace() && **b != 0x0b);
                matches!(first, Some(b'0'..=b'9' | b'.' | b'+' | b'-'))
            }
        }
    }

    /// Byte order of the string forms (`zend_binary_strcmp`).
    pub fn cmp_bytes(&self, other: &Scalar<'_>) -> Ordering {
        match (self, other) {
            (Scalar::Bytes(a), Scalar::Bytes(b)) => a.cmp(b),
            _ => self.with_bytes(|a| other.with_bytes(|b| a.cmp(b))),
        }
    }

    /// `ZEND_HANDLE_NUMERIC_STR`: "0", "-5", "42" are int keys; "05", "-0",
    /// "+1", " 1" and anything beyond 64 bits stay strings.
    pub fn int_key(b: &[u8]) -> Option<i64> {
        let digits = b.strip_prefix(b"-").unwrap_or(b);
        let canonical = match digits {
            [b'0'] => b.len() == 1,
            [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
            _ => false,
        };
        if !canonical || b.len() > 20 {
            return None;
        }
        std::str::from_utf8(b).ok()?.parse().ok()
    }

    /// `strtolower()`: ASCII only (locale-independent since PHP 8.2).
    #[inline(always)]
    pub(super) fn lowercased(self) -> Self {
        match self {
            // `fold`, not `any`: no early exit, so it is vectorised.
            Scalar::Bytes(s) if s.iter().fold(false, |up, b| up | b.is_ascii_uppercase()) => {
                Scalar::Bytes(Cow::Owned(s.to_ascii_lowercase()))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Scalar;

    #[test]
    fn numeric_keys_as_php() {
        assert_eq!(Scalar::int_key(b"12"), Some(12));
        assert_eq!(Scalar::int_key(b"-5"), Some(-5));
        assert_eq!(Scalar::int_key(b"0"), Some(0));
        assert_eq!(Scalar::int_key(b"-9223372036854775808"), Some(i64::MIN));
        for s in [
            "05",
            "-0",
            "+1",
            " 1",
            "1 ",
            "",
            "-",
            "99999999999999999999",
            "9223372036854775808",
            "1e3",
        ] {
            assert_eq!(Scalar::int_key(s.as_bytes()), None, "{s}");
        }
    }
}
