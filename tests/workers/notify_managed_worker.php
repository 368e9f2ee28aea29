<?php
/*
 * One managed notification (the extension obtains the token); prints
 * {"ok": true} or {"error": ...}, and the warnings it raised.
 *   php -d ... notify_managed_worker.php START ID APPID SECRET APPKEY ORDER
 */
[, , , $appid, $secret, $appkey, $order] = $argv;
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
$p = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o1', 'transid' => 't1', 'out_trade_no' => $order];
try {
    wx_deliver_notify(null, $p, ['appsecret' => $secret]);
    echo json_encode(['ok' => true, 'warnings' => $warnings]);
} catch (Throwable $e) {
    echo json_encode(['error' => get_class($e) . '(' . $e->getCode() . '): ' . $e->getMessage(), 'warnings' => $warnings]);
}
