<?php
/*
 * Lists the outbox's dead notifications and re-queues them: after the cause
 * is fixed (an appkey corrected, an app's secret given to the drain, WeChat
 * back after an outage longer than the deadline).
 *
 *   php examples/requeue.php                 lists the dead entries
 *   php examples/requeue.php --all           re-queues every dead entry
 *   php examples/requeue.php ID [ID ...]     re-queues these
 *   add --physical for a 72 h deadline from now (default: 24 h, virtual goods)
 *
 * A re-queued entry is sent as it was kept, signed when it was enqueued: if
 * the appkey was wrong, enqueue the shipment again instead (a dead entry is
 * re-armed with the new, freshly signed body, under the same id).
 *
 * Configuration: wxpay.outbox in php.ini. Exit status: 0 done, 1 the outbox
 * failed, 2 a bad argument.
 */

$args = array_slice($argv, 1);
$goods = in_array('--physical', $args, true) ? 'physical' : 'virtual';
$args = array_values(array_diff($args, ['--physical']));
$all = $args === ['--all'];
foreach ($args as $a) {
    if (!$all && str_starts_with($a, '-')) {
        fwrite(STDERR, "requeue: unknown option $a (options: --all, --physical)\n");
        exit(2);
    }
}

try {
    if ($args === []) {
        $status = wx_deliver_outbox(['dead_limit' => 1000]);
        foreach ($status['dead_entries'] as $d) {
            printf("%s  order %s (transid %s), dead since %s after %d attempt(s): %s\n",
                $d['id'], $d['out_trade_no'], $d['transid'], date('Y-m-d H:i', $d['dead_since']), $d['attempts'], $d['last_error']);
        }
        printf("%d dead; re-queue with --all or by id\n", $status['dead']);
        exit(0);
    }
    $n = wx_deliver_requeue($all ? null : $args, ['goods' => $goods]);
    printf("re-queued %d of %d (deadline: %s goods, from now); the next drain sends them\n",
        $n, $all ? $n : count($args), $goods);
    exit(0);
} catch (WxPay\InvalidArgumentException $e) {
    fwrite(STDERR, 'requeue: ' . $e->getMessage() . "\n");
    exit(2);
} catch (WxPay\Exception $e) {
    fwrite(STDERR, 'requeue: ' . $e->getMessage() . "\n");
    exit(1);
}
