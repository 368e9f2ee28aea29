<?php
/*
 * Sends one notification with the given token; prints {"ok": true} or {"error": ...}.
 *   php -d ... notify_token_worker.php START ID APPID APPKEY TOKEN
 */
[, , , $appid, $appkey, $token] = $argv;
$p = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o1', 'transid' => 't1', 'out_trade_no' => 'tok-' . getmypid()];
try {
    wx_deliver_notify($token, $p);
    echo json_encode(['ok' => true]);
} catch (Throwable $e) {
    echo json_encode(['error' => get_class($e) . '(' . $e->getCode() . '): ' . $e->getMessage()]);
}
