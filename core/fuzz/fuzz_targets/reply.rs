//! A reply body of any bytes never panics, and an accepted one is consistent.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wxpay_core::reply::{parse, Outcome};
use wxpay_core::token::parse_issued;

fuzz_target!(|data: &[u8]| {
    if let Ok(Outcome::Api { code, .. }) = parse(data) {
        assert_ne!(code, 0);
    }
    if let Ok(issued) = parse_issued(data) {
        assert!(!issued.token.is_empty() && issued.token.bytes().all(|b| b.is_ascii_graphic()));
        assert!((1..=7200).contains(&issued.expires_in));
    }
});
