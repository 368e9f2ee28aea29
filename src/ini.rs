//! The `wxpay.*` ini directives: declared once, checked when set.
//!
//! A bad value in php.ini is reported at startup (a warning naming the
//! directive) and in `php --ri wxpay`, and the calls that need it throw
//! `WxPay\ConfigurationException`; `ini_set()` refuses a bad value. URLs
//! that may carry credentials are shown with their user-info masked.

use crate::engine;
use ext_php_rs::error::php_error;
use ext_php_rs::ffi::{php_printf, sapi_module, zend_ini_entry, zend_string};
use ext_php_rs::flags::{ErrorType, IniEntryPermission};
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use std::ffi::{c_int, c_void, CStr, CString};
use wxpay_core::tls::CaSource;
use wxpay_core::token::{masked, CacheSetting, Endpoint};
use wxpay_core::transport;

/// One directive: its name, default, who may change it, how a value is
/// checked, and whether it is shown masked.
pub struct Directive {
    pub name: &'static CStr,
    pub default: &'static CStr,
    /// `IniEntryPermission` bits (the type is not `Copy`, so not const-readable).
    permission: u32,
    /// Its value may hold `user:password@`: phpinfo shows it masked.
    pub masked: bool,
    check: fn(&str, &str) -> Result<(), String>,
}

impl Directive {
    pub fn name(&self) -> &'static str {
        self.name.to_str().unwrap_or_default()
    }

    /// The current value ("" when unset).
    pub fn value(&self) -> String {
        engine::ini(self.name)
    }

    /// Why the current value cannot be used, naming the directive.
    pub fn problem(&self) -> Option<String> {
        (self.check)(self.name(), &self.value()).err()
    }
}

pub fn parse_seconds(name: &str, value: &str) -> Result<std::time::Duration, String> {
    let secs = value.trim().parse::<f64>().unwrap_or(f64::NAN);
    transport::parse_seconds(name, secs).map_err(|e| e.0)
}

fn check_api_base(name: &str, v: &str) -> Result<(), String> {
    transport::parse_api_base(name, v)
        .map(drop)
        .map_err(|e| e.0)
}

fn check_seconds(name: &str, v: &str) -> Result<(), String> {
    parse_seconds(name, v).map(drop)
}

fn check_cafile(name: &str, v: &str) -> Result<(), String> {
    CaSource::check(v.trim()).map_err(|why| format!("{name}: {why}"))
}

fn check_proxy(name: &str, v: &str) -> Result<(), String> {
    transport::parse_proxy(name, v).map(drop).map_err(|e| e.0)
}

fn check_token_cache(_: &str, v: &str) -> Result<(), String> {
    CacheSetting::parse(v).map(drop)
}

fn check_token_endpoint(name: &str, v: &str) -> Result<(), String> {
    Endpoint::parse(name, v).map(drop).map_err(|e| e.0)
}

const ALL: u32 = IniEntryPermission::All.bits();
const SYSTEM: u32 = IniEntryPermission::System.bits();

pub static API_BASE: Directive = Directive {
    name: c"wxpay.api_base",
    default: c"https://api.weixin.qq.com",
    permission: ALL,
    masked: false,
    check: check_api_base,
};
pub static TIMEOUT: Directive = Directive {
    name: c"wxpay.timeout",
    default: c"5",
    permission: ALL,
    masked: false,
    check: check_seconds,
};
pub static CONNECT_TIMEOUT: Directive = Directive {
    name: c"wxpay.connect_timeout",
    default: c"2",
    permission: ALL,
    masked: false,
    check: check_seconds,
};
pub static CAFILE: Directive = Directive {
    name: c"wxpay.cafile",
    default: c"",
    permission: ALL,
    masked: false,
    check: check_cafile,
};
pub static PROXY: Directive = Directive {
    name: c"wxpay.proxy",
    default: c"",
    permission: ALL,
    masked: true,
    check: check_proxy,
};
/// Decides where a whole pool's token lives, so it belongs to php.ini.
pub static TOKEN_CACHE: Directive = Directive {
    name: c"wxpay.token_cache",
    default: c"memory",
    permission: SYSTEM,
    masked: true,
    check: check_token_cache,
};
pub static TOKEN_ENDPOINT: Directive = Directive {
    name: c"wxpay.token_endpoint",
    default: c"token",
    permission: ALL,
    masked: false,
    check: check_token_endpoint,
};

pub static DIRECTIVES: [&Directive; 7] = [
    &API_BASE,
    &TIMEOUT,
    &CONNECT_TIMEOUT,
    &CAFILE,
    &PROXY,
    &TOKEN_CACHE,
    &TOKEN_ENDPOINT,
];

const fn def(d: &'static Directive) -> IniEntryDef {
    let mut e = IniEntryDef::new(
        d.name,
        d.default,
        IniEntryPermission::from_bits_retain(d.permission),
    );
    e.on_modify = Some(on_modify);
    e.mh_arg1 = std::ptr::from_ref(d).cast_mut().cast::<c_void>();
    if d.masked {
        e.displayer = Some(display_masked);
    }
    e
}

static ENTRIES: IniEntryDefs<8> = IniEntryDefs::new([
    def(&API_BASE),
    def(&TIMEOUT),
    def(&CONNECT_TIMEOUT),
    def(&CAFILE),
    def(&PROXY),
    def(&TOKEN_CACHE),
    def(&TOKEN_ENDPOINT),
    IniEntryDef::end(),
]);

pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
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
        // SAFETY: `arg` is the `&'static Directive` that `def` stored.
        let Some(d) = (unsafe { arg.cast::<Directive>().as_ref() }) else {
            return SUCCESS;
        };
        let Err(why) = (d.check)(d.name(), &zend_str_text(new_value)) else {
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
