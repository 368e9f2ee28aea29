<?php
/*
 * The drain against direct calls when a send takes as long as one to
 * WeChat does: the sandbox answers every shipping notification after
 * DELAY_MS (its delay fault), N entries drained, N/4 direct calls.
 * Prints "drain_per_s X" and "direct_per_s Y". Clears the fault after.
 * usage: latency.php OUTBOX APPID SECRET APPKEY SANDBOX_DIR DELAY_MS N
 */
[, $outbox, $appid, $secret, $appkey, $dir, $delay, $n] = $argv;
$n = (int) $n;
$api = trim(file_get_contents("$dir/address"));
$o = ['outbox' => $outbox];
$params = fn(int $i) => ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o-bench', 'transid' => "t-lat-$i",
                         'out_trade_no' => 'lat-' . bin2hex(random_bytes(6)) . "-$i"];
$fault = function (int $count) use ($api, $dir, $delay) {
    $body = json_encode(['kind' => 'delay', 'ms' => (int) $delay, 'count' => $count, 'match' => 'delivernotify']);
    $ctx = stream_context_create(['ssl' => ['cafile' => "$dir/ca.pem"],
        'http' => ['method' => 'POST', 'header' => 'Content-Type: application/json', 'content' => $body]]);
    file_get_contents("$api/_sandbox/fault", false, $ctx) !== false or exit("the sandbox refused the fault\n");
};
// Warm: a token and the connections.
wx_deliver_drain($o + ['appsecret' => $secret]);
wx_deliver_notify(null, $params(0), ['appsecret' => $secret]);
for ($i = 0; $i < $n; $i++) wx_deliver_enqueue($params($i), $o);
$fault(1000000);
$t = hrtime(true);
$got = wx_deliver_drain($o + ['appsecret' => $secret, 'max_items' => $n]);
$drain = $n / ((hrtime(true) - $t) / 1e9);
$t = hrtime(true);
for ($i = 0; $i < intdiv($n, 4); $i++) wx_deliver_notify(null, $params($i), ['appsecret' => $secret]);
$direct = intdiv($n, 4) / ((hrtime(true) - $t) / 1e9);
$fault(0);
if ($got['sent'] !== $n) fwrite(STDERR, "drain sent {$got['sent']} of $n\n");
printf("drain_per_s %.1f\ndirect_per_s %.1f\n", $drain, $direct);
