//! The PHP-free core of the wxpay extension.
//!
//! Everything here is plain Rust and tested with `cargo test`; the extension
//! crate only converts zvals into these types and errors into exceptions.
//! Layers, each importing only those above it in this list (checked by
//! `scripts/layers.py`):
//!   error, secrets, clock, random, process   what every layer uses
//!   wire     formats and signing rules, no I/O
//!   net      HTTPS and Redis connections
//!   token    access tokens: fetched, cached, shared
//!   client   the pay API client: a request with a caller's or a managed token
//!   outbox   notifications kept until WeChat has them
//!   config   every setting, composed from each part's own

#![forbid(unsafe_code)]

pub mod client;
pub mod clock;
pub mod config;
pub mod error;
pub mod net;
pub mod outbox;
mod process;
mod random;
mod seconds;
pub mod secrets;
pub mod token;
pub mod wire;

#[cfg(test)]
mod testserver;
