//! The PHP-free core of the wxpay extension.
//!
//! Everything here is plain Rust and tested with `cargo test`; the extension
//! crate only converts zvals into these types and errors into exceptions.

#![forbid(unsafe_code)]

pub mod callback;
mod coalesce;
pub mod config;
pub mod deliver;
pub mod error;
pub mod notify;
pub mod orderquery;
pub mod outbox;
pub mod paysign;
mod process;
mod random;
pub mod reply;
mod resolve;
pub mod secrets;
pub mod sign;
pub mod tls;
pub mod token;
pub mod transport;
pub mod xml;

#[cfg(test)]
mod testserver;
