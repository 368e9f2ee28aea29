//! One pay API request and its decoded answer, whatever the endpoint.

use serde_json::{Map, Value};

/// WeChat's decoded answer, `{"errcode": 0, "errmsg": "ok", ...}`.
pub type Reply = Map<String, Value>;

/// One API request, whatever the endpoint: the token is added to `query`.
pub struct Request<'a> {
    pub path: &'static str,
    pub query: Vec<(&'static str, &'a str)>,
    /// `None`: a GET; else the JSON body of a POST.
    pub body: Option<Vec<u8>>,
    /// The app whose token a managed call uses.
    pub appid: &'a str,
    /// What must never appear in an error (appkey, partner key).
    pub secrets: Vec<&'a [u8]>,
}
