//! Tells the binding layer which zend_array layout the target PHP uses:
//! since 8.2 packed arrays hold bare zvals (`arPacked`), not Buckets.

use std::process::Command;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(php_packed_zvals)");
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");
    let php_config = std::env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".into());
    let vernum = Command::new(&php_config)
        .arg("--vernum")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(0);
    if vernum >= 80200 {
        println!("cargo:rustc-cfg=php_packed_zvals");
    }
}
