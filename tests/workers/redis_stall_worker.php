<?php
/*
 * Redis that stops answering must not stall every call: with the token
 * cached, REDIS_PID is stopped (SIGSTOP) and 10 notifications are sent with
 * wxpay.timeout = 0.5; then Redis is resumed and, after the back-off, a
 * token stored in Redis by another process is picked up: Redis is used again.
 *   php -d ... redis_stall_worker.php START ID APPID SECRET APPKEY REDIS_PID|silent
 */
require __DIR__ . '/common.php';
[, $start, $id, $appid, $secret, $appkey, $redis] = $argv;
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
if ((float) $start > microtime(true)) time_sleep_until((float) $start);
$notify = function (string $tag, int $i) use ($appid, $appkey, $secret, $id) {
    $p = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o1', 'transid' => "stall-$i", 'out_trade_no' => "stall-$id-$tag-$i"];
    $t = microtime(true);
    try {
        wx_deliver_notify(null, $p, ['appsecret' => $secret, 'timeout' => 0.5]);
        $ok = true;
    } catch (WxPay\Exception $e) {
        $ok = get_class($e) . ': ' . $e->getMessage();
    }
    return [$ok, microtime(true) - $t];
};
$out = ['token' => wx_access_token($appid, $secret)];
if ($redis !== 'silent') exec('kill -STOP ' . (int) $redis);
$times = [];
$ok = 0;
for ($i = 0; $i < 10; $i++) {
    [$r, $t] = $notify('stopped', $i);
    $times[] = $t;
    $r === true ? $ok++ : $out['errors'][] = $r;
}
$out += ['ok' => $ok, 'slowest' => max($times), 'total' => array_sum($times), 'same_token' => wx_access_token($appid, $secret) === $out['token']];
if ($redis !== 'silent') {
    exec('kill -CONT ' . (int) $redis);
    usleep(5300000);   // past the back-off
    // Another process forces a new token through Redis...
    $other = run_sibling('token_worker.php', [$appid, $secret, 'force']);
    // ...and this worker, back on Redis, hands out that one.
    $out['other_token_differs'] = ($other['token'] ?? null) !== $out['token'];
    $out['uses_redis_again'] = wx_access_token($appid, $secret) === ($other['token'] ?? 'none');
}
$out['warnings'] = $warnings;
echo json_encode($out);
