//! The network: HTTPS to WeChat (verified TLS, proxies, DNS cache, one
//! connection per host shared by concurrent calls) and Redis connections.

mod coalesce;
pub mod redis;
mod resolve;
pub mod tls;
pub mod transport;
