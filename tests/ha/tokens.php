<?php
/*
 * The HA proof's token workers (tests/ha/run.sh); php.ini gives
 * wxpay.token_cache (the Sentinel URL) and the sandbox's api_base/cafile.
 *   once APPID SECRET START     waits for the unix time START, then one wx_access_token()
 *   calls APPID SECRET SECONDS APPID2 SECRET2
 *                               wx_access_token() every 20 ms for SECONDS, then one
 *                               for APPID2 (after the failover: through the new primary):
 *                               prints "calls N failed N warnings N" and each warning
 */
[, $mode, $appid, $secret, $arg] = $argv;
$warnings = [];
set_error_handler(function (int $no, string $message) use (&$warnings) {
    $warnings[] = $message;
    return true;
});
if ($mode === 'once') {
    time_sleep_until((float) $arg);
    echo strlen(wx_access_token($appid, $secret)) > 0 ? "token\n" : "empty\n";
    exit;
}
$end = microtime(true) + (float) $arg;
$calls = $failed = 0;
while (microtime(true) < $end) {
    $calls++;
    try {
        wx_access_token($appid, $secret);
    } catch (WxPay\Exception $e) {
        $failed++;
        echo "failed: ", $e->getMessage(), "\n";
    }
    usleep(20000);
}
try {
    wx_access_token($argv[5], $argv[6]);
} catch (WxPay\Exception $e) {
    $failed++;
    echo "failed: ", $e->getMessage(), "\n";
}
echo "calls $calls failed $failed warnings ", count($warnings), "\n";
foreach ($warnings as $w) echo "warning: $w\n";
