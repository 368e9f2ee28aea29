<?php
/*
 * The outbox's speed, in one process: enqueue latency (each call timed;
 * the SQLite commit is fsync'd), and the drain rate next to direct
 * wx_deliver_notify() calls (managed token, the same sandbox), interleaved
 * rounds. Prints "name value" lines.
 *   php -d extension=wxpay.so -d wxpay.api_base=... -d wxpay.cafile=... bench/outbox.php OUTBOX APPID SECRET APPKEY
 */
[, $outbox, $appid, $secret, $appkey] = $argv;
$rounds = (int) (getenv('WXPAY_BENCH_ROUNDS') ?: 7);
$n = (int) (getenv('WXPAY_BENCH_OUTBOX_N') ?: 300);
$run = bin2hex(random_bytes(4));
$o = ['outbox' => $outbox];
$seq = 0;
$params = function () use ($appid, $appkey, $run, &$seq): array {
    $seq++;
    return ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc',
            'transid' => '1218614901201405273313473135', 'out_trade_no' => "ob-$run-$seq"];
};
$median = function (array $v): float {
    sort($v);
    $c = count($v);
    return $c % 2 ? $v[intdiv($c, 2)] : ($v[$c / 2 - 1] + $v[$c / 2]) / 2;
};

// Warm: the store opened, the token cached, the connection up.
wx_deliver_enqueue($params(), $o);
wx_deliver_drain($o + ['appsecret' => $secret]);
wx_deliver_notify(null, $params(), ['appsecret' => $secret]);

$lat = [];
for ($i = 0; $i < 2000; $i++) {
    $p = $params();
    $t = hrtime(true);
    wx_deliver_enqueue($p, $o);
    $lat[] = (hrtime(true) - $t) / 1000;
}
sort($lat);
printf("enqueue_p50_us %.1f\nenqueue_p90_us %.1f\nenqueue_p99_us %.1f\n", $lat[999], $lat[1799], $lat[1979]);
wx_deliver_drain($o + ['appsecret' => $secret, 'max_items' => 100000]);

$direct = $drain = [];
for ($r = 0; $r < $rounds; $r++) {
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        wx_deliver_notify(null, $params(), ['appsecret' => $secret]);
    }
    $direct[] = $n / ((hrtime(true) - $t) / 1e9);
    for ($i = 0; $i < $n; $i++) {
        wx_deliver_enqueue($params(), $o);
    }
    $t = hrtime(true);
    $got = wx_deliver_drain($o + ['appsecret' => $secret, 'max_items' => $n]);
    $drain[] = $n / ((hrtime(true) - $t) / 1e9);
    if ($got['sent'] !== $n) {
        fwrite(STDERR, "drain sent {$got['sent']} of $n\n");
        exit(1);
    }
}
printf("direct_per_s %.1f\ndrain_per_s %.1f\nentries %d\n", $median($direct), $median($drain), wx_deliver_outbox($o)['sent']);
