//! `wx_payment_verify()`, `wx_feedback_verify()`, `wx_alarm_verify()`,
//! `wx_native_call_verify()`: what WeChat posts to a shop, checked by the
//! core and returned as PHP arrays.

use crate::array;
use crate::convert::{self, deref, type_name, PhpArray, PhpBytes};
use crate::exceptions::{invalid_argument, throw};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use wxpay_core::clock;
use wxpay_core::error::Error;
use wxpay_core::wire::callback::{self, Keys, Options};
use wxpay_core::wire::Scalar;

/// A PHP string with exactly these bytes (GBK stays GBK).
pub fn bytes_zval(bytes: Vec<u8>) -> Zval {
    let mut z = Zval::new();
    z.set_binary(bytes);
    z
}

pub fn to_array<'a>(fields: impl IntoIterator<Item = (&'a str, Vec<u8>)>) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::new();
    for (k, v) in fields {
        let _ = ht.insert(k, bytes_zval(v));
    }
    ht
}

/// An array's entries as raw (key, value) strings.
type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// An array's entries as (key, value) byte strings, PHP's own string
/// conversion applied; `what` names the array in messages.
fn read_pairs(what: &str, ht: &ZendHashTable) -> Result<Pairs, PhpException> {
    let mut out = Vec::with_capacity(ht.len());
    array::try_for_each(ht, |key, value| {
        let key = key.into_bytes();
        let value = match convert::to_scalar(value) {
            Ok(v) => v.into_bytes(),
            // __toString() threw: its exception is pending and reaches the caller.
            Err(convert::NotScalar::Threw) => return Err(invalid_argument(String::new())),
            Err(not) => {
                let shown = Scalar::bytes(&key[..key.len().min(64)]).display();
                return Err(throw(Error::invalid(format!(
                    "{what}['{shown}'] must be a string, {} given",
                    not.describe()
                ))));
            }
        };
        out.push((key, value));
        Ok(())
    })?;
    Ok(out)
}

/// `$options` read into the core's [`Options`]; `position` is the
/// argument's position, for the TypeError of a non-array.
fn read_options(position: u32, options: PhpArray) -> PhpResult<Options> {
    let mut out = Options::default();
    let Some(ht) = options.check_optional(position, "options")? else {
        return Ok(out);
    };
    array::try_for_each(ht, |key, value| {
        let value = deref(value);
        let given = type_name(value);
        key.with_bytes(|name| out.set(name, value.long().ok_or(given.as_str())))
            .map_err(throw)
    })?;
    Ok(out)
}

/// Checks the payment notification WeChat sent to the shop's notify_url:
/// the partner sign over `$query` (`$_GET`) and the AppSignature over
/// `$post_xml` (`file_get_contents('php://input')`).
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_payment_verify(
    query: PhpArray,
    post_xml: PhpBytes,
    keys: PhpArray,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    let query = query.check(1, "query")?;
    let body = post_xml.check(2, "post_xml", "string")?.into_bytes();
    let keys = keys.check(3, "keys")?;
    let query = read_pairs("$query", query)?;
    let given = read_pairs("$keys", keys)?;
    let mut k = Keys::default();
    for (name, value) in &given {
        k.set(name, value).map_err(throw)?;
    }
    let options = read_options(4, options)?;
    let payment =
        callback::verify_payment(&query, &body, &k, &options, clock::now_secs()).map_err(throw)?;
    let mut trade = ZendHashTable::new();
    for (key, value) in payment.trade {
        // $_GET's keys; one that is not UTF-8 could not be signed by WeChat's rule anyway.
        let key = String::from_utf8_lossy(&key).into_owned();
        let _ = trade.insert(key.as_str(), bytes_zval(value));
    }
    let mut out = ZendHashTable::new();
    let mut z = Zval::new();
    z.set_hashtable(trade);
    let _ = out.insert("trade", z);
    let mut z = Zval::new();
    z.set_hashtable(to_array(payment.buyer));
    let _ = out.insert("buyer", z);
    Ok(out)
}

/// An array of byte strings.
fn list(items: Vec<Vec<u8>>) -> Zval {
    let mut ht = ZendHashTable::new();
    for item in items {
        let _ = ht.push(bytes_zval(item));
    }
    let mut z = Zval::new();
    z.set_hashtable(ht);
    z
}

/// `($post_xml, $appkey, $options)`, the parameters of the complaint and
/// alarm checks.
fn read_message(
    post_xml: PhpBytes,
    appkey: PhpBytes,
    options: PhpArray,
) -> PhpResult<(Vec<u8>, Vec<u8>, Options)> {
    let body = post_xml.check(1, "post_xml", "string")?.into_bytes();
    let appkey = appkey.check(2, "appkey", "string")?.into_bytes();
    Ok((body, appkey, read_options(3, options)?))
}

/// The core's check of a message signed whole.
type VerifyFields = fn(&[u8], &[u8], &Options, u64) -> Result<Vec<(&'static str, Vec<u8>)>, Error>;

/// `($post_xml, $appkey, $options)` checked by `verify`, as an array.
fn verify_fields(
    post_xml: PhpBytes,
    appkey: PhpBytes,
    options: PhpArray,
    verify: VerifyFields,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (body, appkey, options) = read_message(post_xml, appkey, options)?;
    let fields = verify(&body, &appkey, &options, clock::now_secs()).map_err(throw)?;
    Ok(to_array(fields))
}

/// Checks a complaint (维权) posted to the shop's payfeedback URL. Returns
/// what its signature covers apart from what it does not.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_feedback_verify(
    post_xml: PhpBytes,
    appkey: PhpBytes,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    let (body, appkey, options) = read_message(post_xml, appkey, options)?;
    let f =
        callback::verify_feedback(&body, &appkey, &options, clock::now_secs()).map_err(throw)?;
    let mut unsigned = to_array(f.unsigned);
    let _ = unsigned.insert("picurls", list(f.pictures));
    let mut out = ZendHashTable::new();
    for (name, part) in [("signed", to_array(f.signed)), ("unsigned", unsigned)] {
        let mut z = Zval::new();
        z.set_hashtable(part);
        let _ = out.insert(name, z);
    }
    Ok(out)
}

/// Checks an alarm (告警) posted to the shop's alarm URL.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_alarm_verify(
    post_xml: PhpBytes,
    appkey: PhpBytes,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    verify_fields(post_xml, appkey, options, callback::verify_alarm)
}

/// Checks WeChat's NativeCall request, posted to the shop's native
/// callback URL when a buyer scans a `weixin://wxpay/bizpayurl` code.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_native_call_verify(
    post_xml: PhpBytes,
    appkey: PhpBytes,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    verify_fields(post_xml, appkey, options, callback::verify_native_call)
}

/// The function entries for `#[php_module]`.
pub fn php_functions() -> [ext_php_rs::builders::FunctionBuilder<'static>; 4] {
    [
        wrap_function!(wx_payment_verify),
        wrap_function!(wx_feedback_verify),
        wrap_function!(wx_alarm_verify),
        wrap_function!(wx_native_call_verify),
    ]
}
