//! The `/payfeedback/update` request: marks a complaint (维权) handled.

use super::request::Request;
use crate::error::{Error, Result};

/// `GET /payfeedback/update?openid=..&feedbackid=..`: marks a complaint
/// handled. `appid` (from `$options`) is needed when the token is managed.
pub fn feedback_update<'a>(
    appid: Option<&'a str>,
    token_given: bool,
    openid: &'a [u8],
    feedbackid: &'a [u8],
) -> Result<Request<'a>> {
    // An openid is 28 characters and a FeedBackId a 64-bit number; the
    // feedbackid comes from an unsigned complaint field, so it is bounded.
    let text = |name: &str, v: &'a [u8]| match std::str::from_utf8(v) {
        Ok(s) if !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(s)
        }
        _ => Err(Error::invalid(format!(
            "${name} must be a non-empty string of printable ASCII characters (at most 128)"
        ))),
    };
    let (openid, feedbackid) = (text("openid", openid)?, text("feedbackid", feedbackid)?);
    let appid = match appid {
        Some(appid) => appid,
        None if token_given => "",
        None => return Err(Error::invalid(
            "$access_token is null: pass $options['appid'] and $options['appsecret'] so the extension can obtain the token, or pass a token",
        )),
    };
    Ok(Request {
        path: "/payfeedback/update",
        query: vec![("openid", openid), ("feedbackid", feedbackid)],
        body: None,
        appid,
        secrets: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_update_takes_plain_ids_and_needs_an_appid_only_to_obtain_a_token() {
        let ok = |openid: &[u8], feedbackid: &[u8]| {
            feedback_update(Some("wx1"), false, openid, feedbackid).is_ok()
        };
        assert!(ok(&[b'o'; 128], &[b'1'; 128]));
        for (openid, feedbackid) in [
            (&[b'o'; 129][..], &b"1"[..]),
            (b"o", &[b'1'; 129][..]),
            (b"", b"1"),
            (b"o", b""),
            (b"o p", b"1"),
            (b"o", b"1\n"),
        ] {
            assert!(!ok(openid, feedbackid), "{openid:?} {feedbackid:?}");
        }
        let r = feedback_update(None, true, b"o", b"1").unwrap();
        assert_eq!(
            (r.appid, r.query),
            ("", vec![("openid", "o"), ("feedbackid", "1")])
        );
        let e = feedback_update(None, false, b"o", b"1").err().unwrap();
        assert!(
            e.message()
                .starts_with("$access_token is null: pass $options['appid']"),
            "{e}"
        );
    }
}
