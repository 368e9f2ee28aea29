--TEST--
wx_deliver_notify(): every injected fault surfaces as the right exception within timeout + 1 s
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000003';
$token = sandbox_token($app);
$timeout = 1.5;
$o = sandbox_options(['timeout' => $timeout, 'connect_timeout' => 1]);
$faults = [
    ['kind' => 'delay', 'ms' => 4000],
    ['kind' => 'close'],
    ['kind' => 'reset'],
    ['kind' => 'status', 'status' => 503],
    ['kind' => 'status', 'status' => 404],
    ['kind' => 'garbage'],
    ['kind' => 'truncated'],
    ['kind' => 'errcode', 'errcode' => -1, 'errmsg' => 'system error'],
    ['kind' => 'errcode', 'errcode' => 45009, 'errmsg' => 'reach max api daily quota limit'],
];
foreach ($faults as $fault) {
    sandbox_fault($fault + ['count' => 1, 'match' => $token]);
    $p = sample_params($app);
    $t = microtime(true);
    echo str_pad(json_encode($fault), 84), ' -> ';
    attempt(fn() => wx_deliver_notify($token, $p, $o), [$token, $p['appkey']]);
    $elapsed = microtime(true) - $t;
    if ($elapsed > $timeout + 1) echo "  TOO SLOW: {$elapsed}s\n";
    // The faulted notification was not recorded...
    if (sandbox_notifications($p['out_trade_no'])) echo "  recorded anyway\n";
}
// ...and the next one goes through (a broken pooled connection is not reused).
$p = sample_params($app);
var_dump(wx_deliver_notify($token, $p, $o)['errmsg']);
// An unreachable port: refused at once.
attempt(fn() => wx_deliver_notify($token, sample_params($app), ['api_base' => 'https://127.0.0.1:1'] + $o), [$token]);
?>
--EXPECTF--
{"kind":"delay","ms":4000}                                                           -> WxPay\TransportException(0): wx_deliver_notify(): the request to 127.0.0.1:%d timed out after 1.5s (timeout)
{"kind":"close"}                                                                     -> WxPay\TransportException(0): wx_deliver_notify(): network error with 127.0.0.1:%d: connection closed before a complete reply
{"kind":"reset"}                                                                     -> WxPay\TransportException(0): wx_deliver_notify(): network error with 127.0.0.1:%d: connection reset by peer
{"kind":"status","status":503}                                                       -> WxPay\TransportException(503): wx_deliver_notify(): HTTP 503 from 127.0.0.1:%d
{"kind":"status","status":404}                                                       -> WxPay\TransportException(404): wx_deliver_notify(): HTTP 404 from 127.0.0.1:%d
{"kind":"garbage"}                                                                   -> WxPay\TransportException(0): wx_deliver_notify(): malformed reply: the reply is not JSON (%d bytes)
{"kind":"truncated"}                                                                 -> WxPay\TransportException(0): wx_deliver_notify(): network error with 127.0.0.1:%d: connection closed before a complete reply
{"kind":"errcode","errcode":-1,"errmsg":"system error"}                              -> WxPay\ApiException(-1): wx_deliver_notify(): WeChat error -1: system error
{"kind":"errcode","errcode":45009,"errmsg":"reach max api daily quota limit"}        -> WxPay\ApiException(45009): wx_deliver_notify(): WeChat error 45009: reach max api daily quota limit
string(2) "ok"
WxPay\TransportException(0): wx_deliver_notify(): network error with 127.0.0.1:1: connection refused
