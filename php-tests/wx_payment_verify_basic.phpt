--TEST--
wx_payment_verify(): the spec's E1 (partner sign) and E2 (AppSignature) vectors verify; the trade and buyer come back as strings
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/v2_vectors.inc';
$r = wx_payment_verify(e1_query(), E2_XML, doc_keys(['appid' => DOC_APPID, 'partner' => '1900000109']));
var_dump(array_keys($r), count($r['trade']), isset($r['trade']['sign']));
var_dump($r['trade']['notify_id'], $r['trade']['trade_state'], $r['trade']['transaction_id']);
var_dump($r['buyer']);
// The sign is compared without regard to hex case.
$q = e1_query();
$q['sign'] = strtolower($q['sign']);
var_dump(wx_payment_verify($q, E2_XML, doc_keys())['buyer']['openid']);
// Empty values are not signed ("0" is): an empty attach changes nothing; it is returned as received.
$q = e1_query() + ['attach' => ''];
var_dump(wx_payment_verify($q, E2_XML, doc_keys())['trade']['attach']);
// The order of $query does not matter.
$q = array_reverse(e1_query(), true);
var_dump(count(wx_payment_verify($q, E2_XML, doc_keys())['trade']));
?>
--EXPECT--
array(2) {
  [0]=>
  string(5) "trade"
  [1]=>
  string(5) "buyer"
}
int(16)
bool(false)
string(97) "WE37gwCoFBcAKdkH34Y1nW94r_vao2ljmwE3oAHEeAP690xSVhRleOMfhsgjwVGDpluT -vdS79kbDbkDnjYg4qsmTdSjuJxl"
string(1) "0"
string(28) "1900000109201306060282555397"
array(5) {
  ["appid"]=>
  string(18) "wxd930ea5d5a258f4f"
  ["openid"]=>
  string(6) "111222"
  ["issubscribe"]=>
  string(1) "1"
  ["timestamp"]=>
  string(10) "1369743511"
  ["noncestr"]=>
  string(16) "jALldRTHAFd5Tgs5"
}
string(6) "111222"
string(0) ""
int(16)
