//! `wx_deliver_sign()`: PHP array in, `get_biz_sign()` signature out.

use crate::array;
use crate::convert::{self, NotScalar, PhpArray, PhpBytes};
use crate::engine;
use crate::exceptions::throw;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use wxpay_core::error::Error;
use wxpay_core::wire::layout::Layout;
use wxpay_core::wire::sign::{Order, SignInput};
use wxpay_core::wire::Scalar;

/// A value with no string form, found under `key` (shown escaped).
pub struct BadValue {
    pub key: String,
    pub what: NotScalar,
}

impl BadValue {
    /// The exception to throw, or `None` when a `__toString()` exception is
    /// already pending and must reach the caller unchanged.
    pub fn into_exception(self) -> Option<PhpException> {
        match self.what {
            NotScalar::Threw => None,
            what => {
                // A message quotes at most 64 characters of a key.
                let mut key: String = self.key.chars().take(64).collect();
                if key.len() < self.key.len() {
                    key.push_str("...");
                }
                Some(throw(Error::invalid(format!(
                    "the value of key '{key}' is {}, expected a scalar or a Stringable object",
                    what.describe()
                ))))
            }
        }
    }
}

/// A value whose string form is taken when the join reaches it.
pub struct Deferred<'a> {
    index: usize,
    key: Scalar<'a>,
    value: &'a Zval,
}

/// Reads `$params` as `get_biz_sign()`'s first loop does (`foreach` by
/// value into a lowercased array), into `input`.
///
/// Strings and ints are taken now, as `foreach` copies them now; bytes are
/// borrowed from the array (a by-value argument, so nothing the conversions
/// run can free them) except behind PHP references, which a `__toString()`
/// could reassign: those are copied. Everything else (objects, floats,
/// bools, null) is converted later by [`convert_deferred`], in the sorted
/// order in which `formatBizQueryParaMap` concatenates, and only the value
/// that survives a key collision: a `__toString()` with side effects, or a
/// `precision` it changes, gives the original's signature.
pub fn read_params<'a>(
    params: &'a ZendHashTable,
    deferred: &mut Vec<Deferred<'a>>,
) -> SignInput<'a> {
    let mut input = SignInput::with_capacity(params.len());
    let pairs = array::entries(params)
        .enumerate()
        .map(|(index, (key, value))| match plain(value) {
            Some(v) => (key, v),
            None => (key.clone(), read_other(index, key, value, deferred)),
        });
    input.extend(pairs);
    input
}

/// A value that is not [`plain`]: a string behind a reference (copied) or
/// an integer are read now; anything else is deferred.
#[cold]
fn read_other<'a>(
    index: usize,
    key: Scalar<'a>,
    value: &'a Zval,
    deferred: &mut Vec<Deferred<'a>>,
) -> Scalar<'a> {
    let z = convert::deref(value);
    if let Some(s) = z.zend_str() {
        Scalar::Bytes(Cow::Owned(s.as_bytes().to_vec()))
    } else if let Some(n) = z.long() {
        Scalar::Int(n)
    } else {
        deferred.push(Deferred { index, key, value });
        Scalar::Int(0)
    }
}

/// Converts the deferred values that the join will use, in its order.
pub fn convert_deferred<'a>(
    input: &mut SignInput<'a>,
    order: &Order,
    deferred: &[Deferred<'a>],
) -> Result<(), BadValue> {
    for slot in order {
        let Some(d) = deferred.iter().find(|d| d.index == slot.last) else {
            continue;
        };
        let value = match convert::to_scalar(d.value) {
            Ok(Scalar::Bytes(b)) => Scalar::Bytes(Cow::Owned(b.into_owned())),
            Ok(v) => v,
            Err(what) => {
                return Err(BadValue {
                    key: d.key.display(),
                    what,
                })
            }
        };
        input.set_value(d.index, value);
    }
    Ok(())
}

/// The order `ksort()` (called twice by WxPayHelper, in `get_biz_sign` and
/// again in `formatBizQueryParaMap`) leaves the keys in.
pub fn php_order(input: &SignInput<'_>) -> Order {
    if input.needs_engine_order() {
        engine_ksort(input)
    } else {
        input.byte_order()
    }
}

thread_local! {
    /// The keys this thread signed last, and their order (keys only).
    static LAYOUT: RefCell<Layout> = RefCell::default();
}

/// The keys `wx_deliver_sign` sees, in arrival order.
fn sign_keys<'a>(
    params: &'a ZendHashTable,
    appkey: Option<&Scalar<'a>>,
) -> impl Iterator<Item = Scalar<'a>> {
    let appkey = appkey.map(|_| Scalar::bytes(b"appkey"));
    array::entries(params).map(|(key, _)| key).chain(appkey)
}

/// A string or an integer, not behind a reference: read as it is, with
/// nothing to convert and nothing that user code could change.
fn plain(z: &Zval) -> Option<Scalar<'_>> {
    if z.is_reference() || z.is_indirect() {
        None
    } else if let Some(s) = z.zend_str() {
        Some(Scalar::bytes(s.as_bytes()))
    } else {
        z.long().map(Scalar::Int)
    }
}

/// The signature by the remembered layout, when `params` has the keys
/// signed last and only plain values; `None` otherwise.
fn sign_by_layout(
    params: &ZendHashTable,
    appkey: Option<&Scalar<'_>>,
) -> Option<wxpay_core::error::Result<[u8; 40]>> {
    LAYOUT.with_borrow(|layout| {
        let mut keys = layout.matcher();
        let mut values: SmallVec<[Scalar; 16]> = SmallVec::new();
        for (key, z) in array::entries(params) {
            if !keys.next(&key) {
                return None;
            }
            values.push(plain(z)?);
        }
        if let Some(appkey) = appkey {
            if !keys.next(&Scalar::bytes(b"appkey")) {
                return None;
            }
            values.push(appkey.clone());
        }
        keys.done().then(|| layout.signature(&values))
    })
}

/// A key as a zval plus its position: what `ksort`'s comparator reads.
struct SortItem {
    key: Zval,
    pos: usize,
    index: usize,
}

/// `php_array_key_compare_unstable_i`, made stable the way `ksort` does it
/// (ties broken by position).
unsafe extern "C" fn compare_items(a: *const c_void, b: *const c_void) -> c_int {
    // SAFETY: zend_sort passes pointers into the `SortItem` slice it sorts.
    let (a, b) = unsafe { (&*a.cast::<SortItem>(), &*b.cast::<SortItem>()) };
    let r = match (a.key.long(), b.key.long()) {
        (Some(x), Some(y)) => return if x > y { 1 } else { -1 },
        // SAFETY: both keys are strings here, owned by their zvals.
        (None, None) => unsafe { engine::wxpay_smart_strcmp(a.key.value.str_, b.key.value.str_) },
        // SAFETY: zend_compare only reads the two zvals.
        _ => unsafe {
            engine::wxpay_compare(
                std::ptr::from_ref(&a.key).cast_mut(),
                std::ptr::from_ref(&b.key).cast_mut(),
            )
        },
    };
    if r != 0 {
        r
    } else {
        a.pos.cmp(&b.pos) as c_int
    }
}

unsafe extern "C" fn swap_items(a: *mut c_void, b: *mut c_void) {
    // SAFETY: two distinct elements of the slice being sorted.
    unsafe { std::ptr::swap(a.cast::<SortItem>(), b.cast::<SortItem>()) }
}

/// The positions of distinct array keys (in insertion order) after
/// `passes` calls of the engine's `ksort`, each sorting the last one's
/// result (PHP's comparison is not transitive for mixed numeric keys, so a
/// second pass can move them again).
fn engine_sort<'k, 's: 'k>(
    keys: impl Iterator<Item = &'k Scalar<'s>>,
    passes: usize,
) -> Vec<usize> {
    let mut items: Vec<SortItem> = keys
        .enumerate()
        .map(|(index, k)| {
            let mut key = Zval::new();
            match k {
                Scalar::Int(n) => key.set_long(*n),
                Scalar::Bytes(s) => key.set_zend_string(ZendStr::new(&**s, false)),
            }
            SortItem {
                key,
                pos: index,
                index,
            }
        })
        .collect();
    for _ in 0..passes {
        // SAFETY: a contiguous array of `SortItem`s; the callbacks only read
        // and swap its elements.
        unsafe {
            engine::wxpay_sort(
                items.as_mut_ptr().cast(),
                items.len(),
                std::mem::size_of::<SortItem>(),
                compare_items,
                swap_items,
            );
        }
        for (pos, item) in items.iter_mut().enumerate() {
            item.pos = pos;
        }
    }
    items.iter().map(|i| i.index).collect()
}

fn engine_ksort(input: &SignInput<'_>) -> Order {
    let slots = input.insertion_order();
    let keys: Vec<&Scalar<'_>> = slots.iter().map(|&s| input.key(s)).collect();
    engine_sort(keys.into_iter(), 2)
        .into_iter()
        .map(|i| slots[i])
        .collect()
}

/// One `ksort()` of a PHP array's distinct keys, as positions: by bytes
/// unless two keys may compare as numbers, then by the engine's rule.
pub fn ksort_once<'k, 's: 'k>(keys: impl Iterator<Item = &'k Scalar<'s>>) -> Vec<usize> {
    let keys: SmallVec<[&Scalar<'_>; 16]> = keys.collect();
    if keys.iter().filter(|k| k.maybe_numeric()).nth(1).is_some() {
        return engine_sort(keys.into_iter(), 1);
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp_bytes(keys[b]));
    order
}

/// The 40 hex digits, handed to PHP without a Rust `String` in between.
pub struct Hex([u8; 40]);

impl ext_php_rs::convert::IntoZval for Hex {
    const TYPE: ext_php_rs::flags::DataType = ext_php_rs::flags::DataType::String;
    const NULLABLE: bool = false;

    fn set_zval(self, zv: &mut Zval, persistent: bool) -> ext_php_rs::error::Result<()> {
        zv.set_zend_string(ZendStr::new(self.0, persistent));
        Ok(())
    }
}

/// Signs an array as WxPayHelper::get_biz_sign() does, byte for byte.
///
/// With `$appkey === null` the array's own `appkey` entry (any letter case)
/// is the key, as in the 2014 sample. (A hand-written entry that reads the
/// call frame directly instead of ext-php-rs's argument parser measured
/// 2-3% faster: not worth its `unsafe`.)
#[php_function]
pub fn wx_deliver_sign(params: PhpArray, appkey: Option<PhpBytes>) -> PhpResult<Hex> {
    let params = params.check(1, "params")?;
    let appkey = appkey
        .map(|k| k.check(2, "appkey", "?string"))
        .transpose()?;
    if let Some(signed) = sign_by_layout(params, appkey.as_ref()) {
        return signed.map(Hex).map_err(throw);
    }
    let mut deferred = Vec::new();
    let mut input = read_params(params, &mut deferred);
    if let Some(key) = appkey.clone() {
        input.set_appkey(key);
    }
    let order = php_order(&input);
    let keys = sign_keys(params, appkey.as_ref());
    LAYOUT.with_borrow_mut(|layout| layout.remember(keys, &input, &order));
    if !deferred.is_empty() {
        if let Err(bad) = convert_deferred(&mut input, &order, &deferred) {
            // A __toString() exception is pending: it reaches the caller.
            return bad.into_exception().map_or(Ok(Hex([b'0'; 40])), Err);
        }
    }
    input.check_appkey(&order).map_err(throw)?;
    Ok(Hex(input.signature(&order)))
}

/// The function entry for `#[php_module]`.
pub fn php_function() -> ext_php_rs::builders::FunctionBuilder<'static> {
    wrap_function!(wx_deliver_sign)
}
