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
 * With WXPAY_OUTBOX=1 a notification that could not be delivered now (WeChat
 * unreachable, or "system busy") is handed to the outbox (wxpay.outbox) and
 * the answer is "success": the payment is recorded, and examples/drain.php
 * (cron) delivers the notification before its deadline, however long the
 * outage lasts. Without it, the answer is "fail" and WeChat's own retries
 * (about 27 minutes) are the only ones.
 *
 * Configuration (php-fpm: env[...] in the pool, or fastcgi_param):
 *   WXPAY_APPID, WXPAY_APPSECRET, WXPAY_APPKEY, WXPAY_PARTNER, WXPAY_PARTNERKEY, WXPAY_ORDERS_DIR,
 *   WXPAY_OUTBOX
 */

/** Hands the notification to the outbox; if even that fails, WeChat must call again. */
function keep(array $shipment, string $order): void
{
    try {
        $id = wx_deliver_enqueue($shipment); // virtual goods: 24 h
        error_log("callback: order $order: shipping notification kept in the outbox as $id");
    } catch (WxPay\Exception $e) {
        error_log("callback: order $order: the outbox could not keep it either: " . $e->getMessage());
        answer('fail');
    }
}

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
    // max_age: a genuine notification replayed later than an hour is refused
    // (WeChat's own retries end after about 27 minutes).
    $paid = wx_payment_verify($_GET, file_get_contents('php://input'), $keys, ['max_age' => 3600]);
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
$shipment = [
    'appid' => $appid,
    'appkey' => $keys['appkey'],
    'openid' => $paid['buyer']['openid'],
    'transid' => $trade['transaction_id'],
    'out_trade_no' => $order,
    'deliver_status' => 1,
    'deliver_msg' => 'ok',
];
try {
    wx_deliver_notify(null, $shipment, ['appsecret' => $appsecret]);
} catch (WxPay\ApiException $e) {
    error_log(sprintf("callback: order %s: shipping notification refused: errcode %d", $order, $e->getCode()));
    if ($e->getCode() !== -1 || !getenv('WXPAY_OUTBOX')) {
        answer('fail');
    }
    keep($shipment, $order);
} catch (WxPay\TransportException $e) {
    error_log(sprintf("callback: order %s: shipping notification not delivered: %s", $order, $e->getMessage()));
    if (!getenv('WXPAY_OUTBOX')) {
        answer('fail'); // WeChat calls again for about 27 minutes
    }
    keep($shipment, $order);
}
touch("$orders/$order.shipped");
answer('success');
