--TEST--
wx_order_query(): E3's package and app_signature on the wire; a paid order of the sandbox queried with a token and managed; errors
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
require __DIR__ . '/include/v2_vectors.inc';
[$appid, $secret, $appkey, $partner, $partnerkey] = sandbox_app('wxcallback00000002');

// E3: the request body as sent (the sandbox echoes it back in a refusal).
sandbox_fault(['kind' => 'echo', 'errcode' => 49999, 'match' => '843254536943809900']);
try {
    wx_order_query('TOKEN', ['appid' => DOC_APPID, 'appkey' => DOC_APPKEY, 'partner' => '1900000109',
        'partnerkey' => DOC_PARTNERKEY, 'out_trade_no' => '843254536943809900', 'timestamp' => 1369745073], sandbox_options());
} catch (WxPay\ApiException $e) {
    preg_match('/(\{.*\})/', $e->getMessage(), $m);
    $sent = json_decode($m[1], true);
    ksort($sent);
    var_dump($sent);
    var_dump(str_contains($e->getMessage(), DOC_APPKEY) || str_contains($e->getMessage(), DOC_PARTNERKEY));
}

// A paid order (its callback URL answers nothing: only the order matters here).
$order = 'Q' . getmypid() . bin2hex(random_bytes(3));
$paid = sandbox_http('POST', '/_sandbox/pay', ['appid' => $appid, 'openid' => 'oQuery', 'out_trade_no' => $order,
    'total_fee' => 250, 'notify_url' => 'http://127.0.0.1:9/notify', 'attach' => 'gift wrap']);
$params = ['appid' => $appid, 'appkey' => $appkey, 'partner' => $partner, 'partnerkey' => $partnerkey, 'out_trade_no' => $order];
$info = wx_order_query(sandbox_token($appid), $params, sandbox_options());
var_dump($info['ret_code'], $info['trade_state'], $info['total_fee'], $info['attach'], $info['transaction_id'] === $paid['transaction_id']);
// Managed: the extension obtains the token.
$info = wx_order_query(null, $params, sandbox_options(['appsecret' => $secret]));
var_dump($info['out_trade_no'] === $order);
// An order WeChat does not know: ret_code says so.
$info = wx_order_query(null, ['out_trade_no' => 'NOPE'] + $params, sandbox_options(['appsecret' => $secret]));
var_dump($info['ret_code'], $info['ret_msg']);

$secrets = [$secret, $appkey, $partnerkey];
foreach ([
    'a wrong partner key' => fn() => wx_order_query(null, ['partnerkey' => 'x'] + $params, sandbox_options(['appsecret' => $secret])),
    'a wrong appkey' => fn() => wx_order_query(null, ['appkey' => 'x'] + $params, sandbox_options(['appsecret' => $secret])),
    'no appsecret' => fn() => wx_order_query(null, $params, sandbox_options()),
    'no partnerkey' => fn() => wx_order_query(null, array_diff_key($params, ['partnerkey' => 1]), sandbox_options()),
    'out_trade_no with &' => fn() => wx_order_query(null, ['out_trade_no' => 'a&sign=x'] + $params, sandbox_options()),
    'an unknown key' => fn() => wx_order_query(null, $params + ['transid' => '1'], sandbox_options()),
    'an array value' => fn() => wx_order_query(null, ['appkey' => []] + $params, sandbox_options()),
    'a bad option' => fn() => wx_order_query(null, $params, sandbox_options(['timeout' => 'soon'])),
] as $label => $f) {
    echo "$label: ";
    attempt($f, $secrets);
}
?>
--EXPECT--
array(5) {
  ["app_signature"]=>
  string(40) "a423023746229c5989dcfc6d6726fc13b6000edb"
  ["appid"]=>
  string(18) "wxd930ea5d5a258f4f"
  ["package"]=>
  string(88) "out_trade_no=843254536943809900&partner=1900000109&sign=005F35ADFDE09755425F43F31A07E8B3"
  ["sign_method"]=>
  string(4) "sha1"
  ["timestamp"]=>
  string(10) "1369745073"
}
bool(false)
int(0)
string(1) "0"
string(3) "250"
string(9) "gift wrap"
bool(true)
bool(true)
int(88)
string(15) "order not found"
a wrong partner key: WxPay\ApiException(49004): wx_order_query(): WeChat error 49004: not match signature (check the appkey (PaySignKey), and for an order query the partner key: a signature did not match)
a wrong appkey: WxPay\ApiException(49004): wx_order_query(): WeChat error 49004: not match signature (check the appkey (PaySignKey), and for an order query the partner key: a signature did not match)
no appsecret: WxPay\InvalidArgumentException(0): wx_order_query(): $access_token is null: pass $options['appsecret'] so the extension can obtain the token, or pass a token
no partnerkey: WxPay\InvalidArgumentException(0): wx_order_query(): $params: the required key 'partnerkey' is missing
out_trade_no with &: WxPay\InvalidArgumentException(0): wx_order_query(): $params: 'out_trade_no' must be printable ASCII without '&' or '=' (at most 32, as WeChat allows)
an unknown key: WxPay\InvalidArgumentException(0): wx_order_query(): $params: unknown key 'transid'; the keys are appid, appkey, partner, partnerkey, out_trade_no, timestamp
an array value: WxPay\InvalidArgumentException(0): wx_order_query(): $params: 'appkey' must be a string or a non-negative int, array given
a bad option: WxPay\InvalidArgumentException(0): wx_order_query(): option 'timeout' must be a number of seconds greater than 0 and at most 3600
