<?php
/*
 * CALLS signatures, CALLS notifications and CALLS verifications of each
 * callback message (plus bad input, refusals and order queries) in one process, after WARMUP rounds of the same: RSS must stay flat. Passes
 * when RSS grows by at most 64 KB (allocator noise) + 1 byte per call, so a
 * leak of a few bytes a call fails over 20,000 calls.
 *   php -d extension=... tests/memory.php CALLS API_BASE CAFILE [WARMUP=2000]
 */
[, $calls, $api, $ca] = $argv;
$calls = (int) $calls;
$warmup = (int) ($argv[4] ?? 2000);
require __DIR__ . '/../php-tests/include/sandbox.inc';
require __DIR__ . '/../php-tests/include/v2_vectors.inc';
[$appid, $secret, $appkey] = sandbox_app('wxnotify0000000001');
[$qappid, $qsecret, $qappkey, $qpartner, $qpartnerkey] = sandbox_app('wxcallback00000002');
$e1 = e1_query();
$tampered = ['total_fee' => '2'] + $e1;
$query = ['appid' => $qappid, 'appkey' => $qappkey, 'partner' => $qpartner, 'partnerkey' => $qpartnerkey];
$o = ['api_base' => $api, 'cafile' => $ca, 'appsecret' => $secret];
ini_set('wxpay.api_base', $api);
ini_set('wxpay.cafile', $ca);
if ($warmup === 0) {
    // Under valgrind (no warm-up) a TLS handshake takes seconds, more on a
    // busy machine: a generous bound, so only a real failure fails the run.
    ini_set('wxpay.timeout', '30');
}
$rss = function (): int {
    preg_match('/^VmRSS:\s+(\d+)/m', file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
};
$params = fn($i) => ['appid' => $appid, 'appkey' => $appkey, 'openid' => "o$i", 'transid' => "t$i", 'out_trade_no' => "mem-$i",
                     'deliver_msg' => "第 $i 件 \"ok\""];
$round = function ($i) use ($params, $o, $appid, $secret, $e1, $tampered, $query, $qsecret, $api, $ca) {
    wx_deliver_sign($params($i) + [10 => 1, '1e1' => 2.5]);   // numeric keys: the engine's ksort
    wx_deliver_notify(null, $params($i), $o);
    // The callback side: the spec's vectors, accepted and refused.
    wx_payment_verify($e1, E2_XML, doc_keys());
    wx_feedback_verify(E4_XML, DOC_APPKEY);
    wx_alarm_verify(E5_XML, DOC_APPKEY);
    if ($i % 10 === 0) {
        try { wx_payment_verify($tampered, E2_XML, doc_keys()); } catch (WxPay\SignatureException $e) {}
        try { wx_alarm_verify('<!DOCTYPE x>' . E5_XML, DOC_APPKEY); } catch (WxPay\InvalidArgumentException $e) {}
        wx_order_query(null, $query + ['out_trade_no' => "mem-$i"], ['api_base' => $api, 'cafile' => $ca, 'appsecret' => $qsecret]);
        try { wx_deliver_notify(null, ['bogus' => 1] + $params($i), $o); } catch (WxPay\InvalidArgumentException $e) {}
        try { wx_deliver_sign(['a' => [1]], 'k'); } catch (WxPay\InvalidArgumentException $e) {}
        try { wx_deliver_notify('not-a-valid-token', $params($i), $o); } catch (WxPay\ApiException $e) {}
        try { wx_access_token($appid, 'wrong-secret-' . $i); } catch (WxPay\ApiException $e) {}
    }
};
for ($i = 0; $i < $warmup; $i++) $round($i);
gc_collect_cycles();
$start = $rss();
for ($i = $warmup; $i < $warmup + $calls; $i++) $round($i);
gc_collect_cycles();
$end = $rss();
$limit = 64 + intdiv($calls, 1024);
if (getenv('WXPAY_NO_RSS_VERDICT')) {   // under valgrind: RSS means nothing, the run does
    printf("MEMORY run: %d rounds of sign, notify and the three verifications\n", $calls);
    exit(0);
}
printf("MEMORY %s: %d rounds (sign, notify, three verifications; %d sign calls) after %d warm-up rounds, RSS %d KB -> %d KB (%+d KB; limit %d KB = 64 KB + 1 B/call)\n",
    $end - $start <= $limit ? 'ok  ' : 'FAIL', $calls, $calls, $warmup, $start, $end, $end - $start, $limit);
exit($end - $start <= $limit ? 0 : 1);
