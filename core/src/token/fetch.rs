//! Asking WeChat for an access_token: `GET /cgi-bin/token` or
//! `POST /cgi-bin/stable_token`.

use crate::reply::{self, Outcome};
use crate::transport::{self, encode_query_value, Settings, TransportError};
use serde_json::{json, Value};

/// Which endpoint issues tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `cgi-bin/token`: every call issues a new token (and retires the old one).
    Token,
    /// `cgi-bin/stable_token`: the same token until it nears expiry.
    Stable,
}

impl Endpoint {
    pub fn parse(name: &str, value: &str) -> Result<Endpoint, transport::SettingError> {
        match value.trim() {
            "" | "token" => Ok(Endpoint::Token),
            "stable_token" => Ok(Endpoint::Stable),
            _ => Err(transport::SettingError(format!("{name} must be \"token\" or \"stable_token\""))),
        }
    }
}

/// A token as issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    pub expires_in: u64,
}

/// Why no token was issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    Transport(TransportError),
    /// WeChat refused: 40013 unknown appid, 40125 bad secret, 45009 quota...
    Api { code: i64, message: String },
}

impl From<TransportError> for FetchError {
    fn from(e: TransportError) -> Self {
        FetchError::Transport(e)
    }
}

/// Fetches a token; `force` only matters for `stable_token`.
pub fn fetch(settings: &Settings, endpoint: Endpoint, appid: &str, secret: &str, force: bool) -> Result<Issued, FetchError> {
    let body = match endpoint {
        Endpoint::Token => {
            let path = format!(
                "/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
                encode_query_value(appid),
                encode_query_value(secret)
            );
            transport::call(settings, &path, None)?
        }
        Endpoint::Stable => {
            let req = json!({ "grant_type": "client_credential", "appid": appid, "secret": secret, "force_refresh": force });
            transport::call(settings, "/cgi-bin/stable_token", Some(req.to_string().as_bytes()))?
        }
    };
    parse_issued(&body)
}

/// Reads `{"access_token": "...", "expires_in": 7200}` or an errcode.
pub fn parse_issued(body: &[u8]) -> Result<Issued, FetchError> {
    let bad = |m: &str| FetchError::Transport(TransportError { message: m.to_string(), status: 0 });
    match reply::parse(body).map_err(|e| bad(&e.0))? {
        Outcome::Api { code, message } => Err(FetchError::Api { code, message }),
        Outcome::Ok(map) => {
            let token = match map.get("access_token") {
                Some(Value::String(t)) if !t.is_empty() && t.len() <= 2048 && t.bytes().all(|b| b.is_ascii_graphic()) => t.clone(),
                _ => return Err(bad("the token reply has no usable access_token")),
            };
            let expires_in = map.get("expires_in").and_then(Value::as_u64).unwrap_or(7200).clamp(1, 7200);
            Ok(Issued { token, expires_in })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tokens_and_errors() {
        assert_eq!(
            parse_issued(br#"{"access_token":"ABC","expires_in":7200}"#),
            Ok(Issued { token: "ABC".into(), expires_in: 7200 })
        );
        assert_eq!(parse_issued(br#"{"access_token":"ABC","expires_in":99999}"#).unwrap().expires_in, 7200);
        assert!(matches!(parse_issued(br#"{"errcode":40125,"errmsg":"invalid appsecret"}"#), Err(FetchError::Api { code: 40125, .. })));
        assert!(matches!(parse_issued(br#"{"expires_in":7200}"#), Err(FetchError::Transport(_))));
        assert!(matches!(parse_issued(br#"{"access_token":"a b"}"#), Err(FetchError::Transport(_))));
        assert!(Endpoint::parse("x", "stable_token").is_ok() && Endpoint::parse("x", "nope").is_err());
    }
}
