<?php
/*
 * The buyer's journey, COUNT times each way: examples/checkout.php (JSAPI)
 * hands its request to the sandbox's buyer (POST /_sandbox/jsapi), and a
 * scan of examples/native.php's QR URL (POST /_sandbox/scan) goes through the
 * NativeCall to the shop. Then 4 kinds of spoiled requests, PER_KIND each,
 * that the buyer's client must refuse. Prints a JSON summary.
 *   php -d extension=curl checkout.php SHOP_BASE API CA COUNT PER_KIND TAG APPID APPKEY PARTNERKEY
 */
[, $shop, $api, $ca, $count, $perKind, $tag, $appid, $appkey, $partnerkey] = $argv;

$get = function (string $url) {
    $h = curl_init($url);
    curl_setopt_array($h, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30]);
    $body = curl_exec($h);
    return curl_getinfo($h, CURLINFO_RESPONSE_CODE) === 200 ? $body : null;
};
$sandbox = function (string $path, array $body) use ($api, $ca) {
    $h = curl_init("$api$path");
    curl_setopt_array($h, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => json_encode($body), CURLOPT_RETURNTRANSFER => true,
                           CURLOPT_CAINFO => $ca, CURLOPT_TIMEOUT => 60]);
    return json_decode((string) curl_exec($h), true) ?? ['err_msg' => 'no answer: ' . curl_error($h)];
};
$order_of = function (string $package) { parse_str(explode('&sign=', $package)[0], $p); return $p; };

$out = ['jsapi' => [], 'native' => [], 'errors' => [], 'refused' => [], 'spoiled_orders' => []];
for ($i = 0; $i < (int) $count; $i++) {
    $json = $get("$shop/checkout.php?product=" . ($i % 2 ? '1002' : '1001') . '&format=json');
    $r = $json === null ? ['err_msg' => 'checkout.php failed'] : $sandbox('/_sandbox/jsapi', ['request' => $json, 'openid' => "o$tag-" . ($i % 37)]);
    if (($r['err_msg'] ?? '') === 'get_brand_wcpay_request:ok') $out['jsapi'][] = $r['out_trade_no']; else $out['errors'][] = $r;

    $url = trim((string) $get("$shop/native.php?product=" . ($i % 2 ? '1002' : '1001')));
    $r = $sandbox('/_sandbox/scan', ['url' => $url, 'openid' => "o$tag-" . ($i % 37), 'native_url' => "$shop/native.php"]);
    if (($r['err_msg'] ?? '') === 'native_pay:ok') $out['native'][] = $r['out_trade_no']; else $out['errors'][] = $r;
}

$spoil = [
    'total_fee edited after signing' => function (array $r) {
        $r['package'] = preg_replace('/total_fee=\d+/', 'total_fee=1', $r['package']);
        return $r;
    },
    'wrong partner key' => fn(array $r) => wx_jsapi_request($order_of($r['package']),
        ['appid' => $appid, 'appkey' => $appkey, 'partnerkey' => strrev($partnerkey)]),
    'wrong appkey' => fn(array $r) => wx_jsapi_request($order_of($r['package']),
        ['appid' => $appid, 'appkey' => strrev($appkey), 'partnerkey' => $partnerkey]),
    // Another order under a nonce the client has already seen.
    'replayed nonce' => fn(array $r) => wx_jsapi_request(['out_trade_no' => 'R' . $order_of($r['package'])['out_trade_no']] + $order_of($r['package']),
        ['appid' => $appid, 'appkey' => $appkey, 'partnerkey' => $partnerkey], ['noncestr' => $r['nonceStr']]),
];
foreach ($spoil as $kind => $make) {
    for ($i = 0; $i < (int) $perKind; $i++) {
        $good = json_decode($get("$shop/checkout.php?product=1002&format=json"), true);
        if ($kind === 'replayed nonce') {
            // The genuine request is paid first; its nonce is then reused.
            $sandbox('/_sandbox/jsapi', ['request' => $good, 'openid' => "o$tag-r"]);
            $out['jsapi'][] = $order_of($good['package'])['out_trade_no'];
        }
        $bad = $make($good);
        $r = $sandbox('/_sandbox/jsapi', ['request' => $bad, 'openid' => "o$tag-x"]);
        $out['refused'][$kind][] = $r['err_msg'] === 'get_brand_wcpay_request:fail' ? $r['reason'] : 'PAID';
        $out['spoiled_orders'][] = $order_of($bad['package'])['out_trade_no'];
    }
}
echo json_encode($out), "\n";
