//! The two signatures of the v2 pay messages: the partner key's MD5 over a
//! query string (Tenpay's rule) and the appkey's SHA-1 (the get_biz_sign
//! rule, as `AppSignature` / `app_signature`), and comparing a received one
//! in constant time.

use crate::wire::sign::SignInput;
use crate::wire::Scalar;
use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

/// `UPPER(MD5("k1=v1&k2=v2...&key=PARTNERKEY"))` over the pairs sorted by
/// key in byte order, `sign` and empty values left out ("0" is kept), the
/// values' raw bytes as received (no re-encoding, no transcoding).
pub fn partner_sign<'a>(
    pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    partnerkey: &[u8],
) -> String {
    let mut signed: Vec<(&[u8], &[u8])> = pairs
        .into_iter()
        .filter(|(k, v)| *k != b"sign" && !v.is_empty())
        .collect();
    signed.sort_unstable();
    let mut md5 = Md5::new();
    for (k, v) in signed {
        md5.update(k);
        md5.update(b"=");
        md5.update(v);
        md5.update(b"&");
    }
    md5.update(b"key=");
    md5.update(partnerkey);
    hex::encode_upper(md5.finalize())
}

/// The get_biz_sign rule over `fields` (lower-case names) and the appkey:
/// sorted, `k=v` joined with `&`, raw values, SHA-1, lowercase hex.
pub fn app_signature(fields: &[(&str, &[u8])], appkey: &[u8]) -> String {
    let mut input = SignInput::with_capacity(fields.len() + 1);
    for (k, v) in fields {
        input.insert(Scalar::bytes(k.as_bytes()), Scalar::bytes(v));
    }
    input.set_appkey(Scalar::bytes(appkey));
    let order = input.byte_order();
    let hex = input.signature(&order);
    // Forty ASCII hex digits.
    String::from_utf8(hex.to_vec()).unwrap_or_default()
}

/// Whether a received hex digest equals the expected one, ignoring hex case,
/// in time that does not depend on where they differ.
pub fn digest_matches(expected: &str, received: &[u8]) -> bool {
    let received = received.to_ascii_lowercase();
    let expected = expected.to_ascii_lowercase();
    expected.len() == received.len() && bool::from(expected.as_bytes().ct_eq(&received))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const PARTNERKEY: &[u8] = b"8934e7d15453e97507ef794cf7b0519d";
    pub(crate) const APPKEY: &[u8] = b"L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K";

    /// The spec's E1 query (the doc's notify_id holds a space).
    pub(crate) fn e1() -> Vec<(&'static [u8], &'static [u8])> {
        vec![
            (b"bank_billno", b"206064184488"),
            (b"bank_type", b"0"),
            (b"discount", b"0"),
            (b"fee_type", b"1"),
            (b"input_charset", b"GBK"),
            (b"notify_id", b"WE37gwCoFBcAKdkH34Y1nW94r_vao2ljmwE3oAHEeAP690xSVhRleOMfhsgjwVGDpluT -vdS79kbDbkDnjYg4qsmTdSjuJxl"),
            (b"out_trade_no", b"843254536943809900"),
            (b"partner", b"1900000109"),
            (b"product_fee", b"1"),
            (b"sign_type", b"MD5"),
            (b"time_end", b"20130606015331"),
            (b"total_fee", b"1"),
            (b"trade_mode", b"1"),
            (b"trade_state", b"0"),
            (b"transaction_id", b"1900000109201306060282555397"),
            (b"transport_fee", b"0"),
        ]
    }

    #[test]
    fn e1_partner_sign_and_its_variations() {
        let q = e1();
        assert_eq!(
            partner_sign(q.iter().copied(), PARTNERKEY),
            "9EBF3EFE9CEFAF3111020DB5CAD6EE82"
        );
        // Order of arrival does not matter; an empty attach and `sign` are left out.
        let mut shuffled = q.clone();
        shuffled.reverse();
        shuffled.push((b"attach", b""));
        shuffled.push((b"sign", b"ANYTHING"));
        assert_eq!(
            partner_sign(shuffled.iter().copied(), PARTNERKEY),
            "9EBF3EFE9CEFAF3111020DB5CAD6EE82"
        );
        let without_type: Vec<_> = q
            .iter()
            .copied()
            .filter(|(k, _)| *k != b"sign_type")
            .collect();
        assert_eq!(
            partner_sign(without_type, PARTNERKEY),
            "F6E095FD16811C80F9B32C3ED370E1F7"
        );
        // E1b: the raw bytes are hashed, GBK or UTF-8 as sent.
        let mut gbk = q.clone();
        gbk.push((b"attach", b"\xb2\xe2\xca\xd4"));
        assert_eq!(
            partner_sign(gbk, PARTNERKEY),
            "EE6B0F99E984E2FD5862541059730765"
        );
        let mut utf8 = q.clone();
        utf8.push((b"attach", "测试".as_bytes()));
        assert_eq!(
            partner_sign(utf8, PARTNERKEY),
            "C919810ABE55FA8628FDB39B1269B18A"
        );
    }

    #[test]
    fn e2_e4_e5_app_signatures() {
        let e2 = app_signature(
            &[
                ("appid", b"wxd930ea5d5a258f4f"),
                ("issubscribe", b"1"),
                ("noncestr", b"jALldRTHAFd5Tgs5"),
                ("openid", b"111222"),
                ("timestamp", b"1369743511"),
            ],
            APPKEY,
        );
        assert_eq!(e2, "4d117f7f0f4885a995a05eafbc9a405782d03bc5");
        let e4 = app_signature(
            &[
                ("appid", b"wxd930ea5d5a258f4f"),
                ("openid", b"111222"),
                ("timestamp", b"1369743511"),
            ],
            APPKEY,
        );
        assert_eq!(e4, "b6f95a2368dd81952c4d7198e5102acd1fdd601a");
        let e5 = app_signature(
            &[
                ("alarmcontent", "错误详情".as_bytes()),
                ("appid", b"wxd930ea5d5a258f4f"),
                ("description", "错误描述".as_bytes()),
                ("errortype", b"1001"),
                ("timestamp", b"1393860740"),
            ],
            APPKEY,
        );
        assert_eq!(e5, "a7fdeb6930a2a070da542d2da9c674a55d10972c");
    }

    #[test]
    fn digests_compare_without_case() {
        assert!(digest_matches("9EBF3E", b"9ebf3e"));
        assert!(digest_matches("4d117f", b"4D117F"));
        assert!(!digest_matches("9EBF3E", b"9EBF3F"));
        assert!(!digest_matches("9EBF3E", b"9EBF3"));
        assert!(!digest_matches("9EBF3E", b""));
    }
}
