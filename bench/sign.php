<?php
/*
 * wx_deliver_sign() vs the PHP rule (tests/reference/get_biz_sign.php) on the
 * seed article's eight fields, interleaved in one process. Prints medians
 * over rounds of the per-call mean, in ns, as "name value" lines, and writes
 * the joined string to $argv[1] for the Rust SHA-1 floor.
 */
require __DIR__ . '/../tests/reference/get_biz_sign.php';

// The seed's app (tests/sandbox-apps.txt) and its eight fields.
[$appid, , $appkey] = preg_split('/\s+/', trim(current(preg_grep('/^wx0000000000000000 /', file(__DIR__ . '/../tests/sandbox-apps.txt')))));
$obj = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc',
        'transid' => '1218614901201405273313473135', 'out_trade_no' => 'JfuKdiBig4zZnE4n',
        'deliver_timestamp' => 1400000000, 'deliver_status' => '1', 'deliver_msg' => 'ok'];

if (wx_deliver_sign($obj) !== ref_get_biz_sign($obj)) {
    fwrite(STDERR, "bench: the two implementations disagree\n");
    exit(1);
}
$joined = $obj;
ksort($joined);
file_put_contents($argv[1] ?? '/dev/null', ref_format_biz_query_para_map($joined));

$rounds = 31;
$n = 20000;
$ext = $php = [];
for ($r = 0; $r < $rounds; $r++) {
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) wx_deliver_sign($obj);
    $ext[] = (hrtime(true) - $t) / $n;
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) ref_get_biz_sign($obj);
    $php[] = (hrtime(true) - $t) / $n;
}
sort($ext);
sort($php);
printf("sign_ext_ns %.1f\nsign_php_ns %.1f\n", $ext[intdiv($rounds, 2)], $php[intdiv($rounds, 2)]);
