//! Engine functions that ext-php-rs does not bind, resolved at run time.
//!
//! They are exported by the PHP binary. Declaring them in an `extern` block
//! would make the .so fail to load wherever they are absent (`cargo php
//! stubs` dlopens it with only ext-php-rs's own symbols), so they are looked
//! up once with `dlsym(RTLD_DEFAULT, ..)`. On x86_64 `ZEND_FASTCALL` is the
//! plain C convention.

use ext_php_rs::ffi::{zend_class_entry, zend_module_entry, zend_object, zend_string, zval, HashTable};
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::OnceLock;

pub type CompareFn = unsafe extern "C" fn(*const c_void, *const c_void) -> c_int;
pub type SwapFn = unsafe extern "C" fn(*mut c_void, *mut c_void);

pub struct Engine {
    /// `zval_get_string_func`: PHP's own `(string)` conversion (floats honour `precision`).
    pub zval_get_string: unsafe extern "C" fn(*mut zval) -> *mut zend_string,
    /// `zendi_smart_strcmp`: string-vs-string key comparison of `ksort`.
    pub smart_strcmp: unsafe extern "C" fn(*mut zend_string, *mut zend_string) -> c_int,
    /// `zend_compare`: int-vs-string key comparison of `ksort`.
    pub compare: unsafe extern "C" fn(*mut zval, *mut zval) -> c_int,
    /// `zend_sort`: the hybrid insertion sort behind `ksort`.
    pub sort: unsafe extern "C" fn(*mut c_void, usize, usize, CompareFn, SwapFn),
    /// `zend_ini_string_ex`: the current value of one ini directive.
    pub ini_string: unsafe extern "C" fn(*const c_char, usize, c_int, *mut bool) -> *mut c_char,
    /// `display_ini_entries`: the directive table of `phpinfo()`.
    pub display_ini_entries: unsafe extern "C" fn(*mut zend_module_entry),
    /// `zend_add_attribute`: attaches `#[SensitiveParameter]` to our parameters.
    pub add_attribute: unsafe extern "C" fn(*mut *mut HashTable, *mut zend_string, u32, u32, u32, u32) -> *mut c_void,
    /// `zend_update_property_long`: sets a (protected) property with a scope.
    pub update_property_long: unsafe extern "C" fn(*mut zend_class_entry, *mut zend_object, *const c_char, usize, i64),
    /// `zend_update_property_stringl`.
    pub update_property_stringl:
        unsafe extern "C" fn(*mut zend_class_entry, *mut zend_object, *const c_char, usize, *const c_char, usize),
}

static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();

fn lookup(name: &CStr) -> Result<*mut c_void, String> {
    // SAFETY: dlsym with RTLD_DEFAULT only reads the loaded symbol tables.
    let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    if p.is_null() {
        Err(format!("the PHP engine does not export {}", name.to_string_lossy()))
    } else {
        Ok(p)
    }
}

fn resolve() -> Result<Engine, String> {
    // SAFETY: each symbol is transmuted to the signature PHP 8.1-8.4 declare for it.
    unsafe {
        Ok(Engine {
            zval_get_string: std::mem::transmute::<*mut c_void, _>(lookup(c"zval_get_string_func")?),
            smart_strcmp: std::mem::transmute::<*mut c_void, _>(lookup(c"zendi_smart_strcmp")?),
            compare: std::mem::transmute::<*mut c_void, _>(lookup(c"zend_compare")?),
            sort: std::mem::transmute::<*mut c_void, _>(lookup(c"zend_sort")?),
            ini_string: std::mem::transmute::<*mut c_void, _>(lookup(c"zend_ini_string_ex")?),
            display_ini_entries: std::mem::transmute::<*mut c_void, _>(lookup(c"display_ini_entries")?),
            add_attribute: std::mem::transmute::<*mut c_void, _>(lookup(c"zend_add_attribute")?),
            update_property_long: std::mem::transmute::<*mut c_void, _>(lookup(c"zend_update_property_long")?),
            update_property_stringl: std::mem::transmute::<*mut c_void, _>(lookup(c"zend_update_property_stringl")?),
        })
    }
}

/// Resolves the symbols; called from module startup so a missing one is
/// reported when PHP starts, not in the middle of a payment callback.
pub fn init() -> Result<(), String> {
    ENGINE.get_or_init(resolve).as_ref().map(|_| ()).map_err(Clone::clone)
}

/// The resolved engine functions. Startup fails if they are missing, so a
/// PHP-callable function can never observe the error case.
pub fn get() -> &'static Engine {
    match ENGINE.get_or_init(resolve) {
        Ok(e) => e,
        Err(msg) => panic!("{msg}"),
    }
}

/// The current value of an ini directive ("" when unset or unknown).
pub fn ini(name: &CStr) -> String {
    let mut exists = false;
    // SAFETY: the engine returns a NUL-terminated string owned by the ini
    // table; it is copied before anything can change the directive.
    unsafe {
        let p = (get().ini_string)(name.as_ptr(), name.to_bytes().len(), 0, &mut exists);
        if p.is_null() {
            String::new()
        } else {
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }
}
