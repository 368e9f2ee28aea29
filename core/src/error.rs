//! The one error type of the core.
//!
//! Every message is built from names (keys, settings, hosts) and never from
//! a secret's value; text quoted from a server is scrubbed of the call's
//! secrets (`Error::scrubbed`, in `secrets`) before it is shown. The binding maps each
//! variant to one `WxPay\*` exception class and prefixes the function name.

use std::fmt;

/// Not `#[non_exhaustive]`: the binding maps every variant to its class
/// exhaustively, so a new one cannot silently become the base exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The caller passed something unusable: a parameter or an `$options`
    /// entry. Nothing was sent.
    InvalidArgument(String),
    /// A `wxpay.*` directive cannot be used; the message names it. Nothing
    /// was sent.
    Configuration(String),
    /// No usable answer: network, TLS, timeout, a non-200 status (carried
    /// in `status`), a malformed reply, or a wait that ran out.
    Transport {
        message: String,
        status: Option<u16>,
    },
    /// WeChat answered with a non-zero errcode; `message` says it in words.
    Api { code: i64, message: String },
    /// A message claimed to come from WeChat carries a signature that does
    /// not match; `message` names which signature, never a value or key.
    Signature(String),
    /// The outbox's store cannot be opened, read or written (a Redis that
    /// is down, a full disk); what was not stored is not kept.
    Outbox(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidArgument(message.into())
    }

    pub fn transport(message: impl Into<String>) -> Error {
        Error::Transport {
            message: message.into(),
            status: None,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::InvalidArgument(m)
            | Error::Configuration(m)
            | Error::Signature(m)
            | Error::Outbox(m) => m,
            Error::Transport { message, .. } | Error::Api { message, .. } => message,
        }
    }

    pub(crate) fn message_mut(&mut self) -> &mut String {
        match self {
            Error::InvalidArgument(m)
            | Error::Configuration(m)
            | Error::Signature(m)
            | Error::Outbox(m) => m,
            Error::Transport { message, .. } | Error::Api { message, .. } => message,
        }
    }

    /// The exception code: the errcode, or the HTTP status, else 0.
    pub fn code(&self) -> i64 {
        match self {
            Error::Api { code, .. } => *code,
            Error::Transport {
                status: Some(s), ..
            } => i64::from(*s),
            _ => 0,
        }
    }

    /// The same error with `context` before its message.
    pub fn context(mut self, context: &str) -> Error {
        let m = self.message_mut();
        *m = format!("{context}: {m}");
        self
    }

    /// The same error with `note` after its message.
    pub fn note(mut self, note: &str) -> Error {
        self.message_mut().push_str(note);
        self
    }

    /// A setting's error as it reads when `$options` gave the value: the
    /// caller's mistake rather than the server's configuration.
    pub fn from_option(self) -> Error {
        match self {
            Error::Configuration(m) => Error::InvalidArgument(m),
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_contexts_and_scrubbing() {
        let api = Error::Api {
            code: 40003,
            message: "invalid openid".into(),
        };
        assert_eq!(api.code(), 40003);
        let http = Error::Transport {
            message: "HTTP 503 from h".into(),
            status: Some(503),
        };
        assert_eq!(http.code(), 503);
        assert_eq!(Error::transport("x").code(), 0);
        assert_eq!(Error::invalid("bad").context("f()").to_string(), "f(): bad");
        assert_eq!(
            Error::invalid("bad").note(" (hint)").to_string(),
            "bad (hint)"
        );
        let e = Error::Api {
            code: 1,
            message: "echo SECRET-TOKEN".into(),
        };
        assert_eq!(e.scrubbed(&[b"SECRET-TOKEN"]).message(), "echo ***");
        assert_eq!(
            Error::Configuration("c".into()).from_option(),
            Error::InvalidArgument("c".into())
        );
    }
}
