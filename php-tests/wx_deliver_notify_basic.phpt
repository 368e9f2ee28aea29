--TEST--
wx_deliver_notify(): the seed's flow against the sandbox; the recorded notification is what was sent
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000001';
$token = sandbox_token($app);
$p = sample_params($app, ['deliver_timestamp' => 1369745073, 'deliver_status' => '1', 'deliver_msg' => 'ok']);

$before = time();
var_dump(wx_deliver_notify($token, $p, sandbox_options()));

$rec = sandbox_notifications($p['out_trade_no']);
var_dump(count($rec));
$rec = $rec[0];
foreach (['appid', 'openid', 'transid', 'out_trade_no'] as $k) {
    echo $k, ': ', $rec[$k] === $p[$k] ? 'same' : 'DIFFERENT', "\n";
}
var_dump($rec['deliver_timestamp'], $rec['deliver_status'], $rec['deliver_msg'], $rec['sign_method']);
// The signature the sandbox verified is wx_deliver_sign() of the same fields.
var_dump($rec['app_signature'] === wx_deliver_sign($p + ['deliver_timestamp' => 1369745073, 'deliver_status' => '1', 'deliver_msg' => 'ok']));
var_dump(array_key_exists('appkey', $rec));

// Defaults: deliver_timestamp = time() at the call, status "1", msg "ok".
$q = sample_params($app);
wx_deliver_notify($token, $q, sandbox_options());
$rec = sandbox_notifications($q['out_trade_no'])[0];
var_dump((int) $rec['deliver_timestamp'] >= $before && (int) $rec['deliver_timestamp'] <= time() + 1);
var_dump($rec['deliver_status'], $rec['deliver_msg']);
?>
--EXPECT--
array(2) {
  ["errcode"]=>
  int(0)
  ["errmsg"]=>
  string(2) "ok"
}
int(1)
appid: same
openid: same
transid: same
out_trade_no: same
string(10) "1369745073"
string(1) "1"
string(2) "ok"
string(4) "sha1"
bool(true)
bool(false)
bool(true)
string(1) "1"
string(2) "ok"
