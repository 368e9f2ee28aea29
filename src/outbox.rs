//! `wx_deliver_enqueue()`, `wx_deliver_drain()`, `wx_deliver_outbox()` and
//! `wx_deliver_requeue()`: the outbox's PHP side. The store, the retry
//! policy and every check that is not about PHP types are the core's.

use crate::array;
use crate::convert::{deref, type_error, type_name, PhpArray};
use crate::exceptions::throw;
use crate::json;
use crate::notify::read_delivery;
use crate::settings;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::error::php_error;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{json, Value};
use wxpay_core::clock::{now_ms, Clocks};
use wxpay_core::config::calls;
use wxpay_core::error::Error;
use wxpay_core::outbox::{self, Listed, Status, View};

/// Keeps a shipping notification until WeChat has it; returns the entry's id.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_deliver_enqueue(params: PhpArray, options: PhpArray) -> PhpResult<String> {
    let params = params.check(1, "params")?;
    let options = options.check_optional(2, "options")?;
    let delivery = read_delivery(params)?;
    let run = || {
        let (config, own) = settings::read_split(options, calls::ENQUEUE)?;
        let now = now_ms();
        let deadline = own.deadline(now)?;
        outbox::enqueue(
            config.outbox()?,
            &config.transport,
            &delivery,
            deadline,
            now,
        )
    };
    run().map_err(throw)
}

/// Sends what is due in the outbox; returns what it did and what is left.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_deliver_drain(options: PhpArray) -> PhpResult<ZBox<ZendHashTable>> {
    let options = options.check_optional(1, "options")?;
    let run = || {
        let (config, own) = settings::read_split(options, calls::DRAIN)?;
        let (apps, limits) = own.drain(config.appsecret.as_deref())?;
        let (store, _) = outbox::store(config.outbox()?, &config.transport)?;
        let warn = &mut |w: String| php_error(&ErrorType::Warning, &w);
        outbox::drain(
            &*store,
            config.outbox()?,
            &config.api(),
            &apps,
            limits,
            &Clocks::SYSTEM,
            warn,
        )
    };
    let c = run().map_err(throw)?;
    Ok(to_array(&[
        ("sent", json!(c.sent)),
        ("retried", json!(c.retried)),
        ("dead", json!(c.dead)),
        ("skipped", json!(c.skipped)),
        ("pending", json!(c.pending)),
        ("overdue", json!(c.overdue)),
    ]))
}

/// The outbox's state for monitoring: an array, or Prometheus text with
/// `$options['format'] => 'prometheus'`.
#[php_function]
#[php(defaults(options = PhpArray::Omitted))]
pub fn wx_deliver_outbox(options: PhpArray) -> PhpResult<Zval> {
    let options = options.check_optional(1, "options")?;
    let run = || {
        let (config, own) = settings::read_split(options, calls::STATUS)?;
        let view = own.view()?;
        let (store, shown) = outbox::store(config.outbox()?, &config.transport)?;
        let now = now_ms();
        let status = store.status(now, view.dead_limit())?;
        let mut z = Zval::new();
        match view {
            View::Prometheus => {
                // Fails only for a persistent string, which this is not.
                let _ = z.set_string(&status.prometheus(&shown, now), false);
            }
            View::Array { .. } => z.set_hashtable(status_array(&status, &shown, now)),
        }
        Ok(z)
    };
    run().map_err(throw)
}

/// Makes dead entries (all, or those in `$ids`) pending again.
#[php_function]
#[php(defaults(ids = None, options = PhpArray::Omitted))]
pub fn wx_deliver_requeue(ids: Option<PhpArray>, options: PhpArray) -> PhpResult<i64> {
    let ids = match ids {
        // ext-php-rs passes an explicit null through to the array reader.
        Some(PhpArray::Wrong(t)) if t == "null" => None,
        Some(PhpArray::Wrong(t)) => return Err(type_error(1, "ids", "?array", &t)),
        Some(a) => a.check_optional(1, "ids")?,
        None => None,
    };
    let options = options.check_optional(2, "options")?;
    let run = || {
        let list = match ids {
            Some(ht) => {
                let mut list = Vec::with_capacity(ht.len());
                array::try_for_each(ht, |_, z| {
                    let z = deref(z);
                    match z.zend_str().map(|s| std::str::from_utf8(s.as_bytes())) {
                        Some(Ok(id)) => list.push(id.to_string()),
                        // No id is anything but hex: this one matches no entry.
                        Some(Err(_)) => list.push(String::new()),
                        None => {
                            return Err(Error::invalid(format!(
                                "$ids must hold entry ids (strings), {} given",
                                type_name(z)
                            )))
                        }
                    }
                    Ok(())
                })?;
                Some(list)
            }
            None => None,
        };
        let (config, own) = settings::read_split(options, calls::ENQUEUE)?;
        let now = now_ms();
        let deadline = own.deadline(now)?;
        let (store, _) = outbox::store(config.outbox()?, &config.transport)?;
        store.requeue(list.as_deref(), deadline, now)
    };
    run().map(|n| n as i64).map_err(throw)
}

fn status_array(s: &Status, shown: &str, now: u64) -> ZBox<ZendHashTable> {
    let secs = |ms: u64| ms / 1000;
    // Dead entries say when they died, retrying ones when they are tried next.
    let list = |entries: &[Listed], at: &str| {
        let mut ht = ZendHashTable::new();
        for d in entries {
            let mut entry = Zval::new();
            entry.set_hashtable(to_array(&[
                ("id", json!(d.id)),
                ("appid", json!(d.appid)),
                ("transid", json!(d.transid)),
                ("out_trade_no", json!(d.out_trade_no)),
                ("last_error", json!(d.last_error)),
                ("attempts", json!(d.attempts)),
                ("deadline", json!(secs(d.deadline_ms))),
                (at, json!(secs(d.at_ms))),
            ]));
            let _ = ht.push(entry);
        }
        let mut z = Zval::new();
        z.set_hashtable(ht);
        z
    };
    let mut out = to_array(&[
        ("store", json!(shown)),
        ("pending", json!(s.pending)),
        ("sent", json!(s.sent)),
        ("dead", json!(s.dead)),
        ("superseded", json!(s.superseded)),
        ("overdue", json!(s.overdue)),
        ("oldest_pending_age", json!(s.oldest_pending_age(now))),
        ("nearest_deadline", json!(s.nearest_deadline_ms.map(secs))),
        ("lost", json!(s.lost)),
    ]);
    let _ = out.insert("dead_entries", list(&s.dead_entries, "dead_since"));
    let _ = out.insert("retrying_entries", list(&s.retrying_entries, "next_try"));
    out
}

/// An array with these keys, in this order.
fn to_array(pairs: &[(&str, Value)]) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::with_capacity(pairs.len() as u32);
    for (k, v) in pairs {
        let _ = ht.insert(*k, json::to_zval(v));
    }
    ht
}

pub fn php_functions() -> [ext_php_rs::builders::FunctionBuilder<'static>; 4] {
    [
        wrap_function!(wx_deliver_enqueue),
        wrap_function!(wx_deliver_drain),
        wrap_function!(wx_deliver_outbox),
        wrap_function!(wx_deliver_requeue),
    ]
}
