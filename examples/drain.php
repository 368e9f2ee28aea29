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
 *
 * What it prints (cron mails any output): one summary line; each entry that
 * is failing, with the error WeChat or the network gave it; the drain's own
 * warnings: entries close to their deadline, and each entry that died, named
 * once by the drain it died in (later runs count the dead; examples/requeue.php
 * lists and re-queues them).
 *
 * Exit status, for cron and monitoring: 0 all is well; 1 the drain itself
 * failed (the outbox or a setting); 2 not configured; 3 an entry is dead or
 * overdue (within two hours of its deadline): someone must look.
 */

$options = ['max_seconds' => 50]; // ends before the next minute's run starts
if ($apps = getenv('WXPAY_APPS')) {
    parse_str(str_replace(',', '&', $apps), $map);
    $options['apps'] = $map;
} elseif ($secret = getenv('WXPAY_APPSECRET')) {
    $options['appsecret'] = $secret;
} else {
    // Never a default secret: a wrong one makes every send fail with 40125
    // while the drain looks busy.
    fwrite(STDERR, "drain: set WXPAY_APPSECRET (one app) or WXPAY_APPS (appid=secret,appid=secret) for this cron line\n");
    exit(2);
}

try {
    $r = wx_deliver_drain($options);
    printf("sent %d, retried %d, dead %d, pending %d, overdue %d\n",
        $r['sent'], $r['retried'], $r['dead'], $r['pending'], $r['overdue']);
    $status = wx_deliver_outbox(['dead_limit' => 20]);
} catch (WxPay\Exception $e) {
    fwrite(STDERR, 'drain: ' . $e->getMessage() . "\n");
    exit(1);
}

if ($file = getenv('WXPAY_METRICS')) {
    // Written whole, then renamed: the collector never reads half a file.
    file_put_contents("$file.tmp", wx_deliver_outbox(['format' => 'prometheus']));
    rename("$file.tmp", $file);
}
foreach ($status['retrying_entries'] as $e) {
    printf("failing: order %s (transid %s), attempt %d, next try %s: %s\n",
        $e['out_trade_no'], $e['transid'], $e['attempts'], date('H:i:s', $e['next_try']), $e['last_error']);
}
// (An entry that dies is named once, by the drain's own warning.)
if ($status['dead'] > 0) {
    fwrite(STDERR, "dead: {$status['dead']} notification(s) in all will not be sent unless re-queued: php examples/requeue.php lists and re-queues them\n");
}
exit($status['dead'] > 0 || $status['overdue'] > 0 ? 3 : 0);
