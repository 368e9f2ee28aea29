//! The request body: whatever the fields, it is valid JSON whose values are
//! exactly the validated strings, with no appkey, and it never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wxpay_core::deliver::{DeliveryBuilder, Field, Input};
use wxpay_core::sign::Scalar;

fuzz_target!(|data: &[u8]| {
    let mut b = DeliveryBuilder::default();
    for (i, part) in data.split(|&x| x == 0xff).take(12).enumerate() {
        let field = Field::ALL[i % Field::ALL.len()];
        let input = match part.first() {
            Some(0) => Input::Int(i64::from_le_bytes(part.get(1..9).and_then(|s| s.try_into().ok()).unwrap_or_default())),
            Some(1) => Input::Bool(part.len() % 2 == 0),
            _ => Input::Str(part),
        };
        let _ = b.set(&Scalar::bytes(field.name().as_bytes()), input);
    }
    let Ok(d) = b.build(1_700_000_000) else { return };
    let body: Value = serde_json::from_slice(&d.body()).expect("the body is JSON");
    let obj = body.as_object().expect("an object");
    assert!(obj.get("appkey").is_none());
    assert_eq!(obj.len(), 9);
    assert_eq!(obj["openid"], d.openid.as_str());
    assert_eq!(obj["deliver_msg"], d.deliver_msg.as_str());
    assert_eq!(obj["app_signature"], d.signature().as_str());
    assert!(obj.values().all(Value::is_string));
});
