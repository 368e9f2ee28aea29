--TEST--
wx_payment_verify(): GBK bytes are signed and returned as received (E1b), in the query and in the XML
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/v2_vectors.inc';
$gbk = "\xb2\xe2\xca\xd4"; // 测试 in GBK
$q = e1_query();
$q['attach'] = $gbk;
$q['sign'] = 'EE6B0F99E984E2FD5862541059730765'; // the spec's E1b digest over GBK bytes
var_dump(bin2hex(wx_payment_verify($q, E2_XML, doc_keys())['trade']['attach']));
// The same characters in UTF-8 have another digest; the GBK one no longer matches.
$q['attach'] = '测试';
try { wx_payment_verify($q, E2_XML, doc_keys()); } catch (WxPay\SignatureException $e) { echo "UTF-8 bytes under the GBK sign: refused\n"; }
$q['sign'] = 'C919810ABE55FA8628FDB39B1269B18A';
var_dump(wx_payment_verify($q, E2_XML, doc_keys())['trade']['attach']);
// A plain-PHP oracle of the rule agrees with the extension on random GBK-ish bytes.
for ($i = 0, $ok = 0; $i < 200; $i++) {
    $q = e1_query();
    $q['attach'] = random_bytes(random_int(1, 40));
    $q['sign'] = ref_partner_sign($q, DOC_PARTNERKEY);
    try { wx_payment_verify($q, E2_XML, doc_keys()); $ok++; } catch (WxPay\Exception $e) { echo bin2hex($q['attach']), ': ', $e->getMessage(), "\n"; }
}
var_dump($ok);
// GBK text in an XML element (plain and CDATA) passes through as bytes.
$sig = sha1('appid=' . DOC_APPID . '&appkey=' . DOC_APPKEY . "&issubscribe=1&noncestr=$gbk&openid=o$gbk&timestamp=1369743511");
$xml = "<xml><OpenId>o$gbk</OpenId><AppId>" . DOC_APPID . "</AppId><IsSubscribe>1</IsSubscribe><TimeStamp>1369743511</TimeStamp>"
     . "<NonceStr><![CDATA[$gbk]]></NonceStr><AppSignature>$sig</AppSignature><SignMethod>sha1</SignMethod></xml>";
$b = wx_payment_verify(e1_query(), $xml, doc_keys())['buyer'];
var_dump(bin2hex($b['openid']), bin2hex($b['noncestr']));
?>
--EXPECT--
string(8) "b2e2cad4"
UTF-8 bytes under the GBK sign: refused
string(6) "测试"
int(200)
string(10) "6fb2e2cad4"
string(8) "b2e2cad4"
