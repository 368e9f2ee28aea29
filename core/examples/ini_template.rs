//! Prints the install template derived from the settings table:
//!   cargo run -q -p wxpay-core --example ini_template > packaging/wxpay.ini
fn main() {
    print!("{}", wxpay_core::config::ini_template());
}
