--TEST--
wx_deliver_notify(): for an app that takes payments the sandbox accepts only a notification naming one of its paid orders (49002, 49003 otherwise)
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$appid, $secret, $appkey] = sandbox_app('wxcallback00000003');
$order = 'D' . getmypid() . bin2hex(random_bytes(3));
$paid = sandbox_http('POST', '/_sandbox/pay', ['appid' => $appid, 'openid' => 'oBuyer', 'out_trade_no' => $order,
    'total_fee' => 1, 'notify_url' => 'http://127.0.0.1:9/notify']);
$p = ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'oBuyer', 'transid' => $paid['transaction_id'], 'out_trade_no' => $order];
$o = sandbox_options(['appsecret' => $secret]);
foreach ([
    'another openid' => ['openid' => 'oSomeoneElse'] + $p,
    'an unknown transid' => ['transid' => '1900000111209901010000000000'] + $p,
    'another order of the transid' => ['out_trade_no' => 'OTHER'] + $p,
] as $label => $params) {
    echo "$label: ";
    attempt(fn() => wx_deliver_notify(null, $params, $o), [$secret, $appkey]);
}
var_dump(wx_deliver_notify(null, $p, $o)['errcode']);
$orders = sandbox_http('GET', '/_sandbox/orders?match=' . $order)['orders'];
var_dump($orders[0]['deliveries']);
?>
--EXPECT--
another openid: WxPay\ApiException(49003): wx_deliver_notify(): WeChat error 49003: not match openid with appid
an unknown transid: WxPay\ApiException(49002): wx_deliver_notify(): WeChat error 49002: no paid order with this transid
another order of the transid: WxPay\ApiException(49002): wx_deliver_notify(): WeChat error 49002: transid and out_trade_no are not one order of this app
int(0)
int(1)
