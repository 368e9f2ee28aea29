//! The `app_signature` rule of WxPayHelper.php (2014): `get_biz_sign`.
//!
//! Keys are ASCII-lowercased (a later key that lowercases to the same name
//! overwrites the value but keeps the first one's position), `appkey` is set,
//! the array is `ksort`ed, joined as `k=v&k=v` with raw bytes, and SHA-1'd.
//!
//! PHP's `ksort` compares keys as numbers when both look numeric. Those
//! comparisons are not even transitive, so their exact result depends on the
//! engine's sort algorithm; this module orders by bytes, which equals PHP's
//! order whenever at most one key is numeric, and tells the caller when it
//! must ask the engine instead ([`SignInput::needs_engine_order`]).

use sha1::{Digest, Sha1};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

/// A key as PHP arrays hold them: an integer or a byte string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key<'a> {
    Int(i64),
    Str(Cow<'a, [u8]>),
}

impl Key<'_> {
    /// The key's bytes as `strtolower($k)` and string concatenation give them.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Key::Int(n) => {
                out.extend_from_slice(itoa_buf(*n).as_bytes());
            }
            Key::Str(s) => out.extend_from_slice(s),
        }
    }

    /// A printable form for error messages: bytes outside printable ASCII
    /// are shown as `\xNN`, so a message never carries a NUL or broken UTF-8.
    pub fn display(&self) -> String {
        match self {
            Key::Int(n) => n.to_string(),
            Key::Str(s) => display_bytes(s),
        }
    }

    /// True when PHP could treat this key as a number in `ksort`.
    /// Over-approximates on purpose: a false "maybe" only costs speed.
    fn maybe_numeric(&self) -> bool {
        match self {
            Key::Int(_) => true,
            Key::Str(s) => {
                let first = s.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c));
                matches!(first, Some(b'0'..=b'9' | b'.' | b'+' | b'-'))
            }
        }
    }
}

/// Formats bytes for a message without leaking control bytes or invalid UTF-8.
pub fn display_bytes(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(b as char);
        } else {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

struct ItoaBuf {
    buf: [u8; 20],
    start: usize,
}

impl ItoaBuf {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

fn itoa_buf(n: i64) -> ItoaBuf {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        pos -= 1;
        buf[pos] = b'-';
    }
    ItoaBuf { buf, start: pos }
}

/// Why an array cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// Neither the array nor the caller gave an appkey.
    MissingAppkey,
    /// The appkey converts to the empty string.
    EmptyAppkey,
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignError::MissingAppkey => f.write_str("no appkey: pass it as the second argument or as the 'appkey' entry"),
            SignError::EmptyAppkey => f.write_str("the appkey is empty"),
        }
    }
}

impl std::error::Error for SignError {}

/// Above this many entries, duplicate detection switches from a scan to a map.
const SCAN_LIMIT: usize = 24;

/// The lowercased array that `get_biz_sign` builds, in insertion order.
#[derive(Default)]
pub struct SignInput<'a> {
    keys: Vec<Key<'a>>,
    values: Vec<Cow<'a, [u8]>>,
    index: HashMap<Key<'a>, usize>,
}

impl<'a> SignInput<'a> {
    pub fn with_capacity(n: usize) -> Self {
        SignInput { keys: Vec::with_capacity(n + 1), values: Vec::with_capacity(n + 1), index: HashMap::new() }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn keys(&self) -> &[Key<'a>] {
        &self.keys
    }

    /// `$bizParameters[strtolower($k)] = $v;`
    pub fn insert(&mut self, key: Key<'a>, value: Cow<'a, [u8]>) {
        let key = lowercase(key);
        if let Some(i) = position(self, &key) {
            self.values[i] = value;
            return;
        }
        self.keys.push(key);
        self.values.push(value);
        if self.keys.len() > SCAN_LIMIT {
            if self.index.is_empty() {
                self.index = self.keys.iter().cloned().enumerate().map(|(i, k)| (k, i)).collect();
            } else {
                self.index.insert(self.keys[self.keys.len() - 1].clone(), self.keys.len() - 1);
            }
        }
    }

    /// The value stored under `name` (already lowercase).
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        position(self, &Key::Str(Cow::Borrowed(name))).map(|i| &*self.values[i])
    }

    /// `$bizParameters["appkey"] = $appkey;` when the caller gives one, then
    /// the demo's check that the key is not empty.
    pub fn set_appkey(&mut self, appkey: Option<Cow<'a, [u8]>>) -> Result<(), SignError> {
        if let Some(k) = appkey {
            self.insert(Key::Str(Cow::Borrowed(b"appkey")), k);
        }
        match self.get(b"appkey") {
            None => Err(SignError::MissingAppkey),
            Some([]) => Err(SignError::EmptyAppkey),
            Some(_) => Ok(()),
        }
    }

    /// True when two or more keys may compare as numbers: then only the
    /// engine's own `ksort` gives PHP's order.
    pub fn needs_engine_order(&self) -> bool {
        self.keys.iter().filter(|k| k.maybe_numeric()).take(2).count() == 2
    }

    /// PHP's `ksort` order when at most one key is numeric: plain byte order
    /// of the keys' string forms (what `zend_binary_strcmp` gives).
    pub fn byte_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        if self.keys.iter().all(|k| matches!(k, Key::Str(_))) {
            order.sort_unstable_by(|&a, &b| str_key(&self.keys[a]).cmp(str_key(&self.keys[b])));
        } else {
            let forms: Vec<Vec<u8>> = self.keys.iter().map(|k| {
                let mut v = Vec::new();
                k.write_to(&mut v);
                v
            }).collect();
            order.sort_unstable_by(|&a, &b| forms[a].cmp(&forms[b]));
        }
        order
    }

    /// `k=v&k=v...` in the given order, appended to `out`.
    pub fn join_into(&self, order: &[usize], out: &mut Vec<u8>) {
        for (n, &i) in order.iter().enumerate() {
            if n > 0 {
                out.push(b'&');
            }
            self.keys[i].write_to(out);
            out.push(b'=');
            out.extend_from_slice(&self.values[i]);
        }
    }

    /// The signature: lowercase hex SHA-1 of the joined string.
    /// `scratch` is reused between calls to spare an allocation.
    pub fn signature(&self, order: &[usize], scratch: &mut Vec<u8>) -> String {
        scratch.clear();
        self.join_into(order, scratch);
        sha1_hex(scratch)
    }
}

/// A free function so the input's lifetime can shrink to the probe key's.
fn position<'k>(input: &SignInput<'k>, key: &Key<'k>) -> Option<usize> {
    if input.keys.len() > SCAN_LIMIT {
        input.index.get(key).copied()
    } else {
        input.keys.iter().position(|k| k == key)
    }
}

fn str_key<'k>(k: &'k Key<'_>) -> &'k [u8] {
    match k {
        Key::Str(s) => s,
        Key::Int(_) => &[],
    }
}

/// `strtolower()`: ASCII only (locale-independent since PHP 8.2).
fn lowercase(key: Key<'_>) -> Key<'_> {
    match key {
        Key::Str(s) if s.iter().any(u8::is_ascii_uppercase) => Key::Str(Cow::Owned(s.to_ascii_lowercase())),
        other => other,
    }
}

/// Lowercase hex SHA-1, as PHP's `sha1()` returns it.
pub fn sha1_hex(data: &[u8]) -> String {
    hex::encode(Sha1::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Key<'_> {
        Key::Str(Cow::Borrowed(v.as_bytes()))
    }

    fn sign(input: &SignInput<'_>) -> (String, String) {
        let order = input.byte_order();
        let mut joined = Vec::new();
        input.join_into(&order, &mut joined);
        let mut scratch = Vec::new();
        (String::from_utf8_lossy(&joined).into_owned(), input.signature(&order, &mut scratch))
    }

    fn spec_example() -> SignInput<'static> {
        let mut input = SignInput::with_capacity(8);
        for (k, v) in [
            ("appid", "wwwwb4f85f3a797777"),
            ("openid", "oX99MDgNcgwnz3zFN3DNmo8uwa-w"),
            ("transid", "111112222233333"),
            ("out_trade_no", "555666uuu"),
            ("deliver_timestamp", "1369745073"),
            ("deliver_status", "1"),
            ("deliver_msg", "ok"),
        ] {
            input.insert(s(k), Cow::Borrowed(v.as_bytes()));
        }
        input
    }

    #[test]
    fn spec_worked_example() {
        let mut input = spec_example();
        input.set_appkey(Some(Cow::Borrowed(b"KEY"))).unwrap();
        let (joined, sig) = sign(&input);
        assert_eq!(joined, "appid=wwwwb4f85f3a797777&appkey=KEY&deliver_msg=ok&deliver_status=1&deliver_timestamp=1369745073&openid=oX99MDgNcgwnz3zFN3DNmo8uwa-w&out_trade_no=555666uuu&transid=111112222233333");
        assert_eq!(sig, "9fc68a590c0809a9cd6323dc48c801a6a79077d2");
    }

    #[test]
    fn later_colliding_key_wins_but_keeps_first_position() {
        let mut input = SignInput::with_capacity(3);
        input.insert(s("B"), Cow::Borrowed(b"1"));
        input.insert(s("a"), Cow::Borrowed(b"2"));
        input.insert(s("b"), Cow::Borrowed(b"3"));
        assert_eq!(input.len(), 2);
        assert_eq!(input.keys()[0], s("b"));
        assert_eq!(input.get(b"b"), Some(&b"3"[..]));
    }

    #[test]
    fn appkey_argument_overrides_entry_and_is_required() {
        let mut input = spec_example();
        assert_eq!(input.set_appkey(None), Err(SignError::MissingAppkey));
        input.insert(s("AppKey"), Cow::Borrowed(b""));
        assert_eq!(input.set_appkey(None), Err(SignError::EmptyAppkey));
        input.set_appkey(Some(Cow::Borrowed(b"KEY"))).unwrap();
        assert_eq!(sign(&input).1, "9fc68a590c0809a9cd6323dc48c801a6a79077d2");
    }

    #[test]
    fn empty_values_are_signed_and_raw_bytes_kept() {
        let mut input = SignInput::with_capacity(2);
        input.insert(s("deliver_msg"), Cow::Borrowed(b""));
        input.insert(Key::Str(Cow::Borrowed(b"\xc4\xe3")), Cow::Borrowed(b"\xba\xc3"));
        input.set_appkey(Some(Cow::Borrowed(b"k"))).unwrap();
        let order = input.byte_order();
        let mut joined = Vec::new();
        input.join_into(&order, &mut joined);
        assert_eq!(joined, b"appkey=k&deliver_msg=&\xc4\xe3=\xba\xc3");
    }

    #[test]
    fn one_numeric_key_sorts_by_its_decimal_form() {
        let mut input = SignInput::with_capacity(3);
        input.insert(Key::Int(-5), Cow::Borrowed(b"x"));
        input.insert(s("a"), Cow::Borrowed(b"y"));
        input.set_appkey(Some(Cow::Borrowed(b"k"))).unwrap();
        assert!(!input.needs_engine_order());
        assert_eq!(sign(&input).0, "-5=x&a=y&appkey=k");
    }

    #[test]
    fn two_numeric_keys_need_the_engine() {
        let mut input = SignInput::with_capacity(3);
        input.insert(Key::Int(10), Cow::Borrowed(b"x"));
        input.insert(s(" 9"), Cow::Borrowed(b"y"));
        assert!(input.needs_engine_order());
        let mut other = SignInput::with_capacity(3);
        other.insert(Key::Int(10), Cow::Borrowed(b"x"));
        other.insert(s("x9"), Cow::Borrowed(b"y"));
        assert!(!other.needs_engine_order());
    }

    #[test]
    fn large_inputs_dedupe_through_the_map() {
        let mut input = SignInput::with_capacity(1000);
        for i in 0..1000 {
            input.insert(Key::Str(Cow::Owned(format!("K{i}").into_bytes())), Cow::Borrowed(b"1"));
        }
        for i in 0..1000 {
            input.insert(Key::Str(Cow::Owned(format!("k{i}").into_bytes())), Cow::Borrowed(b"2"));
        }
        assert_eq!(input.len(), 1000);
        assert_eq!(input.get(b"k999"), Some(&b"2"[..]));
    }

    #[test]
    fn display_escapes_control_and_non_ascii_bytes() {
        assert_eq!(display_bytes(b"a\0b\xff\\"), "a\\x00b\\xff\\x5c");
        assert_eq!(Key::Int(-3).display(), "-3");
    }

    #[test]
    fn int_formatting_matches_php() {
        for n in [0i64, 7, -7, i64::MIN, i64::MAX, 1_000_000] {
            let mut v = Vec::new();
            Key::Int(n).write_to(&mut v);
            assert_eq!(v, n.to_string().into_bytes());
        }
    }
}
