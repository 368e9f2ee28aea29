//! WeChat's XML messages: any bytes never panic, and a payment notification
//! that is accepted always carries a valid AppSignature. The fuzzer chooses
//! the buyer's fields and then bytes to overwrite in a correctly signed body
//! (signed by a model of the rule written apart from the core); whenever the
//! result is accepted and the edits left the signature's bytes alone, the
//! fields it returns must be the ones that signature signs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use md5::Md5;
use sha1::{Digest, Sha1};
use wxpay_core::wire::callback::{verify_alarm, verify_feedback, verify_payment, Keys, Options};

const APPKEY: &[u8] = b"FUZZ-APPKEY";

fn model_sign(fields: &[(&str, &[u8])]) -> String {
    let mut pairs: Vec<(&str, &[u8])> = fields.to_vec();
    pairs.push(("appkey", APPKEY));
    pairs.sort();
    let joined: Vec<Vec<u8>> = pairs
        .iter()
        .map(|(k, v)| [k.as_bytes(), b"=", v].concat())
        .collect();
    let digest = Sha1::digest(joined.join(&b'&'));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    // Any bytes: never a panic, whatever the verifier, with or without a
    // max_age against a clock at either end of its range.
    let none = Options::default();
    let aged = Options { max_age: Some(60) };
    for (options, now) in [(&none, 0), (&aged, 0), (&aged, u64::MAX)] {
        let _ = verify_feedback(data, APPKEY, options, now);
        let _ = verify_alarm(data, APPKEY, options, now);
    }

    let mut parts = data.splitn(4, |&b| b == 0);
    let (Some(openid), Some(nonce), Some(ts)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let edits = parts.next().unwrap_or_default();
    if body_too_small(openid, nonce, ts) {
        return;
    }
    let fields: [(&str, &[u8]); 5] = [
        ("appid", b"wxFUZZ"),
        ("issubscribe", b"1"),
        ("noncestr", nonce),
        ("openid", openid),
        ("timestamp", ts),
    ];
    let sig = model_sign(&fields);
    let head = [
        b"<xml><OpenId><![CDATA[".as_slice(),
        openid,
        b"]]></OpenId><AppId>wxFUZZ</AppId><IsSubscribe>1</IsSubscribe><TimeStamp>",
        ts,
        b"</TimeStamp><NonceStr>",
        nonce,
        b"</NonceStr><AppSignature>",
    ]
    .concat();
    let signature = head.len()..head.len() + sig.len();
    let mut body = [
        head.as_slice(),
        sig.as_bytes(),
        b"</AppSignature><SignMethod>sha1</SignMethod></xml>",
    ]
    .concat();
    // Overwrite: pairs of (position, byte).
    let mut signature_edited = false;
    for e in edits.chunks_exact(2) {
        let at = usize::from(e[0]) * 7 % body.len();
        signature_edited |= signature.contains(&at);
        body[at] = e[1];
    }
    let query = vec![(b"sign".to_vec(), b"X".to_vec())];
    let keys = Keys {
        partnerkey: b"PK",
        appkey: APPKEY,
        ..Keys::default()
    };
    assert!(
        verify_payment(&query, &body, &keys, &none, 0).is_err(),
        "accepted a wrong partner sign"
    );
    // The query holds only `sign`: its partner sign is MD5("key=PK").
    let partner_sign: String = Md5::digest(b"key=PK")
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let signed_query = vec![(b"sign".to_vec(), partner_sign.into_bytes())];
    if let Ok(p) = verify_payment(&signed_query, &body, &keys, &none, 0) {
        if !signature_edited {
            let got: Vec<(&str, &[u8])> = p.buyer.iter().map(|(k, v)| (*k, v.as_slice())).collect();
            assert_eq!(
                model_sign(&got),
                sig,
                "accepted fields that the AppSignature does not sign"
            );
        }
    } else if edits.is_empty() && !openid.windows(3).any(|w| w == b"]]>") {
        // An untouched body is refused only for content the XML cannot carry.
        let plain = |b: &[u8]| b.iter().all(|c| c.is_ascii_alphanumeric());
        assert!(
            !(plain(openid)
                && plain(nonce)
                && plain(ts)
                && !openid.is_empty()
                && !nonce.is_empty()
                && !ts.is_empty()),
            "a correctly signed plain notification was refused"
        );
    }
});

/// Nothing to build a body from.
fn body_too_small(openid: &[u8], nonce: &[u8], ts: &[u8]) -> bool {
    openid.len() + nonce.len() + ts.len() > 60_000
}
