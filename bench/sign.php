<?php
/*
 * wx_deliver_sign() vs the PHP rule (tests/reference/get_biz_sign.php) on the
 * seed article's eight fields, interleaved in one process. Each call signs
 * another order (64 variants of out_trade_no, transid and timestamp) under
 * the same keys, as a callback sees them, so no implementation gains from
 * repeating one array; a second loop alternates two key orders, so the
 * extension never finds the keys it signed last. Prints medians
 * over rounds of the per-call mean, in ns, as "name value" lines, and writes
 * the joined string to $argv[1] for the Rust SHA-1 floor.
 */
require __DIR__ . '/../tests/reference/get_biz_sign.php';

// The seed's app (tests/sandbox-apps.txt) and its eight fields.
[$appid, , $appkey] = preg_split('/\s+/', trim(current(preg_grep('/^wx0000000000000000 /', file(__DIR__ . '/../tests/sandbox-apps.txt')))));
$obj = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc',
        'transid' => '1218614901201405273313473135', 'out_trade_no' => 'JfuKdiBig4zZnE4n',
        'deliver_timestamp' => 1400000000, 'deliver_status' => '1', 'deliver_msg' => 'ok'];

$orders = [];
for ($k = 0; $k < 64; $k++) {
    $orders[] = ['out_trade_no' => sprintf('JfuKdiBig4z%05d', $k), 'transid' => sprintf('12186149012014052733%08d', $k),
                 'deliver_timestamp' => 1400000000 + $k] + $obj;
}
foreach ($orders as $o) {
    if (wx_deliver_sign($o) !== ref_get_biz_sign($o)) {
        fwrite(STDERR, "bench: the two implementations disagree\n");
        exit(1);
    }
}
if (wx_deliver_sign($obj) !== ref_get_biz_sign($obj)) {
    fwrite(STDERR, "bench: the two implementations disagree\n");
    exit(1);
}
// The same orders with their keys in two arrival orders, alternating: no
// call signs the keys the call before it signed (none is remembered).
$fresh = [];
foreach ($orders as $k => $o) {
    $fresh[] = $k % 2 ? array_reverse($o) : $o;
}
$joined = $obj;
ksort($joined);
file_put_contents($argv[1] ?? '/dev/null', ref_format_biz_query_para_map($joined));

$rounds = 31;
$n = 20000;
$ext = $php = $akl = $new = [];
for ($r = 0; $r < $rounds; $r++) {
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) wx_deliver_sign($orders[$i & 63]);
    $ext[] = (hrtime(true) - $t) / $n;
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) ref_get_biz_sign($orders[$i & 63]);
    $php[] = (hrtime(true) - $t) / $n;
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) wx_deliver_sign($fresh[$i & 63]);
    $new[] = (hrtime(true) - $t) / $n;
    // The cheapest internal call taking the same array: the PHP part of the floor.
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) array_key_last($orders[$i & 63]);
    $akl[] = (hrtime(true) - $t) / $n;
}
sort($ext);
sort($php);
sort($akl);
sort($new);
$m = intdiv($rounds, 2);
printf("sign_ext_ns %.1f\nsign_php_ns %.1f\narray_key_last_ns %.1f\nsign_ext_fresh_ns %.1f\n", $ext[$m], $php[$m], $akl[$m], $new[$m]);
