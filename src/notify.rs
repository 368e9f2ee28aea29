//! `wx_deliver_notify()`: validate, sign, send, and map the outcome to a
//! PHP array or a `WxPay\*` exception.

use crate::array;
use crate::convert::{self, deref, type_name, PhpArray, PhpBytes};
use crate::exceptions::{invalid_argument, throw};
use crate::json;
use crate::settings;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::error::php_error;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use wxpay_core::client;
use wxpay_core::clock;
use wxpay_core::wire::deliver::{Delivery, DeliveryBuilder, Input};
use wxpay_core::wire::Scalar;

/// Reads `$params` into a [`Delivery`].
pub fn read_delivery(params: &ZendHashTable) -> Result<Delivery, PhpException> {
    let mut builder = DeliveryBuilder::default();
    array::try_for_each(params, |key, value| {
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
            .map_err(|e| Some(throw(e.context("$params"))))
    })
    // `None`: a __toString() threw. Whatever is returned then is not thrown
    // (ext-php-rs leaves a pending exception in place), so the user's
    // exception reaches the caller unchanged.
    .map_err(|e: Option<PhpException>| e.unwrap_or_else(|| invalid_argument(String::new())))?;
    let now = clock::now_secs();
    builder.build(now).map_err(|e| throw(e.context("$params")))
}

/// Sends the v2 shipping notification (`/pay/delivernotify`) and returns the
/// decoded reply, `['errcode' => 0, 'errmsg' => 'ok']`.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_deliver_notify(
    access_token: Option<PhpBytes>,
    params: PhpArray,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    let convert::ApiParams {
        token,
        params,
        options,
    } = convert::ApiParams::check(access_token, params, options)?;

    // Everything is validated before any network I/O.
    let delivery = read_delivery(params)?;
    let config = settings::read(options).map_err(throw)?;
    let warn = &mut |w: String| php_error(&ErrorType::Warning, &w);
    let reply = client::notify(&config.api(), &delivery, token.as_deref(), warn).map_err(throw)?;
    Ok(json::object_to_array(&reply))
}

/// The function entry for `#[php_module]`.
pub fn php_function() -> ext_php_rs::builders::FunctionBuilder<'static> {
    wrap_function!(wx_deliver_notify)
}
