<?php
/*
 * Native (QR code) payment as a shop writes it (WeChat Pay v2), without
 * WxPayHelper.php. Two roles in one script:
 *
 * GET ?product=ID: the weixin://wxpay/bizpayurl URL to print as the
 *   product's QR code (WxPayHelper::create_native_url()).
 * POST (from WeChat): a buyer scanned the code. WeChat posts the NativeCall
 *   (AppId, OpenId, ProductId, ... AppSignature); the shop checks it with
 *   wx_native_call_verify(), opens an order and answers with the signed
 *   package (WxPayHelper::create_native_package()); WeChat then asks the
 *   buyer to pay, and examples/callback.php gets the payment notification.
 *
 * Configuration: as examples/checkout.php.
 */

const PRODUCTS = ['1001' => ['测试商品 A&B/C', 1], '1002' => ['T-shirt (size M)', 2990]];

$keys = [
    'appid' => getenv('WXPAY_APPID'),
    'appkey' => getenv('WXPAY_APPKEY'),
    'partnerkey' => getenv('WXPAY_PARTNERKEY'),
];

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    $product = $_GET['product'] ?? '1001';
    header('Content-Type: text/plain');
    echo wx_native_url($product, $keys), "\n";
    exit;
}

header('Content-Type: text/xml');
try {
    $call = wx_native_call_verify(file_get_contents('php://input'), $keys['appkey'], ['max_age' => 600]);
} catch (WxPay\SignatureException | WxPay\InvalidArgumentException $e) {
    error_log('native: refused a NativeCall: ' . $e->getMessage());
    http_response_code(400);
    exit;
}

$product = $call['productid'];
if (!isset(PRODUCTS[$product])) {
    // An error reply is signed too; WeChat shows RetErrMsg to the buyer.
    echo wx_native_reply([], $keys, ['retcode' => 1, 'reterrmsg' => '商品已下架']);
    exit;
}
[$name, $price] = PRODUCTS[$product];
$order = 'N' . date('YmdHis') . bin2hex(random_bytes(6));
$orders = getenv('WXPAY_ORDERS_DIR') ?: sys_get_temp_dir() . '/wxpay-orders';
@mkdir($orders, 0775, true);
file_put_contents("$orders/$order.order", json_encode(['product' => $product, 'total_fee' => $price, 'openid' => $call['openid']]));

echo wx_native_reply([
    'bank_type' => 'WX',
    'body' => $name,
    'partner' => getenv('WXPAY_PARTNER'),
    'out_trade_no' => $order,
    'total_fee' => $price,
    'fee_type' => 1,
    'notify_url' => getenv('WXPAY_NOTIFY_URL'),
    'spbill_create_ip' => '127.0.0.1',
    'input_charset' => 'UTF-8',
], $keys);
