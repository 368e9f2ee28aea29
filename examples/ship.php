<?php
/*
 * Shipping physical goods from an admin action (or a warehouse script):
 * the parcel leaves days after the payment, and the notification must reach
 * WeChat within 72 hours of it. The outbox keeps it until WeChat has it, so
 * this page never waits on WeChat and never loses one.
 *
 *   php examples/ship.php ORDER TRANSACTION_ID OPENID
 *
 * Configuration: WXPAY_APPID, WXPAY_APPKEY (environment), wxpay.outbox (php.ini).
 */

[$script, $order, $transid, $openid] = $argv + [null, null, null, null];
if ($openid === null) {
    fwrite(STDERR, "usage: php $script ORDER TRANSACTION_ID OPENID\n");
    exit(2);
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
    fwrite(STDERR, "ship: order $order: " . $e->getMessage() . "\n");
    exit(1);
} catch (WxPay\Exception $e) {
    // The outbox itself is unusable (disk, Redis): nothing was kept; try again.
    fwrite(STDERR, "ship: order $order: not kept: " . $e->getMessage() . "\n");
    exit(1);
}
echo "order $order: shipping notification queued as $id\n";
