//! The `wxpay.*` ini directives, registered from the core's settings table
//! and checked when set.
//!
//! A bad value in php.ini is reported at startup (a warning naming the
//! directive) and in `php --ri wxpay`, and the calls that need it throw
//! `WxPay\ConfigurationException`; `ini_set()` refuses a bad value. URLs
//! that may carry credentials are shown with their user-info masked.

use crate::{engine, settings};
use ext_php_rs::error::php_error;
use ext_php_rs::ffi::{php_printf, sapi_module, zend_ini_entry, zend_string};
use ext_php_rs::flags::{ErrorType, IniEntryPermission};
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use std::ffi::{c_int, c_void, CString};
use std::sync::atomic::Ordering;
use wxpay_core::config::{Scope, Setting, Shown, INI_COUNT, SETTINGS};
use wxpay_core::secrets::masked;

const fn def(s: &'static Setting) -> IniEntryDef {
    let permission = match s.scope {
        Scope::Server => IniEntryPermission::System,
        _ => IniEntryPermission::All,
    };
    let mut e = IniEntryDef::new(s.ini, s.default, permission);
    e.on_modify = Some(on_modify);
    e.mh_arg1 = std::ptr::from_ref(s).cast_mut().cast::<c_void>();
    if matches!(s.shown, Shown::Masked) {
        e.displayer = Some(display_masked);
    }
    e
}

/// One entry per directive of the settings table, and the terminator.
static ENTRIES: IniEntryDefs<{ INI_COUNT + 1 }> = IniEntryDefs::new({
    let mut entries = [const { IniEntryDef::end() }; INI_COUNT + 1];
    let (mut i, mut n) = (0, 0);
    while i < SETTINGS.len() {
        if !matches!(SETTINGS[i].scope, Scope::Option) {
            entries[n] = def(&SETTINGS[i]);
            n += 1;
        }
        i += 1;
    }
    entries
});

pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
}

/// The directives whose current value cannot be used, and why.
pub fn problems() -> impl Iterator<Item = String> {
    SETTINGS
        .iter()
        .filter(|s| s.is_directive())
        .filter_map(|s| s.check(&engine::ini(s.ini)).err().map(|e| e.to_string()))
}

// zend_ini.h
const STAGE_STARTUP: c_int = 1 << 0;
const STAGE_RUNTIME: c_int = 1 << 4;
const STAGE_HTACCESS: c_int = 1 << 5;
const SUCCESS: c_int = 0;
const FAILURE: c_int = -1;
const DISPLAY_ORIG: c_int = 1;

fn zend_str_text(s: *mut zend_string) -> String {
    // SAFETY: the engine passes a live zend_string or null.
    unsafe { s.as_ref() }
        .map(|z| String::from_utf8_lossy(z.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// Checks a new value. From php.ini (startup) a bad value is kept, with a
/// warning, so `php --ri` can show it and calls can name it; `ini_set()`
/// and .htaccess get a refusal.
unsafe extern "C" fn on_modify(
    _entry: *mut zend_ini_entry,
    new_value: *mut zend_string,
    arg: *mut c_void,
    _: *mut c_void,
    _: *mut c_void,
    stage: c_int,
) -> c_int {
    let result = std::panic::catch_unwind(|| {
        // Whatever happens below, cached configurations are stale.
        settings::GENERATION.fetch_add(1, Ordering::AcqRel);
        // SAFETY: `arg` is the `&'static Setting` that `def` stored.
        let Some(s) = (unsafe { arg.cast::<Setting>().as_ref() }) else {
            return SUCCESS;
        };
        let Err(why) = s.check(&zend_str_text(new_value)) else {
            return SUCCESS;
        };
        match stage {
            STAGE_STARTUP => {
                php_error(
                    &ErrorType::Warning,
                    &format!("{why}; the calls that need it throw WxPay\\ConfigurationException until it is fixed"),
                );
                SUCCESS
            }
            STAGE_RUNTIME | STAGE_HTACCESS => {
                php_error(
                    &ErrorType::Warning,
                    &format!("{why}; the value was not changed"),
                );
                FAILURE
            }
            // fpm pool values and restores: checked again by every call.
            _ => SUCCESS,
        }
    });
    result.unwrap_or(FAILURE)
}

/// phpinfo's value column for a URL that may carry credentials.
unsafe extern "C" fn display_masked(entry: *mut zend_ini_entry, kind: c_int) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: the engine passes its live entry.
        let Some(e) = (unsafe { entry.as_ref() }) else {
            return;
        };
        // `modified` is a uint8_t before PHP 8.6 and a bool from 8.6 on:
        // the conversion is a no-op on one and needed on the other.
        #[allow(clippy::useless_conversion)]
        let raw = if kind == DISPLAY_ORIG && u8::from(e.modified) != 0 {
            e.orig_value
        } else {
            e.value
        };
        let value = zend_str_text(raw);
        let shown = if value.is_empty() {
            "no value".to_string()
        } else {
            masked(&value)
        };
        // SAFETY: a plain read of the SAPI's flag.
        let html = unsafe { sapi_module.phpinfo_as_text } == 0;
        let shown = if html { escape_html(&shown) } else { shown };
        if let Ok(c) = CString::new(shown) {
            // SAFETY: "%s" with one NUL-terminated argument.
            unsafe { php_printf(c"%s".as_ptr(), c.as_ptr()) };
        }
    });
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
