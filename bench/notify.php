<?php
/*
 * Notifications per second on loopback HTTPS against wxpay-sandbox, in one
 * process, interleaved rounds:
 *   ext   wx_deliver_notify() with a cached token (one kept-alive connection)
 *   seed  the seed article's flow as written: a token fetch and a new curl
 *         connection per notification, PHP signing, JSON glued by hand,
 *         verification off
 *   curl  hand-tuned PHP curl: one reused handle, cached token, PHP signing,
 *         json_encode, verification on
 * Prints "name median_per_second" lines.
 *   php -d extension=wxpay.so -d extension=curl bench/notify.php URL CAFILE APPID SECRET APPKEY
 */
require __DIR__ . '/../tests/reference/get_biz_sign.php';
[, $url, $ca, $appid, $secret, $appkey] = $argv;
$rounds = (int) (getenv('WXPAY_BENCH_ROUNDS') ?: 7);

function params(string $appid, string $appkey, int $i): array
{
    return ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc',
            'transid' => '1218614901201405273313473135', 'out_trade_no' => "bench-$i",
            'deliver_timestamp' => time(), 'deliver_status' => '1', 'deliver_msg' => 'ok'];
}

function seed_https_request($url, $data = null)
{
    $curl = curl_init();
    curl_setopt($curl, CURLOPT_URL, $url);
    curl_setopt($curl, CURLOPT_SSL_VERIFYPEER, false);
    curl_setopt($curl, CURLOPT_SSL_VERIFYHOST, false);
    if (!empty($data)) {
        curl_setopt($curl, CURLOPT_POST, 1);
        curl_setopt($curl, CURLOPT_POSTFIELDS, $data);
    }
    curl_setopt($curl, CURLOPT_RETURNTRANSFER, 1);
    $output = curl_exec($curl);
    curl_close($curl);
    return $output;
}

function seed_flow(string $url, string $appid, string $secret, array $obj): string
{
    $jsoninfo = json_decode(seed_https_request("$url/cgi-bin/token?grant_type=client_credential&appid=$appid&secret=$secret"), true);
    $access_token = $jsoninfo["access_token"];
    $app_signature = ref_get_biz_sign($obj);
    $jsonmenu = '
 {
 "appid" : "' . $obj['appid'] . '",
 "openid" : "' . $obj['openid'] . '",
 "transid" : "' . $obj['transid'] . '",
 "out_trade_no" : "' . $obj['out_trade_no'] . '",
 "deliver_timestamp" : "' . $obj['deliver_timestamp'] . '",
 "deliver_status" : "' . $obj['deliver_status'] . '",
 "deliver_msg" : "' . $obj['deliver_msg'] . '",
 "app_signature" : "' . $app_signature . '",
 "sign_method" : "sha1"
 }';
    return seed_https_request("$url/pay/delivernotify?access_token=" . $access_token, $jsonmenu);
}

$token = wx_access_token($appid, $secret);
$handle = curl_init();
curl_setopt_array($handle, [CURLOPT_POST => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_CAINFO => $ca,
    CURLOPT_SSL_VERIFYPEER => true, CURLOPT_SSL_VERIFYHOST => 2, CURLOPT_TIMEOUT => 5,
    CURLOPT_HTTPHEADER => ['Content-Type: application/json']]);
function tuned_curl($handle, string $url, string $token, array $obj): string
{
    $sig = ref_get_biz_sign($obj);
    $body = $obj;
    unset($body['appkey']);
    $body = array_map('strval', $body) + ['app_signature' => $sig, 'sign_method' => 'sha1'];
    curl_setopt($handle, CURLOPT_URL, "$url/pay/delivernotify?access_token=" . urlencode($token));
    curl_setopt($handle, CURLOPT_POSTFIELDS, json_encode($body, JSON_UNESCAPED_UNICODE));
    return curl_exec($handle);
}

$ok = fn($r) => is_string($r) && json_decode($r, true)['errcode'] === 0;
$rate = ['ext' => [], 'seed' => [], 'curl' => []];
$n = ['ext' => 300, 'seed' => 40, 'curl' => 300];
$i = 0;
for ($r = 0; $r < $rounds; $r++) {
    $t = hrtime(true);
    for ($k = 0; $k < $n['ext']; $k++) wx_deliver_notify($token, params($appid, $appkey, $i++));
    $rate['ext'][] = $n['ext'] / ((hrtime(true) - $t) / 1e9);

    $t = hrtime(true);
    for ($k = 0; $k < $n['seed']; $k++) {
        if (!$ok(seed_flow($url, $appid, $secret, params($appid, $appkey, $i++)))) exit("seed flow failed\n");
    }
    $rate['seed'][] = $n['seed'] / ((hrtime(true) - $t) / 1e9);

    $t = hrtime(true);
    for ($k = 0; $k < $n['curl']; $k++) {
        if (!$ok(tuned_curl($handle, $url, $token, params($appid, $appkey, $i++)))) exit("tuned curl failed\n");
    }
    $rate['curl'][] = $n['curl'] / ((hrtime(true) - $t) / 1e9);
}
foreach ($rate as $name => $v) {
    sort($v);
    printf("%s %.1f\n", $name, $v[intdiv(count($v), 2)]);
}
