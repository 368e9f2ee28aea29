<?php
/*
 * A JSAPI order page as a shop writes it (WeChat Pay v2), without
 * WxPayHelper.php: the buyer opens it inside WeChat, the page hands the
 * signed request to WeixinJSBridge, WeChat pays, and examples/callback.php
 * gets the payment notification.
 *
 * The 2014 demo did this with WxPayHelper:
 *     $h = new WxPayHelper();
 *     $h->setParameter("bank_type", "WX"); ... // nine parameters
 *     $json = $h->create_biz_package();
 * `new WxPay\Helper()` takes the same calls (see docs/migration.md); this page
 * uses the function form, wx_jsapi_request(), which returns an array.
 *
 * GET ?product=ID[&format=json]: a new order for the product. format=json
 * answers the getBrandWCPayRequest object alone (what the sandbox's buyer,
 * POST /_sandbox/jsapi, takes); otherwise an HTML page that calls WeChat.
 *
 * Configuration (php-fpm: env[...] in the pool, or fastcgi_param):
 *   WXPAY_APPID, WXPAY_APPKEY, WXPAY_PARTNER, WXPAY_PARTNERKEY,
 *   WXPAY_NOTIFY_URL (examples/callback.php's URL), WXPAY_ORDERS_DIR
 */

// The shop's catalogue: product id => [name, price in fen].
const PRODUCTS = ['1001' => ['测试商品 A&B/C', 1], '1002' => ['T-shirt (size M)', 2990]];

$product = $_GET['product'] ?? '1001';
if (!isset(PRODUCTS[$product])) {
    http_response_code(404);
    exit("no such product\n");
}
[$name, $price] = PRODUCTS[$product];

// An order number this shop issues: callback.php accepts [A-Za-z0-9_-].
$order = 'J' . date('YmdHis') . bin2hex(random_bytes(6));
$orders = getenv('WXPAY_ORDERS_DIR') ?: sys_get_temp_dir() . '/wxpay-orders';
@mkdir($orders, 0775, true);
file_put_contents("$orders/$order.order", json_encode(['product' => $product, 'total_fee' => $price]));

try {
    $request = wx_jsapi_request([
        'bank_type' => 'WX',
        'body' => $name,
        'partner' => getenv('WXPAY_PARTNER'),
        'out_trade_no' => $order,
        'total_fee' => $price,
        'fee_type' => 1,
        'notify_url' => getenv('WXPAY_NOTIFY_URL'),
        'spbill_create_ip' => $_SERVER['REMOTE_ADDR'] ?? '127.0.0.1',
        'input_charset' => 'UTF-8',
    ], [
        'appid' => getenv('WXPAY_APPID'),
        'appkey' => getenv('WXPAY_APPKEY'),
        'partnerkey' => getenv('WXPAY_PARTNERKEY'),
    ]);
} catch (WxPay\Exception $e) {
    // A missing parameter or key: the original printed "生成package参数缺失！" with status 200.
    error_log('checkout: ' . $e->getMessage());
    http_response_code(500);
    exit("the order could not be prepared\n");
}

if (($_GET['format'] ?? '') === 'json') {
    header('Content-Type: application/json');
    echo json_encode($request);
    exit;
}
$json = json_encode($request);
$title = htmlspecialchars($name);
echo <<<HTML
<!doctype html>
<meta charset="utf-8">
<title>$title</title>
<p>$title: {$price} fen, order $order</p>
<button id="pay">微信支付</button>
<script>
document.getElementById('pay').onclick = function () {
    WeixinJSBridge.invoke('getBrandWCPayRequest', $json, function (res) {
        // get_brand_wcpay_request:ok is not proof of payment: the callback is.
        alert(res.err_msg);
    });
};
</script>

HTML;
