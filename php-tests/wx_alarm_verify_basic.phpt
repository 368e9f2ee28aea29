--TEST--
wx_alarm_verify(): the spec's E5 alarm verifies (UTF-8 text signed as bytes); tampering and bad input are refused
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
require __DIR__ . '/include/v2_vectors.inc';
var_dump(wx_alarm_verify(E5_XML, DOC_APPKEY));
// Entities in plain text are resolved before signing: &#x9519; is 错.
var_dump(wx_alarm_verify(str_replace('<![CDATA[错误描述]]>', '&#x9519;误描述', E5_XML), DOC_APPKEY)['description']);
foreach ([
    'errortype changed' => fn() => wx_alarm_verify(str_replace('1001', '1002', E5_XML), DOC_APPKEY),
    'content changed' => fn() => wx_alarm_verify(str_replace('错误详情', '错误详细', E5_XML), DOC_APPKEY),
    'another appkey' => fn() => wx_alarm_verify(E5_XML, DOC_APPKEY . 'x'),
    'no AppSignature' => fn() => wx_alarm_verify(preg_replace('#<AppSignature>.*?</AppSignature>#', '', E5_XML), DOC_APPKEY),
    'no ErrorType' => fn() => wx_alarm_verify(preg_replace('#<ErrorType>.*?</ErrorType>#', '', E5_XML), DOC_APPKEY),
    'nested too deep' => fn() => wx_alarm_verify(str_replace('</xml>', '<a><b><c><d/></c></b></a></xml>', E5_XML), DOC_APPKEY),
    'a processing instruction' => fn() => wx_alarm_verify(str_replace('</xml>', '<?php ?></xml>', E5_XML), DOC_APPKEY),
] as $label => $f) {
    echo "$label: ";
    attempt($f, [DOC_APPKEY]);
}
?>
--EXPECT--
array(5) {
  ["appid"]=>
  string(18) "wxd930ea5d5a258f4f"
  ["errortype"]=>
  string(4) "1001"
  ["description"]=>
  string(12) "错误描述"
  ["alarmcontent"]=>
  string(12) "错误详情"
  ["timestamp"]=>
  string(10) "1393860740"
}
string(12) "错误描述"
errortype changed: WxPay\SignatureException(0): wx_alarm_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
content changed: WxPay\SignatureException(0): wx_alarm_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
another appkey: WxPay\SignatureException(0): wx_alarm_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
no AppSignature: WxPay\InvalidArgumentException(0): wx_alarm_verify(): the XML body is not a WeChat message: the element <AppSignature> is missing
no ErrorType: WxPay\InvalidArgumentException(0): wx_alarm_verify(): the XML body is not a WeChat message: the element <ErrorType> is missing
nested too deep: WxPay\InvalidArgumentException(0): wx_alarm_verify(): the XML body is not a WeChat message: nested deeper than 4 elements
a processing instruction: WxPay\InvalidArgumentException(0): wx_alarm_verify(): the XML body is not a WeChat message: a processing instruction is not accepted
