--TEST--
wx_deliver_notify(): only an integer errcode of 0 is success; replies without one or with an inexact one are malformed (never retried as -1); the full errcode survives
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret, $appkey] = sandbox_app('wxhostile000000002');
$opts = sandbox_options(['appsecret' => $secret]);
$s = [$secret, $appkey];
wx_deliver_notify(null, sample_params($id), $opts);   // a cached token

$send = function (array $fault) use ($id, $opts, $s) {
    $p = sample_params($id);
    sandbox_fault($fault + ['match' => $p['out_trade_no']]);
    $label = $fault['body'] ?? ($fault['body_hex'] ?? $fault['kind']);
    echo str_pad($label, 42), ' -> ';
    attempt(fn() => wx_deliver_notify(null, $p, $opts), $s);
    // Managed mode retries -1; a malformed reply is sent once.
    $n = sandbox_requests($p['out_trade_no'])['count'];
    if ($n !== 1) echo "   SENT $n TIMES\n";
};
foreach (['{}', '{"errmsg":"system error"}', '{"errcode":null,"errmsg":"ok"}', '{"errcode":0.0,"errmsg":"ok"}',
          '{"errcode":-0.0}', '{"errcode":1e0}', '{"errcode":"abc"}', '{"errcode":"1.0"}', '{"errcode":true}',
          '{"errcode":18446744073709551616}', '{"errcode":"99999999999999999999"}', '[0]'] as $body) {
    $send(['kind' => 'body', 'body' => $body]);
}
// Exact forms: an integer, or a string of digits.
$send(['kind' => 'body', 'body' => '{"errcode":"0","errmsg":"ok"}']);
$send(['kind' => 'body', 'body' => '{"errcode":4294967296,"errmsg":"beyond 32 bits"}']);
$send(['kind' => 'body', 'body' => '{"errcode":-9223372036854775808,"errmsg":"min"}']);
// An errmsg that is not UTF-8 keeps its errcode (GBK "你好").
$send(['kind' => 'body', 'body_hex' => bin2hex('{"errcode":45009,"errmsg":"' . "\xc4\xe3\xba\xc3" . ' quota"}')]);
// getCode() is the whole errcode.
$p = sample_params($id);
sandbox_fault(['kind' => 'body', 'body' => '{"errcode":4294967296,"errmsg":"x"}', 'match' => $p['out_trade_no']]);
try { wx_deliver_notify(null, $p, $opts); } catch (WxPay\ApiException $e) { var_dump($e->getCode(), $e instanceof WxPay\Exception); }
?>
--EXPECT--
{}                                         -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply has no errcode
{"errmsg":"system error"}                  -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply has no errcode
{"errcode":null,"errmsg":"ok"}             -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":0.0,"errmsg":"ok"}              -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":-0.0}                           -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":1e0}                            -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":"abc"}                          -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":"1.0"}                          -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":true}                           -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":18446744073709551616}           -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
{"errcode":"99999999999999999999"}         -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply's errcode is not an integer
[0]                                        -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply is JSON but not an object
{"errcode":"0","errmsg":"ok"}              -> no exception: {"errcode":0,"errmsg":"ok"}
{"errcode":4294967296,"errmsg":"beyond 32 bits"} -> WxPay\ApiException(4294967296): wx_deliver_notify(): WeChat error 4294967296: beyond 32 bits
{"errcode":-9223372036854775808,"errmsg":"min"} -> WxPay\ApiException(-9223372036854775808): wx_deliver_notify(): WeChat error -9223372036854775808: min
7b22657272636f6465223a34353030392c226572726d7367223a22c4e3bac32071756f7461227d -> WxPay\ApiException(45009): wx_deliver_notify(): WeChat error 45009: ��� quota
int(4294967296)
bool(true)
