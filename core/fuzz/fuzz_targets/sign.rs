//! The signing core against a naive model of get_biz_sign: lowercase keys
//! (later wins), sort by bytes, join, SHA-1. Valid whenever the core says
//! byte order is PHP's order (at most one numeric-looking key), and the
//! same keys signed again through a remembered [`Layout`].
#![no_main]
use libfuzzer_sys::fuzz_target;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use wxpay_core::wire::layout::Layout;
use wxpay_core::wire::sign::SignInput;
use wxpay_core::wire::Scalar;

fuzz_target!(|data: &[u8]| {
    // Entries are separated by 0xff, key and value by 0xfe.
    let entries: Vec<(&[u8], &[u8])> = data
        .split(|&b| b == 0xff)
        .filter_map(|e| {
            let mut parts = e.splitn(2, |&b| b == 0xfe);
            Some((parts.next()?, parts.next()?))
        })
        .take(64)
        .collect();
    let mut input = SignInput::new();
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    for (k, v) in &entries {
        input.insert(Scalar::bytes(k), Scalar::bytes(v));
        model.insert(k.to_ascii_lowercase(), v.to_vec());
    }
    input.set_appkey(Scalar::bytes(b"KEY"));
    model.insert(b"appkey".to_vec(), b"KEY".to_vec());
    if input.needs_engine_order() {
        return;
    }
    let order = input.byte_order();
    let mut joined = Vec::new();
    input.join_into(&order, &mut joined);
    let expected: Vec<u8> = model
        .iter()
        .map(|(k, v)| [&k[..], b"=", &v[..]].concat())
        .collect::<Vec<_>>()
        .join(&b'&');
    assert_eq!(joined, expected);
    let sig = input.signature(&order);
    let want: String = Sha1::digest(&expected)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(&sig[..], want.as_bytes());

    // The same keys again, remembered: the layout signs the same values
    // to the same signature (the model's).
    let keys = || entries.iter().map(|(k, _)| Scalar::bytes(k));
    let mut layout = Layout::default();
    layout.remember(keys().chain([Scalar::bytes(b"appkey")]), &input, &order);
    let mut m = layout.matcher();
    if keys().chain([Scalar::bytes(b"appkey")]).all(|k| m.next(&k)) && m.done() {
        let values: Vec<Scalar<'_>> = entries
            .iter()
            .map(|(_, v)| Scalar::bytes(v))
            .chain([Scalar::bytes(b"KEY")])
            .collect();
        assert_eq!(&layout.signature(&values).unwrap()[..], want.as_bytes());
    }
});
