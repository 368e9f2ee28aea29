//! `wx_access_token()`.

use crate::convert::{PhpBool, PhpBytes};
use crate::exceptions::throw;
use crate::settings;
use ext_php_rs::error::php_error;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use wxpay_core::token;

/// Returns a valid access_token for the app: from the cache (per worker, or
/// shared through Redis with `wxpay.token_cache`), or fetched once for all
/// callers. `$force_refresh` fetches a new one. A cached token is only
/// returned to a caller whose appsecret is the one that fetched it.
#[php_function]
#[php(defaults(force_refresh = PhpBool::Given(false)))]
pub fn wx_access_token(
    appid: PhpBytes,
    appsecret: PhpBytes,
    force_refresh: PhpBool,
) -> PhpResult<String> {
    let appid = appid.check(1, "appid", "string")?.into_bytes();
    let secret = appsecret.check(2, "appsecret", "string")?.into_bytes();
    let force = force_refresh.check(3, "force_refresh")?;
    let config = settings::read(None).map_err(throw)?;
    let warn = &mut |w: String| php_error(&ErrorType::Warning, &w);
    token::access_token(
        &config.transport,
        config.tokens(),
        &appid,
        &secret,
        force,
        warn,
    )
    .map_err(throw)
}

/// The function entry for `#[php_module]`.
pub fn php_function() -> ext_php_rs::builders::FunctionBuilder<'static> {
    wrap_function!(wx_access_token)
}
