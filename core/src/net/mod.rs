//! The network: HTTPS to WeChat (verified TLS, proxies, DNS cache, one
//! connection per host shared by concurrent calls) and Redis connections.

mod coalesce;
mod resolve;
pub mod tls;
pub mod transport;
