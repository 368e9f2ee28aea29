//! Asking WeChat for an access_token: `GET /cgi-bin/token` or
//! `POST /cgi-bin/stable_token`.

use crate::error::{Error, Result};
use crate::net::transport::{self, Settings};
use crate::wire::reply;
use serde_json::{json, Value};
use std::time::Instant;

/// Which endpoint issues tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `cgi-bin/token`: every call issues a new token (and retires the old one).
    #[default]
    Token,
    /// `cgi-bin/stable_token`: the same token until it nears expiry.
    Stable,
}

impl Endpoint {
    pub fn parse(name: &str, value: &str) -> Result<Endpoint> {
        match value.trim() {
            "" | "token" => Ok(Endpoint::Token),
            "stable_token" => Ok(Endpoint::Stable),
            _ => Err(Error::Configuration(format!(
                "{name} must be \"token\" or \"stable_token\""
            ))),
        }
    }
}

/// A token as issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    pub expires_in: u64,
}

/// Fetches a token; `force` only matters for `stable_token`. The request
/// ends by `deadline` at the latest.
pub fn fetch(
    settings: &Settings,
    endpoint: Endpoint,
    appid: &str,
    secret: &str,
    force: bool,
    deadline: Instant,
) -> Result<Issued> {
    let body = match endpoint {
        Endpoint::Token => {
            let query = [
                ("grant_type", "client_credential"),
                ("appid", appid),
                ("secret", secret),
            ];
            transport::call(settings, "/cgi-bin/token", &query, None, deadline)
        }
        Endpoint::Stable => {
            let req = json!({ "grant_type": "client_credential", "appid": appid, "secret": secret, "force_refresh": force });
            transport::call(
                settings,
                "/cgi-bin/stable_token",
                &[],
                Some(req.to_string().as_bytes()),
                deadline,
            )
        }
    };
    // Transport failures, malformed replies included, are the token fetch's.
    body.and_then(|b| parse_issued(&b)).map_err(|e| match e {
        Error::Transport { .. } => e.context("fetching the access_token"),
        other => other,
    })
}

/// The longest lifetime WeChat gives a token; a larger `expires_in` is capped.
const MAX_LIFETIME_SECS: u64 = 7200;

/// Reads `{"access_token": "...", "expires_in": 7200}` or an errcode.
/// A lifetime that is not a positive integer makes the reply malformed: a
/// token must never be cached longer than the server said.
pub fn parse_issued(body: &[u8]) -> Result<Issued> {
    let bad = Error::transport;
    let decoded = reply::decode(body)?;
    if let Some(code) = decoded.errcode.filter(|&c| c != 0) {
        return Err(reply::api_error(
            code,
            "while fetching the access_token",
            &decoded.errmsg(),
        ));
    }
    let token = match decoded.map.get("access_token") {
        Some(Value::String(t)) if is_token_text(t.as_bytes()) => t.clone(),
        _ => return Err(bad("the token reply has no usable access_token")),
    };
    let expires_in = decoded
        .map
        .get("expires_in")
        .and_then(reply::exact_integer)
        .filter(|&s| s > 0)
        .ok_or_else(|| {
            bad("the token reply has no usable expires_in (a positive number of seconds)")
        })?;
    Ok(Issued {
        token,
        expires_in: u64::try_from(expires_in)
            .unwrap_or(MAX_LIFETIME_SECS)
            .min(MAX_LIFETIME_SECS),
    })
}

/// An access_token as WeChat issues them: printable ASCII, at most 2048 bytes.
pub fn is_token_text(token: &[u8]) -> bool {
    !token.is_empty() && token.len() <= 2048 && token.iter().all(u8::is_ascii_graphic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tokens_and_errors() {
        assert_eq!(
            parse_issued(br#"{"access_token":"ABC","expires_in":7200}"#),
            Ok(Issued {
                token: "ABC".into(),
                expires_in: 7200
            })
        );
        assert_eq!(
            parse_issued(br#"{"access_token":"ABC","expires_in":99999}"#)
                .unwrap()
                .expires_in,
            7200
        );
        assert!(matches!(
            parse_issued(br#"{"errcode":40125,"errmsg":"invalid appsecret"}"#),
            Err(Error::Api { code: 40125, .. })
        ));
        assert!(matches!(
            parse_issued(br#"{"expires_in":7200}"#),
            Err(Error::Transport { .. })
        ));
        assert!(matches!(
            parse_issued(br#"{"access_token":"a b","expires_in":7200}"#),
            Err(Error::Transport { .. })
        ));
        assert_eq!(
            parse_issued(br#"{"errcode":0,"access_token":"T","expires_in":"60"}"#)
                .unwrap()
                .expires_in,
            60
        );
        assert_eq!(Endpoint::parse("x", "stable_token"), Ok(Endpoint::Stable));
        assert_eq!(Endpoint::parse("x", "token"), Ok(Endpoint::Token));
        assert_eq!(Endpoint::parse("x", ""), Ok(Endpoint::Token));
        assert!(Endpoint::parse("x", "nope").is_err());
    }

    #[test]
    fn bad_lifetimes_are_malformed_never_the_default() {
        for lifetime in ["-5", "0", "1.5", "\"\"", "\"1h\"", "null", "true", "1e3"] {
            let body = format!(r#"{{"access_token":"ABC","expires_in":{lifetime}}}"#);
            assert!(
                matches!(parse_issued(body.as_bytes()), Err(Error::Transport { .. })),
                "{lifetime}"
            );
        }
        assert!(matches!(
            parse_issued(br#"{"access_token":"ABC"}"#),
            Err(Error::Transport { .. })
        ));
    }
}
