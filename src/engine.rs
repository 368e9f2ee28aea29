//! Engine calls that ext-php-rs does not bind, through `src/engine.c`.
//!
//! The shim is compiled against the target PHP's headers (build.rs), so the
//! C compiler checks every engine signature and calling convention and picks
//! the NTS or ZTS globals; the declarations below are of the shim's own
//! plain-C functions.

use ext_php_rs::ffi::{zend_class_entry, zend_module_entry, zend_object, zend_string, zval};
use std::ffi::{c_char, c_int, c_void, CStr};

pub type CompareFn = unsafe extern "C" fn(*const c_void, *const c_void) -> c_int;
pub type SwapFn = unsafe extern "C" fn(*mut c_void, *mut c_void);

extern "C" {
    pub fn wxpay_zval_string(op: *mut zval) -> *mut zend_string;
    pub fn wxpay_smart_strcmp(a: *mut zend_string, b: *mut zend_string) -> c_int;
    pub fn wxpay_compare(a: *mut zval, b: *mut zval) -> c_int;
    pub fn wxpay_sort(base: *mut c_void, count: usize, size: usize, cmp: CompareFn, swp: SwapFn);
    fn wxpay_ini_string(name: *const c_char, len: usize) -> *const c_char;
    pub fn wxpay_display_ini_entries(module: *mut zend_module_entry);
    fn wxpay_mark_sensitive(
        name: *const c_char,
        len: usize,
        params: *const u32,
        count: usize,
    ) -> c_int;
    fn wxpay_wrap_null_args(module_name: *const c_char, len: usize) -> c_int;
    fn wxpay_inside_call() -> bool;
    fn wxpay_request_start();
    fn wxpay_active_function() -> *const c_char;
    fn wxpay_active_class() -> *const c_char;
    fn wxpay_constant(name: *const c_char, len: usize) -> *mut zval;
    pub fn wxpay_set_exception_fields(
        scope: *mut zend_class_entry,
        object: *mut zend_object,
        message: *const c_char,
        len: usize,
        code: i64,
    );
}

/// The current value of an ini directive ("" when unset or unknown).
pub fn ini(name: &CStr) -> String {
    // SAFETY: the engine returns a NUL-terminated string owned by the ini
    // table (or NULL); it is copied before anything can change the directive.
    unsafe {
        let p = wxpay_ini_string(name.as_ptr(), name.to_bytes().len());
        if p.is_null() {
            String::new()
        } else {
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }
}

/// Marks the zero-based `params` of the internal function `name`
/// `#[\SensitiveParameter]`. Module startup only.
pub fn mark_sensitive(name: &str, params: &[u32]) -> Result<(), String> {
    // SAFETY: module startup runs single-threaded with the function table
    // complete; the shim only reads `name` and `params` for the call.
    let marked = unsafe {
        wxpay_mark_sensitive(
            name.as_ptr().cast(),
            name.len(),
            params.as_ptr(),
            params.len(),
        )
    };
    if marked < 0 {
        Err(format!("{name} is not registered"))
    } else {
        Ok(())
    }
}

/// Gives every function of the module PHP's own handling of a `null`
/// passed to a parameter that does not accept it (see `src/engine.c`).
/// Module startup only.
pub fn wrap_null_args(module: &str) -> Result<(), String> {
    // SAFETY: module startup runs single-threaded with the function table
    // complete; the shim only reads `module` for the call.
    let wrapped = unsafe { wxpay_wrap_null_args(module.as_ptr().cast(), module.len()) };
    if wrapped <= 0 {
        Err(format!("the functions of {module} could not be wrapped"))
    } else {
        Ok(())
    }
}

/// Whether this thread is running a wxpay function (see `src/engine.c`).
pub fn inside_call() -> bool {
    // SAFETY: reads a thread-local flag of the shim; no arguments.
    unsafe { wxpay_inside_call() }
}

/// The name of the function being called, as PHP registered it
/// (`Class::method` for a method): the prefix of every message a wxpay
/// function throws, so the name is written once, as the Rust function's.
pub fn active_function() -> String {
    // SAFETY: the engine returns NULL or NUL-terminated names owned by the
    // function and class tables, which outlive the call; they are copied
    // at once.
    unsafe {
        let p = wxpay_active_function();
        if p.is_null() {
            return "wxpay".into();
        }
        let name = CStr::from_ptr(p).to_string_lossy();
        let class = wxpay_active_class();
        if class.is_null() || *class == 0 {
            name.into_owned()
        } else {
            format!("{}::{name}", CStr::from_ptr(class).to_string_lossy())
        }
    }
}

/// A copy of the constant `name` (`define()`d by the shop), if defined.
pub fn constant(name: &str) -> Option<ext_php_rs::types::Zval> {
    // SAFETY: the engine returns NULL or a zval owned by the constants
    // table; it is copied (reference counted) at once.
    unsafe {
        let p = wxpay_constant(name.as_ptr().cast(), name.len());
        p.cast::<ext_php_rs::types::Zval>()
            .as_ref()
            .map(|z| z.shallow_clone())
    }
}

/// A request starts: no wxpay function is running on this thread.
pub fn request_start() {
    // SAFETY: clears a thread-local flag of the shim; no arguments.
    unsafe { wxpay_request_start() }
}
