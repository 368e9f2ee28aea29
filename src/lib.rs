//! wxpay: WeChat Pay v2 shipping notifications for legacy PHP storefronts.
//!
//! This crate is the binding layer only: it converts zvals to the types of
//! `wxpay-core` and maps errors to the `WxPay\*` exceptions.

mod array;
mod callback;
mod checkout;
mod convert;
mod engine;
mod exceptions;
mod helper;
mod info;
mod ini;
mod json;
mod notify;
mod orderquery;
mod outbox;
mod settings;
mod sign;
mod token;

use ext_php_rs::prelude::*;

/// One line per panic inside a wxpay function, with its place but not its
/// payload, instead of Rust's default hook and its backtrace in the php-fpm
/// log (ext-php-rs still turns the panic into a PHP `\Error` for the
/// caller). Any other panic in the process (another Rust extension's) goes
/// to the hook that was there before.
fn quiet_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !engine::inside_call() {
            return previous(info);
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("wxpay: internal error{at}");
    }));
}

extern "C" fn request_startup(_ty: i32, _module_number: i32) -> i32 {
    engine::request_start();
    0
}

/// Module startup: register ini entries and exceptions, mark secret parameters.
extern "C" fn startup(_ty: i32, module_number: i32) -> i32 {
    quiet_panics();
    let ok = std::panic::catch_unwind(|| {
        ini::register(module_number);
        exceptions::register()
            // Stack traces show `Object(SensitiveParameterValue)`, never a secret.
            .and_then(|()| engine::mark_sensitive("wx_deliver_sign", &[0, 1]))
            .and_then(|()| engine::mark_sensitive("wx_deliver_notify", &[0, 1, 2]))
            .and_then(|()| engine::mark_sensitive("wx_access_token", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_payment_verify", &[2]))
            .and_then(|()| engine::mark_sensitive("wx_feedback_verify", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_alarm_verify", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_order_query", &[0, 1, 2]))
            .and_then(|()| engine::mark_sensitive("wx_feedback_update", &[0, 3]))
            .and_then(|()| engine::mark_sensitive("wx_deliver_enqueue", &[0, 1]))
            .and_then(|()| engine::mark_sensitive("wx_deliver_drain", &[0]))
            .and_then(|()| engine::mark_sensitive("wx_deliver_outbox", &[0]))
            .and_then(|()| engine::mark_sensitive("wx_deliver_requeue", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_native_call_verify", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_pay_package", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_jsapi_request", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_app_request", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_native_url", &[1]))
            .and_then(|()| engine::mark_sensitive("wx_native_reply", &[1]))
            .and_then(|()| engine::wrap_null_args("wxpay"))
    });
    match ok {
        Ok(Ok(())) => 0,
        Ok(Err(msg)) => {
            eprintln!("wxpay: {msg}");
            -1
        }
        Err(_) => -1,
    }
}

#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .name("wxpay")
        .version(env!("CARGO_PKG_VERSION"))
        .info_function(info::module_info)
        .request_startup_function(request_startup)
        .function(sign::php_function())
        .function(notify::php_function())
        .function(token::php_function())
        .class::<helper::Helper>();
    let module = callback::php_functions()
        .into_iter()
        .fold(module, |m, f| m.function(f));
    let module = checkout::php_functions()
        .into_iter()
        .fold(module, |m, f| m.function(f));
    let module = orderquery::php_functions()
        .into_iter()
        .fold(module, |m, f| m.function(f));
    outbox::php_functions()
        .into_iter()
        .fold(module, |m, f| m.function(f))
}
