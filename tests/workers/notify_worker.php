<?php
/*
 * One worker of a concurrency test: waits for the common start instant,
 * then sends COUNT notifications with wx_deliver_notify(null, ...) (the
 * extension manages the token) and prints a JSON summary.
 *   php -d extension=... notify_worker.php START ID APPID SECRET APPKEY COUNT TAG [SECONDS]
 * With SECONDS, keeps sending until that many seconds have passed.
 */
[, $start, $id, $appid, $secret, $appkey, $count, $tag] = $argv;
$seconds = (float) ($argv[8] ?? 0);
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
if ((float) $start > microtime(true)) time_sleep_until((float) $start);
$ok = 0;
$errors = [];
$began = microtime(true);
for ($i = 0; $i < (int) $count || ($seconds > 0 && microtime(true) - $began < $seconds); $i++) {
    $p = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o' . $id, 'transid' => "$tag-$id-$i",
          'out_trade_no' => "$tag-$id-$i"];
    try {
        wx_deliver_notify(null, $p, ['appsecret' => $secret]);
        $ok++;
    } catch (WxPay\Exception $e) {
        $errors[] = get_class($e) . '(' . $e->getCode() . '): ' . $e->getMessage();
    }
}
echo json_encode(['sent' => $i, 'ok' => $ok, 'errors' => array_slice($errors, 0, 5), 'failed' => count($errors),
                  'warnings' => $warnings]);
