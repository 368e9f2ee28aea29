//! `wx_deliver_sign()`: PHP array in, `get_biz_sign()` signature out.

use crate::convert::{self, NotScalar, PhpArray, PhpBytes};
use crate::engine;
use crate::exceptions::invalid_argument;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::array::Iter;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use wxpay_core::sign::{Key, SignInput};

/// Why a PHP array could not be turned into a [`SignInput`].
pub enum ReadError {
    /// A value has no string form; the key is shown escaped.
    Value { key: String, what: NotScalar },
}

impl ReadError {
    /// The exception to throw, or `None` when a `__toString()` exception is
    /// already pending and must reach the caller unchanged.
    pub fn into_exception(self, function: &str) -> Option<PhpException> {
        match self {
            ReadError::Value { what: NotScalar::Threw, .. } => None,
            ReadError::Value { key, what } => Some(invalid_argument(format!(
                "{function}(): the value of key '{key}' is {}, expected a scalar or a Stringable object",
                what.describe()
            ))),
        }
    }
}

/// Reads `$params` as `get_biz_sign()`'s first loop does.
///
/// Bytes are borrowed from the array (it is a by-value argument, so nothing
/// the conversion runs can free them), except behind PHP references, which a
/// `__toString()` could reassign while we read: those are copied.
pub fn read_params<'a>(params: &'a ZendHashTable) -> Result<SignInput<'a>, ReadError> {
    let mut input = SignInput::with_capacity(params.len());
    let mut iter = Iter::new(params);
    while let Some((key, value)) = iter.next_zval() {
        let key = read_key(&key);
        let bytes = match convert::to_bytes(value) {
            Ok(b) if value.is_reference() || value.is_indirect() => Cow::Owned(b.into_owned()),
            Ok(b) => b,
            Err(what) => return Err(ReadError::Value { key: key.display(), what }),
        };
        input.insert(key, bytes);
    }
    Ok(input)
}

fn read_key<'a>(key: &Zval) -> Key<'a> {
    match key.zend_str() {
        // SAFETY: the key string is also held by the array, which outlives 'a
        // and is not modified while it is read (see `read_params`).
        Some(s) => Key::Str(Cow::Borrowed(unsafe { std::slice::from_raw_parts(s.as_bytes().as_ptr(), s.len()) })),
        None => Key::Int(key.long().unwrap_or_default()),
    }
}

/// The order `ksort()` (called twice by WxPayHelper, once in `get_biz_sign`
/// and again in `formatBizQueryParaMap`) leaves the keys in.
pub fn php_order(input: &SignInput<'_>) -> Vec<usize> {
    if input.needs_engine_order() {
        engine_ksort(input)
    } else {
        input.byte_order()
    }
}

/// A key as a zval plus its position, the two things `ksort`'s comparator reads.
#[repr(C)]
struct Slot {
    key: Zval,
    pos: usize,
    index: usize,
}

/// `php_array_key_compare_unstable_i` wrapped the way `ksort` makes it stable.
unsafe extern "C" fn compare_slots(a: *const c_void, b: *const c_void) -> c_int {
    let (a, b) = unsafe { (&*a.cast::<Slot>(), &*b.cast::<Slot>()) };
    let e = engine::get();
    let r = match (a.key.long(), b.key.long()) {
        (Some(x), Some(y)) => return if x > y { 1 } else { -1 },
        (None, None) => unsafe { (e.smart_strcmp)(a.key.value.str_, b.key.value.str_) },
        _ => unsafe {
            (e.compare)(std::ptr::from_ref(&a.key).cast_mut(), std::ptr::from_ref(&b.key).cast_mut())
        },
    };
    if r != 0 {
        r
    } else {
        (a.pos.cmp(&b.pos)) as c_int
    }
}

unsafe extern "C" fn swap_slots(a: *mut c_void, b: *mut c_void) {
    unsafe { std::ptr::swap(a.cast::<Slot>(), b.cast::<Slot>()) }
}

fn engine_ksort(input: &SignInput<'_>) -> Vec<usize> {
    let mut slots: Vec<Slot> = input
        .keys()
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let mut z = Zval::new();
            match k {
                Key::Int(n) => z.set_long(*n),
                Key::Str(s) => z.set_zend_string(ZendStr::new(&**s, false)),
            }
            Slot { key: z, pos: i, index: i }
        })
        .collect();
    for _ in 0..2 {
        // SAFETY: `slots` is a contiguous array of `Slot`s; the callbacks only
        // read and swap elements of it.
        unsafe {
            (engine::get().sort)(
                slots.as_mut_ptr().cast(),
                slots.len(),
                std::mem::size_of::<Slot>(),
                compare_slots,
                swap_slots,
            );
        }
        for (p, slot) in slots.iter_mut().enumerate() {
            slot.pos = p;
        }
    }
    slots.iter().map(|s| s.index).collect()
}

thread_local! {
    /// The joined `k=v&...` string, reused across calls.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Signs an array as WxPayHelper::get_biz_sign() does, byte for byte.
///
/// With `$appkey === null` the array's own `appkey` entry (any letter case)
/// is the key, as in the 2014 sample.
#[php_function]
#[php(name = "wx_deliver_sign")]
pub fn wx_deliver_sign(params: PhpArray, appkey: Option<PhpBytes>) -> PhpResult<String> {
    const NAME: &str = "wx_deliver_sign";
    let params = params.check(NAME, 1, "params")?;
    let appkey = appkey.map(|k| k.check(NAME, 2, "appkey", "?string")).transpose()?;
    let mut input = match read_params(params) {
        Ok(input) => input,
        Err(e) => return e.into_exception(NAME).map_or(Ok(String::new()), Err),
    };
    input.set_appkey(appkey).map_err(|e| invalid_argument(format!("{NAME}(): {e}")))?;
    let order = php_order(&input);
    Ok(SCRATCH.with_borrow_mut(|scratch| input.signature(&order, scratch)))
}

/// The function entry for `#[php_module]`.
pub fn php_function() -> ext_php_rs::builders::FunctionBuilder<'static> {
    wrap_function!(wx_deliver_sign)
}
