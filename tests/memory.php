<?php
/*
 * CALLS signatures and CALLS notifications (plus bad input and failures) in
 * one process: RSS must stay flat. Prints RSS after warm-up and at the end.
 *   php -d extension=... tests/memory.php CALLS API_BASE CAFILE
 */
[, $calls, $api, $ca] = $argv;
$calls = (int) $calls;
require __DIR__ . '/../php-tests/include/sandbox.inc';
[$appid, $secret, $appkey] = sandbox_app('wxnotify0000000001');
$o = ['api_base' => $api, 'cafile' => $ca, 'appsecret' => $secret];
$rss = function (): int {
    preg_match('/^VmRSS:\s+(\d+)/m', file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
};
$params = fn($i) => ['appid' => $appid, 'appkey' => $appkey, 'openid' => "o$i", 'transid' => "t$i", 'out_trade_no' => "mem-$i",
                     'deliver_msg' => "第 $i 件 \"ok\""];
$round = function ($i) use ($params, $o) {
    wx_deliver_sign($params($i) + [10 => 1, '1e1' => 2.5]);   // numeric keys: the engine's ksort
    wx_deliver_notify(null, $params($i), $o);
    if ($i % 10 === 0) {
        try { wx_deliver_notify(null, ['bogus' => 1] + $params($i), $o); } catch (WxPay\InvalidArgumentException $e) {}
        try { wx_deliver_sign(['a' => [1]], 'k'); } catch (WxPay\InvalidArgumentException $e) {}
        try { wx_deliver_notify('not-a-valid-token', $params($i), $o); } catch (WxPay\ApiException $e) {}
    }
};
for ($i = 0; $i < 2000; $i++) $round($i);
gc_collect_cycles();
$start = $rss();
for ($i = 2000; $i < $calls; $i++) $round($i);
gc_collect_cycles();
$end = $rss();
printf("MEMORY %s: %d sign + %d notify calls, RSS %d KB after warm-up, %d KB at the end (%+d KB)\n",
    $end - $start < 4096 ? 'ok  ' : 'FAIL', $calls, $calls, $start, $end, $end - $start);
