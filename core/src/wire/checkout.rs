//! The checkout half of WxPayHelper: the partner-key package
//! (`get_cft_package`), the getBrandWCPayRequest object
//! (`create_biz_package`), the app payment object (`create_app_package`),
//! the native QR URL (`create_native_url`) and the NativeCall reply
//! (`create_native_package`). Byte for byte what the 2014 SDK writes for
//! the same time and nonce; where it dies, an error instead.

use crate::error::{Error, Result};
use crate::wire::paysign::app_signature;
use crate::wire::urlencode::{urlencode_into, Space};
use crate::wire::Scalar;
use md5::{Digest, Md5};
use std::borrow::Cow;

/// A stored parameter as the package rule sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param<'a> {
    /// null or false (PHP's other loosely-null values, 0 and "", are
    /// `Value`s that [`Param::is_loosely_null`] recognises).
    Null,
    /// `true`: `"null" == true` holds in PHP, so the package leaves it out.
    True,
    /// An int, a string, or a float in its PHP string form.
    Value(Scalar<'a>),
}

impl Param<'_> {
    /// `$v == null` in PHP 8 (0.0 and [] reach here as `Null`).
    pub fn is_loosely_null(&self) -> bool {
        match self {
            Param::Null => true,
            Param::True => false,
            Param::Value(Scalar::Int(n)) => *n == 0,
            Param::Value(Scalar::Bytes(b)) => b.is_empty(),
        }
    }

    /// What `formatQueryParaMap` keeps: not loosely null, not `"null"`.
    fn signed(&self) -> Option<&Scalar<'_>> {
        match self {
            Param::Value(Scalar::Bytes(b)) if &b[..] == b"null" => None,
            Param::Value(v) if !self.is_loosely_null() => Some(v),
            _ => None,
        }
    }
}

/// The parameters `check_cft_parameters()` requires, in its order.
pub const REQUIRED: [&str; 9] = [
    "bank_type",
    "body",
    "partner",
    "out_trade_no",
    "total_fee",
    "fee_type",
    "notify_url",
    "spbill_create_ip",
    "input_charset",
];

/// The original's message when a package parameter is missing.
const MISSING_ZH: &str = "生成package参数缺失！";

/// The first required parameter that is absent or loosely null.
pub fn missing_parameter(params: &[(Scalar<'_>, Param<'_>)]) -> Option<&'static str> {
    REQUIRED.into_iter().find(|name| {
        !params.iter().any(|(k, v)| {
            matches!(k, Scalar::Bytes(b) if &b[..] == name.as_bytes()) && !v.is_loosely_null()
        })
    })
}

/// `check_cft_parameters()`, as an error naming the missing parameter.
pub fn check_parameters(params: &[(Scalar<'_>, Param<'_>)]) -> Result<()> {
    match missing_parameter(params) {
        None => Ok(()),
        Some(name) => Err(Error::invalid(format!(
            "the package parameter '{name}' is missing or empty ({MISSING_ZH})"
        ))),
    }
}

/// The keys a checkout is signed with. `signtype` is only echoed
/// (`signType` / `sign_method`): the signature is always SHA-1.
#[derive(Clone, Copy, Debug)]
pub struct Keys<'a> {
    pub appid: &'a [u8],
    pub appkey: &'a [u8],
    pub partnerkey: &'a [u8],
    pub signtype: &'a [u8],
}

impl Keys<'_> {
    pub fn require_appid(&self) -> Result<()> {
        if self.appid.is_empty() {
            return Err(Error::Configuration(
                "no appid (the public account's wx... id) is configured".into(),
            ));
        }
        Ok(())
    }

    fn require_appkey(&self) -> Result<()> {
        if self.appkey.is_empty() {
            return Err(Error::Configuration(
                "no appkey (the 128-character paySignKey) is configured (APPKEY为空！)".into(),
            ));
        }
        Ok(())
    }

    fn require_partnerkey(&self) -> Result<()> {
        if self.partnerkey.is_empty() {
            return Err(Error::Configuration(
                "no partnerkey (the 32-character Tenpay key) is configured (密钥不能为空！)".into(),
            ));
        }
        Ok(())
    }
}

/// The time and nonce a checkout object is signed with.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub timestamp: i64,
    pub noncestr: Vec<u8>,
}

/// `get_cft_package()`: the parameters in `order` (the caller's `ksort`
/// order), those with a value `k=urlencode(v)` joined by `&`, then
/// `&sign=` and the upper-case MD5 over the raw `k=v` pairs and the
/// partner key.
pub fn package(
    params: &[(Scalar<'_>, Param<'_>)],
    order: &[usize],
    partnerkey: &[u8],
    space: Space,
) -> Result<Vec<u8>> {
    Keys {
        appid: b"",
        appkey: b"",
        partnerkey,
        signtype: b"",
    }
    .require_partnerkey()?;
    let mut md5 = Md5::new();
    let mut encoded = Vec::with_capacity(256);
    for &i in order {
        let (key, value) = &params[i];
        if matches!(key, Scalar::Bytes(k) if &k[..] == b"sign") {
            continue;
        }
        let Some(value) = value.signed() else {
            continue;
        };
        if !encoded.is_empty() {
            encoded.push(b'&');
            md5.update(b"&");
        }
        key.with_bytes(|k| {
            md5.update(k);
            // Keys go into the package as they are (not encoded).
            encoded.extend_from_slice(k);
        });
        md5.update(b"=");
        encoded.push(b'=');
        value.with_bytes(|v| {
            md5.update(v);
            urlencode_into(v, space, &mut encoded);
        });
    }
    if encoded.is_empty() {
        return Err(Error::invalid(
            "no package parameter has a value to sign (财付通签名内容不能为空)",
        ));
    }
    md5.update(b"&key=");
    md5.update(partnerkey);
    let mut sign = [0u8; 32];
    // A 16-byte digest always fits 32 hex digits.
    let _ = hex::encode_to_slice(md5.finalize(), &mut sign);
    sign.make_ascii_uppercase();
    encoded.extend_from_slice(b"&sign=");
    encoded.extend_from_slice(&sign);
    Ok(encoded)
}

/// `create_biz_package()`'s object, members in its order, every value a
/// string (`timeStamp` too, as the 2014 SDK sends it). Its JSON is
/// `phpjson::object` of it (which refuses a value that is not UTF-8).
pub fn jsapi_request(
    keys: &Keys<'_>,
    package: &[u8],
    stamp: &Stamp,
) -> Result<Vec<(&'static str, Scalar<'static>)>> {
    keys.require_appkey()?;
    let timestamp = stamp.timestamp.to_string();
    let pay_sign = app_signature(
        &[
            ("appid", keys.appid),
            ("noncestr", &stamp.noncestr),
            ("package", package),
            ("timestamp", timestamp.as_bytes()),
        ],
        keys.appkey,
    );
    let owned = |b: &[u8]| Scalar::Bytes(Cow::Owned(b.to_vec()));
    let members = vec![
        ("appId", owned(keys.appid)),
        ("package", owned(package)),
        ("timeStamp", owned(timestamp.as_bytes())),
        ("nonceStr", owned(&stamp.noncestr)),
        ("paySign", owned(pay_sign.as_bytes())),
        ("signType", owned(keys.signtype)),
    ];
    Ok(members)
}

/// `create_app_package($traceid)`'s object: `timestamp` a number,
/// `traceid` as given (string or int).
pub fn app_request(
    keys: &Keys<'_>,
    package: &[u8],
    traceid: &Scalar<'_>,
    stamp: &Stamp,
) -> Result<Vec<(&'static str, Scalar<'static>)>> {
    keys.require_appkey()?;
    let timestamp = stamp.timestamp.to_string();
    let trace = traceid.clone().into_bytes();
    let signature = app_signature(
        &[
            ("appid", keys.appid),
            ("noncestr", &stamp.noncestr),
            ("package", package),
            ("timestamp", timestamp.as_bytes()),
            ("traceid", &trace),
        ],
        keys.appkey,
    );
    let owned = |b: &[u8]| Scalar::Bytes(Cow::Owned(b.to_vec()));
    let traceid = match traceid {
        Scalar::Int(n) => Scalar::Int(*n),
        Scalar::Bytes(b) => owned(b),
    };
    let members = vec![
        ("appid", owned(keys.appid)),
        ("package", owned(package)),
        ("timestamp", Scalar::Int(stamp.timestamp)),
        ("traceid", traceid),
        ("noncestr", owned(&stamp.noncestr)),
        ("app_signature", owned(signature.as_bytes())),
        ("sign_method", owned(keys.signtype)),
    ];
    Ok(members)
}

/// `create_native_url($productid)`: the productid is URL-encoded before it
/// is signed, and the fields come out sorted by name.
pub fn native_url(
    keys: &Keys<'_>,
    productid: &[u8],
    stamp: &Stamp,
    space: Space,
) -> Result<Vec<u8>> {
    keys.require_appkey()?;
    let mut product = Vec::with_capacity(productid.len() * 3);
    urlencode_into(productid, space, &mut product);
    let timestamp = stamp.timestamp.to_string();
    let sign = app_signature(
        &[
            ("appid", keys.appid),
            ("noncestr", &stamp.noncestr),
            ("productid", &product),
            ("timestamp", timestamp.as_bytes()),
        ],
        keys.appkey,
    );
    let mut url = b"weixin://wxpay/bizpayurl?appid=".to_vec();
    url.extend_from_slice(keys.appid);
    url.extend_from_slice(b"&noncestr=");
    url.extend_from_slice(&stamp.noncestr);
    url.extend_from_slice(b"&productid=");
    url.extend_from_slice(&product);
    url.extend_from_slice(b"&sign=");
    url.extend_from_slice(sign.as_bytes());
    url.extend_from_slice(b"&timestamp=");
    url.extend_from_slice(timestamp.as_bytes());
    Ok(url)
}

/// `$retcode == 0` in PHP 8: an int 0, or a numeric string worth zero.
pub fn retcode_is_zero(retcode: &Scalar<'_>) -> bool {
    match retcode {
        Scalar::Int(n) => *n == 0,
        Scalar::Bytes(b) => {
            is_numeric(b)
                && std::str::from_utf8(b)
                    .ok()
                    .and_then(|s| s.trim_matches(WHITESPACE).parse::<f64>().ok())
                    == Some(0.0)
        }
    }
}

/// `create_native_package($retcode, $reterrmsg)`: the reply to WeChat's
/// NativeCall, as `arrayToXml` writes it. `package` is the one built from
/// the stored parameters (an error reply may have none: then it is empty).
pub fn native_reply(
    keys: &Keys<'_>,
    package: &[u8],
    retcode: &Scalar<'_>,
    reterrmsg: &[u8],
    stamp: &Stamp,
) -> Result<Vec<u8>> {
    keys.require_appkey()?;
    let timestamp = stamp.timestamp.to_string();
    let code = retcode.clone().into_bytes();
    let signature = app_signature(
        &[
            ("appid", keys.appid),
            ("noncestr", &stamp.noncestr),
            ("package", package),
            ("retcode", &code),
            ("reterrmsg", reterrmsg),
            ("timestamp", timestamp.as_bytes()),
        ],
        keys.appkey,
    );
    let retcode = match retcode {
        Scalar::Int(_) => XmlValue::Number(&code),
        Scalar::Bytes(_) => XmlValue::Text(&code),
    };
    array_to_xml(&[
        ("AppId", XmlValue::Text(keys.appid)),
        ("Package", XmlValue::Text(package)),
        ("TimeStamp", XmlValue::Number(timestamp.as_bytes())),
        ("NonceStr", XmlValue::Text(&stamp.noncestr)),
        ("RetCode", retcode),
        ("RetErrMsg", XmlValue::Text(reterrmsg)),
        ("AppSignature", XmlValue::Text(signature.as_bytes())),
        ("SignMethod", XmlValue::Text(keys.signtype)),
    ])
}

/// A value for `arrayToXml`: an int, or a string (which is bare when
/// `is_numeric()`, else in CDATA).
#[derive(Clone, Copy, Debug)]
pub enum XmlValue<'a> {
    Number(&'a [u8]),
    Text(&'a [u8]),
}

/// `CommonUtil::arrayToXml`: `<xml>`, each entry `<k>v</k>` when numeric,
/// else `<k><![CDATA[v]]></k>`, `</xml>`; nothing escaped. A `]]>` inside a
/// value would end the CDATA early, so it is refused.
pub fn array_to_xml(entries: &[(&str, XmlValue<'_>)]) -> Result<Vec<u8>> {
    let mut out = b"<xml>".to_vec();
    for (name, value) in entries {
        let (bytes, bare) = match value {
            XmlValue::Number(b) => (*b, true),
            XmlValue::Text(b) => (*b, is_numeric(b)),
        };
        out.push(b'<');
        out.extend_from_slice(name.as_bytes());
        out.push(b'>');
        if bare {
            out.extend_from_slice(bytes);
        } else {
            if bytes.windows(3).any(|w| w == b"]]>") {
                return Err(Error::invalid(format!(
                    "the value of <{name}> contains ']]>', which cannot be written inside CDATA (the original would send broken XML)"
                )));
            }
            out.extend_from_slice(b"<![CDATA[");
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"]]>");
        }
        out.extend_from_slice(b"</");
        out.extend_from_slice(name.as_bytes());
        out.push(b'>');
    }
    out.extend_from_slice(b"</xml>");
    Ok(out)
}

/// The whitespace PHP's numeric strings may begin and (since PHP 8) end with.
const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r', '\u{b}', '\u{c}'];

/// PHP 8's `is_numeric()` for a string: optional surrounding whitespace, a
/// sign, digits with at most one dot (at least one digit), an optional
/// exponent. No hex, no `inf`.
pub fn is_numeric(s: &[u8]) -> bool {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = s.iter().position(|b| !ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !ws(b)).map_or(start, |p| p + 1);
    let mut t = &s[start..end.max(start)];
    if let [b'+' | b'-', rest @ ..] = t {
        t = rest;
    }
    let digits = |t: &[u8]| t.iter().take_while(|b| b.is_ascii_digit()).count();
    let int = digits(t);
    t = &t[int..];
    let mut frac = 0;
    if let [b'.', rest @ ..] = t {
        frac = digits(rest);
        t = &rest[frac..];
    }
    if int + frac == 0 {
        return false;
    }
    if let [b'e' | b'E', rest @ ..] = t {
        let rest = match rest {
            [b'+' | b'-', r @ ..] => r,
            r => r,
        };
        let exp = digits(rest);
        if exp == 0 {
            return false;
        }
        t = &rest[exp..];
    }
    t.is_empty()
}

/// Characters of a nonce, as `create_noncestr()` draws them.
const NONCE_CHARS: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `len` characters of `[a-zA-Z0-9]` from the OS's random source (the
/// original's come from `mt_rand`, which a buyer can predict).
pub fn noncestr(len: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        for b in crate::random::bytes::<32>()? {
            // 248 = 4 * 62: rejecting above it keeps every character equally likely.
            if b < 248 && out.len() < len {
                out.push(NONCE_CHARS[usize::from(b % 62)]);
            }
        }
    }
    Ok(out)
}

/// The order `ksort` gives when no two keys are numeric: by bytes.
pub fn byte_order(params: &[(Scalar<'_>, Param<'_>)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..params.len()).collect();
    order.sort_by(|&a, &b| params[a].0.cmp_bytes(&params[b].0));
    order
}

#[cfg(test)]
mod tests;
