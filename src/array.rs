//! Reading a PHP array in order, straight from its storage.
//!
//! ext-php-rs's iterator makes four engine calls and copies the key for every
//! element, and its `iter()` panics on a non-UTF-8 key. Signing reads every
//! element of a small array on each call, so this walks the bucket array
//! itself; the layout is the engine's own header (bindgen; PHP >= 8.2, where
//! packed arrays hold bare zvals).

use ext_php_rs::types::{ZendHashTable, Zval};
use wxpay_core::sign::Scalar;

/// `HASH_FLAG_PACKED` (zend_hash.h): a list whose keys are its indexes.
const HASH_FLAG_PACKED: u32 = 1 << 2;

fn is_undef(z: &Zval) -> bool {
    // SAFETY: every zval has its type in the low byte of `u1.type_info`.
    unsafe { z.u1.type_info & 0xff == 0 }
}

/// Calls `f` on each element in order, with its key (an integer, or bytes
/// borrowed from the array); stops at the first error.
pub fn try_for_each<'a, E>(
    ht: &'a ZendHashTable,
    mut f: impl FnMut(Scalar<'a>, &'a Zval) -> Result<(), E>,
) -> Result<(), E> {
    let used = ht.nNumUsed as usize;
    // SAFETY: the engine keeps `nNumUsed` slots initialised (holes are
    // IS_UNDEF); which union member is live is given by HASH_FLAG_PACKED.
    // Nothing writes to the array while it is borrowed here.
    unsafe {
        if ht.u.flags & HASH_FLAG_PACKED != 0 {
            let slots = std::slice::from_raw_parts(ht.__bindgen_anon_1.arPacked.cast_const(), used);
            for (i, z) in slots.iter().enumerate() {
                if !is_undef(z) {
                    f(Scalar::Int(i as i64), z)?;
                }
            }
        } else {
            let buckets = std::slice::from_raw_parts(ht.__bindgen_anon_1.arData.cast_const(), used);
            for b in buckets {
                if is_undef(&b.val) {
                    continue;
                }
                let key = match b.key.as_ref() {
                    Some(s) => Scalar::bytes(s.as_bytes()),
                    None => Scalar::Int(b.h as i64),
                };
                f(key, &b.val)?;
            }
        }
    }
    Ok(())
}
