//! `wx_order_query()` and `wx_feedback_update()`: two more pay API calls,
//! through the same transport and token management as `wx_deliver_notify()`.

use crate::array;
use crate::convert::{self, deref, type_name, PhpArray, PhpBytes};
use crate::exceptions::throw;
use crate::json;
use crate::settings;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::error::php_error;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use wxpay_core::client;
use wxpay_core::clock;
use wxpay_core::error::Error;
use wxpay_core::wire::deliver::Input;
use wxpay_core::wire::feedback;
use wxpay_core::wire::orderquery::{self, OrderQueryBuilder};

fn warn(w: String) {
    php_error(&ErrorType::Warning, &w);
}

/// Asks WeChat about an order (`/pay/orderquery`) and returns its
/// `order_info` as WeChat sent it (strings, `ret_code` an int).
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_order_query(
    access_token: Option<PhpBytes>,
    params: PhpArray,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    let convert::ApiParams {
        token,
        params,
        options,
    } = convert::ApiParams::check(access_token, params, options)?;

    let mut builder = OrderQueryBuilder::default();
    array::try_for_each(params, |key, value| {
        let z = deref(value);
        let input = if let Some(s) = z.zend_str() {
            Input::Str(s.as_bytes())
        } else if let Some(n) = z.long() {
            Input::Int(n)
        } else {
            Input::Other(type_name(z))
        };
        key.with_bytes(|k| builder.set(k, input))
    })
    .map_err(|e: Error| throw(e.context("$params")))?;
    let now = clock::now_secs();
    let query = builder
        .build(now)
        .map_err(|e| throw(e.context("$params")))?;
    let config = settings::read(options).map_err(throw)?;
    let reply = client::call(&config.api(), &query.request(), token.as_deref(), &mut warn)
        .and_then(|reply| orderquery::order_info(reply, &query.out_trade_no))
        .map_err(throw)?;
    Ok(json::object_to_array(&reply))
}

/// Tells WeChat a complaint is handled (`/payfeedback/update`); returns the
/// decoded reply. With a null token, `$options` needs `appid` and `appsecret`.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_feedback_update(
    access_token: Option<PhpBytes>,
    openid: PhpBytes,
    feedbackid: PhpBytes,
    options: PhpArray,
) -> PhpResult<ZBox<ZendHashTable>> {
    let token = convert::token_param(access_token)?;
    let openid = openid.check(2, "openid", "string")?.into_bytes();
    let feedbackid = feedbackid.check(3, "feedbackid", "string")?.into_bytes();
    let options = options.check_optional(4, "options")?;
    let config = settings::read(options).map_err(throw)?;
    let request = feedback::feedback_update(
        config.appid.as_deref(),
        token.is_some(),
        &openid,
        &feedbackid,
    )
    .map_err(throw)?;
    let reply =
        client::call(&config.api(), &request, token.as_deref(), &mut warn).map_err(throw)?;
    Ok(json::object_to_array(&reply))
}

/// The function entries for `#[php_module]`.
pub fn php_functions() -> [ext_php_rs::builders::FunctionBuilder<'static>; 2] {
    [
        wrap_function!(wx_order_query),
        wrap_function!(wx_feedback_update),
    ]
}
