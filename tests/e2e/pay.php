<?php
/*
 * Asks the sandbox to pay COUNT orders (POST /_sandbox/pay, 16 at a time):
 * the sandbox then plays WeChat and posts each signed payment notification
 * to the shop's callback. Extra orders per tamper kind are spoiled on
 * purpose. Prints {"paid": n, "errors": [...]}.
 *   php -d extension=curl pay.php API CA COUNT TAG APPID CALLBACK_URL ALARM_URL TAMPERED_PER_KIND
 */
[, $api, $ca, $count, $tag, $appid, $callback, $alarm, $perKind] = $argv;
$jobs = [];
for ($i = 0; $i < (int) $count; $i++) {
    $jobs[] = ['appid' => $appid, 'openid' => 'oPaid-' . ($i % 101), 'out_trade_no' => "$tag-$i",
               'total_fee' => 100 + $i, 'notify_url' => $callback, 'attach' => $i % 7 ? '' : "gift $i 礼品"];
}
foreach (['field', 'partnerkey', 'appkey', 'malformed', 'doctype'] as $kind) {
    for ($i = 0; $i < (int) $perKind; $i++) {
        // Never shipped: WeChat's alarm 1001 follows their (short) deadline.
        $jobs[] = ['appid' => $appid, 'openid' => 'oTampered', 'out_trade_no' => "$tag-X$kind$i", 'total_fee' => 1,
                   'notify_url' => $callback, 'tamper' => $kind, 'alarm_url' => $alarm, 'deliver_within' => 600];
    }
}
$mh = curl_multi_init();
$paid = 0;
$errors = [];
// Handles added and not yet read back: the loop runs until none is left
// (curl's $active can be 0 just before the last handles are added).
$inflight = 0;
$add = function () use (&$jobs, &$inflight, $mh, $api, $ca) {
    $inflight++;
    $job = array_shift($jobs);
    $h = curl_init("$api/_sandbox/pay");
    curl_setopt_array($h, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => json_encode($job), CURLOPT_RETURNTRANSFER => true,
                           CURLOPT_CAINFO => $ca, CURLOPT_TIMEOUT => 30]);
    curl_multi_add_handle($mh, $h);
};
for ($i = 0; $i < 16 && $jobs; $i++) $add();
do {
    curl_multi_exec($mh, $active);
    curl_multi_select($mh, 0.5);
    while ($info = curl_multi_info_read($mh)) {
        $h = $info['handle'];
        $r = json_decode((string) curl_multi_getcontent($h), true);
        if (!empty($r['ok'])) $paid++; else $errors[] = $r['error'] ?? curl_error($h);
        curl_multi_remove_handle($mh, $h);
        curl_close($h);
        $inflight--;
        if ($jobs) $add();
    }
} while ($inflight > 0);
echo json_encode(['paid' => $paid, 'errors' => array_slice($errors, 0, 5)]);
