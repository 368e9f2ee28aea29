--TEST--
wx_feedback_verify(): the spec's E4 complaint verifies, what its signature covers apart from what it does not; confirm/reject carry the same signature; errors name no value
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
require __DIR__ . '/include/v2_vectors.inc';
var_dump(wx_feedback_verify(E4_XML, DOC_APPKEY));
$confirm = preg_replace(['#\[request\]#', '#<TransId>.*?</TransId>#', '#<Solution>.*?</Solution>#', '#<ExtInfo>.*?</ExtInfo>#', '#<PicInfo>.*</PicInfo>#'],
                        ['[confirm]', '', '', '', ''], E4_XML);
$r = wx_feedback_verify($confirm, DOC_APPKEY)['unsigned'];
var_dump($r['msgtype'], $r['transid'], $r['picurls']);
// The AppSignature does not cover the complaint's content: a changed reason
// or id still verifies, and is only ever found under 'unsigned'.
$changed = wx_feedback_verify(str_replace(['商品质量有问题', '5883726847655944563'], ['changed', '../../x'], E4_XML), DOC_APPKEY);
var_dump(array_keys($changed['signed']), $changed['unsigned']['reason'], $changed['unsigned']['feedbackid']);
foreach ([
    'openid changed' => fn() => wx_feedback_verify(str_replace('111222', '111223', E4_XML), DOC_APPKEY),
    'another appkey' => fn() => wx_feedback_verify(E4_XML, 'K'),
    'empty appkey' => fn() => wx_feedback_verify(E4_XML, ''),
    'MsgType unknown' => fn() => wx_feedback_verify(str_replace('[request]', '[escalate]', E4_XML), DOC_APPKEY),
    'no FeedBackId' => fn() => wx_feedback_verify(preg_replace('#<FeedBackId>.*?</FeedBackId>#', '', E4_XML), DOC_APPKEY),
    'a DOCTYPE' => fn() => wx_feedback_verify('<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>' . E4_XML, DOC_APPKEY),
    'an array' => fn() => wx_feedback_verify([], DOC_APPKEY),
] as $label => $f) {
    echo "$label: ";
    attempt($f, [DOC_APPKEY]);
}
?>
--EXPECT--
array(2) {
  ["signed"]=>
  array(3) {
    ["appid"]=>
    string(18) "wxd930ea5d5a258f4f"
    ["openid"]=>
    string(6) "111222"
    ["timestamp"]=>
    string(10) "1369743511"
  }
  ["unsigned"]=>
  array(7) {
    ["msgtype"]=>
    string(7) "request"
    ["feedbackid"]=>
    string(19) "5883726847655944563"
    ["transid"]=>
    string(20) "10123312412321435345"
    ["reason"]=>
    string(21) "商品质量有问题"
    ["solution"]=>
    string(15) "补发货给我"
    ["extinfo"]=>
    string(36) "明天六点前联系我 18610847266"
    ["picurls"]=>
    array(2) {
      [0]=>
      string(24) "http://mmbiz.qpic.cn/a/0"
      [1]=>
      string(24) "http://mmbiz.qpic.cn/b/0"
    }
  }
}
string(7) "confirm"
string(0) ""
array(0) {
}
array(3) {
  [0]=>
  string(5) "appid"
  [1]=>
  string(6) "openid"
  [2]=>
  string(9) "timestamp"
}
string(7) "changed"
string(7) "../../x"
openid changed: WxPay\SignatureException(0): wx_feedback_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
another appkey: WxPay\SignatureException(0): wx_feedback_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
empty appkey: WxPay\InvalidArgumentException(0): wx_feedback_verify(): $appkey is required and must not be empty
MsgType unknown: WxPay\InvalidArgumentException(0): wx_feedback_verify(): the XML body is not a WeChat message: <MsgType> is not request, confirm or reject
no FeedBackId: WxPay\InvalidArgumentException(0): wx_feedback_verify(): the XML body is not a WeChat message: the element <FeedBackId> is missing
a DOCTYPE: WxPay\InvalidArgumentException(0): wx_feedback_verify(): the XML body is not a WeChat message: a DOCTYPE is not accepted
an array: TypeError(0): wx_feedback_verify(): Argument #1 ($post_xml) must be of type string, array given
