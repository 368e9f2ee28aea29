//! The PHP-free core of the wxpay extension.
//!
//! Everything here is plain Rust and tested with `cargo test`; the extension
//! crate only converts zvals into these types and errors into exceptions.

#![forbid(unsafe_code)]

mod coalesce;
pub mod config;
pub mod deliver;
pub mod error;
pub mod notify;
mod process;
mod random;
pub mod reply;
mod resolve;
pub mod secrets;
pub mod sign;
pub mod tls;
pub mod token;
pub mod transport;

#[cfg(test)]
mod testserver;
