<?php
/*
 * Enqueues one shipment and prints {"id": ...} or {"error": ...}.
 *   php -d ... enqueue_worker.php START ID OUTBOX APPID APPKEY
 */
[, $start, $id, $outbox, $appid, $appkey] = $argv;
if ((float) $start > microtime(true)) time_sleep_until((float) $start);
try {
    echo json_encode(['id' => wx_deliver_enqueue([
        'appid' => $appid, 'appkey' => $appkey, 'openid' => 'o-first-use',
        'transid' => '1218614901201405273313473135', 'out_trade_no' => "first-use-$id",
    ], ['outbox' => $outbox])]);
} catch (Throwable $e) {
    echo json_encode(['error' => get_class($e) . '(' . $e->getCode() . '): ' . $e->getMessage()]);
}
