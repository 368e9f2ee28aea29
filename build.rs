//! Compiles `src/engine.c` against the target PHP's headers and refuses,
//! with a message, a PHP this extension cannot be correct on.

use std::process::Command;

fn php_config(arg: &str) -> String {
    let bin = std::env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".into());
    let out = Command::new(&bin)
        .arg(arg)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin} ({e}): install PHP's development files (php8.x-dev) or set PHP_CONFIG"));
    assert!(out.status.success(), "{bin} {arg} failed");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn main() {
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");
    println!("cargo:rerun-if-changed=src/engine.c");

    let version = php_config("--version");
    let vernum: u32 = php_config("--vernum").parse().unwrap_or(0);
    if vernum < 80200 {
        // The signature must equal get_biz_sign's under PHP 8.2+: its ksort
        // order and locale-free strtolower are what the signing rule follows,
        // and array.rs reads packed arrays as 8.2's bare zvals (`arPacked`).
        eprintln!("wxpay needs PHP 8.2 or later; php-config reports {version}.");
        eprintln!("Point PHP_CONFIG (and PHP) at a PHP 8.2+ installation.");
        std::process::exit(1);
    }

    let mut shim = cc::Build::new();
    shim.file("src/engine.c")
        .warnings(true)
        .extra_warnings(false);
    for flag in [
        "-Werror=incompatible-pointer-types",
        "-Werror=implicit-function-declaration",
        "-Werror=int-conversion",
        "-Werror=discarded-qualifiers",
    ] {
        shim.flag_if_supported(flag);
    }
    for include in php_config("--includes").split_whitespace() {
        shim.include(include.trim_start_matches("-I"));
    }
    shim.compile("wxpay_engine");
}
