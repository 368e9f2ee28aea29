--TEST--
wx_deliver_notify(): WeChat's errcodes become WxPay\ApiException with getCode() === errcode
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000002';
$token = sandbox_token($app);
$o = sandbox_options();
$p = sample_params($app);
$secrets = [$token, $p['appkey']];

// Real checks of the sandbox.
echo "wrong appkey: ";
attempt(fn() => wx_deliver_notify($token, ['appkey' => 'not-the-key'] + $p, $o), $secrets);
echo "appid of another app: ";
attempt(fn() => wx_deliver_notify($token, ['appid' => 'wxnotify0000000001', 'appkey' => sandbox_app('wxnotify0000000001')[2]] + $p, $o), $secrets);
echo "unknown token: ";
attempt(fn() => wx_deliver_notify('x' . $token, $p, $o), $secrets);
// Every documented errcode, injected.
foreach ([40001, 40014, 42001, 41001, 40013, 40003, 47001, 48001, 45009, 49004, -1] as $code) {
    sandbox_fault(['kind' => 'errcode', 'errcode' => $code, 'errmsg' => "message for $code", 'match' => $token]);
    echo "$code: ";
    attempt(fn() => wx_deliver_notify($token, sample_params($app), $o), $secrets);
}
// An errmsg that quotes the request's secrets is scrubbed.
sandbox_fault(['kind' => 'errcode', 'errcode' => 40001, 'errmsg' => "bad token $token for key {$p['appkey']}", 'match' => $token]);
echo "quoting errmsg: ";
attempt(fn() => wx_deliver_notify($token, $p, $o), $secrets);
try {
    sandbox_fault(['kind' => 'errcode', 'errcode' => 48001, 'match' => $token]);
    wx_deliver_notify($token, sample_params($app), $o);
} catch (WxPay\Exception $e) {
    echo "caught as WxPay\\Exception: ", get_class($e), ' ', $e->getCode(), "\n";
}
?>
--EXPECT--
wrong appkey: WxPay\ApiException(49004): wx_deliver_notify(): WeChat error 49004: signature error (check the appkey (PaySignKey), and for an order query the partner key: a signature did not match)
appid of another app: WxPay\ApiException(40013): wx_deliver_notify(): WeChat error 40013: invalid appid (check the appid)
unknown token: WxPay\ApiException(40001): wx_deliver_notify(): WeChat error 40001: invalid credential, access_token is invalid or not latest
40001: WxPay\ApiException(40001): wx_deliver_notify(): WeChat error 40001: message for 40001
40014: WxPay\ApiException(40014): wx_deliver_notify(): WeChat error 40014: message for 40014
42001: WxPay\ApiException(42001): wx_deliver_notify(): WeChat error 42001: message for 42001
41001: WxPay\ApiException(41001): wx_deliver_notify(): WeChat error 41001: message for 41001
40013: WxPay\ApiException(40013): wx_deliver_notify(): WeChat error 40013: message for 40013 (check the appid)
40003: WxPay\ApiException(40003): wx_deliver_notify(): WeChat error 40003: message for 40003
47001: WxPay\ApiException(47001): wx_deliver_notify(): WeChat error 47001: message for 47001
48001: WxPay\ApiException(48001): wx_deliver_notify(): WeChat error 48001: message for 48001
45009: WxPay\ApiException(45009): wx_deliver_notify(): WeChat error 45009: message for 45009
49004: WxPay\ApiException(49004): wx_deliver_notify(): WeChat error 49004: message for 49004 (check the appkey (PaySignKey), and for an order query the partner key: a signature did not match)
-1: WxPay\ApiException(-1): wx_deliver_notify(): WeChat error -1: message for -1
quoting errmsg: WxPay\ApiException(40001): wx_deliver_notify(): WeChat error 40001: bad token *** for key ***
caught as WxPay\Exception: WxPay\ApiException 48001
