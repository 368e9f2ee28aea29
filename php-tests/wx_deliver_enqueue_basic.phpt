--TEST--
wx_deliver_enqueue() + wx_deliver_drain(): kept signed, one id per shipment, delivered once and accepted by the sandbox
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000002';
[, $secret, $appkey] = sandbox_app($app);
$o = sandbox_options(['outbox' => outbox_file()]);
$p = sample_params($app, ['deliver_timestamp' => 1369745073, 'deliver_msg' => 'it\'s "shipped" 已发货']);

$id = wx_deliver_enqueue($p, $o);
var_dump(preg_match('/^[0-9a-f]{24}$/', $id));
echo "same shipment, same id: ", var_export(wx_deliver_enqueue($p, $o) === $id, true), "\n";
$other = wx_deliver_enqueue(['deliver_status' => '0'] + $p, $o);
echo "another status is another shipment: ", var_export($other !== $id, true), "\n";
// The latest enqueued status of an order wins: status 1 again supersedes
// status 0 and is kept under its first id.
echo "status 1 again, same id: ", var_export(wx_deliver_enqueue($p, $o) === $id, true), "\n";

// Nothing in the file can sign or fetch anything: no appkey, no appsecret.
$bytes = file_get_contents($o['outbox']) . @file_get_contents($o['outbox'] . '-wal');
var_dump(str_contains($bytes, $p['out_trade_no']), str_contains($bytes, $appkey));

$s = wx_deliver_outbox($o);
var_dump($s['pending'], $s['sent'], $s['nearest_deadline'] >= time() + 86390 && $s['nearest_deadline'] <= time() + 86400);
var_dump(sandbox_notifications($p['out_trade_no']));

var_dump(wx_deliver_drain($o + ['appsecret' => $secret]));
$rec = sandbox_notifications($p['out_trade_no']);
var_dump(count($rec));
// The sandbox checked the signature itself; it is also the PHP rule's.
$rule = $p + ['deliver_status' => '1'];
unset($rule['appkey']);
$rule['appkey'] = $appkey;
ksort($rule, SORT_STRING);
$str = implode('&', array_map(fn($k, $v) => "$k=$v", array_keys($rule), $rule));
$ok = array_filter($rec, fn($r) => $r['deliver_status'] === '1');
var_dump(array_values($ok)[0]['app_signature'] === sha1($str), array_values($ok)[0]['deliver_msg'] === $p['deliver_msg']);

// Sent is never sent again, by any later drain.
var_dump(wx_deliver_drain($o + ['appsecret' => $secret])['sent'], count(sandbox_notifications($p['out_trade_no'])));
$s = wx_deliver_outbox($o);
var_dump($s['pending'], $s['sent'], $s['nearest_deadline'], $s['oldest_pending_age']);

// Physical goods: 72 hours.
wx_deliver_enqueue(sample_params($app), $o + ['goods' => 'physical']);
$d = wx_deliver_outbox($o)['nearest_deadline'];
var_dump($d >= time() + 72 * 3600 - 10 && $d <= time() + 72 * 3600);
?>
--EXPECT--
int(1)
same shipment, same id: true
another status is another shipment: true
status 1 again, same id: true
bool(true)
bool(false)
int(1)
int(0)
bool(true)
array(0) {
}
array(6) {
  ["sent"]=>
  int(1)
  ["retried"]=>
  int(0)
  ["dead"]=>
  int(0)
  ["skipped"]=>
  int(0)
  ["pending"]=>
  int(0)
  ["overdue"]=>
  int(0)
}
int(1)
bool(true)
bool(true)
int(0)
int(1)
int(0)
int(1)
NULL
float(0)
bool(true)
