//! WeChat's wire formats, with no I/O: the signing rules, the requests the
//! pay API takes, the replies and XML messages it sends.

pub mod callback;
pub mod checkout;
pub mod deliver;
pub mod feedback;
pub mod layout;
pub mod orderquery;
pub mod paysign;
pub mod phpjson;
pub mod reply;
pub mod request;
mod scalar;
pub mod sign;
pub mod urlencode;
pub mod xml;

pub use scalar::Scalar;
