<?php
/*
 * The cost of wx_access_token(): a cache hit (memory or Redis, as
 * wxpay.token_cache says) next to a fetch (force_refresh). Medians of
 * per-call means over rounds, in microseconds.
 *   php -d extension=wxpay.so -d wxpay.api_base=... -d wxpay.cafile=... bench/token.php APPID SECRET
 */
[, $appid, $secret] = $argv;
$rounds = 9;
wx_access_token($appid, $secret);
$hit = $fetch = [];
for ($r = 0; $r < $rounds; $r++) {
    $t = hrtime(true);
    for ($i = 0; $i < 2000; $i++) wx_access_token($appid, $secret);
    $hit[] = (hrtime(true) - $t) / 2000 / 1000;
    $t = hrtime(true);
    for ($i = 0; $i < 20; $i++) wx_access_token($appid, $secret, true);
    $fetch[] = (hrtime(true) - $t) / 20 / 1000;
}
sort($hit);
sort($fetch);
printf("hit_us %.2f\nfetch_us %.1f\n", $hit[intdiv($rounds, 2)], $fetch[intdiv($rounds, 2)]);
