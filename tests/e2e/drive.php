<?php
/*
 * Plays WeChat: sends COUNT payment notifications (query + PostData XML) to
 * the shop's callback URL from CONCURRENCY parallel connections, and prints
 * a JSON summary (answers, slowest call, per-order outcome).
 * It signs with the plain-PHP 2014 rule (tests/reference), never with the
 * extension, so a signing bug in the extension cannot pass unseen.
 *   php -d extension=curl drive.php URL COUNT CONCURRENCY TAG APPID APPKEY PARTNERKEY
 */
require __DIR__ . '/../reference/get_biz_sign.php';
[, $url, $count, $concurrency, $tag, $appid, $appkey, $partnerkey] = $argv;
[$count, $concurrency] = [(int) $count, (int) $concurrency];

function partner_sign(array $q, string $key): string
{
    $q = array_filter($q, fn($v) => $v !== '');
    ksort($q);
    $pairs = [];
    foreach ($q as $k => $v) $pairs[] = "$k=$v";
    return strtoupper(md5(implode('&', $pairs) . "&key=$key"));
}

function request(string $url, int $i, string $tag, string $appid, string $appkey, string $partnerkey)
{
    $order = "$tag-$i";
    $q = ['sign_type' => 'MD5', 'service_version' => '1.0', 'input_charset' => 'UTF-8', 'sign_key_index' => '1',
          'trade_mode' => '1', 'trade_state' => '0', 'partner' => '1900000109', 'bank_type' => '0',
          'total_fee' => (string) (100 + $i), 'fee_type' => '1', 'notify_id' => bin2hex(random_bytes(8)),
          'transaction_id' => sprintf('1900000109%018d', $i), 'out_trade_no' => $order,
          'time_end' => date('YmdHis'), 'transport_fee' => '0', 'product_fee' => (string) (100 + $i), 'discount' => '0'];
    $q['sign'] = partner_sign($q, $partnerkey);
    $openid = 'oX99MDgNcgwnz3zFN3DNmo8uwa-' . ($i % 97);
    $ts = (string) time();
    $nonce = bin2hex(random_bytes(8));
    $sig = ref_get_biz_sign(['appid' => $appid, 'appkey' => $appkey, 'openid' => $openid, 'issubscribe' => '1',
                            'timestamp' => $ts, 'noncestr' => $nonce]);
    $xml = "<xml><OpenId><![CDATA[$openid]]></OpenId><AppId><![CDATA[$appid]]></AppId><IsSubscribe>1</IsSubscribe>"
         . "<TimeStamp>$ts</TimeStamp><NonceStr><![CDATA[$nonce]]></NonceStr><AppSignature><![CDATA[$sig]]></AppSignature>"
         . "<SignMethod><![CDATA[sha1]]></SignMethod></xml>";
    $h = curl_init($url . '?' . http_build_query($q));
    curl_setopt_array($h, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => $xml, CURLOPT_RETURNTRANSFER => true,
                           CURLOPT_TIMEOUT => 60, CURLOPT_HTTPHEADER => ['Content-Type: text/xml']]);
    return [$h, $order];
}

$mh = curl_multi_init();
$next = 0;
$running = [];
$answers = [];
$slowest = 0.0;
$outcome = [];
$add = function () use (&$next, $count, $mh, &$running, $url, $tag, $appid, $appkey, $partnerkey) {
    [$h, $order] = request($url, $next++, $tag, $appid, $appkey, $partnerkey);
    curl_multi_add_handle($mh, $h);
    $running[(int) $h] = [$order, microtime(true)];
};
while ($next < min($count, $concurrency)) $add();
do {
    curl_multi_exec($mh, $active);
    curl_multi_select($mh, 0.5);
    while ($info = curl_multi_info_read($mh)) {
        $h = $info['handle'];
        [$order, $t0] = $running[(int) $h];
        unset($running[(int) $h]);
        $elapsed = microtime(true) - $t0;
        $slowest = max($slowest, $elapsed);
        $code = curl_getinfo($h, CURLINFO_RESPONSE_CODE);
        $body = $info['result'] === CURLE_OK ? trim(curl_multi_getcontent($h)) : 'curl:' . curl_error($h);
        $key = "$code $body";
        $answers[$key] = ($answers[$key] ?? 0) + 1;
        $outcome[$order] = $body;
        curl_multi_remove_handle($mh, $h);
        curl_close($h);
        if ($next < $count) $add();
    }
} while ($active || $running);
echo json_encode(['answers' => $answers, 'slowest_s' => round($slowest, 3), 'outcome' => $outcome]);
