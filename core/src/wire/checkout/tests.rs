//! The spec's WxPayHelper vectors (tests/vectors/wxpayhelper.txt, checked
//! against the 2014 SDK on PHP 8.2), rebuilt by the rules above.

use super::*;
use crate::wire::paysign::digest_matches;
use crate::wire::phpjson;
use std::borrow::Cow;

const VECTORS: &str = include_str!("../../../../tests/vectors/wxpayhelper.txt");

fn vector(name: &str) -> Vec<u8> {
    let line = VECTORS
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('\t'))
        .unwrap_or_else(|| panic!("no vector {name}"));
    match line.strip_prefix("hex:") {
        Some(h) => hex::decode(h).unwrap(),
        None => line.as_bytes().to_vec(),
    }
}

fn text(name: &str) -> String {
    String::from_utf8(vector(name)).unwrap()
}

fn s(b: &[u8]) -> Param<'_> {
    Param::Value(Scalar::Bytes(Cow::Borrowed(b)))
}

/// The fixture's order parameters, in the order the demo sets them.
fn order_params(body: Vec<u8>, charset: &'static [u8]) -> Vec<(Scalar<'static>, Param<'static>)> {
    let mut out = Vec::new();
    for name in REQUIRED {
        let value = match name {
            "body" => body.clone(),
            "input_charset" => charset.to_vec(),
            _ => vector(&format!("param.{name}")),
        };
        out.push((
            Scalar::Bytes(Cow::Owned(name.as_bytes().to_vec())),
            Param::Value(Scalar::Bytes(Cow::Owned(value))),
        ));
    }
    out
}

struct Fixture {
    appid: Vec<u8>,
    appkey: Vec<u8>,
    partnerkey: Vec<u8>,
    signtype: Vec<u8>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            appid: vector("cfg.APPID"),
            appkey: vector("cfg.APPKEY"),
            partnerkey: vector("cfg.PARTNERKEY"),
            signtype: vector("cfg.SIGNTYPE"),
        }
    }
    fn keys(&self) -> Keys<'_> {
        Keys {
            appid: &self.appid,
            appkey: &self.appkey,
            partnerkey: &self.partnerkey,
            signtype: &self.signtype,
        }
    }
}

fn stamp() -> Stamp {
    Stamp {
        timestamp: text("time").parse().unwrap(),
        noncestr: vector("nonce"),
    }
}

fn package_of(params: &[(Scalar<'_>, Param<'_>)], pk: &[u8]) -> Vec<u8> {
    package(params, &byte_order(params), pk, Space::Plus).unwrap()
}

#[test]
fn a_package() {
    let f = Fixture::new();
    let params = order_params(vector("param.body"), b"UTF-8");
    assert_eq!(package_of(&params, &f.partnerkey), vector("A.package"));
    let order: Vec<String> = byte_order(&params)
        .into_iter()
        .map(|i| params[i].0.display())
        .collect();
    assert_eq!(order.join(","), text("A.params_order_after"));
}

#[test]
fn b_biz_package_and_f_gbk() {
    let f = Fixture::new();
    let params = order_params(vector("param.body"), b"UTF-8");
    let pkg = package_of(&params, &f.partnerkey);
    let request = jsapi_request(&f.keys(), &pkg, &stamp()).unwrap();
    assert_eq!(phpjson::object(&request).unwrap(), text("B.json"));

    // F: the body in GBK bytes, hashed and encoded as they are.
    let gbk = hex::decode("b2e2cad4c9ccc6b7204126422f43").unwrap();
    let params = order_params(gbk, b"GBK");
    let pkg = package_of(&params, &f.partnerkey);
    assert_eq!(pkg, vector("F.package"));
    let request = jsapi_request(&f.keys(), &pkg, &stamp()).unwrap();
    assert_eq!(phpjson::object(&request).unwrap(), text("F.biz_json"));
}

#[test]
fn c_app_package() {
    let f = Fixture::new();
    let pkg = package_of(&order_params(vector("param.body"), b"UTF-8"), &f.partnerkey);
    let empty = app_request(&f.keys(), &pkg, &Scalar::bytes(b""), &stamp()).unwrap();
    assert_eq!(
        phpjson::object(&empty).unwrap(),
        text("C.json_traceid_empty")
    );
    let traced = app_request(
        &f.keys(),
        &pkg,
        &Scalar::bytes("订单/1".as_bytes()),
        &stamp(),
    )
    .unwrap();
    assert_eq!(phpjson::object(&traced).unwrap(), text("C.json_traceid"));
    let gbk = app_request(&f.keys(), &pkg, &Scalar::bytes(b"\xb2\xe2"), &stamp()).unwrap();
    assert!(matches!(
        phpjson::object(&gbk),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn d_native_url() {
    let f = Fixture::new();
    let url = native_url(&f.keys(), &vector("D.productid"), &stamp(), Space::Plus).unwrap();
    assert_eq!(url, vector("D.url"));
    let url = native_url(&f.keys(), b"1234", &stamp(), Space::Plus).unwrap();
    assert_eq!(url, vector("D.url_demo_1234"));
}

#[test]
fn e_native_reply() {
    let f = Fixture::new();
    let pkg = package_of(&order_params(vector("param.body"), b"UTF-8"), &f.partnerkey);
    let ok = native_reply(&f.keys(), &pkg, &Scalar::Int(0), b"ok", &stamp()).unwrap();
    assert_eq!(ok, vector("E.ok.xml"));
    let err = native_reply(
        &f.keys(),
        &pkg,
        &Scalar::Int(1),
        "订单已过期".as_bytes(),
        &stamp(),
    )
    .unwrap();
    assert_eq!(err, vector("E.err.xml"));
    let partial = [(Scalar::bytes(b"body"), s(b"x"))];
    let pkg = package_of(&partial, &f.partnerkey);
    let err = native_reply(&f.keys(), &pkg, &Scalar::Int(1), b"expired", &stamp()).unwrap();
    assert_eq!(err, vector("E.err_partial_params.xml"));
}

#[test]
fn g_query_rule_edge_cases() {
    // G.fq's input: what formatQueryParaMap skips and how it encodes.
    let params: Vec<(Scalar, Param)> = vec![
        (Scalar::bytes(b"j"), s(b"a b+c")),
        (Scalar::bytes(b"i"), Param::Null),
        (Scalar::bytes(b"h"), Param::Null),
        (Scalar::bytes(b"g"), Param::True),
        (Scalar::bytes(b"f"), Param::Value(Scalar::Int(0))),
        (Scalar::bytes(b"e"), s(b" ")),
        (Scalar::bytes(b"d"), s(b"NULL")),
        (Scalar::bytes(b"c"), s(b"null")),
        (Scalar::bytes(b"b"), s(b"")),
        (Scalar::bytes(b"a"), s(b"0")),
        (Scalar::bytes(b"Sign"), s(b"y")),
        (Scalar::bytes(b"sign"), s(b"x")),
        (Scalar::bytes(b"k"), s(b"0.0")),
        (Scalar::bytes(b"l"), s(b"~*'()!")),
    ];
    let pk = b"key";
    let mut md5_input = vector("G.fq.unsigned");
    md5_input.extend_from_slice(b"&key=key");
    let mut expected = vector("G.fq.encoded");
    expected.extend_from_slice(b"&sign=");
    expected.extend_from_slice(hex::encode_upper(Md5::digest(&md5_input)).as_bytes());
    assert_eq!(package_of(&params, pk), expected);

    let nothing = [(Scalar::bytes(b"a"), Param::Null)];
    let e = package(&nothing, &[0], pk, Space::Plus).unwrap_err();
    assert!(e.message().contains("财付通签名内容不能为空"), "{e:?}");
    let e = package(&params, &byte_order(&params), b"", Space::Plus).unwrap_err();
    assert!(
        matches!(e, Error::Configuration(ref m) if m.contains("密钥不能为空")),
        "{e:?}"
    );
}

#[test]
fn g_array_to_xml() {
    let texts: [(&str, &[u8]); 7] = [
        ("a", b"12"),
        ("b", b" 12"),
        ("c", b"12 "),
        ("d", b"1e3"),
        ("e", b"0x1A"),
        ("f", b".5"),
        ("h", b"<&>"),
    ];
    let mut entries: Vec<(&str, XmlValue)> =
        texts.iter().map(|(k, v)| (*k, XmlValue::Text(v))).collect();
    entries.push(("i", XmlValue::Text(b"")));
    entries.push(("j", XmlValue::Number(b"7")));
    entries.push(("k", XmlValue::Text(b"-3")));
    entries.push(("l", XmlValue::Text(b"")));
    let got = String::from_utf8(array_to_xml(&entries).unwrap()).unwrap();
    // G.xml without its entry g (a "]]>" the original emits broken).
    let expected = text("G.xml").replace("<g><![CDATA[x]]>y]]></g>", "");
    assert_eq!(got, expected);
    let e = array_to_xml(&[("g", XmlValue::Text(b"x]]>y"))]).unwrap_err();
    assert!(e.message().contains("']]>'"), "{e:?}");
}

#[test]
fn is_numeric_as_php_8() {
    for yes in [
        "12",
        " 12",
        "12 ",
        "1e3",
        ".5",
        "5.",
        "-3",
        "+1",
        "1E-2",
        " \t\n1\x0b\x0c",
        "0",
    ] {
        assert!(is_numeric(yes.as_bytes()), "{yes:?}");
    }
    for no in [
        "", " ", ".", "0x1A", "1e", "1e+", "e3", "1 2", "--1", "inf", "1.2.3", "12abc",
    ] {
        assert!(!is_numeric(no.as_bytes()), "{no:?}");
    }
    assert!(retcode_is_zero(&Scalar::Int(0)));
    assert!(retcode_is_zero(&Scalar::bytes(b" 0.0")));
    assert!(!retcode_is_zero(&Scalar::bytes(b"")));
    assert!(!retcode_is_zero(&Scalar::bytes(b"abc")));
    assert!(!retcode_is_zero(&Scalar::Int(1)));
}

#[test]
fn g_magic_digest_is_not_a_zero() {
    let pk = vector("cfg.PARTNERKEY");
    let mut input = vector("G.magic.content");
    input.extend_from_slice(b"&key=");
    input.extend_from_slice(&pk);
    let digest = hex::encode(Md5::digest(&input));
    assert_eq!(digest.as_bytes(), vector("G.magic.md5"));
    assert!(!digest_matches(&digest, b"0"));
    assert!(!digest_matches(&digest, b"0e1"));
    assert!(digest_matches(&digest, digest.to_uppercase().as_bytes()));
}

#[test]
fn missing_parameters_are_named() {
    let mut params = order_params(vector("param.body"), b"UTF-8");
    assert_eq!(missing_parameter(&params), None);
    params[4].1 = Param::Value(Scalar::Int(0)); // total_fee => 0
    assert_eq!(missing_parameter(&params), Some("total_fee"));
    let e = check_parameters(&params).unwrap_err();
    assert!(e.message().contains("'total_fee'") && e.message().contains(MISSING_ZH));
    params[4].1 = s(b"null"); // "null" is present for the check, left out of the package
    assert_eq!(missing_parameter(&params), None);
}

#[test]
fn nonces_are_alphanumeric_and_differ() {
    let a = noncestr(16).unwrap();
    let b = noncestr(16).unwrap();
    assert_eq!(a.len(), 16);
    assert!(a.iter().all(u8::is_ascii_alphanumeric));
    assert_ne!(a, b);
    assert_eq!(noncestr(100).unwrap().len(), 100);
}
