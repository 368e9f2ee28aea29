//! `#[\SensitiveParameter]` on every parameter that can carry a secret, so
//! stack traces (`getTraceAsString()`, uncaught-exception logs) show
//! `Object(SensitiveParameterValue)` instead of a token, appkey or appsecret.
//! php-src marks `password_hash()` the same way.

use crate::engine;
use ext_php_rs::ffi::zend_function;
use ext_php_rs::types::ZendStr;

/// `ZEND_ATTRIBUTE_PERSISTENT`: internal functions live for the process.
const PERSISTENT: u32 = 1;

/// Marks the zero-based `params` of the internal function `name`.
pub fn mark(name: &str, params: &[u32]) -> Result<(), String> {
    // SAFETY: module startup runs single-threaded with the compiler globals
    // (non-ZTS build) holding the live function table.
    let table = unsafe { ext_php_rs::ffi::compiler_globals.function_table.as_ref() }.ok_or("no function table")?;
    let entry = table.get(name).ok_or_else(|| format!("{name} is not registered"))?;
    // SAFETY: function-table entries are IS_PTR zvals holding a zend_function.
    let func = unsafe { entry.ptr::<zend_function>() }.ok_or_else(|| format!("{name} has no function entry"))?;
    let attr_name = ZendStr::new_interned("SensitiveParameter", true).into_raw();
    for &p in params {
        // SAFETY: what zend_add_parameter_attribute() (an inline in
        // zend_attributes.h) does for an internal function.
        unsafe {
            (engine::get().add_attribute)(&raw mut (*func).common.attributes, attr_name, 0, PERSISTENT, p + 1, 0);
        }
    }
    Ok(())
}
