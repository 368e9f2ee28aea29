--TEST--
wx_access_token(): cached per (api_base, appid), force_refresh honoured, errors mapped, bad input refused
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
ini_set('wxpay.api_base', sandbox_url());
ini_set('wxpay.cafile', sandbox_ca());
[$id, $secret] = sandbox_app('wxtoken00000000001');
$t1 = wx_access_token($id, $secret);
$t2 = wx_access_token($id, $secret);
var_dump(strlen($t1) > 20, $t1 === $t2, sandbox_stats($id)['token_calls']);
$t3 = wx_access_token($id, $secret, true);
var_dump($t3 !== $t1, wx_access_token($id, $secret) === $t3, sandbox_stats($id)['token_calls']);
// The cached token works.
var_dump(wx_deliver_notify($t3, sample_params($id))['errcode']);

$s = [$secret, 'WRONGSECRET'];
attempt(fn() => wx_access_token($id, 'WRONGSECRET', true), $s);
attempt(fn() => wx_access_token('wxunknown0000000', $secret), $s);
attempt(fn() => wx_access_token('', $secret), $s);
attempt(fn() => wx_access_token($id, ''), $s);
attempt(fn() => wx_access_token("wx\n1", $secret), $s);
attempt(fn() => wx_access_token($id, "sec ret"), $s);
attempt(fn() => wx_access_token([], $secret), $s);
attempt(fn() => wx_access_token($id), $s);
// Transport failures are TransportExceptions.
ini_set('wxpay.api_base', 'https://127.0.0.1:1');
attempt(fn() => wx_access_token('wxtoken00000000002', $secret), $s);
ini_set('wxpay.api_base', sandbox_url());
sandbox_fault(['kind' => 'garbage', 'match' => 'wxtoken00000000002']);
attempt(fn() => wx_access_token('wxtoken00000000002', sandbox_app('wxtoken00000000002')[1]), $s);
// A bad token_endpoint setting is refused by ini_set(), and as an option.
var_dump(ini_set('wxpay.token_endpoint', 'oauth'));
attempt(fn() => wx_deliver_notify(null, sample_params($id), ['appsecret' => $secret, 'token_endpoint' => 'oauth']), $s);
?>
--EXPECTF--
bool(true)
bool(true)
int(1)
bool(true)
bool(true)
int(2)
int(0)
WxPay\ApiException(40125): wx_access_token(): WeChat error 40125 while fetching the access_token: invalid appsecret (check the appsecret)
WxPay\ApiException(40013): wx_access_token(): WeChat error 40013 while fetching the access_token: invalid appid (check the appid)
WxPay\InvalidArgumentException(0): wx_access_token(): $appid must be a non-empty string of printable ASCII characters (at most 256)
WxPay\InvalidArgumentException(0): wx_access_token(): $appsecret must be a non-empty string of printable ASCII characters (at most 256)
WxPay\InvalidArgumentException(0): wx_access_token(): $appid must be a non-empty string of printable ASCII characters (at most 256)
WxPay\InvalidArgumentException(0): wx_access_token(): $appsecret must be a non-empty string of printable ASCII characters (at most 256)
TypeError(0): wx_access_token(): Argument #1 ($appid) must be of type string, array given
ArgumentCountError(0): wx_access_token() expects at least 2 arguments, 1 given
WxPay\TransportException(0): wx_access_token(): fetching the access_token: network error with 127.0.0.1:1: connection refused
WxPay\TransportException(0): wx_access_token(): fetching the access_token: the reply is not JSON (%d bytes)

Warning: ini_set(): wxpay.token_endpoint must be "token" or "stable_token"; the value was not changed in %s on line %d
bool(false)
WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'token_endpoint' must be "token" or "stable_token"
