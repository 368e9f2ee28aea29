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
//!
//! Nothing here outlives a call: the joined string (appkey included) is a
//! local buffer, freed when the signature is made.

use super::Scalar;
use crate::error::{Error, Result};
use sha1::{Digest, Sha1};
use smallvec::SmallVec;

/// Inline capacity: the delivery notification has eight signed fields.
pub(super) const INLINE: usize = 12;

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
}

/// A key's first sixteen bytes as a big-endian number, zero-padded: two
/// keys' ranks compare as the keys do, unless they tie.
fn rank(b: &[u8]) -> u128 {
    match b.len() {
        16.. => u128::from_be_bytes(b[..16].try_into().unwrap_or_default()),
        n @ 8.. => {
            u128::from(left_aligned_u64(&b[..8])) << 64 | u128::from(left_aligned_u64(&b[8..n]))
        }
        _ => u128::from(left_aligned_u64(b)) << 64,
    }
}

/// Up to eight bytes, big-endian, zero-padded on the right. Two loads that
/// may overlap (an overlapping byte lands on itself): a copy into a padded
/// buffer stalled the wide reload on every key (~10% of a call, measured).
fn left_aligned_u64(b: &[u8]) -> u64 {
    let n = b.len();
    let be32 = |s: &[u8]| u64::from(u32::from_be_bytes(s.try_into().unwrap_or_default()));
    match n {
        8.. => u64::from_be_bytes(b[..8].try_into().unwrap_or_default()),
        4.. => be32(&b[..4]) << 32 | be32(&b[n - 4..n]) << (8 * (8 - n)),
        _ => b
            .iter()
            .zip([56, 48, 40])
            .fold(0, |r, (&c, at)| r | u64::from(c) << at),
    }
}

/// The array `get_biz_sign` builds, as the entries arrived (keys already
/// lowercased, duplicates not yet collapsed).
#[derive(Default)]
pub struct SignInput<'a> {
    entries: SmallVec<[Entry<'a>; INLINE]>,
}

impl<'a> SignInput<'a> {
    pub fn new() -> Self {
        SignInput::with_capacity(INLINE)
    }

    /// Room for `n` entries (and the appkey) without growing. Inlined, so
    /// the inline storage is built where it lives, not copied there.
    #[inline(always)]
    pub fn with_capacity(n: usize) -> Self {
        let mut entries = SmallVec::new();
        entries.reserve(n + 1);
        SignInput { entries }
    }

    /// `$bizParameters[strtolower($k)] = $v;` Returns the entry's index,
    /// for a value set later with [`SignInput::set_value`].
    #[inline(always)]
    pub fn insert(&mut self, key: Scalar<'a>, value: Scalar<'a>) -> usize {
        let key = key.lowercased();
        self.entries.push(Entry { key, value });
        self.entries.len() - 1
    }

    /// Sets the value of entry `index` (a value converted only when the
    /// join reaches it, as PHP converts objects).
    pub fn set_value(&mut self, index: usize, value: Scalar<'a>) {
        self.entries[index].value = value;
    }

    /// `$bizParameters["appkey"] = $appkey;` for an explicit key.
    pub fn set_appkey(&mut self, appkey: Scalar<'a>) {
        let key = Scalar::bytes(b"appkey");
        self.entries.push(Entry { key, value: appkey });
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
        let mut numeric = self.entries.iter().filter(|e| e.key.maybe_numeric());
        numeric.next().is_some() && numeric.next().is_some()
    }

    /// Distinct keys sorted by bytes, equal keys collapsed (first position,
    /// last value). This is PHP's order when `needs_engine_order()` is false.
    #[inline]
    pub fn byte_order(&self) -> Order {
        let entries = &self.entries;
        // Each key's first sixteen bytes as a number: distinct ranks settle
        // the order without reading the keys again (`deliver_msg`,
        // `deliver_status`, ... share their first eight).
        let mut ranked: SmallVec<[(u128, usize); INLINE]> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.with_bytes(rank), i))
            .collect();
        ranked.sort_unstable();
        // Equal ranks: keys alike in their first sixteen bytes (or the same
        // key twice). Only then are whole keys compared, and positions keep
        // equal keys in arrival order, so a run's last is the winner.
        if ranked.windows(2).any(|w| w[0].0 == w[1].0) {
            ranked.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| entries[a.1].key.cmp_bytes(&entries[b.1].key))
                    .then(a.1.cmp(&b.1))
            });
        }
        let mut order = Order::new();
        let mut last_rank = None;
        for (r, i) in ranked {
            // A different rank is a different key; only a tie reads the keys.
            match order.last_mut() {
                Some(s)
                    if last_rank == Some(r)
                        && entries[s.first].key.cmp_bytes(&entries[i].key).is_eq() =>
                {
                    s.last = i
                }
                _ => order.push(Slot { first: i, last: i }),
            }
            last_rank = Some(r);
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
    pub fn check_appkey(&self, order: &[Slot]) -> Result<()> {
        match self.appkey_slot(order) {
            None => Err(no_appkey()),
            Some(s) if self.value(s).is_empty() => Err(empty_appkey()),
            Some(_) => Ok(()),
        }
    }

    /// The number of entries, and the bytes their keys take at most.
    pub(super) fn key_count_and_size(&self) -> (usize, usize) {
        let size = self.entries.iter().map(|e| e.key.max_len()).sum();
        (self.entries.len(), size)
    }

    pub(super) fn appkey_slot(&self, order: &[Slot]) -> Option<Slot> {
        let is_appkey =
            |s: &&Slot| matches!(self.key(**s), Scalar::Bytes(k) if &k[..] == b"appkey");
        order.iter().find(is_appkey).copied()
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
    pub fn signature(&self, order: &[Slot]) -> [u8; 40] {
        let size = order
            .iter()
            .map(|&s| self.key(s).max_len() + self.value(s).max_len() + 2)
            .sum();
        sha1_of_join(size, |out| self.join_into_slice(order, out))
    }

    /// Like [`SignInput::join_into`], into a buffer known to be large
    /// enough; returns the length written.
    fn join_into_slice(&self, order: &[Slot], out: &mut [u8]) -> usize {
        let mut at = 0;
        for (n, &slot) in order.iter().enumerate() {
            if n > 0 {
                out[at] = b'&';
                at += 1;
            }
            at = self.key(slot).with_bytes(|k| put(out, at, k));
            out[at] = b'=';
            at = self.value(slot).with_bytes(|v| put(out, at + 1, v));
        }
        at
    }
}

/// `$bizParameters[strtolower($k)] = $v;` for each pair, in order.
impl<'a> Extend<(Scalar<'a>, Scalar<'a>)> for SignInput<'a> {
    fn extend<I: IntoIterator<Item = (Scalar<'a>, Scalar<'a>)>>(&mut self, pairs: I) {
        let entries = pairs.into_iter().map(|(key, value)| Entry {
            key: key.lowercased(),
            value,
        });
        self.entries.extend(entries);
    }
}

pub(super) fn no_appkey() -> Error {
    Error::invalid("no appkey: pass it as the second argument or as the 'appkey' entry")
}

pub(super) fn empty_appkey() -> Error {
    Error::invalid("the appkey is empty")
}

/// The SHA-1 of what `join` writes (at most `size` bytes, its length
/// returned), joined on the stack when it fits.
#[inline(always)]
pub(super) fn sha1_of_join(size: usize, join: impl FnOnce(&mut [u8]) -> usize) -> [u8; 40] {
    if size <= STACK_JOIN {
        let mut buf = [0u8; STACK_JOIN];
        let n = join(&mut buf);
        sha1_hex(&buf[..n])
    } else {
        let mut buf = vec![0u8; size];
        let n = join(&mut buf);
        sha1_hex(&buf[..n])
    }
}

/// Joins up to this many bytes on the stack (the seed's notification joins
/// to 324); longer ones go to the heap.
const STACK_JOIN: usize = 640;

/// Copies `src` to `out[at..]` and returns the end.
pub(super) fn put(out: &mut [u8], at: usize, src: &[u8]) -> usize {
    out[at..at + src.len()].copy_from_slice(src);
    at + src.len()
}

/// Lowercase hex SHA-1, as PHP's `sha1()` returns it.
pub fn sha1_hex(data: &[u8]) -> [u8; 40] {
    let mut out = [0u8; 40];
    // 20 bytes always fit 40 hex digits.
    let _ = hex::encode_to_slice(Sha1::digest(data), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::display_bytes;
    use std::borrow::Cow;

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
        String::from_utf8(input.signature(&order).to_vec()).unwrap()
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
            Err(Error::invalid(
                "no appkey: pass it as the second argument or as the 'appkey' entry"
            ))
        );
        input.insert(s("AppKey"), s(""));
        assert_eq!(
            input.check_appkey(&input.byte_order()),
            Err(Error::invalid("the appkey is empty"))
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
    //! and collide after lowercasing.
    use super::*;
    use crate::wire::layout::Layout;
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
            assert_eq!(input.signature(&order), digest);
        }
    }

    /// `Layout::matcher` over `keys` (and the appkey entry) as the binding runs it.
    fn layout_matches(layout: &Layout, keys: &[Vec<u8>]) -> bool {
        let mut m = layout.matcher();
        keys.iter()
            .map(|k| Scalar::bytes(k))
            .chain([Scalar::bytes(b"appkey")])
            .all(|k| m.next(&k))
            && m.done()
    }

    #[test]
    fn a_remembered_layout_signs_new_values_as_the_model_does() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for round in 0..3000 {
            let keys: Vec<Vec<u8>> = (0..rng.below(12)).map(|_| key(&mut rng)).collect();
            let mut input = SignInput::new();
            for k in &keys {
                input.insert(Scalar::bytes(k), Scalar::bytes(b"first"));
            }
            input.set_appkey(Scalar::bytes(b"KEY"));
            let order = input.byte_order();
            let mut layout = Layout::default();
            let given = keys
                .iter()
                .map(|k| Scalar::bytes(k))
                .chain([Scalar::bytes(b"appkey")]);
            layout.remember(given, &input, &order);
            assert!(layout_matches(&layout, &keys));

            // New values, some long enough to be joined on the heap.
            let long = round % 7 == 0;
            let entries: Vec<(Vec<u8>, Vec<u8>)> = keys
                .iter()
                .map(|k| {
                    let n = if long { 200 } else { rng.below(20) };
                    (
                        k.clone(),
                        (0..n).map(|_| b'a' + rng.below(26) as u8).collect(),
                    )
                })
                .collect();
            let mut values: Vec<Scalar<'_>> =
                entries.iter().map(|(_, v)| Scalar::bytes(v)).collect();
            values.push(Scalar::bytes(b"KEY2"));
            assert_eq!(
                layout.signature(&values).unwrap(),
                model(&entries, b"KEY2").1
            );

            // Any other key sequence is not matched.
            if let Some(first) = keys.first() {
                let mut other = keys.clone();
                other[0] = [&first[..], b"x"].concat();
                assert!(!layout_matches(&layout, &other));
                assert!(!layout_matches(&layout, &keys[1..]));
                other = keys.clone();
                other.push(b"more".to_vec());
                assert!(!layout_matches(&layout, &other));
            }
        }
    }

    #[test]
    fn a_layout_checks_the_appkey_and_forgets_large_arrays() {
        let mut input = SignInput::new();
        input.insert(Scalar::bytes(b"appid"), Scalar::bytes(b"wx1"));
        let order = input.byte_order();
        let mut layout = Layout::default();
        layout.remember([Scalar::bytes(b"appid")], &input, &order);
        let err = layout.signature(&[Scalar::bytes(b"wx1")]).unwrap_err();
        assert_eq!(err, no_appkey());

        input.set_appkey(Scalar::bytes(b"KEY"));
        let order = input.byte_order();
        let keys = [Scalar::bytes(b"appid"), Scalar::bytes(b"appkey")];
        layout.remember(keys.clone(), &input, &order);
        let err = layout
            .signature(&[Scalar::bytes(b"wx1"), Scalar::bytes(b"")])
            .unwrap_err();
        assert_eq!(err, empty_appkey());

        let names: Vec<String> = (0..=Layout::MAX_KEYS).map(|i| format!("k{i}")).collect();
        let mut large = SignInput::new();
        for name in &names {
            large.insert(Scalar::bytes(name.as_bytes()), Scalar::Int(1));
        }
        let order = large.byte_order();
        layout.remember(
            names.iter().map(|n| Scalar::bytes(n.as_bytes())),
            &large,
            &order,
        );
        let mut m = layout.matcher();
        assert!(!names.iter().all(|n| m.next(&Scalar::bytes(n.as_bytes()))) || !m.done());
    }

    #[test]
    fn ranks_are_the_zero_padded_first_sixteen_bytes() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for len in 0..=24 {
            for _ in 0..200 {
                let key: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let mut head = [0u8; 16];
                let n = key.len().min(16);
                head[..n].copy_from_slice(&key[..n]);
                assert_eq!(rank(&key), u128::from_be_bytes(head), "{key:?}");
            }
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
        // The longest int (i64::MIN) fits the bound a join reserves for ints.
        assert_eq!(
            Scalar::Int(i64::MIN).into_bytes().len(),
            Scalar::Int(0).max_len()
        );
        assert!(Scalar::bytes(b"").is_empty() && !Scalar::Int(0).is_empty());
    }

    /// Distinct 20-byte keys: a join longer than the stack buffer.
    fn long_keys(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("key_{i:0>16}").into_bytes())
            .collect()
    }

    #[test]
    fn a_join_on_the_heap_gets_a_buffer_large_enough_for_short_values() {
        // One-byte and empty values: the buffer is sized from the keys and
        // values, and the '=' and '&' between them.
        let keys = long_keys(60);
        for value in [&b"x"[..], b""] {
            let entries: Vec<(Vec<u8>, Vec<u8>)> =
                keys.iter().map(|k| (k.clone(), value.to_vec())).collect();
            let mut input = SignInput::with_capacity(0);
            input.extend(
                entries
                    .iter()
                    .map(|(k, v)| (Scalar::bytes(k), Scalar::bytes(v))),
            );
            input.set_appkey(Scalar::bytes(b"K"));
            let order = input.byte_order();
            assert_eq!(input.signature(&order), model(&entries, b"K").1);
        }
    }

    #[test]
    fn keys_alike_in_their_first_sixteen_bytes_are_ordered_by_the_rest() {
        let mut input = SignInput::new();
        for k in ["abcdefghijklmnopZ", "abcdefghijklmnopA", "abcdefghijklmnop"] {
            input.insert(Scalar::bytes(k.as_bytes()), Scalar::bytes(b"v"));
        }
        let mut joined = Vec::new();
        input.join_into(&input.byte_order(), &mut joined);
        assert_eq!(
            joined,
            b"abcdefghijklmnop=v&abcdefghijklmnopa=v&abcdefghijklmnopz=v"
        );
    }

    #[test]
    fn a_layout_matches_int_keys_and_whole_keys_only() {
        let mut input = SignInput::new();
        input.insert(Scalar::bytes(b"ab"), Scalar::bytes(b"1"));
        input.insert(Scalar::bytes(b"cd"), Scalar::bytes(b"2"));
        input.insert(Scalar::Int(7), Scalar::bytes(b"3"));
        input.set_appkey(Scalar::bytes(b"K"));
        let order = input.byte_order();
        let keys = [
            Scalar::bytes(b"ab"),
            Scalar::bytes(b"cd"),
            Scalar::Int(7),
            Scalar::bytes(b"appkey"),
        ];
        let mut layout = Layout::default();
        assert!(
            !layout.matcher().done(),
            "nothing remembered, nothing matched"
        );
        layout.remember(keys.clone(), &input, &order);
        let run = |given: &[Scalar<'_>]| {
            let mut m = layout.matcher();
            let all = given.iter().all(|k| m.next(k));
            (all, m.done())
        };
        assert_eq!(run(&keys), (true, true));
        assert_eq!(
            run(&keys[..3]),
            (true, false),
            "not done before the last key"
        );
        // The same bytes cut elsewhere are other keys.
        let shifted = [
            Scalar::bytes(b"abc"),
            Scalar::bytes(b"d"),
            Scalar::Int(7),
            Scalar::bytes(b"appkey"),
        ];
        assert!(!run(&shifted).0);
        let other_int = [
            Scalar::bytes(b"ab"),
            Scalar::bytes(b"cd"),
            Scalar::Int(8),
            Scalar::bytes(b"appkey"),
        ];
        assert_eq!(run(&other_int), (false, false));
        let int_after = [
            Scalar::bytes(b"ab"),
            Scalar::bytes(b"cd"),
            Scalar::Int(7),
            Scalar::bytes(b"appkey"),
        ];
        assert!(
            run(&int_after).0,
            "the int key is 8 bytes: the next key starts after it"
        );
    }

    #[test]
    fn a_layout_is_remembered_up_to_its_limits_exactly() {
        let remembered = |names: &[Vec<u8>]| {
            let mut input = SignInput::new();
            for n in names {
                input.insert(Scalar::bytes(n), Scalar::bytes(b"v"));
            }
            let order = input.byte_order();
            let mut layout = Layout::default();
            layout.remember(names.iter().map(|n| Scalar::bytes(n)), &input, &order);
            let mut m = layout.matcher();
            names.iter().all(|n| m.next(&Scalar::bytes(n))) && m.done()
        };
        let keys = |n: usize, len: usize| -> Vec<Vec<u8>> {
            (0..n).map(|i| format!("{i:0>len$}").into_bytes()).collect()
        };
        assert!(remembered(&keys(Layout::MAX_KEYS, 2)));
        assert!(!remembered(&keys(Layout::MAX_KEYS + 1, 2)));
        // 32 keys of 32 bytes: exactly MAX_BYTES; one byte more is too many.
        let mut at_limit = keys(Layout::MAX_KEYS, Layout::MAX_BYTES / Layout::MAX_KEYS);
        assert!(remembered(&at_limit));
        at_limit[0].push(b'x');
        assert!(!remembered(&at_limit));
    }

    #[test]
    fn a_remembered_layout_on_the_heap_fits_a_one_byte_appkey() {
        // 31 keys of 30 bytes: remembered (under MAX_BYTES), joined on the heap.
        let keys: Vec<Vec<u8>> = (0..31)
            .map(|i| format!("key_{i:0>26}").into_bytes())
            .collect();
        let mut input = SignInput::new();
        for k in &keys {
            input.insert(Scalar::bytes(k), Scalar::bytes(b""));
        }
        input.set_appkey(Scalar::bytes(b"K"));
        let order = input.byte_order();
        let mut layout = Layout::default();
        layout.remember(
            keys.iter()
                .map(|k| Scalar::bytes(k))
                .chain([Scalar::bytes(b"appkey")]),
            &input,
            &order,
        );
        let mut values: Vec<Scalar<'_>> = keys.iter().map(|_| Scalar::bytes(b"")).collect();
        values.push(Scalar::bytes(b"K"));
        let entries: Vec<(Vec<u8>, Vec<u8>)> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        assert_eq!(layout.signature(&values).unwrap(), model(&entries, b"K").1);
    }
}
