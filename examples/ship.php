<?php
/*
 * Shipping physical goods from an admin action (or a warehouse script):
 * the parcel leaves days after the payment, and the notification must reach
 * WeChat within 72 hours of it. The outbox keeps it until WeChat has it, so
 * this page never waits on WeChat and never loses one.
 *
 *   php examples/ship.php ORDER TRANSACTION_ID OPENID
 *   POST /ship.php  order=...&transid=...&openid=...   (the same from an admin page)
 *
 * Configuration: WXPAY_APPID, WXPAY_APPKEY (environment), wxpay.outbox (php.ini).
 */

if (PHP_SAPI === 'cli') {
    [$script, $order, $transid, $openid] = $argv + [null, null, null, null];
} else {
    [$order, $transid, $openid] = [$_POST['order'] ?? null, $_POST['transid'] ?? null, $_POST['openid'] ?? null];
    $script = 'ship.php';
}
if (!is_string($order) || !is_string($transid) || !is_string($openid)) {
    fail(2, "usage: php $script ORDER TRANSACTION_ID OPENID");
}

function fail(int $status, string $why): never
{
    if (PHP_SAPI === 'cli') {
        fwrite(STDERR, "$why\n");
        exit(1);
    }
    error_log($why);
    http_response_code($status === 2 ? 400 : 503);
    exit($why . "\n");
}

try {
    $id = wx_deliver_enqueue([
        'appid' => getenv('WXPAY_APPID') ?: 'wx0000000000000000',
        'appkey' => getenv('WXPAY_APPKEY') ?: '',
        'openid' => $openid,
        'transid' => $transid,
        'out_trade_no' => $order,
        'deliver_status' => 1,
        'deliver_msg' => 'shipped',
    ], ['goods' => 'physical']); // 72 h from now; or 'deadline' => paid_at + 72 * 3600
} catch (WxPay\InvalidArgumentException $e) {
    fail(2, "ship: order $order: " . $e->getMessage());
} catch (WxPay\Exception $e) {
    // The outbox itself is unusable (disk, Redis): nothing was kept; try again.
    fail(1, "ship: order $order: not kept: " . $e->getMessage());
}
echo "order $order: shipping notification queued as $id\n";
