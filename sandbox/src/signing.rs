//! WeChat's side of the v2 signatures, written apart from the extension's
//! core (its own sort, join and crates' digests): the sandbox is the oracle
//! the extension is checked against.

use md5::Md5;
use sha1::{Digest, Sha1};

/// get_biz_sign: lower-case names plus `appkey`, sorted, `k=v` joined with
/// `&`, SHA-1, lowercase hex.
pub fn biz_sign(fields: &[(&str, &[u8])], appkey: &[u8]) -> String {
    let mut pairs: Vec<(&str, &[u8])> = fields.to_vec();
    pairs.push(("appkey", appkey));
    pairs.sort();
    let mut joined = Vec::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            joined.push(b'&');
        }
        joined.extend_from_slice(k.as_bytes());
        joined.push(b'=');
        joined.extend_from_slice(v);
    }
    hex::encode(Sha1::digest(&joined))
}

/// Tenpay's partner sign: non-empty values but `sign`, sorted, joined,
/// `&key=PARTNERKEY`, MD5, uppercase hex.
pub fn partner_sign(pairs: &[(String, Vec<u8>)], partnerkey: &[u8]) -> String {
    let mut signed: Vec<&(String, Vec<u8>)> = pairs
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .collect();
    signed.sort();
    let mut joined = Vec::new();
    for (k, v) in signed {
        joined.extend_from_slice(k.as_bytes());
        joined.push(b'=');
        joined.extend_from_slice(v);
        joined.push(b'&');
    }
    joined.extend_from_slice(b"key=");
    joined.extend_from_slice(partnerkey);
    hex::encode_upper(Md5::digest(&joined))
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPKEY: &[u8] = b"L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K";

    #[test]
    fn the_spec_vectors() {
        // E3: the orderquery package sign, then E2's AppSignature.
        let pairs = [
            ("out_trade_no".to_string(), b"843254536943809900".to_vec()),
            ("partner".to_string(), b"1900000109".to_vec()),
        ];
        assert_eq!(
            partner_sign(&pairs, b"8934e7d15453e97507ef794cf7b0519d"),
            "005F35ADFDE09755425F43F31A07E8B3"
        );
        let e2 = biz_sign(
            &[
                ("openid", b"111222"),
                ("appid", b"wxd930ea5d5a258f4f"),
                ("issubscribe", b"1"),
                ("timestamp", b"1369743511"),
                ("noncestr", b"jALldRTHAFd5Tgs5"),
            ],
            APPKEY,
        );
        assert_eq!(e2, "4d117f7f0f4885a995a05eafbc9a405782d03bc5");
    }
}
