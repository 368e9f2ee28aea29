//! The `WxPay\*` exception hierarchy.
//!
//! Registered by hand with `ClassBuilder` at startup (not `#[php_class]`), so
//! the classes keep `\Exception`'s constructor: shops can `new` them in tests
//! and extend them.

use crate::engine;
use ext_php_rs::args::ArgInfoTables;
use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::exception::PhpException;
use ext_php_rs::types::{ZendObject, Zval};
use ext_php_rs::zend::{ce, ClassEntry};
use std::sync::atomic::{AtomicPtr, Ordering};
use wxpay_core::error::Error;

/// Which exception class an error maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Base,
    InvalidArgument,
    Transport,
    Api,
    /// A `wxpay.*` directive in php.ini that cannot be used. Extends
    /// TransportException: nothing was sent, and a callback's "retry later"
    /// branch is the right one while the server is misconfigured.
    Configuration,
    /// A message claimed to come from WeChat whose signature does not match.
    Signature,
    /// The outbox's store cannot be used: what was not stored is not kept.
    Outbox,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Base,
        Kind::InvalidArgument,
        Kind::Transport,
        Kind::Api,
        Kind::Configuration,
        Kind::Signature,
        Kind::Outbox,
    ];

    pub const fn class_name(self) -> &'static str {
        match self {
            Kind::Base => "WxPay\\Exception",
            Kind::InvalidArgument => "WxPay\\InvalidArgumentException",
            Kind::Transport => "WxPay\\TransportException",
            Kind::Api => "WxPay\\ApiException",
            Kind::Configuration => "WxPay\\ConfigurationException",
            Kind::Signature => "WxPay\\SignatureException",
            Kind::Outbox => "WxPay\\OutboxException",
        }
    }

    fn slot(self) -> &'static AtomicPtr<ClassEntry> {
        static SLOTS: [AtomicPtr<ClassEntry>; 7] =
            [const { AtomicPtr::new(std::ptr::null_mut()) }; 7];
        &SLOTS[self as usize]
    }

    fn entry(self) -> &'static ClassEntry {
        let p = self.slot().load(Ordering::Acquire);
        // SAFETY: set once at startup to an engine-owned class entry that
        // lives until module shutdown; null only if startup failed, and then
        // no function of this module is callable.
        unsafe { p.as_ref() }.unwrap_or_else(ce::exception)
    }
}

fn base_entry() -> &'static ClassEntry {
    Kind::Base.entry()
}

fn transport_entry() -> &'static ClassEntry {
    Kind::Transport.entry()
}

/// Registers the classes, each under its parent; called from the module's
/// startup function.
pub fn register() -> Result<(), String> {
    for kind in Kind::ALL {
        let parent: (fn() -> &'static ClassEntry, &'static str) = match kind {
            Kind::Base => (ce::exception, "Exception"),
            Kind::Configuration => (transport_entry, "WxPay\\TransportException"),
            _ => (base_entry, "WxPay\\Exception"),
        };
        ClassBuilder::new(kind.class_name())
            .extends(parent)
            .registration(remember)
            .register()
            .map_err(|e| format!("cannot register {}: {e}", kind.class_name()))?;
    }
    Ok(())
}

/// Keeps a registered class entry in its kind's slot, found by its name.
fn remember(ce: &'static mut ClassEntry, _: ArgInfoTables) {
    let name = ce.name().unwrap_or_default().to_string();
    if let Some(kind) = Kind::ALL.into_iter().find(|k| k.class_name() == name) {
        kind.slot().store(ce, Ordering::Release);
    }
}

/// An exception of the given kind, ready to be returned as `Err`.
/// `getCode()` is `code` in full: PHP's int is 64 bits, so an errcode
/// beyond 32 bits is not truncated.
pub fn exception(kind: Kind, message: impl Into<String>, code: i64) -> PhpException {
    let mut message = message.into();
    // A NUL would turn the exception into a plain \Error; messages are built
    // from escaped parts, this only guards against a future mistake.
    if message.contains('\0') {
        message = message.replace('\0', "\\0");
    }
    match i32::try_from(code) {
        Ok(small) => PhpException::new(message, small, kind.entry()),
        Err(_) => {
            let object = wide_code_object(kind, &message, code);
            PhpException::new(message, 0, kind.entry()).with_object(object)
        }
    }
}

/// The exception object itself, for a code that `PhpException` (an i32)
/// cannot carry.
fn wide_code_object(kind: Kind, message: &str, code: i64) -> Zval {
    let ce = kind.entry();
    let mut object = ZendObject::new(ce);
    let scope = std::ptr::from_ref(ce).cast_mut();
    let raw: *mut ZendObject = &raw mut *object;
    // SAFETY: a live object of class `ce`; the engine's own setters write
    // its declared (protected) `message` and `code` with `ce` as the scope.
    unsafe {
        engine::wxpay_set_exception_fields(
            scope,
            raw,
            message.as_ptr().cast(),
            message.len(),
            code,
        );
    }
    let mut zv = Zval::new();
    // The zval takes its own reference; the ZBox's is released on return.
    zv.set_object(&mut object);
    zv
}

/// The exception for a core error, its message prefixed with the running
/// function's name (`wx_deliver_notify(): ...`).
pub fn throw(e: Error) -> PhpException {
    let kind = match &e {
        Error::InvalidArgument(_) => Kind::InvalidArgument,
        Error::Configuration(_) => Kind::Configuration,
        Error::Transport { .. } => Kind::Transport,
        Error::Api { .. } => Kind::Api,
        Error::Signature(_) => Kind::Signature,
        Error::Outbox(_) => Kind::Outbox,
    };
    exception(
        kind,
        format!("{}(): {e}", engine::active_function()),
        e.code(),
    )
}

pub fn invalid_argument(message: impl Into<String>) -> PhpException {
    exception(Kind::InvalidArgument, message, 0)
}
