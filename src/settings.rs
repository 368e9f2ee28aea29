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
use wxpay_core::config::{Config, Input, Setting};
use wxpay_core::error::{Error, Result};

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
        Some(ht) => Ok(Rc::new(Config::read(ini_value, &given(ht)?)?)),
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

/// A function's own `$options` entries, by name.
pub type Own<'a> = Vec<(&'static str, &'a Zval)>;

/// The configuration for a call whose `$options` also take the function's
/// own keys (`own`): those are returned as given, in order.
pub fn read_split<'a>(
    options: Option<&'a ZendHashTable>,
    own: &[&'static str],
) -> Result<(Rc<Config>, Own<'a>)> {
    let Some(ht) = options.filter(|o| !o.is_empty()) else {
        return Ok((read(None)?, Vec::new()));
    };
    let mut mine = Vec::new();
    let mut settings = Vec::with_capacity(ht.len());
    array::try_for_each(ht, |key, value| {
        let name = key.with_bytes(|k| own.iter().find(|o| o.as_bytes() == k).copied());
        match name {
            Some(name) => mine.push((name, value)),
            None => {
                let setting = key.with_bytes(Setting::option).map_err(|e| {
                    e.note(&format!(" (and for this function: {})", own.join(", ")))
                })?;
                settings.push((setting, text(setting, value)?));
            }
        }
        Ok::<(), Error>(())
    })?;
    let config = if settings.is_empty() {
        read(None)?
    } else {
        Rc::new(Config::read(ini_value, &settings)?)
    };
    Ok((config, mine))
}

/// The `$options` entries as (setting, text). Unknown keys are refused (a
/// typo must not silently fall back to a default).
fn given(ht: &ZendHashTable) -> Result<Vec<(&'static Setting, String)>> {
    let mut out = Vec::with_capacity(ht.len());
    array::try_for_each(ht, |key, value| {
        let setting = key.with_bytes(Setting::option)?;
        out.push((setting, text(setting, value)?));
        Ok::<(), Error>(())
    })?;
    Ok(out)
}

/// A value as the setting's parser reads it: strings as they are, seconds
/// from an int, a float or a string.
fn text(setting: &Setting, z: &Zval) -> Result<String> {
    let z = deref(z);
    let name = setting.name;
    match setting.input {
        Input::Text => match z.zend_str().map(|s| s.as_bytes()) {
            Some(b) => String::from_utf8(b.to_vec())
                .map_err(|_| Error::invalid(format!("option '{name}' must be valid UTF-8"))),
            None => Err(Error::invalid(format!(
                "option '{name}' must be a string, {} given",
                type_name(z)
            ))),
        },
        Input::Seconds => {
            if let Some(n) = z.long() {
                Ok(n.to_string())
            } else if let Some(f) = z.double() {
                Ok(f.to_string())
            } else if let Some(s) = z.str() {
                Ok(s.to_string())
            } else {
                Err(Error::invalid(format!(
                    "option '{name}' must be a number of seconds, {} given",
                    type_name(z)
                )))
            }
        }
    }
}
