//! `WxPay\Helper`: WxPayHelper's surface, so that a shop's swap is
//! `new WxPayHelper()` -> `new WxPay\Helper()`. The keys live in the Rust
//! object, never in a PHP property, so `var_dump($helper)` and
//! `serialize()` show the parameters and nothing secret.

use crate::array;
use crate::callback::bytes_zval;
use crate::checkout::{self, native_reply, owned, param, Binary, Fail, Out, OwnedKeys, Params};
use crate::convert::{deref, type_name, PhpArray, PhpBytes};
use crate::engine;
use crate::exceptions::{invalid_argument, throw};
use crate::sign::{convert_deferred, php_order, read_params};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use std::borrow::Cow;
use wxpay_core::error::Error;
use wxpay_core::wire::checkout::{self as rules, Param, Stamp};
use wxpay_core::wire::phpjson;
use wxpay_core::wire::urlencode::Space;
use wxpay_core::wire::Scalar;

/// WxPayHelper.php's class, byte for byte, throwing where it dies.
#[php_class]
#[php(name = "WxPay\\Helper")]
#[derive(Clone, Default)]
pub struct Helper {
    keys: OwnedKeys,
    /// `$parameters`: `None` until the first `setParameter()`.
    params: Option<Params>,
    /// Pinned by the config's `timestamp` / `noncestr` (tests).
    timestamp: Option<i64>,
    noncestr: Option<Vec<u8>>,
    space: Space,
}

/// The config keys and the `WxPay.config.php` constant each falls back to.
const FALLBACKS: [(&str, &str); 4] = [
    ("appid", "APPID"),
    ("appkey", "APPKEY"),
    ("partnerkey", "PARTNERKEY"),
    ("signtype", "SIGNTYPE"),
];

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Helper {
    /// `$config` keys appid, appkey, partnerkey, signtype (each missing one
    /// falls back to the constant of WxPay.config.php, when defined), and
    /// timestamp / noncestr / space as the functions' options.
    #[php(defaults(config = PhpArray::Omitted))]
    pub fn __construct(config: PhpArray) -> PhpResult<Self> {
        let config = config.check_optional(1, "config")?;
        let mut helper = Helper::default();
        let mut given: Vec<&str> = Vec::new();
        let mut options = ZendHashTable::new();
        if let Some(ht) = config {
            for (name, z) in array::entries(ht) {
                let key = name.display();
                if let Some((k, _)) = FALLBACKS.iter().find(|(k, _)| *k == key) {
                    helper.keys.set("$config", &name, z)?;
                    given.push(k);
                } else if ["timestamp", "noncestr", "space"].contains(&key.as_str()) {
                    let _ = options.insert(key.as_str(), z.shallow_clone());
                } else {
                    return Err(invalid_argument(format!(
                        "{}(): unknown key '{key}' in $config; the keys are appid, appkey, partnerkey, signtype (and timestamp, noncestr, space for tests)",
                        engine::active_function()
                    )));
                }
            }
        }
        for (key, constant) in FALLBACKS {
            if given.contains(&key) {
                continue;
            }
            if let Some(value) = engine::constant(constant) {
                helper
                    .keys
                    .set("$config", &Scalar::bytes(key.as_bytes()), &value)?;
            }
        }
        if helper.keys.signtype.is_empty() && !given.contains(&"signtype") {
            helper.keys.signtype = b"sha1".to_vec();
        }
        let options = checkout::Options::read(Some(&options), &[])?;
        helper.timestamp = options.timestamp;
        helper.noncestr = options.noncestr;
        helper.space = options.space;
        Ok(helper)
    }

    /// Stores a parameter as the original does: a loosely-null value
    /// (null, false, "", 0, 0.0, []) becomes null, and so does the key.
    #[php(name = "setParameter")]
    pub fn set_parameter(&mut self, parameter: &Zval, parameter_value: &Zval) -> PhpResult<()> {
        let key = match trimmed_key(parameter)? {
            Some(k) => k,
            None => Scalar::bytes(b""),
        };
        let mut value = match param(&key, parameter_value) {
            Ok(v) => v,
            // A pending __toString() exception reaches the caller as it is.
            Err(fail) => return checkout::finish(Err(fail)),
        };
        if value.is_loosely_null() {
            value = Param::Null;
        }
        let params = self.params.get_or_insert_with(Vec::new);
        match params.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => params.push((key, value)),
        }
        Ok(())
    }

    /// The stored value (null when there is none).
    #[php(name = "getParameter")]
    pub fn get_parameter(&self, parameter: &Zval) -> PhpResult<Zval> {
        let key = array_key(parameter)?;
        let found = self
            .params
            .iter()
            .flatten()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| param_zval(v));
        Ok(found.unwrap_or_default())
    }

    /// `$parameters`, as the original's public property reads.
    #[php(getter)]
    pub fn get_parameters(&self) -> Zval {
        let Some(params) = &self.params else {
            return Zval::new();
        };
        let mut ht = ZendHashTable::new();
        for (k, v) in params {
            let _ = match k {
                Scalar::Int(n) => ht.insert_at_index(*n, param_zval(v)),
                Scalar::Bytes(b) => ht.insert(&ZendStr::new(&**b, false), param_zval(v)),
            };
        }
        let mut z = Zval::new();
        z.set_hashtable(ht);
        z
    }

    /// True when the nine order parameters a package needs are all set.
    pub fn check_cft_parameters(&self) -> bool {
        rules::missing_parameter(self.stored()).is_none()
    }

    /// `$length` characters of [a-zA-Z0-9] from the OS's random source.
    #[php(defaults(length = 16))]
    pub fn create_noncestr(&self, length: i64) -> PhpResult<String> {
        if !(1..=1024).contains(&length) {
            return Err(invalid_argument(format!(
                "{}(): Argument #1 ($length) must be between 1 and 1024, {length} given",
                engine::active_function()
            )));
        }
        let nonce = rules::noncestr(length as usize).map_err(throw)?;
        Ok(String::from_utf8_lossy(&nonce).into_owned())
    }

    /// The partner-key package; sorts `$parameters` in place, as the
    /// original's `ksort` does.
    pub fn get_cft_package(&mut self) -> PhpResult<Binary> {
        Ok(Binary(self.package()?))
    }

    /// `get_biz_sign($bizObj)`: keys lower-cased, the configured appkey
    /// added, sorted, SHA-1.
    pub fn get_biz_sign(&self, biz_obj: PhpArray) -> PhpResult<String> {
        let ht = biz_obj.check(1, "bizObj")?;
        let signed = self.biz_sign(ht);
        // A pending __toString() exception reaches the caller as it is.
        checkout::finish(signed)
    }

    /// The JSON for `WeixinJSBridge.invoke('getBrandWCPayRequest', ...)`.
    pub fn create_biz_package(&mut self) -> PhpResult<String> {
        self.check()?;
        let stamp = self.stamp()?;
        let package = self.package()?;
        let members = rules::jsapi_request(&self.keys.keys(), &package, &stamp).map_err(throw)?;
        phpjson::object(&members).map_err(throw)
    }

    /// The JSON an app hands to the WeChat SDK.
    pub fn create_app_package(&mut self, traceid: Option<&Zval>) -> PhpResult<String> {
        let traceid = match traceid {
            Some(z) => scalar_arg(z, 1, "traceid")?,
            None => Scalar::bytes(b""),
        };
        self.check()?;
        let stamp = self.stamp()?;
        let package = self.package()?;
        let members =
            rules::app_request(&self.keys.keys(), &package, &traceid, &stamp).map_err(throw)?;
        phpjson::object(&members).map_err(throw)
    }

    /// The `weixin://wxpay/bizpayurl?...` URL for a product's QR code.
    pub fn create_native_url(&self, productid: PhpBytes) -> PhpResult<Binary> {
        let productid = productid.check(1, "productid", "string")?.into_bytes();
        self.keys.keys().require_appid().map_err(throw)?;
        let stamp = self.stamp()?;
        let url =
            rules::native_url(&self.keys.keys(), &productid, &stamp, self.space).map_err(throw)?;
        Ok(Binary(url))
    }

    /// The XML answer to WeChat's NativeCall.
    pub fn create_native_package(
        &mut self,
        retcode: Option<&Zval>,
        reterrmsg: Option<PhpBytes>,
    ) -> PhpResult<Binary> {
        let retcode = match retcode {
            Some(z) => scalar_arg(z, 1, "retcode")?,
            None => Scalar::Int(0),
        };
        let reterrmsg = match reterrmsg {
            Some(m) => m.check(2, "reterrmsg", "string")?.into_bytes(),
            None => b"ok".to_vec(),
        };
        self.keys.keys().require_appid().map_err(throw)?;
        let stamp = self.stamp()?;
        let keys = self.keys.clone();
        let space = self.space;
        let params = self.params.get_or_insert_with(Vec::new);
        let reply = native_reply(params, &keys, &retcode, &reterrmsg, &stamp, space)?;
        Ok(Binary(reply))
    }
}

impl Helper {
    fn biz_sign(&self, ht: &ZendHashTable) -> Out<String> {
        if self.keys.appkey.is_empty() {
            return Err(throw(Error::Configuration(
                "no appkey (the 128-character paySignKey) is configured (APPKEY为空！)".into(),
            ))
            .into());
        }
        let mut deferred = Vec::new();
        let mut input = read_params(ht, &mut deferred);
        input.set_appkey(Scalar::bytes(&self.keys.appkey));
        let order = php_order(&input);
        if let Err(bad) = convert_deferred(&mut input, &order, &deferred) {
            return Err(Fail::from_bad(bad));
        }
        Ok(String::from_utf8_lossy(&input.signature(&order)).into_owned())
    }

    fn stored(&self) -> &[(Scalar<'static>, Param<'static>)] {
        self.params.as_deref().unwrap_or_default()
    }

    fn check(&self) -> PhpResult<()> {
        self.keys.keys().require_appid().map_err(throw)?;
        rules::check_parameters(self.stored()).map_err(throw)
    }

    fn package(&mut self) -> PhpResult<Vec<u8>> {
        let partnerkey = self.keys.partnerkey.clone();
        let params = self.params.get_or_insert_with(Vec::new);
        checkout::package(params, &partnerkey, self.space).map_err(throw)
    }

    fn stamp(&self) -> PhpResult<Stamp> {
        checkout::Options {
            timestamp: self.timestamp,
            noncestr: self.noncestr.clone(),
            ..Default::default()
        }
        .stamp()
        .map_err(throw)
    }
}

/// A stored value as PHP reads it back.
fn param_zval(v: &Param<'_>) -> Zval {
    let mut z = Zval::new();
    match v {
        Param::Null => {}
        Param::True => z.set_bool(true),
        Param::Value(Scalar::Int(n)) => z.set_long(*n),
        Param::Value(Scalar::Bytes(b)) => return bytes_zval(b.to_vec()),
    }
    z
}

/// `trimString($k)` then the array key it makes: `None` for a loosely-null
/// key (stored under "").
fn trimmed_key(z: &Zval) -> PhpResult<Option<Scalar<'static>>> {
    let d = deref(z);
    let loosely_null = d.is_null()
        || d.is_false()
        || d.long() == Some(0)
        || d.double() == Some(0.0)
        || d.zend_str().is_some_and(|s| s.as_bytes().is_empty());
    if loosely_null {
        return Ok(None);
    }
    array_key(z).map(Some)
}

/// The key PHP's `$array[$k]` uses: a decimal integer string becomes an
/// int, true 1, a float its integer part.
fn array_key(z: &Zval) -> PhpResult<Scalar<'static>> {
    let z = deref(z);
    if let Some(s) = z.zend_str() {
        let b = s.as_bytes();
        return Ok(match Scalar::int_key(b) {
            Some(n) => Scalar::Int(n),
            None => Scalar::Bytes(Cow::Owned(b.to_vec())),
        });
    }
    if let Some(n) = z.long() {
        return Ok(Scalar::Int(n));
    }
    if z.is_null() {
        return Ok(Scalar::bytes(b""));
    }
    if let Some(b) = z.bool() {
        return Ok(Scalar::Int(i64::from(b)));
    }
    if let Some(f) = z.double() {
        if f.is_finite() {
            return Ok(Scalar::Int(f.trunc() as i64));
        }
    }
    Err(invalid_argument(format!(
        "{}(): a parameter name must be a string or an int, {} given",
        engine::active_function(),
        type_name(z)
    )))
}

/// An `int|string` argument (traceid, retcode).
fn scalar_arg(z: &Zval, position: u32, name: &str) -> PhpResult<Scalar<'static>> {
    let z = deref(z);
    if let Some(n) = z.long() {
        return Ok(Scalar::Int(n));
    }
    if let Some(s) = z.zend_str() {
        return Ok(owned(Scalar::bytes(s.as_bytes())));
    }
    Err(crate::convert::type_error(
        position,
        name,
        "string|int",
        &type_name(z),
    ))
}
