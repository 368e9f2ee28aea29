//! Zval to bytes, the way PHP itself converts.
//!
//! ext-php-rs's `String` parameters reject non-UTF-8 and never coerce, and
//! `Zval::coerce_to_string` is a re-implementation that formats floats
//! differently; a payment signature must match PHP byte for byte, so strings
//! are read raw and every other scalar goes through the engine's own
//! `zval_get_string_func`.

use crate::engine;
use ext_php_rs::convert::FromZval;
use ext_php_rs::ffi::ZEND_ACC_STRICT_TYPES;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendStr, Zval};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::zend::ExecutorGlobals;
use std::borrow::Cow;

/// Why a value has no string form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotScalar {
    Array,
    Resource,
    /// An object whose class has no `__toString`.
    Object,
    /// `__toString` threw; the exception is pending and must propagate.
    Threw,
}

impl NotScalar {
    pub fn describe(self) -> &'static str {
        match self {
            NotScalar::Array => "an array",
            NotScalar::Resource => "a resource",
            NotScalar::Object => "an object without __toString()",
            NotScalar::Threw => "an object whose __toString() threw",
        }
    }
}

/// Follows references and the INDIRECT slots of symbol-table arrays.
pub fn deref(z: &Zval) -> &Zval {
    let z = z.indirect().unwrap_or(z);
    z.dereference()
}

/// `(string) $value` for anything PHP's string concatenation accepts.
pub fn to_bytes(z: &Zval) -> Result<Cow<'_, [u8]>, NotScalar> {
    let z = deref(z);
    if let Some(s) = z.zend_str() {
        return Ok(Cow::Borrowed(s.as_bytes()));
    }
    if let Some(n) = z.long() {
        return Ok(Cow::Owned(n.to_string().into_bytes()));
    }
    if z.is_array() {
        return Err(NotScalar::Array);
    }
    if z.is_resource() {
        return Err(NotScalar::Resource);
    }
    if let Some(obj) = z.object() {
        if obj.get_class_entry().__tostring.is_null() {
            return Err(NotScalar::Object);
        }
    }
    let converted = engine_string(z);
    if ExecutorGlobals::has_exception() {
        return Err(NotScalar::Threw);
    }
    Ok(Cow::Owned(converted))
}

/// The engine's own conversion: floats honour the run-time `precision` ini.
fn engine_string(z: &Zval) -> Vec<u8> {
    // SAFETY: `zval_get_string_func` reads the zval (calling __toString for
    // objects) and returns a new reference that the ZBox releases.
    unsafe {
        let raw = (engine::get().zval_get_string)(std::ptr::from_ref(z).cast_mut());
        let owned: ZBox<ZendStr> = ZBox::from_raw(raw);
        owned.as_bytes().to_vec()
    }
}

/// Whether the PHP code calling the running internal function declared
/// `strict_types=1` (what `ZEND_ARG_USES_STRICT_TYPES()` tests).
fn caller_is_strict() -> bool {
    let eg = ExecutorGlobals::get();
    // SAFETY: frames and their functions are live while the call runs.
    unsafe {
        eg.current_execute_data
            .as_ref()
            .and_then(|ex| ex.prev_execute_data.as_ref())
            .and_then(|caller| caller.func.as_ref())
            .is_some_and(|f| f.common.fn_flags & ZEND_ACC_STRICT_TYPES != 0)
    }
}

/// A `string` parameter with PHP's own rules: raw bytes, and in weak mode
/// ints, floats, bools and Stringable objects converted as PHP converts them.
pub struct PhpBytes<'a>(pub Cow<'a, [u8]>);

impl<'a> FromZval<'a> for PhpBytes<'a> {
    const TYPE: DataType = DataType::String;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let z = deref(zval);
        if let Some(s) = z.zend_str() {
            return Some(PhpBytes(Cow::Borrowed(s.as_bytes())));
        }
        let coercible = z.is_long() || z.is_double() || z.is_bool() || z.is_object();
        if !coercible || z.is_null() || caller_is_strict() && !z.is_object() {
            return None;
        }
        to_bytes(z).ok().map(PhpBytes)
    }
}
