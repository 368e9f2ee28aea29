--TEST--
The buyer's journey through the sandbox: examples/checkout.php (JSAPI), examples/native.php (QR scan + NativeCall) and an app package are paid by wxpay-sandbox, which checks every signature with its own rules; tampered, wrongly keyed and replayed requests are refused and never paid
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$appid, $secret, $appkey, $partner, $partnerkey] = sandbox_app('wxcheckout00000001');
$keys = ['appid' => $appid, 'appkey' => $appkey, 'partnerkey' => $partnerkey];
$ctl = fn(string $method, string $path, $body = null) => sandbox_http($method, $path, $body);

// The shop: the three example scripts behind PHP's built-in server.
$tag = bin2hex(random_bytes(4));
$dir = sys_get_temp_dir() . "/wxpay-checkout-$tag";
mkdir("$dir/orders", 0777, true);
$probe = stream_socket_server('tcp://127.0.0.1:0');
$port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
fclose($probe);
$base = "http://127.0.0.1:$port";
$env = ['WXPAY_APPID' => $appid, 'WXPAY_APPSECRET' => $secret, 'WXPAY_APPKEY' => $appkey, 'WXPAY_PARTNER' => $partner,
        'WXPAY_PARTNERKEY' => $partnerkey, 'WXPAY_NOTIFY_URL' => "$base/callback.php", 'WXPAY_ORDERS_DIR' => "$dir/orders"];
$shop = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(), '-d', 'wxpay.api_base=' . sandbox_url(),
                   '-d', 'wxpay.cafile=' . sandbox_ca(), '-S', "127.0.0.1:$port", '-t', dirname(__DIR__) . '/examples'],
                  [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/log", 'w'], 2 => ['file', "$dir/log", 'w']],
                  $pipes, null, $env + getenv());
wait_ready($shop, function () use ($port) { $s = @fsockopen('127.0.0.1', $port, $e, $m, 0.1); if ($s) fclose($s); return (bool) $s; }, 'the shop');

$shipped = fn(string $order) => is_file("$dir/orders/$order.shipped");
$paid = fn(string $order) => $ctl('GET', "/_sandbox/orders?match=$order")['orders'] ?? [];
function out_trade_no(string $package): string { parse_str(explode('&sign=', $package)[0], $p); return $p['out_trade_no']; }

// 1. JSAPI: the order page's JSON, handed over as the page hands it.
$json = file_get_contents("$base/checkout.php?product=1001&format=json");
$req = json_decode($json, true);
$order = out_trade_no($req['package']);
$r = $ctl('POST', '/_sandbox/jsapi', ['request' => $json, 'openid' => "oBuyer$tag"]);
echo "jsapi: ", $r['err_msg'], "\n";
wait_ready($shop, fn() => $shipped($order), 'the JSAPI order to be shipped');
$o = $paid($order)[0];
echo "paid once: ", count($paid($order)), ", total_fee ", $o['total_fee'], ", settled ", json_encode($o['settled']),
     ", delivered ", $o['deliveries'], "\n";
$q = wx_order_query(null, ['appid' => $appid, 'appkey' => $appkey, 'partner' => $partner, 'partnerkey' => $partnerkey,
                           'out_trade_no' => $order], sandbox_options(['appsecret' => $secret]));
echo "orderquery: trade_state ", $q['trade_state'], ", total_fee ", $q['total_fee'], "\n";

// 2. What the buyer's client refuses, and never pays.
$fresh = fn() => json_decode(file_get_contents("$base/checkout.php?product=1002&format=json"), true);
$tests = [
    'total_fee edited after signing' => function () use ($fresh) { $r = $fresh(); $r['package'] = str_replace('total_fee=2990', 'total_fee=1', $r['package']); return $r; },
    'wrong partner key' => function () use ($fresh, $appid, $appkey) {
        $r = $fresh(); parse_str(explode('&sign=', $r['package'])[0], $p);
        return wx_jsapi_request($p, ['appid' => $appid, 'appkey' => $appkey, 'partnerkey' => 'not-the-partner-key']);
    },
    'wrong appkey' => function () use ($fresh, $appid, $partnerkey) {
        $r = $fresh(); parse_str(explode('&sign=', $r['package'])[0], $p);
        return wx_jsapi_request($p, ['appid' => $appid, 'appkey' => str_repeat('x', 128), 'partnerkey' => $partnerkey]);
    },
];
foreach ($tests as $what => $make) {
    $r = $make();
    $a = $ctl('POST', '/_sandbox/jsapi', ['request' => $r, 'openid' => "oBuyer$tag"]);
    echo "$what: ", $a['err_msg'], " (", $a['reason'], "), paid: ", count($paid(out_trade_no($r['package']))), "\n";
}
$again = $ctl('POST', '/_sandbox/jsapi', ['request' => $req, 'openid' => "oBuyer$tag"]);
echo "replayed request: ", $again['err_msg'], " (", $again['reason'], ")\n";
$r = $fresh();
$r2 = wx_jsapi_request(['out_trade_no' => 'X' . $tag] + (function () use ($r) { parse_str(explode('&sign=', $r['package'])[0], $p); return $p; })(),
                       $keys, ['noncestr' => $req['nonceStr']]);
$a = $ctl('POST', '/_sandbox/jsapi', ['request' => $r2, 'openid' => "oBuyer$tag"]);
echo "replayed nonce, new order: ", $a['err_msg'], " (", $a['reason'], "), paid: ", count($paid('X' . $tag)), "\n";

// 3. Native: the QR URL, a scan, the NativeCall to native.php, its signed reply.
$url = trim(file_get_contents("$base/native.php?product=1001"));
echo "QR: ", preg_replace('/[0-9a-f]{40}/', 'SIGN', preg_replace('/(noncestr|timestamp)=\w+/', '$1=X', $url)), "\n";
$s = $ctl('POST', '/_sandbox/scan', ['url' => $url, 'openid' => "oScanner$tag", 'native_url' => "$base/native.php"]);
echo "scan: ", $s['err_msg'], ", product ", $s['product'], "\n";
wait_ready($shop, fn() => $shipped($s['out_trade_no']), 'the native order to be shipped');
echo "native order paid once: ", count($paid($s['out_trade_no'])), "\n";
$s = $ctl('POST', '/_sandbox/scan', ['url' => trim(file_get_contents("$base/native.php?product=9999")), 'openid' => "o$tag", 'native_url' => "$base/native.php"]);
echo "unknown product: ", $s['err_msg'], " (", $s['reason'], ")\n";
$bad = preg_replace('/productid=1001/', 'productid=1002', $url);
$s = $ctl('POST', '/_sandbox/scan', ['url' => $bad, 'openid' => "o$tag", 'native_url' => "$base/native.php"]);
echo "productid edited in the URL: ", $s['err_msg'], " (", $s['reason'], ")\n";

// 4. App: the object an app hands to the WeChat SDK.
$p = ['bank_type' => 'WX', 'body' => 'app order', 'partner' => $partner, 'out_trade_no' => "A$tag", 'total_fee' => 5,
      'fee_type' => 1, 'notify_url' => "$base/callback.php", 'spbill_create_ip' => '127.0.0.1', 'input_charset' => 'UTF-8'];
$h = new WxPay\Helper($keys);
foreach ($p as $k => $v) $h->setParameter($k, $v);
$a = $ctl('POST', '/_sandbox/app', ['request' => $h->create_app_package('trace-1'), 'openid' => "oApp$tag"]);
echo "app: ", $a['err_msg'], "\n";
wait_ready($shop, fn() => $shipped("A$tag"), 'the app order to be shipped');
$forged = json_decode($h->create_app_package('trace-2'), true);
$forged['traceid'] = 'trace-3';
$a = $ctl('POST', '/_sandbox/app', ['request' => $forged, 'openid' => "oApp$tag"]);
echo "app, traceid edited: ", $a['err_msg'], " (", $a['reason'], ")\n";

proc_terminate($shop);
proc_close($shop);
array_map('unlink', glob("$dir/orders/*"));
rmdir("$dir/orders");
@unlink("$dir/log");
rmdir($dir);
?>
--EXPECTF--
jsapi: get_brand_wcpay_request:ok
paid once: 1, total_fee 1, settled true, delivered 1
orderquery: trade_state 0, total_fee 1
total_fee edited after signing: get_brand_wcpay_request:fail (paySign does not match (appkey)), paid: 0
wrong partner key: get_brand_wcpay_request:fail (the package's sign does not match (partner key)), paid: 0
wrong appkey: get_brand_wcpay_request:fail (paySign does not match (appkey)), paid: 0
replayed request: get_brand_wcpay_request:fail (nonce %s was used before (a replayed request))
replayed nonce, new order: get_brand_wcpay_request:fail (nonce %s was used before (a replayed request)), paid: 0
QR: weixin://wxpay/bizpayurl?appid=wxcheckout00000001&noncestr=X&productid=1001&sign=SIGN&timestamp=X
scan: native_pay:ok, product 1001
native order paid once: 1
unknown product: native_pay:fail (the shop declined: RetCode 1, RetErrMsg 商品已下架)
productid edited in the URL: native_pay:fail (the QR URL's sign does not match (appkey))
app: app_pay:ok
app, traceid edited: app_pay:fail (app_signature does not match (appkey))
