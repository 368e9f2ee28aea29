//! `wx_deliver_notify()`: validate, sign, send, and map the outcome to a
//! PHP array or a `WxPay\*` exception.

use crate::array::{self, ArrayKey};
use crate::convert::{self, deref, type_name, PhpArray, PhpBytes};
use crate::exceptions::{exception, invalid_argument, Kind};
use crate::json;
use crate::settings::{self, Options};
use crate::token as token_binding;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wxpay_core::deliver::{Delivery, DeliveryBuilder, Input};
use wxpay_core::reply::{self, Outcome};
use wxpay_core::secrets::redact;
use wxpay_core::sign::Scalar;
use wxpay_core::token;
use wxpay_core::token::Want;
use wxpay_core::transport::{self, encode_query_value, Settings, TransportError};

const NAME: &str = "wx_deliver_notify";

/// Reads `$params` into a [`Delivery`].
fn read_delivery(params: &ZendHashTable) -> Result<Delivery, PhpException> {
    let mut builder = DeliveryBuilder::default();
    array::try_for_each(params, |key, value| {
        let key = match key {
            ArrayKey::Str(s) => Scalar::bytes(s),
            ArrayKey::Int(n) => Scalar::Int(n),
        };
        let z = deref(value);
        let converted;
        let input = if let Some(s) = z.zend_str() {
            Input::Str(s.as_bytes())
        } else if let Some(n) = z.long() {
            Input::Int(n)
        } else if let Some(b) = z.bool() {
            Input::Bool(b)
        } else if z
            .object()
            .is_some_and(|o| !o.get_class_entry().__tostring.is_null())
        {
            match convert::to_scalar(z) {
                Ok(Scalar::Bytes(b)) => {
                    converted = b.into_owned();
                    Input::Str(&converted)
                }
                // __toString threw: let that exception through.
                _ => return Err(None),
            }
        } else {
            Input::Other(type_name(z))
        };
        builder
            .set(&key, input)
            .map_err(|e| Some(invalid_argument(format!("{NAME}(): $params: {e}"))))
    })
    // `None`: a __toString() threw. Whatever is returned then is not thrown
    // (ext-php-rs leaves a pending exception in place), so the user's
    // exception reaches the caller unchanged.
    .map_err(|e: Option<PhpException>| e.unwrap_or_else(|| invalid_argument(String::new())))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    builder
        .build(now)
        .map_err(|e| invalid_argument(format!("{NAME}(): $params: {e}")))
}

/// An access_token as WeChat issues them: printable ASCII, at most 2048
/// bytes. Anything else is refused without being shown.
fn check_token(token: &[u8]) -> Result<&str, PhpException> {
    if !token::is_token_text(token) {
        return Err(invalid_argument(format!(
            "{NAME}(): $access_token must be a non-empty token of printable ASCII characters (at most 2048)"
        )));
    }
    Ok(std::str::from_utf8(token).unwrap_or_default())
}

/// The secrets of this call, for scrubbing messages that quote the server.
struct Secrets<'a> {
    token: &'a str,
    appkey: &'a [u8],
    appsecret: &'a str,
}

impl Secrets<'_> {
    fn scrub(&self, msg: &str) -> String {
        redact(
            msg,
            &[
                self.token.as_bytes(),
                self.appkey,
                self.appsecret.as_bytes(),
            ],
        )
    }
}

/// A failed send, before it becomes an exception.
enum Failure {
    Api { code: i64, message: String },
    Transport(TransportError),
}

impl Failure {
    /// `note` is appended to an API error's message.
    fn into_exception(self, secrets: &Secrets<'_>, note: &str) -> PhpException {
        match self {
            Failure::Api { code, message } => exception(
                Kind::Api,
                secrets.scrub(&format!(
                    "{NAME}(): WeChat error {code}: {message}{}{note}",
                    token_binding::hint(code)
                )),
                code,
            ),
            Failure::Transport(e) => exception(
                Kind::Transport,
                secrets.scrub(&format!("{NAME}(): {}", e.message)),
                i64::from(e.status),
            ),
        }
    }
}

/// Sends one notification with `token`; the decoded answer or why not.
fn send(
    settings: &Settings,
    token: &str,
    body: &[u8],
    deadline: Instant,
) -> Result<ZBox<ZendHashTable>, Failure> {
    let path = format!(
        "/pay/delivernotify?access_token={}",
        encode_query_value(token)
    );
    let reply =
        transport::call(settings, &path, Some(body), deadline).map_err(Failure::Transport)?;
    match reply::parse(&reply) {
        Ok(Outcome::Ok(map)) => Ok(json::object_to_array(&map)),
        Ok(Outcome::Api { code, message }) => Err(Failure::Api { code, message }),
        Err(bad) => Err(Failure::Transport(TransportError {
            message: format!("malformed reply: {}", bad.0),
            status: 0,
        })),
    }
}

/// After WeChat called `token` invalid or expired: drops it from the token
/// cache if the cache still holds it, and says so.
fn forget_token(opts: &Options, appid: &str, token: &str, deadline: Instant) -> &'static str {
    let Ok((_, cache)) = opts.token_setup() else {
        return "";
    };
    if token::forget(&opts.settings, &cache, appid, token, deadline) {
        " (this access_token was dropped from the token cache: wx_access_token() fetches a new one)"
    } else {
        ""
    }
}

/// How often "system busy" (-1) is retried in managed mode, and the pause.
const BUSY_RETRIES: u32 = 2;
const BUSY_PAUSE: Duration = Duration::from_millis(200);

/// A managed call's whole budget, in units of `timeout`: the token fetch,
/// the send, one refresh and one resend, the -1 retries and every wait for
/// Redis or another worker all end by then.
pub const MANAGED_BUDGET_TIMEOUTS: u32 = 3;

/// `wx_deliver_notify(null, ...)`: the extension obtains the token, and on
/// 40001/40014/42001 refreshes it once (only if nobody else has) and resends
/// once; -1 is retried a bounded number of times; any other error, 45009
/// included, is reported at once. Everything ends by one deadline.
fn managed(opts: &Options, delivery: &Delivery, body: &[u8]) -> PhpResult<ZBox<ZendHashTable>> {
    let secret = opts.appsecret.as_deref().ok_or_else(|| {
        invalid_argument(format!(
            "{NAME}(): $access_token is null: pass $options['appsecret'] so the extension can obtain the token, or pass a token"
        ))
    })?;
    let appid = token_binding::credential(NAME, "'appid'", delivery.appid.as_bytes())?;
    let secret = token_binding::credential(NAME, "option 'appsecret'", secret.as_bytes())?;
    let deadline = Instant::now() + opts.settings.timeout * MANAGED_BUDGET_TIMEOUTS;
    let mut current = token_binding::obtain(NAME, opts, appid, secret, Want::default(), deadline)?;
    let (mut refreshed, mut busy) = (false, 0);
    loop {
        let secrets = Secrets {
            token: &current,
            appkey: &delivery.appkey,
            appsecret: secret,
        };
        match send(&opts.settings, &current, body, deadline) {
            Ok(answer) => return Ok(answer),
            Err(Failure::Api { code, .. }) if reply::is_token_error(code) && !refreshed => {
                refreshed = true;
                let failed = current.clone();
                current = token_binding::obtain(
                    NAME,
                    opts,
                    appid,
                    secret,
                    Want {
                        force: false,
                        not: Some(&failed),
                    },
                    deadline,
                )?;
            }
            Err(Failure::Api { code: -1, .. })
                if busy < BUSY_RETRIES && Instant::now() + BUSY_PAUSE < deadline =>
            {
                busy += 1;
                std::thread::sleep(BUSY_PAUSE);
            }
            Err(f @ Failure::Api { code, .. }) if reply::is_token_error(code) => {
                let note = forget_token(opts, appid, &current, deadline);
                return Err(f.into_exception(&secrets, note));
            }
            Err(f) => return Err(f.into_exception(&secrets, "")),
        }
    }
}

/// Sends the v2 shipping notification (`/pay/delivernotify`) and returns the
/// decoded reply, `['errcode' => 0, 'errmsg' => 'ok']`.
#[php_function]
#[php(name = "wx_deliver_notify")]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_deliver_notify(
    access_token: Option<PhpBytes>,
    params: PhpArray,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    let token = access_token
        .map(|t| t.check(NAME, 1, "access_token", "?string"))
        .transpose()?;
    let params = params.check(NAME, 2, "params")?;
    let options = options.check_optional(NAME, 3, "options")?;

    // Everything is validated before any network I/O.
    let delivery = read_delivery(params)?;
    let opts = settings::read(options).map_err(|p| p.into_exception(NAME))?;
    let body = delivery.body();
    match token {
        None => managed(&opts, &delivery, &body),
        Some(t) => {
            let bytes = t.into_bytes();
            let token = check_token(&bytes)?;
            let secrets = Secrets {
                token,
                appkey: &delivery.appkey,
                appsecret: opts.appsecret.as_deref().unwrap_or(""),
            };
            let deadline = Instant::now() + opts.settings.timeout;
            send(&opts.settings, token, &body, deadline).map_err(|f| {
                let note = match f {
                    Failure::Api { code, .. } if reply::is_token_error(code) => {
                        forget_token(&opts, &delivery.appid, token, deadline)
                    }
                    _ => "",
                };
                f.into_exception(&secrets, note)
            })
        }
    }
}

/// The function entry for `#[php_module]`.
pub fn php_function() -> ext_php_rs::builders::FunctionBuilder<'static> {
    wrap_function!(wx_deliver_notify)
}
