<?php
/*
 * A payment callback as a shop writes it (WeChat Pay v2, JSAPI).
 *
 * WeChat POSTs to this URL when a buyer has paid: the query string carries
 * the trade (transaction_id, out_trade_no, trade_state, total_fee, ... and
 * `sign`, an MD5 made with the partner key), and the body is a small XML
 * document with the buyer's OpenId and an AppSignature made with the appkey.
 *
 * wx_payment_verify() checks both signatures (and that the notification is
 * for this app and merchant); the script then marks the order paid, ships it
 * (here: virtual goods, delivered at once), sends the shipping notification
 * with wx_deliver_notify() and answers "success". Any other answer makes
 * WeChat call again later (8 s, 10 s, 10 s, 30 s, ... about 27 minutes in
 * all), so an order whose notification failed is retried by WeChat itself;
 * an order already shipped just gets "success" again.
 *
 * Configuration (php-fpm: env[...] in the pool, or fastcgi_param):
 *   WXPAY_APPID, WXPAY_APPSECRET, WXPAY_APPKEY, WXPAY_PARTNER, WXPAY_PARTNERKEY, WXPAY_ORDERS_DIR
 */

$appid = getenv('WXPAY_APPID') ?: 'wx0000000000000000';
$appsecret = getenv('WXPAY_APPSECRET') ?: 'e76050733ce76050733ce76050733cdd';
$orders = getenv('WXPAY_ORDERS_DIR') ?: sys_get_temp_dir() . '/wxpay-orders';
$keys = [
    'appkey' => getenv('WXPAY_APPKEY') ?: '',
    'partnerkey' => getenv('WXPAY_PARTNERKEY') ?: '',
    'appid' => $appid,
];
if (getenv('WXPAY_PARTNER')) {
    $keys['partner'] = getenv('WXPAY_PARTNER');
}

function answer(string $word): never
{
    header('Content-Type: text/plain');
    echo $word;
    exit;
}

// 1. Both signatures, or nothing happens.
try {
    $paid = wx_payment_verify($_GET, file_get_contents('php://input'), $keys);
} catch (WxPay\SignatureException | WxPay\InvalidArgumentException $e) {
    error_log('callback: refused a notification: ' . $e->getMessage());
    answer('fail');
}
$trade = $paid['trade'];
if ($trade['trade_state'] !== '0') {
    answer('success'); // not a payment: nothing to ship, and nothing to hear again
}
$order = $trade['out_trade_no'];
if (!preg_match('/^[A-Za-z0-9_-]{1,64}$/', $order)) {
    error_log('callback: refused an order number this shop never issues');
    answer('fail');
}

// 2. Mark it paid, once: WeChat may call more than once, even concurrently.
@mkdir($orders, 0775, true);
$lock = fopen("$orders/$order.lock", 'c');
flock($lock, LOCK_EX);
if (is_file("$orders/$order.shipped")) {
    answer('success');
}
file_put_contents("$orders/$order.paid", json_encode([
    'transaction_id' => $trade['transaction_id'],
    'total_fee' => $trade['total_fee'],
    'openid' => $paid['buyer']['openid'],
    'paid_at' => time(),
]));

// 3. Ship, then tell WeChat (the extension obtains and shares the token).
try {
    wx_deliver_notify(null, [
        'appid' => $appid,
        'appkey' => $keys['appkey'],
        'openid' => $paid['buyer']['openid'],
        'transid' => $trade['transaction_id'],
        'out_trade_no' => $order,
        'deliver_status' => 1,
        'deliver_msg' => 'ok',
    ], ['appsecret' => $appsecret]);
} catch (WxPay\ApiException $e) {
    error_log(sprintf("callback: order %s: shipping notification refused: errcode %d", $order, $e->getCode()));
    answer('fail');
} catch (WxPay\TransportException $e) {
    error_log(sprintf("callback: order %s: shipping notification not delivered: %s", $order, $e->getMessage()));
    answer('fail');
}
touch("$orders/$order.shipped");
answer('success');
