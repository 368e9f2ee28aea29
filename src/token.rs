//! `wx_access_token()`, and the token handling of `wx_deliver_notify(null, ...)`.

use crate::convert::{PhpBool, PhpBytes};
use crate::exceptions::{exception, invalid_argument, Kind};
use crate::settings::{self, Options};
use ext_php_rs::error::php_error;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use std::time::Instant;
use wxpay_core::secrets::redact;
use wxpay_core::token::{self, FetchError, Source, TokenError, Want};

/// An appid or appsecret as WeChat issues them: printable ASCII.
pub fn credential<'a>(function: &str, what: &str, value: &'a [u8]) -> PhpResult<&'a str> {
    let ok = !value.is_empty() && value.len() <= 256 && value.iter().all(u8::is_ascii_graphic);
    if !ok {
        return Err(invalid_argument(format!(
            "{function}(): {what} must be a non-empty string of printable ASCII characters (at most 256)"
        )));
    }
    Ok(std::str::from_utf8(value).unwrap_or_default())
}

/// Gets a token for `appid` as `want` asks, by `deadline`, mapping failures
/// to exceptions scrubbed of the secret. Prints the Redis warning once per
/// outage.
pub fn obtain(
    function: &str,
    opts: &Options,
    appid: &str,
    secret: &str,
    want: Want<'_>,
    deadline: Instant,
) -> PhpResult<String> {
    let (endpoint, cache) = opts.token_setup().map_err(|p| p.into_exception(function))?;
    let src = Source {
        settings: &opts.settings,
        endpoint,
        cache: &cache,
        appid,
        secret,
        deadline,
    };
    let scrub = |m: String| redact(&m, &[secret.as_bytes()]);
    match token::obtain(&src, want) {
        Ok(got) => {
            if let Some(w) = got.warning {
                php_error(&ErrorType::Warning, &scrub(w));
            }
            Ok(got.token)
        }
        Err(TokenError::Fetch(FetchError::Api { code, message })) => Err(exception(
            Kind::Api,
            scrub(format!(
                "{function}(): WeChat error {code} while fetching the access_token: {message}{}",
                hint(code)
            )),
            code,
        )),
        Err(TokenError::Fetch(FetchError::Transport(e))) => Err(exception(
            Kind::Transport,
            scrub(format!(
                "{function}(): fetching the access_token: {}",
                e.message
            )),
            i64::from(e.status),
        )),
        Err(TokenError::Wait(m)) => {
            Err(exception(Kind::Transport, format!("{function}(): {m}"), 0))
        }
    }
}

/// What to check, for the errcodes whose cause is on the shop's side.
pub fn hint(code: i64) -> &'static str {
    match code {
        40125 => " (check the appsecret)",
        40013 => " (check the appid)",
        49004 => " (check the appkey (PaySignKey): the signature did not match)",
        _ => "",
    }
}

/// Returns a valid access_token for the app: from the cache (per worker, or
/// shared through Redis with `wxpay.token_cache`), or fetched once for all
/// callers. `$force_refresh` fetches a new one. A cached token is only
/// returned to a caller whose appsecret is the one that fetched it.
#[php_function]
#[php(name = "wx_access_token")]
#[php(defaults(force_refresh = PhpBool::Given(false)))]
pub fn wx_access_token(
    appid: PhpBytes,
    appsecret: PhpBytes,
    force_refresh: PhpBool,
) -> PhpResult<String> {
    const NAME: &str = "wx_access_token";
    let appid = appid.check(NAME, 1, "appid", "string")?.into_bytes();
    let secret = appsecret
        .check(NAME, 2, "appsecret", "string")?
        .into_bytes();
    let force = force_refresh.check(NAME, 3, "force_refresh")?;
    let appid = credential(NAME, "$appid", &appid)?;
    let secret = credential(NAME, "$appsecret", &secret)?;
    let opts = settings::read(None).map_err(|p| p.into_exception(NAME))?;
    // One fetch, or the wait for another caller's: bounded by the timeout.
    let deadline = Instant::now() + opts.settings.timeout;
    obtain(
        NAME,
        &opts,
        appid,
        secret,
        Want { force, not: None },
        deadline,
    )
}

/// The function entry for `#[php_module]`.
pub fn php_function() -> ext_php_rs::builders::FunctionBuilder<'static> {
    wrap_function!(wx_access_token)
}
