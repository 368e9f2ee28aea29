//! `$options` and the `wxpay.*` ini values, read into the core's [`Config`].
//!
//! This file only converts: which keys exist, their defaults and how their
//! values are parsed are the core's settings table. A call without
//! `$options` reuses the configuration read by the previous one until an
//! ini value changes (every change goes through `ini::on_modify`, which
//! bumps [`GENERATION`]).

use crate::array;
use crate::convert::{deref, type_name};
use crate::engine;
use ext_php_rs::types::{ZendHashTable, Zval};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use wxpay_core::config::{Config, Given, Options, Setting};
use wxpay_core::error::Result;
use wxpay_core::wire::Scalar;

/// Bumped whenever any `wxpay.*` value changes, in any thread.
pub static GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The configuration of the ini values alone, and the generation it was read at.
    static BASE: RefCell<Option<(u64, Rc<Config>)>> = const { RefCell::new(None) };
}

fn ini_value(s: &Setting) -> String {
    engine::ini(s.ini)
}

/// The configuration for a call: `$options` over the ini values.
pub fn read(options: Option<&ZendHashTable>) -> Result<Rc<Config>> {
    match options.filter(|o| !o.is_empty()) {
        Some(ht) => {
            let options = Options::sort(given(ht), &[])?;
            Ok(Rc::new(Config::read(ini_value, &options.settings)?))
        }
        None => {
            let generation = GENERATION.load(Ordering::Acquire);
            if let Some(config) = BASE.with_borrow(|b| {
                b.as_ref()
                    .filter(|(g, _)| *g == generation)
                    .map(|(_, c)| Rc::clone(c))
            }) {
                return Ok(config);
            }
            let config = Rc::new(Config::read(ini_value, &[])?);
            BASE.set(Some((generation, Rc::clone(&config))));
            Ok(config)
        }
    }
}

/// The configuration for a call whose `$options` also take the function's
/// own keys (`own`, from `wxpay_core::config::calls`), and those keys as
/// given.
pub fn read_split<'a>(
    options: Option<&'a ZendHashTable>,
    own: &[&'static str],
) -> Result<(Rc<Config>, Options<'a>)> {
    let Some(ht) = options.filter(|o| !o.is_empty()) else {
        return Ok((read(None)?, Options::default()));
    };
    let options = Options::sort(given(ht), own)?;
    let config = if options.settings.is_empty() {
        read(None)?
    } else {
        Rc::new(Config::read(ini_value, &options.settings)?)
    };
    Ok((config, options))
}

/// The `$options` entries, converted.
fn given(ht: &ZendHashTable) -> Vec<(Scalar<'_>, Given<'_>)> {
    array::entries(ht)
        .map(|(key, z)| {
            let value = match deref(z).array() {
                Some(inner) => {
                    Given::Map(array::entries(inner).map(|(k, v)| (k, value(v))).collect())
                }
                None => value(z),
            };
            (key, value)
        })
        .collect()
}

/// A value the core's checks can read; an array here is only named.
fn value(z: &Zval) -> Given<'_> {
    let z = deref(z);
    if let Some(n) = z.long() {
        Given::Int(n)
    } else if let Some(f) = z.double() {
        Given::Float(f)
    } else if let Some(s) = z.zend_str() {
        Given::Text(s.as_bytes())
    } else {
        Given::Other(type_name(z))
    }
}
