<?php
/*
 * The outbox proof's workers (tests/outbox/run.sh).
 *   enqueue OUTBOX PREFIX FROM TO    enqueue PREFIX-FROM..PREFIX-(TO-1); prints "ok ORDER ID" once each returned
 *                                    (WXPAY_ENQUEUE_PAUSE_MS: a pause after each, to span a failover)
 *   drain OUTBOX SECONDS             drain until nothing is pending (or SECONDS pass); store errors are retried
 *                                    (each printed to stderr as "drain failed: ..."); the last line is the status;
 *                                    while the file $WXPAY_DRAIN_WHILE exists, nothing pending does not end it
 *   count PREFIX N                   the sandbox's record for PREFIX-0..N-1: {"total", "distinct", "missing", "max"}
 *   status OUTBOX                    wx_deliver_outbox() as JSON
 * The sandbox is $WXPAY_SANDBOX_DIR's; the app is the demo's.
 */
$dir = getenv('WXPAY_SANDBOX_DIR');
$api = trim(file_get_contents("$dir/address"));
$base = ['api_base' => $api, 'cafile' => "$dir/ca.pem", 'timeout' => 1,
         'outbox_retry_first' => 0.1, 'outbox_retry_max' => 0.5];
$line = array_values(preg_grep('/^wx0000000000000000\s/', file(dirname(__DIR__) . '/sandbox-apps.txt')))[0];
[$appid, $secret, $appkey] = preg_split('/\s+/', trim($line));

function params(string $order): array
{
    global $appid, $appkey;
    return ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o-proof', 'transid' => "t-$order", 'out_trade_no' => $order];
}

switch ($argv[1]) {
    case 'enqueue':
        [, , $outbox, $prefix, $from, $to] = $argv;
        for ($i = (int) $from; $i < (int) $to; $i++) {
            $order = "$prefix-$i";
            for (;;) {
                try {
                    $id = wx_deliver_enqueue(params($order), $base + ['outbox' => $outbox]);
                    fwrite(STDOUT, "ok $order $id\n");
                    usleep(1000 * (int) getenv('WXPAY_ENQUEUE_PAUSE_MS'));
                    break;
                } catch (WxPay\OutboxException $e) {
                    // A store that is down (Redis restarting): the shop's code retries or answers "fail".
                    usleep(100000);
                }
            }
        }
        break;
    case 'drain':
        [, , $outbox, $seconds] = $argv;
        // A drain's own time limit can cut a send short (a repeat of its own,
        // which the README names); the kill storm counts the repeats its kills
        // cause, so a drain here ends when nothing is pending, rarely by time.
        $o = $base + ['outbox' => $outbox, 'appsecret' => $secret, 'max_seconds' => 60];
        $end = microtime(true) + (float) $seconds;
        $idle = 0;
        $while = getenv('WXPAY_DRAIN_WHILE');
        while (microtime(true) < $end) {
            try {
                $r = @wx_deliver_drain($o);
                $idle = $r['pending'] === 0 ? $idle + 1 : 0;
                if ($idle >= 2 && !($while && file_exists($while))) break;
                if ($r['sent'] + $r['retried'] === 0) usleep(100000);
            } catch (WxPay\OutboxException $e) {
                // Counted by the suites: a failed drain may leave up to its
                // sends in flight unrecorded, to be sent again.
                fwrite(STDERR, "drain failed: {$e->getMessage()}\n");
                usleep(200000);
            }
        }
        echo json_encode(wx_deliver_outbox(['outbox' => $outbox])), "\n";
        break;
    case 'count':
        [, , $prefix, $n] = $argv;
        $ctx = stream_context_create(['ssl' => ['cafile' => "$dir/ca.pem"], 'http' => ['timeout' => 30]]);
        $all = json_decode(file_get_contents("$api/_sandbox/notifications?match=" . urlencode("\"$prefix-"), false, $ctx), true);
        $seen = [];
        foreach ($all['notifications'] as $rec) {
            if (str_starts_with($rec['out_trade_no'], "$prefix-")) $seen[$rec['out_trade_no']] = ($seen[$rec['out_trade_no']] ?? 0) + 1;
        }
        $missing = 0;
        for ($i = 0; $i < (int) $n; $i++) if (!isset($seen["$prefix-$i"])) $missing++;
        echo json_encode(['total' => array_sum($seen), 'distinct' => count($seen), 'missing' => $missing,
                          'max' => $seen ? max($seen) : 0]), "\n";
        break;
    case 'status':
        echo json_encode(wx_deliver_outbox(['outbox' => $argv[2]])), "\n";
        break;
}
