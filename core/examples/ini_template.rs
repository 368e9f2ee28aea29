//! Prints what the settings table generates:
//!   cargo run -q -p wxpay-core --example ini_template > packaging/wxpay.ini
//!   cargo run -q -p wxpay-core --example ini_template -- --markdown   (README.md's table)
fn main() {
    if std::env::args().any(|a| a == "--markdown") {
        print!("{}", wxpay_core::config::markdown_table());
    } else {
        print!("{}", wxpay_core::config::ini_template());
    }
}
