//! The `phpinfo()` / `php --ri wxpay` section. It shows settings, never a
//! secret: URLs that may carry credentials are masked, and a directive that
//! cannot be used is named with why.

use crate::{engine, ini};
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};
use wxpay_core::net::tls::CaSource;

pub extern "C" fn module_info(module: *mut ModuleEntry) {
    // A panic must not cross this extern "C" boundary into phpinfo().
    let _ = std::panic::catch_unwind(|| {
        let ca = CaSource::for_setting(engine::ini(c"wxpay.cafile").trim()).to_string();
        info_table_start!();
        info_table_row!("wxpay support", "enabled");
        info_table_row!("version", env!("CARGO_PKG_VERSION"));
        info_table_row!(
            "TLS backend",
            "rustls (ring), certificate verification always on"
        );
        info_table_row!("CA source", ca.replace('\0', ""));
        // The store and, once this process used one through Sentinel, its
        // primary (masked; nothing is opened or asked for this row).
        let outbox = engine::ini(c"wxpay.outbox");
        if let Ok(location) = wxpay_core::outbox::Location::parse("wxpay.outbox", outbox.trim()) {
            info_table_row!(
                "outbox store",
                wxpay_core::outbox::serving(&location).replace('\0', "")
            );
        }
        let problems: Vec<String> = ini::problems().collect();
        if problems.is_empty() {
            info_table_row!("configuration", "valid");
        } else {
            for p in problems {
                info_table_row!("configuration", format!("INVALID: {}", p.replace('\0', "")));
            }
        }
        info_table_end!();
    });
    // SAFETY: the engine passes its own module entry; this prints its
    // registered directives (masked ones through their own displayer).
    unsafe { engine::wxpay_display_ini_entries(module) };
}
