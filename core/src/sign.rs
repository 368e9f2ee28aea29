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
use smallvec::SmallVec;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::Write as _;

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

    /// Appends the string form, as PHP's string concatenation writes it.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Scalar::Int(n) => out.extend_from_slice(Decimal::new(*n).as_bytes()),
            Scalar::Bytes(s) => out.extend_from_slice(s),
        }
    }

    /// The string form, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Scalar::Bytes(b) => b.into_owned(),
            Scalar::Int(n) => Decimal::new(n).as_bytes().to_vec(),
        }
    }

    /// True when the string form is empty.
    pub fn is_empty(&self) -> bool {
        matches!(self, Scalar::Bytes(s) if s.is_empty())
    }

    /// A printable form for error messages: bytes outside printable ASCII
    /// are shown as `\xNN`, so a message never carries a NUL or broken UTF-8.
    pub fn display(&self) -> String {
        match self {
            Scalar::Int(n) => n.to_string(),
            Scalar::Bytes(s) => display_bytes(s),
        }
    }

    /// True when PHP could treat this key as a number in `ksort`.
    /// Over-approximates on purpose: a false "maybe" only costs speed.
    fn maybe_numeric(&self) -> bool {
        match self {
            Scalar::Int(_) => true,
            Scalar::Bytes(s) => {
                let first = s
                    .iter()
                    .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c));
                matches!(first, Some(b'0'..=b'9' | b'.' | b'+' | b'-'))
            }
        }
    }

    /// Byte order of the string forms (`zend_binary_strcmp`).
    fn cmp_bytes(&self, other: &Scalar<'_>) -> Ordering {
        match (self, other) {
            (Scalar::Bytes(a), Scalar::Bytes(b)) => cmp_short(a, b),
            (Scalar::Int(a), Scalar::Int(b)) => {
                Decimal::new(*a).as_bytes().cmp(Decimal::new(*b).as_bytes())
            }
            (Scalar::Int(a), Scalar::Bytes(b)) => Decimal::new(*a).as_bytes().cmp(&b[..]),
            (Scalar::Bytes(a), Scalar::Int(b)) => a[..].cmp(Decimal::new(*b).as_bytes()),
        }
    }

    /// `strtolower()`: ASCII only (locale-independent since PHP 8.2).
    fn lowercased(self) -> Self {
        match self {
            Scalar::Bytes(s) if has_ascii_uppercase(&s) => {
                Scalar::Bytes(Cow::Owned(s.to_ascii_lowercase()))
            }
            other => other,
        }
    }
}

/// Whether any byte is `A`..=`Z`, eight bytes at a time.
#[inline]
fn has_ascii_uppercase(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
        // With bit 7 cleared first no byte's sum carries into the next:
        // >= 'A' sets bit 7 of b + (0x80 - 'A'), > 'Z' that of b + (0x80 - 'Z' - 1).
        // Bytes that had bit 7 set are excluded by `!w`.
        let low = w & !HIGH;
        let ge_a = low + ONES * (0x80 - u64::from(b'A'));
        let gt_z = low + ONES * (0x80 - u64::from(b'Z') - 1);
        if ge_a & !gt_z & !w & HIGH != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(u8::is_ascii_uppercase)
}

/// Byte-wise comparison without a libc call: keys are short and usually
/// differ in their first bytes.
#[inline]
fn cmp_short(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
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

/// An integer's decimal form on the stack.
struct Decimal {
    buf: [u8; 20],
    start: usize,
}

impl Decimal {
    fn new(n: i64) -> Self {
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
        Decimal { buf, start: pos }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
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
            SignError::MissingAppkey => {
                f.write_str("no appkey: pass it as the second argument or as the 'appkey' entry")
            }
            SignError::EmptyAppkey => f.write_str("the appkey is empty"),
        }
    }
}

impl std::error::Error for SignError {}

/// Inline capacity: the delivery notification has eight signed fields.
const INLINE: usize = 12;

/// One key of the lowercased array: where the key first appeared (its
/// position) and which entry's value it finally holds (the last one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub first: usize,
    pub last: usize,
}

/// Keys in `ksort` order.
pub type Order = SmallVec<[Slot; INLINE]>;

/// One `key => value` as it arrived, key lowercased.
struct Entry<'a> {
    key: Scalar<'a>,
    value: Scalar<'a>,
    /// The key's first sixteen bytes, big-endian, zero-padded: comparing
    /// these settles almost every comparison without touching the bytes
    /// (`deliver_msg`, `deliver_status`, ... share their first eight).
    rank: u128,
}

impl Entry<'_> {
    #[inline]
    fn cmp_key(&self, other: &Entry<'_>) -> Ordering {
        self.rank
            .cmp(&other.rank)
            .then_with(|| self.key.cmp_bytes(&other.key))
    }
}

/// Stable insertion sort: the fastest for the handful of keys signed here.
#[inline]
fn insertion_sort<T: Copy>(v: &mut [T], greater: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && greater(&v[j - 1], &x) {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

#[inline]
fn rank_of(key: &Scalar<'_>) -> u128 {
    match key {
        Scalar::Bytes(b) => rank_of_bytes(b),
        Scalar::Int(i) => rank_of_bytes(Decimal::new(*i).as_bytes()),
    }
}

/// Built in registers: assembling it in a stack buffer and reloading it as
/// one word stalls on store forwarding, which showed as the hottest spot.
#[inline]
fn rank_of_bytes(b: &[u8]) -> u128 {
    if let Some(head) = b.first_chunk::<16>() {
        return u128::from_be_bytes(*head);
    }
    let mut rank = 0u128;
    for (i, &c) in b.iter().enumerate() {
        rank |= u128::from(c) << (120 - 8 * i);
    }
    rank
}

/// The array `get_biz_sign` builds, as the entries arrived (keys already
/// lowercased, duplicates not yet collapsed).
#[derive(Default)]
pub struct SignInput<'a> {
    entries: SmallVec<[Entry<'a>; INLINE]>,
}

impl<'a> SignInput<'a> {
    pub fn new() -> Self {
        SignInput {
            entries: SmallVec::new(),
        }
    }

    /// `$bizParameters[strtolower($k)] = $v;` Returns the entry's index,
    /// for a value set later with [`SignInput::set_value`].
    pub fn insert(&mut self, key: Scalar<'a>, value: Scalar<'a>) -> usize {
        let key = key.lowercased();
        let rank = rank_of(&key);
        self.push(Entry { key, value, rank });
        self.entries.len() - 1
    }

    /// Sets the value of entry `index` (a value converted only when the
    /// join reaches it, as PHP converts objects).
    pub fn set_value(&mut self, index: usize, value: Scalar<'a>) {
        self.entries[index].value = value;
    }

    /// Writes the entry straight into the vector's storage: a plain `push`
    /// built it on the stack first and copied it with wide loads that stalled
    /// on store forwarding (the hottest spot in a profile).
    #[inline(always)]
    fn push(&mut self, entry: Entry<'a>) {
        self.entries.reserve(1);
        let len = self.entries.len();
        // SAFETY: capacity for one more was reserved; the slot is written
        // before the length covers it.
        unsafe {
            std::ptr::write(self.entries.as_mut_ptr().add(len), entry);
            self.entries.set_len(len + 1);
        }
    }

    /// `insert` for a key known to be lowercase already.
    fn insert_lowercase(&mut self, key: &'static [u8], value: Scalar<'a>) {
        let key = Scalar::bytes(key);
        let rank = rank_of(&key);
        self.push(Entry { key, value, rank });
    }

    /// `$bizParameters["appkey"] = $appkey;` for an explicit key.
    pub fn set_appkey(&mut self, appkey: Scalar<'a>) {
        self.insert_lowercase(b"appkey", appkey);
    }

    pub fn key(&self, slot: Slot) -> &Scalar<'a> {
        &self.entries[slot.first].key
    }

    pub fn value(&self, slot: Slot) -> &Scalar<'a> {
        &self.entries[slot.last].value
    }

    /// True when two or more keys may compare as numbers: then only the
    /// engine's own `ksort` gives PHP's order.
    pub fn needs_engine_order(&self) -> bool {
        self.entries
            .iter()
            .filter(|e| e.key.maybe_numeric())
            .take(2)
            .count()
            == 2
    }

    /// Distinct keys sorted by bytes, equal keys collapsed (first position,
    /// last value). This is PHP's order when `needs_engine_order()` is false.
    pub fn byte_order(&self) -> Order {
        let mut idx: SmallVec<[usize; INLINE]> = (0..self.entries.len()).collect();
        // Stable: equal keys stay in arrival order, so a run's last is the winner.
        if idx.len() <= 2 * INLINE {
            insertion_sort(&mut idx, |&a, &b| {
                self.entries[a].cmp_key(&self.entries[b]).is_gt()
            });
        } else {
            idx.sort_by(|&a, &b| self.entries[a].cmp_key(&self.entries[b]));
        }
        let mut order = Order::new();
        for &i in &idx {
            match order.last_mut() {
                Some(s) if self.entries[s.first].cmp_key(&self.entries[i]).is_eq() => s.last = i,
                _ => order.push(Slot { first: i, last: i }),
            }
        }
        order
    }

    /// Distinct keys in PHP's insertion order, for the engine to sort.
    pub fn insertion_order(&self) -> Order {
        let mut order = self.byte_order();
        order.sort_unstable_by_key(|s| s.first);
        order
    }

    /// The demo's check that an appkey is present and not empty.
    pub fn check_appkey(&self, order: &[Slot]) -> Result<(), SignError> {
        let slot = order
            .iter()
            .find(|&&s| matches!(self.key(s), Scalar::Bytes(k) if &k[..] == b"appkey"));
        match slot {
            None => Err(SignError::MissingAppkey),
            Some(&s) if self.value(s).is_empty() => Err(SignError::EmptyAppkey),
            Some(_) => Ok(()),
        }
    }

    /// `k=v&k=v...` in the given order, appended to `out`.
    pub fn join_into(&self, order: &[Slot], out: &mut Vec<u8>) {
        for (n, &slot) in order.iter().enumerate() {
            if n > 0 {
                out.push(b'&');
            }
            self.key(slot).write_to(out);
            out.push(b'=');
            self.value(slot).write_to(out);
        }
    }

    /// The signature: lowercase hex SHA-1 of the joined string.
    /// `scratch` keeps the buffer and the hash states of the previous call.
    pub fn signature(&self, order: &[Slot], scratch: &mut Scratch) -> [u8; 40] {
        scratch.joined.clear();
        self.join_into(order, &mut scratch.joined);
        scratch.prefix.digest_hex(&scratch.joined)
    }
}

/// Reusable buffers for [`SignInput::signature`].
#[derive(Default)]
pub struct Scratch {
    joined: Vec<u8>,
    prefix: PrefixCache,
}

/// The hash states after each whole 64-byte block of the previous joined
/// string, so the next signature resumes after the blocks it shares with it.
///
/// Keys sort as `appid`, `appkey`, `deliver_msg`, `deliver_status`,
/// `deliver_timestamp=`..., so a shop's consecutive signatures share their
/// first blocks (the seed's: three of six, the appkey among them); the
/// order-specific fields come last. Identical prefix bytes give identical
/// states, so the digest is the same by construction.
#[derive(Default)]
struct PrefixCache {
    last: Vec<u8>,
    /// `states[k]`: the hasher after blocks `0..=k` of `last`.
    states: Vec<Sha1>,
}

/// Blocks whose states are kept: enough for any notification, bounded for
/// megabyte values.
const CACHED_BLOCKS: usize = 16;

impl PrefixCache {
    fn digest_hex(&mut self, data: &[u8]) -> [u8; 40] {
        // Whole blocks compared as slices: a vectorised memcmp, not a byte loop.
        let reuse = (0..self.states.len())
            .take_while(|&k| self.last.get(k * 64..(k + 1) * 64) == data.get(k * 64..(k + 1) * 64))
            .count();
        self.states.truncate(reuse);
        let mut hasher = reuse
            .checked_sub(1)
            .map_or_else(Sha1::new, |k| self.states[k].clone());
        let blocks = data.len() / 64;
        for k in reuse..blocks {
            hasher.update(&data[k * 64..(k + 1) * 64]);
            if k < CACHED_BLOCKS {
                self.states.push(hasher.clone());
            }
        }
        hasher.update(&data[blocks * 64..]);
        self.last.clear();
        self.last
            .extend_from_slice(&data[..data.len().min(CACHED_BLOCKS * 64)]);
        to_hex(&hasher.finalize())
    }
}

/// Lowercase hex SHA-1, as PHP's `sha1()` returns it.
pub fn sha1_hex(data: &[u8]) -> [u8; 40] {
    to_hex(&Sha1::digest(data))
}

fn to_hex(digest: &[u8]) -> [u8; 40] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 40];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 0x0f)];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Scalar<'_> {
        Scalar::bytes(v.as_bytes())
    }

    fn joined(input: &SignInput<'_>) -> String {
        let mut out = Vec::new();
        input.join_into(&input.byte_order(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn signature(input: &SignInput<'_>) -> String {
        let order = input.byte_order();
        input.check_appkey(&order).unwrap();
        String::from_utf8(input.signature(&order, &mut Scratch::default()).to_vec()).unwrap()
    }

    fn spec_example() -> SignInput<'static> {
        let mut input = SignInput::new();
        for (k, v) in [
            ("appid", "wwwwb4f85f3a797777"),
            ("openid", "oX99MDgNcgwnz3zFN3DNmo8uwa-w"),
            ("transid", "111112222233333"),
            ("out_trade_no", "555666uuu"),
            ("deliver_timestamp", "1369745073"),
            ("deliver_status", "1"),
            ("deliver_msg", "ok"),
        ] {
            input.insert(s(k), s(v));
        }
        input
    }

    #[test]
    fn spec_worked_example() {
        let mut input = spec_example();
        input.set_appkey(s("KEY"));
        assert_eq!(joined(&input), "appid=wwwwb4f85f3a797777&appkey=KEY&deliver_msg=ok&deliver_status=1&deliver_timestamp=1369745073&openid=oX99MDgNcgwnz3zFN3DNmo8uwa-w&out_trade_no=555666uuu&transid=111112222233333");
        assert_eq!(
            signature(&input),
            "9fc68a590c0809a9cd6323dc48c801a6a79077d2"
        );
    }

    #[test]
    fn integer_values_are_written_in_decimal() {
        let mut input = spec_example();
        input.insert(s("deliver_timestamp"), Scalar::Int(1369745073));
        input.set_appkey(s("KEY"));
        assert_eq!(
            signature(&input),
            "9fc68a590c0809a9cd6323dc48c801a6a79077d2"
        );
    }

    #[test]
    fn later_colliding_key_wins_but_keeps_first_position() {
        let mut input = SignInput::new();
        input.insert(s("B"), s("1"));
        input.insert(s("a"), s("2"));
        input.insert(s("b"), s("3"));
        let order = input.insertion_order();
        assert_eq!(order.len(), 2);
        assert_eq!(input.key(order[0]), &s("b"));
        assert_eq!(input.value(order[0]), &s("3"));
        assert_eq!(joined(&input), "a=2&b=3");
    }

    #[test]
    fn appkey_argument_overrides_entry_and_is_required() {
        let mut input = spec_example();
        assert_eq!(
            input.check_appkey(&input.byte_order()),
            Err(SignError::MissingAppkey)
        );
        input.insert(s("AppKey"), s(""));
        assert_eq!(
            input.check_appkey(&input.byte_order()),
            Err(SignError::EmptyAppkey)
        );
        input.set_appkey(s("KEY"));
        assert_eq!(
            signature(&input),
            "9fc68a590c0809a9cd6323dc48c801a6a79077d2"
        );
    }

    #[test]
    fn empty_values_are_signed_and_raw_bytes_kept() {
        let mut input = SignInput::new();
        input.insert(s("deliver_msg"), s(""));
        input.insert(Scalar::bytes(b"\xc4\xe3"), Scalar::bytes(b"\xba\xc3"));
        input.set_appkey(s("k"));
        let mut out = Vec::new();
        input.join_into(&input.byte_order(), &mut out);
        assert_eq!(out, b"appkey=k&deliver_msg=&\xc4\xe3=\xba\xc3");
    }

    #[test]
    fn one_numeric_key_sorts_by_its_decimal_form() {
        let mut input = SignInput::new();
        input.insert(Scalar::Int(-5), s("x"));
        input.insert(s("a"), s("y"));
        input.set_appkey(s("k"));
        assert!(!input.needs_engine_order());
        assert_eq!(joined(&input), "-5=x&a=y&appkey=k");
    }

    #[test]
    fn two_numeric_keys_need_the_engine() {
        let mut input = SignInput::new();
        input.insert(Scalar::Int(10), s("x"));
        input.insert(s(" 9"), s("y"));
        assert!(input.needs_engine_order());
        let mut other = SignInput::new();
        other.insert(Scalar::Int(10), s("x"));
        other.insert(s("x9"), s("y"));
        assert!(!other.needs_engine_order());
    }

    #[test]
    fn large_inputs_collapse_duplicates() {
        let mut input = SignInput::new();
        for i in 0..1000 {
            input.insert(
                Scalar::Bytes(Cow::Owned(format!("K{i}").into_bytes())),
                s("1"),
            );
        }
        for i in 0..1000 {
            input.insert(
                Scalar::Bytes(Cow::Owned(format!("k{i}").into_bytes())),
                s("2"),
            );
        }
        let order = input.insertion_order();
        assert_eq!(order.len(), 1000);
        assert!(order.iter().all(|&o| input.value(o) == &s("2")));
        assert_eq!(input.key(order[999]), &s("k999"));
    }

    #[test]
    fn display_escapes_control_and_non_ascii_bytes() {
        assert_eq!(display_bytes(b"a\0b\xff\\"), "a\\x00b\\xff\\x5c");
        assert_eq!(Scalar::Int(-3).display(), "-3");
    }

    #[test]
    fn int_formatting_matches_php() {
        for n in [0i64, 7, -7, i64::MIN, i64::MAX, 1_000_000] {
            let mut v = Vec::new();
            Scalar::Int(n).write_to(&mut v);
            assert_eq!(v, n.to_string().into_bytes());
        }
    }

    #[test]
    fn prefix_cache_gives_the_plain_digest() {
        let key = "K".repeat(130);
        let long = "L".repeat(2000);
        let mut scratch = Scratch::default();
        for (appid, msg) in [
            ("wx1", "ok"),
            ("wx1", "again"),
            ("wx2", "ok"),
            ("wx1", "ok"),
            ("wx1", &long[..]),
            ("wx1", &long[..1999]),
            ("wx1", ""),
            ("wx1", &long[..]),
            ("wx1", "ok"),
        ] {
            let mut input = SignInput::new();
            input.insert(s("appid"), s(appid));
            input.insert(s("deliver_msg"), s(msg));
            input.set_appkey(Scalar::bytes(key.as_bytes()));
            let order = input.byte_order();
            let mut joined = Vec::new();
            input.join_into(&order, &mut joined);
            assert_eq!(input.signature(&order, &mut scratch), sha1_hex(&joined));
        }
    }

    #[test]
    fn hex_matches_the_reference_digest() {
        assert_eq!(
            &sha1_hex(b"abc"),
            b"a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(&sha1_hex(b""), b"da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }
}

#[cfg(test)]
mod model_tests {
    //! The core against a naive model of the rule (a BTreeMap), over many
    //! generated arrays whose keys share long prefixes (past the 16-byte rank)
    //! and collide after lowercasing; and the prefix cache against plain SHA-1.
    use super::*;
    use std::collections::BTreeMap;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> usize {
            (self.next() % n) as usize
        }
    }

    const STEMS: [&str; 5] = [
        "deliver_timestamp_",
        "Deliver_Timestamp_",
        "appid",
        "a",
        "out_trade_no_long_key_",
    ];

    fn key(rng: &mut Rng) -> Vec<u8> {
        let mut k = STEMS[rng.below(STEMS.len() as u64)].as_bytes().to_vec();
        for _ in 0..rng.below(4) {
            k.push(b"aAzZ_~"[rng.below(6)]);
        }
        k
    }

    /// lowercase keys, later value wins, sort by bytes, join, SHA-1.
    fn model(entries: &[(Vec<u8>, Vec<u8>)], appkey: &[u8]) -> (Vec<u8>, [u8; 40]) {
        let mut map = BTreeMap::new();
        for (k, v) in entries {
            map.insert(k.to_ascii_lowercase(), v.clone());
        }
        map.insert(b"appkey".to_vec(), appkey.to_vec());
        let joined = map
            .iter()
            .map(|(k, v)| [&k[..], b"=", &v[..]].concat())
            .collect::<Vec<_>>()
            .join(&b'&');
        let digest = sha1_hex(&joined);
        (joined, digest)
    }

    #[test]
    fn byte_order_signing_matches_the_model() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut scratch = Scratch::default();
        for _ in 0..3000 {
            let entries: Vec<(Vec<u8>, Vec<u8>)> = (0..rng.below(12))
                .map(|i| (key(&mut rng), format!("v{i}").into_bytes()))
                .collect();
            let mut input = SignInput::new();
            for (k, v) in &entries {
                input.insert(Scalar::bytes(k), Scalar::bytes(v));
            }
            input.set_appkey(Scalar::bytes(b"KEY"));
            assert!(!input.needs_engine_order());
            let order = input.byte_order();
            let mut joined = Vec::new();
            input.join_into(&order, &mut joined);
            let (want, digest) = model(&entries, b"KEY");
            assert_eq!(
                String::from_utf8_lossy(&joined),
                String::from_utf8_lossy(&want)
            );
            assert_eq!(input.signature(&order, &mut scratch), digest);
        }
    }

    #[test]
    fn the_prefix_cache_always_gives_the_plain_digest() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut scratch = PrefixCache::default();
        let mut previous: Vec<u8> = Vec::new();
        for _ in 0..3000 {
            // Often a variation of the previous input: same prefix, a changed
            // byte anywhere, longer or shorter (past the 16 cached blocks too).
            let mut data = previous.clone();
            match rng.below(4) {
                0 => data = (0..rng.below(1400)).map(|_| b"ab"[rng.below(2)]).collect(),
                1 if !data.is_empty() => {
                    let at = rng.below(data.len() as u64);
                    data[at] ^= 1;
                }
                2 => data.truncate(rng.below(data.len() as u64 + 1)),
                _ => data.extend((0..rng.below(200)).map(|_| b'c')),
            }
            assert_eq!(
                scratch.digest_hex(&data),
                sha1_hex(&data),
                "len {}",
                data.len()
            );
            previous = data;
        }
    }

    #[test]
    fn values_set_later_take_the_entry_they_name() {
        let mut input = SignInput::new();
        assert_eq!(input.insert(Scalar::bytes(b"b"), Scalar::Int(0)), 0);
        assert_eq!(input.insert(Scalar::bytes(b"a"), Scalar::bytes(b"x")), 1);
        input.set_value(0, Scalar::bytes(b"late"));
        let mut joined = Vec::new();
        input.join_into(&input.byte_order(), &mut joined);
        assert_eq!(joined, b"a=x&b=late");
    }

    #[test]
    fn scalars_and_errors_in_words() {
        assert_eq!(Scalar::Int(-42).into_bytes(), b"-42");
        assert_eq!(Scalar::bytes(b"\xb8\xc3").into_bytes(), b"\xb8\xc3");
        assert_eq!(
            SignError::MissingAppkey.to_string(),
            "no appkey: pass it as the second argument or as the 'appkey' entry"
        );
        assert_eq!(SignError::EmptyAppkey.to_string(), "the appkey is empty");
    }
}

#[cfg(test)]
mod uppercase_tests {
    use super::has_ascii_uppercase;

    #[test]
    fn swar_matches_the_plain_scan() {
        // Every pair of adjacent bytes, at every position of a word and across words.
        for a in 0u8..=255 {
            for b in 0u8..=255 {
                for pos in [0, 3, 6, 7, 8, 14] {
                    let mut v = vec![b'a'; 17];
                    v[pos] = a;
                    v[pos + 1] = b;
                    assert_eq!(
                        has_ascii_uppercase(&v),
                        v.iter().any(u8::is_ascii_uppercase),
                        "{a:#x} {b:#x} at {pos}"
                    );
                }
            }
        }
    }
}
