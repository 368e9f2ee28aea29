--TEST--
wx_deliver_notify(null): a token retired by WeChat mid-run is refreshed once and the notification resent once
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret] = sandbox_app('wxtoken00000000005');
$o = sandbox_options(['appsecret' => $secret]);
ini_set('wxpay.api_base', sandbox_url());
ini_set('wxpay.cafile', sandbox_ca());
var_dump(wx_deliver_notify(null, sample_params($id), $o)['errcode']);
echo "fetches: ", sandbox_stats($id)['token_calls'], "\n";
// Another server fetched a new token and the grace period ran out.
sandbox_http('POST', '/_sandbox/retire?appid=' . $id);
$p = sample_params($id);
var_dump(wx_deliver_notify(null, $p, $o)['errcode']);
echo "fetches: ", sandbox_stats($id)['token_calls'], "\n";
echo "recorded for this order: ", count(sandbox_notifications($p['out_trade_no'])), "\n";
// A token that keeps failing is refreshed once, then reported: no loop.
// Faults match this app's notifications only: tests run in parallel on one sandbox.
$mine = '"appid":"' . $id . '"';
sandbox_fault(['kind' => 'errcode', 'errcode' => 42001, 'errmsg' => 'access_token expired', 'count' => 2, 'match' => $mine]);
$before = sandbox_stats($id)['token_calls'];
attempt(fn() => wx_deliver_notify(null, sample_params($id), $o), [$secret]);
echo "extra fetches: ", sandbox_stats($id)['token_calls'] - $before, "\n";
// -1 (busy) is retried within the budget; 45009 is reported at once.
sandbox_fault(['kind' => 'errcode', 'errcode' => -1, 'count' => 1, 'match' => $mine]);
var_dump(wx_deliver_notify(null, sample_params($id), $o)['errcode']);
sandbox_fault(['kind' => 'errcode', 'errcode' => 45009, 'errmsg' => 'quota', 'count' => 1, 'match' => $mine]);
attempt(fn() => wx_deliver_notify(null, sample_params($id), $o), [$secret]);
// With a token of its own, the caller gets -1 straight back.
sandbox_fault(['kind' => 'errcode', 'errcode' => -1, 'count' => 1, 'match' => $mine]);
attempt(fn() => wx_deliver_notify(wx_access_token($id, $secret), sample_params($id), $o), [$secret]);
?>
--EXPECT--
int(0)
fetches: 1
int(0)
fetches: 2
recorded for this order: 1
WxPay\ApiException(42001): wx_deliver_notify(): WeChat error 42001: access_token expired (a new token did not help either: no refresh for this app for 5 minutes)
extra fetches: 1
int(0)
WxPay\ApiException(45009): wx_deliver_notify(): WeChat error 45009: quota
WxPay\ApiException(-1): wx_deliver_notify(): WeChat error -1: injected by wxpay-sandbox
