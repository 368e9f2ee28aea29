//! Reading a PHP array in order, straight from its storage.
//!
//! ext-php-rs's iterator makes four engine calls and copies the key for every
//! element, and its `iter()` panics on a non-UTF-8 key. Signing reads every
//! element of a small array on each call, so this walks the bucket array
//! itself; the layout is the engine's own header (bindgen; PHP >= 8.2, where
//! packed arrays hold bare zvals).

use ext_php_rs::types::{ZendHashTable, Zval};
use wxpay_core::wire::Scalar;

/// `HASH_FLAG_PACKED` (zend_hash.h): a list whose keys are its indexes.
const HASH_FLAG_PACKED: u32 = 1 << 2;

fn is_undef(z: &Zval) -> bool {
    // SAFETY: every zval has its type in the low byte of `u1.type_info`.
    unsafe { z.u1.type_info & 0xff == 0 }
}

/// The elements in order, each with its key (an integer, or bytes borrowed
/// from the array).
pub fn entries(ht: &ZendHashTable) -> impl Iterator<Item = (Scalar<'_>, &Zval)> {
    let used = ht.nNumUsed as usize;
    // SAFETY: the engine keeps `nNumUsed` slots initialised (holes are
    // IS_UNDEF); which union member is live is given by HASH_FLAG_PACKED.
    // Nothing writes to the array while it is borrowed here.
    let (packed, buckets) = unsafe {
        if ht.u.flags & HASH_FLAG_PACKED != 0 {
            let slots = std::slice::from_raw_parts(ht.__bindgen_anon_1.arPacked.cast_const(), used);
            (slots, &[][..])
        } else {
            let buckets = std::slice::from_raw_parts(ht.__bindgen_anon_1.arData.cast_const(), used);
            (&[][..], buckets)
        }
    };
    let list = packed.iter().enumerate().filter(|(_, z)| !is_undef(z));
    let list = list.map(|(i, z)| (Scalar::Int(i as i64), z));
    // A hole's key may already be freed: skipped before it is read.
    let map = buckets.iter().filter(|b| !is_undef(&b.val)).map(|b| {
        // SAFETY: a used bucket's key is null or a live zend_string.
        let key = match unsafe { b.key.as_ref() } {
            Some(s) => Scalar::bytes(s.as_bytes()),
            None => Scalar::Int(b.h as i64),
        };
        (key, &b.val)
    });
    list.chain(map)
}

/// Calls `f` on each element in order, with its key; stops at the first
/// error.
pub fn try_for_each<'a, E>(
    ht: &'a ZendHashTable,
    mut f: impl FnMut(Scalar<'a>, &'a Zval) -> Result<(), E>,
) -> Result<(), E> {
    entries(ht).try_for_each(|(key, value)| f(key, value))
}
