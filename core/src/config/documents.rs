//! The two documents generated from the settings table: the install
//! template (`packaging/wxpay.ini`) and README.md's table. Core tests fail
//! when the committed files drift from them.

use super::{Scope, SETTINGS};

/// The install template (`packaging/wxpay.ini`), every directive commented
/// out at its default.
pub fn ini_template() -> String {
    let mut out = String::from(
        "; wxpay: WeChat Pay v2 shipping notifications\n\
         ; priority=20\n\
         ;\n\
         ; This file is read by every SAPI (php-fpm, CLI, cron scripts) through its\n\
         ; conf.d link, so settings here are shared: a wxpay.token_cache only in the\n\
         ; fpm php.ini would make every CLI script fetch its own token and retire the\n\
         ; fleet's. A pool can override with php_admin_value[wxpay.timeout] = 3.\n\
         ; Generated from the core's settings table (core/src/config/mod.rs).\n\
         extension=wxpay.so\n",
    );
    for s in SETTINGS.iter().filter(|s| s.is_directive()) {
        let default = s.default.to_str().unwrap_or_default();
        let only = if s.scope == Scope::Server {
            " (php.ini only)"
        } else {
            ""
        };
        out.push_str(
            &format!(";\n; {}{only}\n; {} = {default}\n", s.doc, s.directive())
                .replace(" \n", "\n"),
        );
    }
    out
}

/// The settings as the Markdown table README.md shows.
pub fn markdown_table() -> String {
    let mut out = String::from("| ini | option | default | meaning |\n|---|---|---|---|\n");
    for s in &SETTINGS {
        let ini = if s.is_directive() {
            format!("`{}`", s.directive())
        } else {
            "—".into()
        };
        let option = if s.is_option() {
            format!("`{}`", s.name)
        } else {
            "—".into()
        };
        let default = match s.default.to_str().unwrap_or_default() {
            "" if s.scope == Scope::Option => "—".to_string(),
            "" => "`\"\"`".to_string(),
            d => format!("`{d}`"),
        };
        let only = if s.scope == Scope::Server {
            " (php.ini only)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| {ini} | {option} | {default} | {}{only} |\n",
            s.doc
        ));
    }
    out
}
