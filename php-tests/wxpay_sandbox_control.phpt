--TEST--
wxpay-sandbox's control endpoints (a sandbox of the test's own): a fault is stopped by count 0 or DELETE, clear says what it clears, an unknown endpoint lists the real ones, and a settled order has no posts pending and gets no stale retry
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$appid, $secret, $appkey] = sandbox_app('wxnotify0000000002');
$sb = new PrivateSandbox();
$o = $sb->options(['appsecret' => $secret]);
$ctl = fn(string $method, string $path, $body = null) => sandbox_http($method, $path, $body, $sb);
$tag = 'CTL' . bin2hex(random_bytes(4));
$p = sample_params($appid, ['openid' => "o-$tag"]);
$send = function () use ($p, $o, $secret, $appkey) {
    attempt(fn() => wx_deliver_notify(null, ['out_trade_no' => $p['out_trade_no'] . bin2hex(random_bytes(2))] + $p, $o)['errcode'], [$secret, $appkey]);
};

$ctl('POST', '/_sandbox/fault', ['kind' => 'status', 'status' => 503, 'count' => 1000, 'match' => "o-$tag"]);
echo "armed: "; $send();
echo "count 0: ", json_encode($ctl('POST', '/_sandbox/fault', ['kind' => 'status', 'count' => 0, 'match' => "o-$tag"])), "\n";
echo "then: "; $send();
$ctl('POST', '/_sandbox/fault', ['kind' => 'errcode', 'errcode' => -1, 'count' => 1000, 'match' => "o-$tag"]);
$ctl('POST', '/_sandbox/fault', ['kind' => 'close', 'count' => 1000, 'match' => 'nothing-sent-matches-this']);
echo "DELETE: ", json_encode($ctl('DELETE', '/_sandbox/fault?match=' . urlencode("o-$tag"))), "\n";
echo "then: "; $send();
echo "clear: ", json_encode($ctl('POST', '/_sandbox/clear')), "\n";
$unknown = $ctl('GET', '/_sandbox/nothing');
echo "unknown: ", $unknown['error'], ", lists ", count($unknown['endpoints']), " including ", $unknown['endpoints'][0], "\n";

// A shop that answers "fail" to the first notification and "success" after.
$dir = sys_get_temp_dir() . "/wxpay-shop-$tag";
mkdir($dir);
file_put_contents("$dir/router.php", '<?php $n = (int) @file_get_contents(__DIR__ . "/n") + 1; file_put_contents(__DIR__ . "/n", $n); echo $n === 1 ? "fail" : "success";');
$probe = stream_socket_server('tcp://127.0.0.1:0');
$port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
fclose($probe);
$shop = proc_open([PHP_BINARY, '-n', '-S', "127.0.0.1:$port", "$dir/router.php"], [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
wait_ready($shop, function () use ($port) { $s = @fsockopen('127.0.0.1', $port, $e, $m, 0.1); if ($s) fclose($s); return (bool) $s; }, 'the shop');
[$payer] = sandbox_app('wxcallback00000002');
$order = "P$tag";
$orders = fn() => $ctl('GET', "/_sandbox/orders?match=$order");
$ctl('POST', '/_sandbox/pay', ['appid' => $payer, 'openid' => 'oBuyer', 'out_trade_no' => $order, 'total_fee' => 1, 'notify_url' => "http://127.0.0.1:$port/notify"]);
wait_ready($shop, fn() => count($orders()['orders'][0]['attempts']) === 1, 'the first notification');
// WeChat's first retry is 8 s away; a replay settles the order now.
$ctl('POST', '/_sandbox/replay', ['appid' => $payer, 'out_trade_no' => $order]);
wait_ready($shop, fn() => $orders()['orders'][0]['settled'], 'the replay');
$r = $orders();
echo "settled: attempts ", count($r['orders'][0]['attempts']), ", pending_posts ", $r['pending_posts'], "\n";
sleep(9);   // past the retry WeChat had scheduled
echo "after the scheduled retry: attempts ", count($orders()['orders'][0]['attempts']), ", the shop was asked ", file_get_contents("$dir/n"), " times\n";
proc_terminate($shop);
proc_close($shop);
array_map('unlink', glob("$dir/*"));
rmdir($dir);
?>
--EXPECTF--
armed: WxPay\TransportException(503): wx_deliver_notify(): HTTP 503 from 127.0.0.1:%d
count 0: {"ok":true,"removed":1}
then: no exception: 0
DELETE: {"ok":true,"removed":1}
then: no exception: 0
clear: {"cleared":"every armed fault","kept":"the request log, notifications, orders, tokens","ok":true,"removed":1}
unknown: unknown control endpoint, lists 15 including GET /_sandbox/stats
settled: attempts 2, pending_posts 0
after the scheduled retry: attempts 2, the shop was asked 2 times
