//! The checkout functions: `wx_pay_package()`, `wx_jsapi_request()`,
//! `wx_app_request()`, `wx_native_url()`, `wx_native_reply()`. The same
//! rules as `WxPay\Helper` (src/helper.rs), without the object.

use crate::array;
use crate::callback::bytes_zval;
use crate::convert::{self, deref, type_name, NotScalar, PhpArray, PhpBytes};
use crate::exceptions::{invalid_argument, throw};
use crate::sign::{ksort_once, BadValue};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use std::borrow::Cow;
use wxpay_core::clock;
use wxpay_core::error::Error;
use wxpay_core::wire::checkout::{self, Keys, Param, Stamp};
use wxpay_core::wire::phpjson;
use wxpay_core::wire::urlencode::Space;
use wxpay_core::wire::Scalar;

/// Stored parameters: keys as PHP array keys, values as the rule sees them.
pub type Params = Vec<(Scalar<'static>, Param<'static>)>;

/// Why a call stopped: an exception to throw, or `None` when a
/// `__toString()` exception is already pending and must reach the caller
/// unchanged.
pub struct Fail(Option<PhpException>);

impl From<PhpException> for Fail {
    fn from(e: PhpException) -> Self {
        Fail(Some(e))
    }
}

impl Fail {
    pub fn from_bad(bad: BadValue) -> Self {
        Fail(bad.into_exception())
    }
}

pub type Out<T> = Result<T, Fail>;

/// The PHP result of a call (an empty value while a pending exception
/// propagates: PHP discards it).
pub fn finish<T: Default>(r: Out<T>) -> PhpResult<T> {
    match r {
        Ok(v) => Ok(v),
        Err(Fail(Some(e))) => Err(e),
        Err(Fail(None)) => Ok(T::default()),
    }
}

/// A PHP string with exactly these bytes.
#[derive(Default)]
pub struct Binary(pub Vec<u8>);

impl IntoZval for Binary {
    const TYPE: DataType = DataType::String;
    const NULLABLE: bool = false;

    fn set_zval(self, zv: &mut Zval, _persistent: bool) -> ext_php_rs::error::Result<()> {
        zv.set_binary(self.0);
        Ok(())
    }
}

/// A PHP array built here.
pub struct Array(pub ZBox<ZendHashTable>);

impl Default for Array {
    fn default() -> Self {
        Array(ZendHashTable::new())
    }
}

impl IntoZval for Array {
    const TYPE: DataType = DataType::Array;
    const NULLABLE: bool = false;

    fn set_zval(self, zv: &mut Zval, _persistent: bool) -> ext_php_rs::error::Result<()> {
        zv.set_hashtable(self.0);
        Ok(())
    }
}

/// One value as `formatQueryParaMap` sees it (owned: the helper keeps it).
pub fn param(key: &Scalar<'_>, z: &Zval) -> Out<Param<'static>> {
    let z = deref(z);
    if z.is_null() || z.is_false() {
        return Ok(Param::Null);
    }
    if z.is_true() {
        return Ok(Param::True);
    }
    if z.double() == Some(0.0) || z.array().is_some_and(|a| a.is_empty()) {
        // Loosely null, like null: WxPayHelper's trimString stores null.
        return Ok(Param::Null);
    }
    match convert::to_scalar(z) {
        Ok(Scalar::Bytes(b)) => Ok(Param::Value(Scalar::Bytes(Cow::Owned(b.into_owned())))),
        Ok(Scalar::Int(n)) => Ok(Param::Value(Scalar::Int(n))),
        Err(what) => Err(bad_value(key, what)),
    }
}

fn bad_value(key: &Scalar<'_>, what: NotScalar) -> Fail {
    Fail::from_bad(BadValue {
        key: key.display(),
        what,
    })
}

/// `$params` read into owned pairs.
pub fn read_params(ht: &ZendHashTable) -> Out<Params> {
    let mut out = Vec::with_capacity(ht.len());
    for (key, z) in array::entries(ht) {
        let value = param(&key, z)?;
        out.push((owned(key), value));
    }
    Ok(out)
}

pub fn owned(key: Scalar<'_>) -> Scalar<'static> {
    match key {
        Scalar::Int(n) => Scalar::Int(n),
        Scalar::Bytes(b) => Scalar::Bytes(Cow::Owned(b.into_owned())),
    }
}

/// `ksort()` of the parameters, in place.
pub fn ksort(params: &mut Params) {
    let order = ksort_once(params.iter().map(|(k, _)| k));
    if order.iter().enumerate().all(|(n, &i)| n == i) {
        return;
    }
    let mut taken: Vec<Option<(Scalar<'static>, Param<'static>)>> =
        std::mem::take(params).into_iter().map(Some).collect();
    params.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

/// `get_cft_package()`: sorts the parameters in place (as the original
/// does), then builds the package in `formatQueryParaMap`'s own `ksort`
/// order (the same order, unless PHP's comparison of numeric keys moves
/// them again).
pub fn package(params: &mut Params, partnerkey: &[u8], space: Space) -> Result<Vec<u8>, Error> {
    ksort(params);
    let order = ksort_once(params.iter().map(|(k, _)| k));
    checkout::package(params, &order, partnerkey, space)
}

/// The keys of `$keys`, owned.
#[derive(Clone, Debug, Default)]
pub struct OwnedKeys {
    pub appid: Vec<u8>,
    pub appkey: Vec<u8>,
    pub partnerkey: Vec<u8>,
    pub signtype: Vec<u8>,
}

impl OwnedKeys {
    pub fn keys(&self) -> Keys<'_> {
        Keys {
            appid: &self.appid,
            appkey: &self.appkey,
            partnerkey: &self.partnerkey,
            signtype: &self.signtype,
        }
    }

    /// One entry of a keys array; `what` names the array in messages.
    pub fn set(&mut self, what: &str, name: &Scalar<'_>, z: &Zval) -> PhpResult<()> {
        let slot = match name {
            Scalar::Bytes(n) if &n[..] == b"appid" => &mut self.appid,
            Scalar::Bytes(n) if &n[..] == b"appkey" => &mut self.appkey,
            Scalar::Bytes(n) if &n[..] == b"partnerkey" => &mut self.partnerkey,
            Scalar::Bytes(n) if &n[..] == b"signtype" => &mut self.signtype,
            other => {
                return Err(invalid_argument(format!(
                    "{}(): unknown key '{}' in {what}; the keys are appid, appkey, partnerkey, signtype",
                    crate::engine::active_function(),
                    other.display()
                )))
            }
        };
        let z = deref(z);
        match z.zend_str() {
            Some(s) => *slot = s.as_bytes().to_vec(),
            None => {
                return Err(invalid_argument(format!(
                    "{}(): {what}['{}'] must be a string, {} given",
                    crate::engine::active_function(),
                    name.display(),
                    type_name(z)
                )))
            }
        }
        Ok(())
    }

    pub fn read(what: &str, ht: &ZendHashTable) -> PhpResult<Self> {
        let mut keys = OwnedKeys {
            signtype: b"sha1".to_vec(),
            ..OwnedKeys::default()
        };
        for (name, z) in array::entries(ht) {
            keys.set(what, &name, z)?;
        }
        Ok(keys)
    }
}

/// What `$options` may hold; each function takes the common three and
/// some of the rest.
#[derive(Default)]
pub struct Options {
    pub timestamp: Option<i64>,
    pub noncestr: Option<Vec<u8>>,
    pub space: Space,
    pub traceid: Option<Scalar<'static>>,
    pub retcode: Option<Scalar<'static>>,
    pub reterrmsg: Option<Vec<u8>>,
}

impl Options {
    /// `$options`, accepting the common keys and `extra`.
    pub fn read(ht: Option<&ZendHashTable>, extra: &[&str]) -> PhpResult<Self> {
        let mut o = Options::default();
        let Some(ht) = ht else { return Ok(o) };
        let fail = |msg: String| {
            invalid_argument(format!("{}(): {msg}", crate::engine::active_function()))
        };
        for (name, z) in array::entries(ht) {
            let z = deref(z);
            let key = name.display();
            let allowed = ["timestamp", "noncestr", "space"].contains(&key.as_str())
                || extra.contains(&key.as_str());
            if !allowed {
                let mut all = vec!["timestamp", "noncestr", "space"];
                all.extend_from_slice(extra);
                return Err(fail(format!(
                    "unknown option '{key}'; the options of this function are {}",
                    all.join(", ")
                )));
            }
            match key.as_str() {
                "timestamp" => match z.long() {
                    Some(n) if n >= 0 => o.timestamp = Some(n),
                    _ => {
                        return Err(fail(format!(
                            "option 'timestamp' must be an int of unix seconds (0 or more), {} given",
                            describe(z)
                        )))
                    }
                },
                "noncestr" => match z.zend_str() {
                    Some(s) if !s.as_bytes().is_empty() && s.as_bytes().len() <= 32 => {
                        o.noncestr = Some(s.as_bytes().to_vec())
                    }
                    _ => {
                        return Err(fail(format!(
                            "option 'noncestr' must be a string of 1 to 32 bytes, {} given",
                            describe(z)
                        )))
                    }
                },
                "space" => match z.zend_str().map(|s| s.as_bytes()) {
                    Some(b"+") => o.space = Space::Plus,
                    Some(b"%20") => o.space = Space::Percent20,
                    _ => {
                        return Err(fail(format!(
                            "option 'space' must be '+' (PHP's urlencode, the 2014 SDK) or '%20' (WeChat's documentation), {} given",
                            describe(z)
                        )))
                    }
                },
                "traceid" | "retcode" => {
                    let v = if let Some(n) = z.long() {
                        Scalar::Int(n)
                    } else if let Some(s) = z.zend_str() {
                        Scalar::Bytes(Cow::Owned(s.as_bytes().to_vec()))
                    } else {
                        return Err(fail(format!(
                            "option '{key}' must be a string or an int, {} given",
                            type_name(z)
                        )));
                    };
                    if key == "traceid" {
                        o.traceid = Some(v);
                    } else {
                        o.retcode = Some(v);
                    }
                }
                "reterrmsg" => match z.zend_str() {
                    Some(s) => o.reterrmsg = Some(s.as_bytes().to_vec()),
                    None => {
                        return Err(fail(format!(
                            "option 'reterrmsg' must be a string, {} given",
                            type_name(z)
                        )))
                    }
                },
                _ => unreachable!("checked against the allowed keys"),
            }
        }
        Ok(o)
    }

    /// The time and nonce to sign with: pinned, or now and a fresh nonce.
    pub fn stamp(&self) -> Result<Stamp, Error> {
        Ok(Stamp {
            timestamp: self.timestamp.unwrap_or_else(|| clock::now_secs() as i64),
            noncestr: match &self.noncestr {
                Some(n) => n.clone(),
                None => checkout::noncestr(16)?,
            },
        })
    }
}

/// A type name, with the value for a wrong int (never a secret here).
fn describe(z: &Zval) -> String {
    match z.long() {
        Some(n) => n.to_string(),
        None => type_name(z),
    }
}

/// An array of the members, strings and ints as PHP values.
pub fn members_array(members: Vec<(&'static str, Scalar<'static>)>) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::new();
    for (k, v) in members {
        let z = match v {
            Scalar::Int(n) => {
                let mut z = Zval::new();
                z.set_long(n);
                z
            }
            Scalar::Bytes(b) => bytes_zval(b.into_owned()),
        };
        let _ = ht.insert(k, z);
    }
    ht
}

/// The common start: `$params` read and checked as `check_cft_parameters`
/// does, `$keys` and `$options` read.
fn start(
    params: PhpArray,
    keys: PhpArray,
    options: PhpArray,
    extra: &[&str],
) -> Out<(Params, OwnedKeys, Options)> {
    let params = read_params(params.check(1, "params")?)?;
    let keys = OwnedKeys::read("$keys", keys.check(2, "keys")?)?;
    let options = Options::read(options.check_optional(3, "options")?, extra)?;
    keys.keys().require_appid().map_err(throw)?;
    Ok((params, keys, options))
}

/// The partner-key package (`get_cft_package()`): the order parameters
/// URL-encoded and sorted, then `&sign=` and their MD5 with the partner key.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_pay_package(
    params: PhpArray,
    partnerkey: PhpBytes,
    options: PhpArray,
) -> PhpResult<Binary> {
    finish(pay_package(params, partnerkey, options))
}

fn pay_package(params: PhpArray, partnerkey: PhpBytes, options: PhpArray) -> Out<Binary> {
    let mut params = read_params(params.check(1, "params")?)?;
    let partnerkey = partnerkey.check(2, "partnerkey", "string")?.into_bytes();
    let options = Options::read(options.check_optional(3, "options")?, &[])?;
    // Like get_cft_package(), no parameter is required: the rule signs what
    // it is given.
    let package = package(&mut params, &partnerkey, options.space).map_err(throw)?;
    Ok(Binary(package))
}

/// The getBrandWCPayRequest argument (`create_biz_package()`), as an array
/// of strings whose `json_encode()` is what the original returns.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_jsapi_request(params: PhpArray, keys: PhpArray, options: PhpArray) -> PhpResult<Array> {
    finish(jsapi_request(params, keys, options))
}

fn jsapi_request(params: PhpArray, keys: PhpArray, options: PhpArray) -> Out<Array> {
    let o = SignedOrder::read(params, keys, options, &[])?;
    let members = checkout::jsapi_request(&o.keys.keys(), &o.package, &o.stamp).map_err(throw)?;
    // What json_encode() of the array would refuse is refused here.
    phpjson::check(&members).map_err(throw)?;
    Ok(Array(members_array(members)))
}

/// What the JSAPI and app objects are built from: the order checked as
/// `check_cft_parameters()` does and signed into its package.
struct SignedOrder {
    keys: OwnedKeys,
    options: Options,
    package: Vec<u8>,
    stamp: Stamp,
}

impl SignedOrder {
    fn read(params: PhpArray, keys: PhpArray, options: PhpArray, extra: &[&str]) -> Out<Self> {
        let (mut params, keys, options) = start(params, keys, options, extra)?;
        checkout::check_parameters(&params).map_err(throw)?;
        let stamp = options.stamp().map_err(throw)?;
        let package = package(&mut params, &keys.partnerkey, options.space).map_err(throw)?;
        Ok(SignedOrder {
            keys,
            options,
            package,
            stamp,
        })
    }
}

/// The app payment object (`create_app_package($traceid)`), as an array
/// whose `json_encode()` is what the original returns.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_app_request(params: PhpArray, keys: PhpArray, options: PhpArray) -> PhpResult<Array> {
    finish(app_request(params, keys, options))
}

fn app_request(params: PhpArray, keys: PhpArray, options: PhpArray) -> Out<Array> {
    let o = SignedOrder::read(params, keys, options, &["traceid"])?;
    let traceid = o.options.traceid.clone().unwrap_or(Scalar::bytes(b""));
    let members =
        checkout::app_request(&o.keys.keys(), &o.package, &traceid, &o.stamp).map_err(throw)?;
    phpjson::check(&members).map_err(throw)?;
    Ok(Array(members_array(members)))
}

/// The native-pay QR URL (`create_native_url($productid)`).
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_native_url(productid: PhpBytes, keys: PhpArray, options: PhpArray) -> PhpResult<Binary> {
    let productid = productid.check(1, "productid", "string")?.into_bytes();
    let keys = OwnedKeys::read("$keys", keys.check(2, "keys")?)?;
    let options = Options::read(options.check_optional(3, "options")?, &[])?;
    keys.keys().require_appid().map_err(throw)?;
    let stamp = options.stamp().map_err(throw)?;
    let url =
        checkout::native_url(&keys.keys(), &productid, &stamp, options.space).map_err(throw)?;
    Ok(Binary(url))
}

/// The reply to a NativeCall (`create_native_package($retcode,
/// $reterrmsg)`): options `retcode` (default 0) and `reterrmsg` ("ok").
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_native_reply(params: PhpArray, keys: PhpArray, options: PhpArray) -> PhpResult<Binary> {
    finish(native_reply_call(params, keys, options))
}

fn native_reply_call(params: PhpArray, keys: PhpArray, options: PhpArray) -> Out<Binary> {
    let (mut params, keys, options) = start(params, keys, options, &["retcode", "reterrmsg"])?;
    let retcode = options.retcode.clone().unwrap_or(Scalar::Int(0));
    let reterrmsg = options.reterrmsg.clone().unwrap_or_else(|| b"ok".to_vec());
    let stamp = options.stamp().map_err(throw)?;
    let reply = native_reply(
        &mut params,
        &keys,
        &retcode,
        &reterrmsg,
        &stamp,
        options.space,
    )?;
    Ok(Binary(reply))
}

/// `create_native_package()`: the parameters are required only for a
/// success reply; an error reply with no parameters has an empty package.
pub fn native_reply(
    params: &mut Params,
    keys: &OwnedKeys,
    retcode: &Scalar<'_>,
    reterrmsg: &[u8],
    stamp: &Stamp,
    space: Space,
) -> PhpResult<Vec<u8>> {
    let success = checkout::retcode_is_zero(retcode);
    if success {
        checkout::check_parameters(params).map_err(throw)?;
    }
    let package = if !success && params.iter().all(|(_, v)| v.is_loosely_null()) {
        Vec::new()
    } else {
        package(params, &keys.partnerkey, space).map_err(throw)?
    };
    checkout::native_reply(&keys.keys(), &package, retcode, reterrmsg, stamp).map_err(throw)
}

/// The function entries for `#[php_module]`.
pub fn php_functions() -> [ext_php_rs::builders::FunctionBuilder<'static>; 5] {
    [
        wrap_function!(wx_pay_package),
        wrap_function!(wx_jsapi_request),
        wrap_function!(wx_app_request),
        wrap_function!(wx_native_url),
        wrap_function!(wx_native_reply),
    ]
}
