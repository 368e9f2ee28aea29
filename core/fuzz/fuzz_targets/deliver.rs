//! The request body: whatever the fields, it is valid JSON whose values are
//! the validated strings, with no appkey, never panics, and its
//! app_signature is what a model of the 2014 rule (its own join and SHA-1,
//! not the core's) computes from the body's own values and the appkey.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sha1::{Digest, Sha1};
use wxpay_core::wire::deliver::{DeliveryBuilder, Field, Input};
use wxpay_core::wire::Scalar;

fn model_signature(body: &serde_json::Map<String, Value>, appkey: &[u8]) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = body
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "app_signature" | "sign_method"))
        .map(|(k, v)| {
            (
                k.as_bytes().to_vec(),
                v.as_str().expect("a string").as_bytes().to_vec(),
            )
        })
        .collect();
    pairs.push((b"appkey".to_vec(), appkey.to_vec()));
    pairs.sort();
    let mut joined = Vec::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            joined.push(b'&');
        }
        joined.extend_from_slice(k);
        joined.push(b'=');
        joined.extend_from_slice(v);
    }
    Sha1::digest(&joined)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut b = DeliveryBuilder::default();
    let mut given: Vec<(Field, Vec<u8>)> = Vec::new();
    for (i, part) in data.split(|&x| x == 0xff).take(12).enumerate() {
        let field = Field::ALL[i % Field::ALL.len()];
        let input = match part.first() {
            Some(0) => Input::Int(i64::from_le_bytes(
                part.get(1..9)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or_default(),
            )),
            Some(1) => Input::Bool(part.len() % 2 == 0),
            _ => Input::Str(part),
        };
        let text = match &input {
            Input::Str(s) => Some(s.to_vec()),
            Input::Int(n) => Some(n.to_string().into_bytes()),
            _ => None,
        };
        if b.set(&Scalar::bytes(field.name().as_bytes()), input)
            .is_ok()
        {
            given.push((field, text.unwrap_or_default()));
        }
    }
    let Ok(d) = b.build(1_700_000_000) else {
        return;
    };
    let body: Value = serde_json::from_slice(&d.body()).expect("the body is JSON");
    let obj = body.as_object().expect("an object");
    assert!(obj.get("appkey").is_none());
    assert_eq!(obj.len(), 9);
    assert!(obj.values().all(Value::is_string));
    assert_eq!(obj["sign_method"], "sha1");
    // The last value accepted for a sent field is what was sent
    // (deliver_status is normalised to "1"/"0": checked by the signature only).
    for field in Field::ALL
        .into_iter()
        .filter(|f| !matches!(f, Field::Appkey | Field::DeliverStatus))
    {
        if let Some((_, last)) = given.iter().rev().find(|(f, _)| *f == field) {
            assert_eq!(
                obj[field.name()].as_str().map(str::as_bytes),
                Some(&last[..]),
                "{}",
                field.name()
            );
        }
    }
    assert_eq!(
        obj["app_signature"].as_str(),
        Some(model_signature(obj, &d.appkey).as_str())
    );
});
