//! The `wxpay.*` ini directives.

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

pub const API_BASE: &std::ffi::CStr = c"wxpay.api_base";
pub const TIMEOUT: &std::ffi::CStr = c"wxpay.timeout";
pub const CONNECT_TIMEOUT: &std::ffi::CStr = c"wxpay.connect_timeout";
pub const CAFILE: &std::ffi::CStr = c"wxpay.cafile";
pub const PROXY: &std::ffi::CStr = c"wxpay.proxy";
pub const TOKEN_CACHE: &std::ffi::CStr = c"wxpay.token_cache";
pub const TOKEN_ENDPOINT: &std::ffi::CStr = c"wxpay.token_endpoint";

/// Everything a script may change with `ini_set()` except the token cache,
/// which decides where a whole pool's token lives and so belongs to php.ini.
static ENTRIES: IniEntryDefs<8> = IniEntryDefs::new([
    IniEntryDef::new(API_BASE, c"https://api.weixin.qq.com", IniEntryPermission::All),
    IniEntryDef::new(TIMEOUT, c"5", IniEntryPermission::All),
    IniEntryDef::new(CONNECT_TIMEOUT, c"2", IniEntryPermission::All),
    IniEntryDef::new(CAFILE, c"", IniEntryPermission::All),
    IniEntryDef::new(PROXY, c"", IniEntryPermission::All),
    IniEntryDef::new(TOKEN_CACHE, c"memory", IniEntryPermission::System),
    IniEntryDef::new(TOKEN_ENDPOINT, c"token", IniEntryPermission::All),
    IniEntryDef::end(),
]);

pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
}
