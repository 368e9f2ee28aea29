//! Per-call options over `wxpay.*` ini settings, validated before any I/O.
//!
//! A bad `$options` entry is the caller's bug (`InvalidArgumentException`);
//! a bad php.ini directive is this server's configuration
//! (`ConfigurationException`). Only the settings a call uses are read, so a
//! broken `wxpay.token_cache` does not fail a call that passes its token.

use crate::array::{self, ArrayKey};
use crate::convert::{deref, type_name};
use crate::exceptions::{exception, invalid_argument, Kind};
use crate::ini::{self, Directive};
use ext_php_rs::exception::PhpException;
use ext_php_rs::types::{ZendHashTable, Zval};
use wxpay_core::tls::CaSource;
use wxpay_core::token::{CacheSetting, Endpoint};
use wxpay_core::transport::{self, Settings};

/// A setting that cannot be used, and whose it is.
#[derive(Debug)]
pub enum Problem {
    /// An `$options` entry.
    Option(String),
    /// A `wxpay.*` directive.
    Ini(String),
}

impl Problem {
    pub fn into_exception(self, function: &str) -> PhpException {
        match self {
            Problem::Option(m) => invalid_argument(format!("{function}(): {m}")),
            Problem::Ini(m) => exception(
                Kind::Configuration,
                format!("{function}(): php.ini: {m} (see php --ri wxpay)"),
                0,
            ),
        }
    }
}

/// A setting's text and where it came from.
struct Raw {
    value: String,
    /// `Some("option 'x'")` when `$options` gave it.
    option: Option<String>,
    directive: &'static Directive,
}

impl Raw {
    fn ini(directive: &'static Directive) -> Raw {
        Raw {
            value: directive.value(),
            option: None,
            directive,
        }
    }

    fn name(&self) -> &str {
        self.option
            .as_deref()
            .unwrap_or_else(|| self.directive.name())
    }

    fn problem(&self, message: String) -> Problem {
        if self.option.is_some() {
            Problem::Option(message)
        } else {
            Problem::Ini(message)
        }
    }
}

/// The `$options` array, read.
pub struct Options {
    pub settings: Settings,
    /// Lets wx_deliver_notify() fetch and refresh the token itself.
    pub appsecret: Option<String>,
    endpoint: Raw,
}

impl Options {
    /// Where tokens come from and are kept; read only by calls that need it.
    pub fn token_setup(&self) -> Result<(Endpoint, CacheSetting), Problem> {
        let endpoint = Endpoint::parse(self.endpoint.name(), &self.endpoint.value)
            .map_err(|e| self.endpoint.problem(e.0))?;
        let cache = CacheSetting::parse(&ini::TOKEN_CACHE.value()).map_err(Problem::Ini)?;
        Ok((endpoint, cache))
    }
}

fn text(opt: &str, z: &Zval) -> Result<String, Problem> {
    let z = deref(z);
    match z.zend_str().map(|s| s.as_bytes()) {
        Some(b) => String::from_utf8(b.to_vec())
            .map_err(|_| Problem::Option(format!("option '{opt}' must be valid UTF-8"))),
        None => Err(Problem::Option(format!(
            "option '{opt}' must be a string, {} given",
            type_name(z)
        ))),
    }
}

/// Seconds as a PHP int, float or numeric string, kept as text.
fn number(opt: &str, z: &Zval) -> Result<String, Problem> {
    let z = deref(z);
    if let Some(n) = z.long() {
        return Ok(n.to_string());
    }
    if let Some(f) = z.double() {
        return Ok(f.to_string());
    }
    if let Some(s) = z.str() {
        return Ok(s.to_string());
    }
    Err(Problem::Option(format!(
        "option '{opt}' must be a number of seconds, {} given",
        type_name(z)
    )))
}

/// The keys `$options` may hold.
const KNOWN: [&str; 7] = [
    "api_base",
    "timeout",
    "connect_timeout",
    "cafile",
    "proxy",
    "appsecret",
    "token_endpoint",
];

/// Reads `$options` over the ini settings. Unknown keys are refused (a typo
/// must not silently fall back to a default).
pub fn read(options: Option<&ZendHashTable>) -> Result<Options, Problem> {
    let mut api_base = Raw::ini(&ini::API_BASE);
    let mut timeout = Raw::ini(&ini::TIMEOUT);
    let mut connect = Raw::ini(&ini::CONNECT_TIMEOUT);
    let mut cafile = Raw::ini(&ini::CAFILE);
    let mut proxy = Raw::ini(&ini::PROXY);
    let mut endpoint = Raw::ini(&ini::TOKEN_ENDPOINT);
    let mut appsecret = None;

    if let Some(ht) = options {
        array::try_for_each(ht, |key, value| {
            let key = match key {
                ArrayKey::Str(k) => String::from_utf8_lossy(k).into_owned(),
                ArrayKey::Int(n) => n.to_string(),
            };
            let set = |raw: &mut Raw, value: String| {
                raw.value = value;
                raw.option = Some(format!("option '{key}'"));
            };
            match key.as_str() {
                "api_base" => set(&mut api_base, text(&key, value)?),
                "timeout" => set(&mut timeout, number(&key, value)?),
                "connect_timeout" => set(&mut connect, number(&key, value)?),
                "cafile" => set(&mut cafile, text(&key, value)?),
                "proxy" => set(&mut proxy, text(&key, value)?),
                "token_endpoint" => set(&mut endpoint, text(&key, value)?),
                "appsecret" => {
                    let s = text(&key, value)?;
                    if s.is_empty() {
                        return Err(Problem::Option(
                            "option 'appsecret' must not be empty".into(),
                        ));
                    }
                    appsecret = Some(s);
                }
                _ => {
                    let shown =
                        wxpay_core::sign::display_bytes(&key.as_bytes()[..key.len().min(64)]);
                    return Err(Problem::Option(format!(
                        "unknown option '{shown}{}'; the options are {}",
                        if key.len() > 64 { "..." } else { "" },
                        KNOWN.join(", ")
                    )));
                }
            }
            Ok(())
        })?;
    }

    let seconds =
        |raw: &Raw| ini::parse_seconds(raw.name(), &raw.value).map_err(|m| raw.problem(m));
    let settings = Settings {
        api_base: transport::parse_api_base(api_base.name(), &api_base.value)
            .map_err(|e| api_base.problem(e.0))?,
        timeout: seconds(&timeout)?,
        connect_timeout: seconds(&connect)?,
        ca: {
            let file = cafile.value.trim();
            CaSource::check(file)
                .map_err(|why| cafile.problem(format!("{}: {why}", cafile.name())))?;
            CaSource::for_setting(file)
        },
        proxy: transport::parse_proxy(proxy.name(), &proxy.value)
            .map_err(|e| proxy.problem(e.0))?,
    };
    Ok(Options {
        settings,
        appsecret,
        endpoint,
    })
}
