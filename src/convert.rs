//! Zval to bytes, the way PHP itself converts.
//!
//! ext-php-rs's `String` parameters reject non-UTF-8 and never coerce, and
//! `Zval::coerce_to_string` is a re-implementation that formats floats
//! differently; a payment signature must match PHP byte for byte, so strings
//! are read raw and every other scalar goes through the engine's own
//! `zval_get_string_func`.

use crate::engine;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::ffi::ZEND_ACC_STRICT_TYPES;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::{ce, ExecutorGlobals};
use std::borrow::Cow;
use wxpay_core::wire::Scalar;

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

/// `(string) $value` for anything PHP's string concatenation accepts;
/// integers are kept as integers (written in decimal when joined).
pub fn to_scalar(z: &Zval) -> Result<Scalar<'_>, NotScalar> {
    let z = deref(z);
    if let Some(s) = z.zend_str() {
        return Ok(Scalar::bytes(s.as_bytes()));
    }
    if let Some(n) = z.long() {
        return Ok(Scalar::Int(n));
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
    Ok(Scalar::Bytes(Cow::Owned(converted)))
}

/// The engine's own conversion: floats honour the run-time `precision` ini.
fn engine_string(z: &Zval) -> Vec<u8> {
    // SAFETY: `zval_get_string_func` reads the zval (calling __toString for
    // objects) and returns a new reference that the ZBox releases.
    unsafe {
        let raw = engine::wxpay_zval_string(std::ptr::from_ref(z).cast_mut());
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

/// The type name PHP's own TypeErrors use (`zend_zval_type_name`).
pub fn type_name(z: &Zval) -> String {
    let z = deref(z);
    if let Some(obj) = z.object() {
        let name = obj.get_class_name().unwrap_or_else(|_| "object".into());
        // An anonymous class is "class@anonymous\0/path/file.php:12$0": PHP's
        // own messages stop at the NUL, and so does this one.
        return name.split('\0').next().unwrap_or("object").to_string();
    }
    match z.get_type() {
        DataType::Null => "null",
        DataType::False | DataType::True | DataType::Bool => "bool",
        DataType::Long => "int",
        DataType::Double => "float",
        DataType::String => "string",
        DataType::Array => "array",
        DataType::Resource => "resource",
        _ => "mixed",
    }
    .into()
}

/// PHP's message for a parameter of the wrong type, thrown as `\TypeError`.
pub fn type_error(position: u32, name: &str, expected: &str, given: &str) -> PhpException {
    PhpException::new(
        format!(
            "{}(): Argument #{position} (${name}) must be of type {expected}, {given} given",
            engine::active_function()
        ),
        0,
        ce::type_error(),
    )
}

/// A `string` parameter with PHP's own rules: raw bytes, and in weak mode
/// ints, floats, bools and Stringable objects converted as PHP converts them.
/// A wrong type is kept (not rejected by ext-php-rs) so the function can
/// throw PHP's own TypeError message.
pub enum PhpBytes<'a> {
    Ok(Scalar<'a>),
    Wrong(String),
}

impl<'a> FromZval<'a> for PhpBytes<'a> {
    const TYPE: DataType = DataType::String;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let z = deref(zval);
        if let Some(s) = z.zend_str() {
            return Some(PhpBytes::Ok(Scalar::bytes(s.as_bytes())));
        }
        if z.is_null() {
            // Lets `Option<PhpBytes>` read it as `null`.
            return None;
        }
        let scalar = z.is_long() || z.is_double() || z.is_bool();
        let stringable = z
            .object()
            .is_some_and(|o| !o.get_class_entry().__tostring.is_null());
        if stringable || scalar && !caller_is_strict() {
            if let Ok(b) = to_scalar(z) {
                return Some(PhpBytes::Ok(b));
            }
        }
        Some(PhpBytes::Wrong(type_name(z)))
    }
}

impl<'a> PhpBytes<'a> {
    /// The bytes, or the TypeError for parameter `position`.
    pub fn check(self, position: u32, name: &str, expected: &str) -> PhpResult<Scalar<'a>> {
        match self {
            PhpBytes::Ok(b) => Ok(b),
            PhpBytes::Wrong(given) => Err(type_error(position, name, expected, &given)),
        }
    }
}

/// The `?string $access_token` first parameter of the API calls, as bytes.
pub fn token_param(token: Option<PhpBytes<'_>>) -> PhpResult<Option<Vec<u8>>> {
    token
        .map(|t| {
            t.check(1, "access_token", "?string")
                .map(Scalar::into_bytes)
        })
        .transpose()
}

/// `(?string $access_token, array $params, array $options = [])`, the
/// parameters every API call starts with.
pub struct ApiParams<'a> {
    pub token: Option<Vec<u8>>,
    pub params: &'a ZendHashTable,
    pub options: Option<&'a ZendHashTable>,
}

impl<'a> ApiParams<'a> {
    pub fn check(
        access_token: Option<PhpBytes<'_>>,
        params: PhpArray<'a>,
        options: PhpArray<'a>,
    ) -> PhpResult<Self> {
        Ok(ApiParams {
            token: token_param(access_token)?,
            params: params.check(2, "params")?,
            options: options.check_optional(3, "options")?,
        })
    }
}

/// An `array` parameter that reports a wrong type with PHP's own message.
pub enum PhpArray<'a> {
    Ok(&'a ZendHashTable),
    Wrong(String),
    /// An optional `array $x = []` the caller left out.
    Omitted,
}

impl StubLiteral for PhpArray<'_> {
    fn stub_literal(&self) -> String {
        "[]".into()
    }
}

impl<'a> FromZval<'a> for PhpArray<'a> {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let z = deref(zval);
        Some(match z.array() {
            Some(ht) => PhpArray::Ok(ht),
            None => PhpArray::Wrong(type_name(z)),
        })
    }
}

impl<'a> PhpArray<'a> {
    pub fn check(self, position: u32, name: &str) -> PhpResult<&'a ZendHashTable> {
        match self.check_optional(position, name)? {
            Some(ht) => Ok(ht),
            None => Err(type_error(position, name, "array", "nothing")),
        }
    }

    /// Like `check`, with `None` for an omitted optional array.
    pub fn check_optional(self, position: u32, name: &str) -> PhpResult<Option<&'a ZendHashTable>> {
        match self {
            PhpArray::Ok(ht) => Ok(Some(ht)),
            PhpArray::Omitted => Ok(None),
            PhpArray::Wrong(given) => Err(type_error(position, name, "array", &given)),
        }
    }
}

/// A `bool` parameter with PHP's own rules: in weak mode ints, floats and
/// strings are coerced as PHP coerces them; under strict_types anything but
/// a bool is PHP's TypeError. (A `null` never gets here: the wrapper in
/// `src/engine.c` applies PHP's rule for null first.)
pub enum PhpBool {
    Given(bool),
    Wrong(String),
}

impl StubLiteral for PhpBool {
    fn stub_literal(&self) -> String {
        match self {
            PhpBool::Given(true) => "true".into(),
            _ => "false".into(),
        }
    }
}

impl<'a> FromZval<'a> for PhpBool {
    const TYPE: DataType = DataType::Bool;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        let z = deref(zval);
        if let Some(b) = z.bool() {
            return Some(PhpBool::Given(b));
        }
        if caller_is_strict() {
            return Some(PhpBool::Wrong(type_name(z)));
        }
        Some(if let Some(n) = z.long() {
            PhpBool::Given(n != 0)
        } else if let Some(f) = z.double() {
            PhpBool::Given(f != 0.0) // NAN is true, as in PHP
        } else if let Some(s) = z.zend_str() {
            PhpBool::Given(!matches!(s.as_bytes(), b"" | b"0"))
        } else {
            PhpBool::Wrong(type_name(z))
        })
    }
}

impl PhpBool {
    pub fn check(self, position: u32, name: &str) -> PhpResult<bool> {
        match self {
            PhpBool::Given(b) => Ok(b),
            PhpBool::Wrong(given) => Err(type_error(position, name, "bool", &given)),
        }
    }
}
