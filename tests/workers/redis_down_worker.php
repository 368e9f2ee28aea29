<?php
/*
 * Sends notifications with the token shared through Redis, stops Redis
 * half-way (kill REDIS_PID), and goes on: every notification must still
 * succeed, with one warning naming Redis.
 *   php -d ... redis_down_worker.php START ID APPID SECRET APPKEY REDIS_PID (0: none stopped)
 */
[, $start, $id, $appid, $secret, $appkey, $redisPid] = $argv;
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
if ((float) $start > microtime(true)) time_sleep_until((float) $start);
$ok = $failed = 0;
$errors = [];
for ($i = 0; $i < 40; $i++) {
    if ($i === 20 && (int) $redisPid > 0) {
        exec('kill ' . (int) $redisPid);
        usleep(300000);
    }
    $p = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o1', 'transid' => "down-$i", 'out_trade_no' => "down-$id-$i"];
    try {
        wx_deliver_notify(null, $p, ['appsecret' => $secret]);
        $ok++;
    } catch (WxPay\Exception $e) {
        $failed++;
        $errors[] = $e->getMessage();
    }
}
echo json_encode(['ok' => $ok, 'failed' => $failed, 'errors' => $errors, 'warnings' => $warnings]);
