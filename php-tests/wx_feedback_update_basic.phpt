--TEST--
wx_feedback_update(): a complaint the sandbox posted is marked handled, with a token and managed; errors
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$appid, $secret] = sandbox_app('wxcallback00000003');
// The sandbox records the complaint even though nobody listens on port 9.
$f = sandbox_http('POST', '/_sandbox/feedback', ['appid' => $appid, 'openid' => 'oFeedback', 'url' => 'http://127.0.0.1:9/feedback',
    'transid' => '1900000111201311280000000001', 'reason' => '没收到']);
var_dump(isset($f['error']), preg_match('/^\d{1,20}$/', $f['feedbackid']));
var_dump(wx_feedback_update(sandbox_token($appid), 'oFeedback', $f['feedbackid'], sandbox_options()));
$r = wx_feedback_update(null, 'oFeedback', $f['feedbackid'], sandbox_options(['appid' => $appid, 'appsecret' => $secret]));
var_dump($r['errcode']);
foreach ([
    'another openid' => fn() => wx_feedback_update(sandbox_token($appid), 'oOther', $f['feedbackid'], sandbox_options()),
    'an unknown feedbackid' => fn() => wx_feedback_update(sandbox_token($appid), 'oFeedback', '1', sandbox_options()),
    'null token, no appid' => fn() => wx_feedback_update(null, 'oFeedback', $f['feedbackid'], sandbox_options(['appsecret' => $secret])),
    'null token, no appsecret' => fn() => wx_feedback_update(null, 'oFeedback', $f['feedbackid'], sandbox_options(['appid' => $appid])),
    'an empty openid' => fn() => wx_feedback_update('T', '', '1', sandbox_options()),
    'a feedbackid with a space' => fn() => wx_feedback_update('T', 'o', '1 2', sandbox_options()),
    // Once a Rust panic inside the HTTP client (a URI over 64 KiB).
    'a 70,000-byte feedbackid' => fn() => wx_feedback_update('T', 'o', str_repeat('9', 70000), sandbox_options()),
    'a 129-byte openid' => fn() => wx_feedback_update('T', str_repeat('o', 129), '1', sandbox_options()),
    'an invalid token' => fn() => wx_feedback_update('bogus', 'oFeedback', $f['feedbackid'], sandbox_options()),
] as $label => $fn) {
    echo "$label: ";
    attempt($fn, [$secret]);
}
?>
--EXPECT--
bool(true)
int(1)
array(2) {
  ["errcode"]=>
  int(0)
  ["errmsg"]=>
  string(2) "ok"
}
int(0)
another openid: WxPay\ApiException(49003): wx_feedback_update(): WeChat error 49003: not match openid with appid
an unknown feedbackid: WxPay\ApiException(47001): wx_feedback_update(): WeChat error 47001: data format error: no such feedbackid for this app
null token, no appid: WxPay\InvalidArgumentException(0): wx_feedback_update(): $access_token is null: pass $options['appid'] and $options['appsecret'] so the extension can obtain the token, or pass a token
null token, no appsecret: WxPay\InvalidArgumentException(0): wx_feedback_update(): $access_token is null: pass $options['appsecret'] so the extension can obtain the token, or pass a token
an empty openid: WxPay\InvalidArgumentException(0): wx_feedback_update(): $openid must be a non-empty string of printable ASCII characters (at most 128)
a feedbackid with a space: WxPay\InvalidArgumentException(0): wx_feedback_update(): $feedbackid must be a non-empty string of printable ASCII characters (at most 128)
a 70,000-byte feedbackid: WxPay\InvalidArgumentException(0): wx_feedback_update(): $feedbackid must be a non-empty string of printable ASCII characters (at most 128)
a 129-byte openid: WxPay\InvalidArgumentException(0): wx_feedback_update(): $openid must be a non-empty string of printable ASCII characters (at most 128)
an invalid token: WxPay\ApiException(40001): wx_feedback_update(): WeChat error 40001: invalid credential, access_token is invalid or not latest
