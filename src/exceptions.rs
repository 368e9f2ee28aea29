//! The `WxPay\*` exception hierarchy.
//!
//! Registered by hand with `ClassBuilder` at startup (not `#[php_class]`), so
//! the classes keep `\Exception`'s constructor: shops can `new` them in tests
//! and extend them.

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::exception::PhpException;
use ext_php_rs::zend::{ce, ClassEntry};
use std::sync::atomic::{AtomicPtr, Ordering};

/// Which exception class an error maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Base,
    InvalidArgument,
    Transport,
    Api,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Base, Kind::InvalidArgument, Kind::Transport, Kind::Api];

    pub const fn class_name(self) -> &'static str {
        match self {
            Kind::Base => "WxPay\\Exception",
            Kind::InvalidArgument => "WxPay\\InvalidArgumentException",
            Kind::Transport => "WxPay\\TransportException",
            Kind::Api => "WxPay\\ApiException",
        }
    }

    fn slot(self) -> &'static AtomicPtr<ClassEntry> {
        static SLOTS: [AtomicPtr<ClassEntry>; 4] = [const { AtomicPtr::new(std::ptr::null_mut()) }; 4];
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

/// Registers the four classes; called from the module's startup function.
pub fn register() -> Result<(), String> {
    for kind in Kind::ALL {
        let parent: (fn() -> &'static ClassEntry, &'static str) = match kind {
            Kind::Base => (ce::exception, "Exception"),
            _ => (base_entry, "WxPay\\Exception"),
        };
        ClassBuilder::new(kind.class_name())
            .extends(parent)
            .registration(match kind {
                Kind::Base => |ce, _| Kind::Base.slot().store(ce, Ordering::Release),
                Kind::InvalidArgument => |ce, _| Kind::InvalidArgument.slot().store(ce, Ordering::Release),
                Kind::Transport => |ce, _| Kind::Transport.slot().store(ce, Ordering::Release),
                Kind::Api => |ce, _| Kind::Api.slot().store(ce, Ordering::Release),
            })
            .register()
            .map_err(|e| format!("cannot register {}: {e}", kind.class_name()))?;
    }
    Ok(())
}

/// An exception of the given kind, ready to be returned as `Err`.
pub fn exception(kind: Kind, message: impl Into<String>, code: i32) -> PhpException {
    let mut message = message.into();
    // A NUL would turn the exception into a plain \Error; messages are built
    // from escaped parts, this only guards against a future mistake.
    if message.contains('\0') {
        message = message.replace('\0', "\\0");
    }
    PhpException::new(message, code, kind.entry())
}

pub fn invalid_argument(message: impl Into<String>) -> PhpException {
    exception(Kind::InvalidArgument, message, 0)
}
