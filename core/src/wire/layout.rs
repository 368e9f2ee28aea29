//! The key-layout cache: the last key sequence signed and what it gave, so
//! that a callback signing the same keys again skips ordering them.

use super::sign::{empty_appkey, no_appkey, put, sha1_of_join, SignInput, Slot, INLINE};
use super::Scalar;
use crate::error::Result;
use smallvec::SmallVec;

/// The last key sequence signed, and what it gave: a callback signs arrays
/// with the same keys in the same order on every call, and matching them
/// against the last ones costs a fraction of lowercasing, ordering and
/// collapsing them again. Only keys are kept (field names, never a value),
/// so nothing secret outlives the call.
#[derive(Default)]
pub struct Layout {
    /// The keys as given, in arrival order: each one's length (or
    /// [`INT_KEY`] for an integer), and their bytes one after another.
    lens: SmallVec<[u32; INLINE]>,
    keys: Vec<u8>,
    /// The join without its values: for each key in order, the bytes
    /// written before its value (`&key=`), where they end, and the entry
    /// whose value follows.
    parts: Vec<u8>,
    part_ends: SmallVec<[u32; INLINE]>,
    values: SmallVec<[u32; INLINE]>,
    /// The entry whose value is the appkey.
    appkey: Option<u32>,
}

/// Marks an integer key in [`Layout::lens`].
const INT_KEY: u32 = u32::MAX;

impl Layout {
    /// Larger arrays are ordered afresh every time rather than remembered.
    pub(crate) const MAX_KEYS: usize = 32;
    pub(crate) const MAX_BYTES: usize = 1024;

    /// A check of the keys of a new array, given one by one in arrival
    /// order, against the remembered ones.
    pub fn matcher(&self) -> KeyMatch<'_> {
        KeyMatch {
            layout: self,
            n: 0,
            at: 0,
        }
    }

    /// Remembers `keys` (as given) and what `input`, built from them, gave:
    /// its keys in `order`.
    pub fn remember<'k>(
        &mut self,
        keys: impl IntoIterator<Item = Scalar<'k>>,
        input: &SignInput<'_>,
        order: &[Slot],
    ) {
        self.lens.clear();
        self.keys.clear();
        self.parts.clear();
        self.part_ends.clear();
        self.values.clear();
        self.appkey = None;
        let (count, size) = input.key_count_and_size();
        if count > Self::MAX_KEYS || size > Self::MAX_BYTES {
            return;
        }
        for key in keys {
            match key {
                Scalar::Int(k) => {
                    self.lens.push(INT_KEY);
                    self.keys.extend_from_slice(&k.to_le_bytes());
                }
                Scalar::Bytes(k) => {
                    self.lens.push(k.len() as u32);
                    self.keys.extend_from_slice(&k);
                }
            }
        }
        for (n, &slot) in order.iter().enumerate() {
            if n > 0 {
                self.parts.push(b'&');
            }
            input.key(slot).write_to(&mut self.parts);
            self.parts.push(b'=');
            self.part_ends.push(self.parts.len() as u32);
            self.values.push(slot.last as u32);
        }
        self.appkey = input.appkey_slot(order).map(|s| s.last as u32);
    }

    /// The signature of `values` (one per entry, in arrival order) under
    /// the remembered keys.
    #[inline]
    pub fn signature(&self, values: &[Scalar<'_>]) -> Result<[u8; 40]> {
        match self.appkey.map(|k| &values[k as usize]) {
            None => return Err(no_appkey()),
            Some(k) if k.is_empty() => return Err(empty_appkey()),
            Some(_) => {}
        }
        let size = self.parts.len() + values.iter().map(Scalar::max_len).sum::<usize>();
        Ok(sha1_of_join(size, |out| {
            let mut at = 0;
            let mut start = 0;
            for (&end, &v) in self.part_ends.iter().zip(&self.values) {
                at = put(out, at, &self.parts[start..end as usize]);
                at = values[v as usize].with_bytes(|v| put(out, at, v));
                start = end as usize;
            }
            at
        }))
    }
}

/// Compares keys with the ones a [`Layout`] remembers (see
/// [`Layout::matcher`]).
pub struct KeyMatch<'l> {
    layout: &'l Layout,
    /// Keys compared so far, and where the next one's bytes start.
    n: usize,
    at: usize,
}

impl KeyMatch<'_> {
    /// True when `key` is the next remembered key.
    #[inline(always)]
    pub fn next(&mut self, key: &Scalar<'_>) -> bool {
        let keys = &self.layout.keys;
        let (same, len) = match (key, self.layout.lens.get(self.n)) {
            (Scalar::Int(k), Some(&INT_KEY)) => (keys[self.at..self.at + 8] == k.to_le_bytes(), 8),
            (Scalar::Bytes(k), Some(&n)) if n as usize == k.len() => {
                (keys[self.at..self.at + k.len()] == **k, k.len())
            }
            _ => return false,
        };
        self.n += 1;
        self.at += len;
        same
    }

    /// True when every remembered key was matched.
    pub fn done(&self) -> bool {
        self.n == self.layout.lens.len() && self.n > 0
    }
}
