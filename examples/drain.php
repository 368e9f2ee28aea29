<?php
/*
 * The outbox's worker: sends what is due, retries what failed with back-off,
 * warns (E_WARNING, in the cron mail or the log) about any notification still
 * undelivered two hours before its deadline, and writes the outbox's metrics
 * for node_exporter's textfile collector.
 *
 *   * * * * * www-data php /path/to/examples/drain.php
 *
 * Safe to run from every server at once (Redis outbox) or from several cron
 * lines (SQLite): each entry is held by one drainer at a time.
 *
 * Configuration: WXPAY_APPSECRET (or WXPAY_APPS as appid=secret,appid=secret),
 * wxpay.outbox in php.ini, WXPAY_METRICS (a .prom path, optional).
 */

$options = ['max_seconds' => 50]; // ends before the next minute's run starts
if ($apps = getenv('WXPAY_APPS')) {
    parse_str(str_replace(',', '&', $apps), $map);
    $options['apps'] = $map;
} else {
    $options['appsecret'] = getenv('WXPAY_APPSECRET') ?: 'e76050733ce76050733ce76050733cdd';
}

try {
    $r = wx_deliver_drain($options);
    printf("sent %d, retried %d, dead %d, pending %d, overdue %d\n",
        $r['sent'], $r['retried'], $r['dead'], $r['pending'], $r['overdue']);
} catch (WxPay\Exception $e) {
    fwrite(STDERR, 'drain: ' . $e->getMessage() . "\n");
    exit(1);
}

if ($file = getenv('WXPAY_METRICS')) {
    // Written whole, then renamed: the collector never reads half a file.
    file_put_contents("$file.tmp", wx_deliver_outbox(['format' => 'prometheus']));
    rename("$file.tmp", $file);
}
foreach (wx_deliver_outbox(['dead_limit' => 20])['dead_entries'] as $d) {
    fwrite(STDERR, "dead: order {$d['out_trade_no']} (transid {$d['transid']}) after {$d['attempts']} attempt(s): {$d['last_error']}\n");
}
exit($r['dead'] > 0 ? 3 : 0);
