//! Per-call options over `wxpay.*` ini settings, validated before any I/O.

use crate::array::{self, ArrayKey};
use crate::convert::{deref, type_name};
use crate::engine;
use crate::ini;
use ext_php_rs::types::{ZendHashTable, Zval};
use wxpay_core::tls::CaSource;
use wxpay_core::token::{CacheSetting, Endpoint};
use wxpay_core::transport::{self, SettingError, Settings};

/// The `$options` array, read.
pub struct Options {
    pub settings: Settings,
    /// `cgi-bin/token` or `cgi-bin/stable_token`.
    pub endpoint: Endpoint,
    /// `wxpay.token_cache`: per worker, or shared through Redis.
    pub cache: CacheSetting,
    /// Lets wx_deliver_notify() fetch and refresh the token itself.
    pub appsecret: Option<String>,
}

fn text(opt: &str, z: &Zval) -> Result<String, SettingError> {
    let z = deref(z);
    match z.zend_str().map(|s| s.as_bytes()) {
        Some(b) => String::from_utf8(b.to_vec()).map_err(|_| SettingError(format!("option '{opt}' must be valid UTF-8"))),
        None => Err(SettingError(format!("option '{opt}' must be a string, {} given", type_name(z)))),
    }
}

fn number(opt: &str, z: &Zval) -> Result<f64, SettingError> {
    let z = deref(z);
    if let Some(n) = z.long() {
        return Ok(n as f64);
    }
    if let Some(f) = z.double() {
        return Ok(f);
    }
    if let Some(s) = z.str() {
        if let Ok(f) = s.trim().parse::<f64>() {
            return Ok(f);
        }
    }
    Err(SettingError(format!("option '{opt}' must be a number of seconds, {} given", type_name(z))))
}

fn ini_seconds(name: &std::ffi::CStr) -> Result<f64, SettingError> {
    let v = engine::ini(name);
    v.trim()
        .parse::<f64>()
        .map_err(|_| SettingError(format!("{} must be a number of seconds", name.to_string_lossy())))
}

/// The keys `$options` may hold.
const KNOWN: [&str; 7] = ["api_base", "timeout", "connect_timeout", "cafile", "proxy", "appsecret", "token_endpoint"];

/// Reads `$options` over the ini settings. Unknown keys are refused (a typo
/// must not silently fall back to a default).
pub fn read(options: Option<&ZendHashTable>) -> Result<Options, SettingError> {
    let mut api_base = engine::ini(ini::API_BASE);
    let mut api_base_name = "wxpay.api_base".to_string();
    let mut timeout = (ini_seconds(ini::TIMEOUT)?, "wxpay.timeout");
    let mut connect = (ini_seconds(ini::CONNECT_TIMEOUT)?, "wxpay.connect_timeout");
    let mut cafile = engine::ini(ini::CAFILE);
    let mut proxy = (engine::ini(ini::PROXY), "wxpay.proxy");
    let mut appsecret = None;
    let mut endpoint = (engine::ini(ini::TOKEN_ENDPOINT), "wxpay.token_endpoint");

    if let Some(ht) = options {
        array::try_for_each(ht, |key, value| {
            let key = match key {
                ArrayKey::Str(k) => String::from_utf8_lossy(k).into_owned(),
                ArrayKey::Int(n) => n.to_string(),
            };
            match key.as_str() {
                "api_base" => {
                    api_base = text(&key, value)?;
                    api_base_name = "option 'api_base'".into();
                }
                "timeout" => timeout = (number(&key, value)?, "option 'timeout'"),
                "connect_timeout" => connect = (number(&key, value)?, "option 'connect_timeout'"),
                "cafile" => cafile = text(&key, value)?,
                "proxy" => proxy = (text(&key, value)?, "option 'proxy'"),
                "token_endpoint" => endpoint = (text(&key, value)?, "option 'token_endpoint'"),
                "appsecret" => {
                    let s = text(&key, value)?;
                    if s.is_empty() {
                        return Err(SettingError("option 'appsecret' must not be empty".into()));
                    }
                    appsecret = Some(s);
                }
                _ => {
                    return Err(SettingError(format!(
                        "unknown option '{}'; the options are {}",
                        wxpay_core::sign::display_bytes(key.as_bytes()),
                        KNOWN.join(", ")
                    )))
                }
            }
            Ok(())
        })?;
    }

    let ca = CaSource::for_setting(&cafile);
    if let CaSource::File(path) = &ca {
        if !path.is_file() {
            return Err(SettingError(format!("the CA file {} does not exist", path.display())));
        }
    }
    Ok(Options {
        endpoint: Endpoint::parse(endpoint.1, &endpoint.0)?,
        cache: CacheSetting::parse(&engine::ini(ini::TOKEN_CACHE)).map_err(SettingError)?,
        settings: Settings {
            api_base: transport::parse_api_base(&api_base_name, &api_base)?,
            timeout: transport::parse_seconds(timeout.1, timeout.0)?,
            connect_timeout: transport::parse_seconds(connect.1, connect.0)?,
            ca,
            proxy: transport::parse_proxy(proxy.1, &proxy.0)?,
        },
        appsecret,
    })
}
