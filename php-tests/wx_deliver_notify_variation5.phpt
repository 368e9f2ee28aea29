--TEST--
wx_deliver_notify(null): one deadline bounds the whole managed call (slow token endpoint, slow 40001, slow refresh, slow resend): 3 x timeout, not 4
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret, $appkey] = sandbox_app('wxhostile000000005');
// A 3 s timeout and 2.5 s steps: each step has 0.5 s of slack, enough for a
// machine twice as loaded (with 1 s and 0.95 s a slow handshake cost a
// step), and four steps (10 s) still overrun the 9 s budget by a whole second.
$opts = sandbox_options(['appsecret' => $secret, 'timeout' => 3]);
$tokenQuery = "grant_type=client_credential&appid=$id";

// Every step answers within the timeout; the notify answers 40001 first.
$p = sample_params($id);
sandbox_fault(['kind' => 'delay', 'ms' => 2500, 'match' => $tokenQuery, 'count' => 2]);
sandbox_fault(['kind' => 'errcode', 'errcode' => 40001, 'errmsg' => 'invalid credential', 'delay_ms' => 2500, 'match' => $p['out_trade_no']]);
sandbox_fault(['kind' => 'delay', 'ms' => 2500, 'match' => $p['out_trade_no']]);
$t = microtime(true);
attempt(fn() => wx_deliver_notify(null, $p, $opts), [$secret, $appkey]);
$elapsed = microtime(true) - $t;
// The documented bound: MANAGED_BUDGET_TIMEOUTS (3) x timeout, plus scheduling slack.
echo "within 3 x timeout: ", json_encode($elapsed <= 9.9), "\n";
echo "used most of it: ", json_encode($elapsed >= 8.5), "\n";
echo "token fetches: ", sandbox_requests($tokenQuery)['count'], ", sends: ", sandbox_requests($p['out_trade_no'])['count'], "\n";

// Without the slow resend the same storm succeeds inside the budget.
$p = sample_params($id);
sandbox_fault(['kind' => 'errcode', 'errcode' => 40001, 'errmsg' => 'invalid credential', 'delay_ms' => 2400, 'match' => $p['out_trade_no']]);
sandbox_fault(['kind' => 'delay', 'ms' => 2400, 'match' => $tokenQuery]);
var_dump(wx_deliver_notify(null, $p, $opts)['errcode']);

// -1 is retried at most twice, and never past the deadline.
$p = sample_params($id);
sandbox_fault(['kind' => 'errcode', 'errcode' => -1, 'errmsg' => 'system busy', 'match' => $p['out_trade_no'], 'count' => 10]);
attempt(fn() => wx_deliver_notify(null, $p, $opts), [$secret, $appkey]);
echo "sends after -1: ", sandbox_requests($p['out_trade_no'])['count'], "\n";
$p = sample_params($id);
sandbox_fault(['kind' => 'errcode', 'errcode' => -1, 'errmsg' => 'system busy', 'delay_ms' => 2400, 'match' => $p['out_trade_no'], 'count' => 10]);
$t = microtime(true);
attempt(fn() => wx_deliver_notify(null, $p, $opts), [$secret, $appkey]);
echo "slow -1 within 3 x timeout: ", json_encode(microtime(true) - $t <= 9.9), "\n";
?>
--EXPECTF--
WxPay\TransportException(0): wx_deliver_notify(): the request to 127.0.0.1:%d timed out after %fs (the rest of the call's budget)
within 3 x timeout: true
used most of it: true
token fetches: 2, sends: 2
int(0)
WxPay\ApiException(-1): wx_deliver_notify(): WeChat error -1: system busy
sends after -1: 3
WxPay\%sException(%i): wx_deliver_notify(): %s
slow -1 within 3 x timeout: true
