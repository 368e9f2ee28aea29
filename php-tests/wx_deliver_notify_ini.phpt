--TEST--
wx_deliver_notify(): wxpay.* ini settings apply, ini_set() takes effect on the next call, options override ini
--EXTENSIONS--
wxpay
--INI--
wxpay.api_base=https://127.0.0.1:1
wxpay.timeout=5
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000002';
$token = sandbox_token($app);
// php.ini points nowhere.
attempt(fn() => wx_deliver_notify($token, sample_params($app)), [$token]);
// ini_set() is honoured on the next call.
ini_set('wxpay.api_base', sandbox_url());
attempt(fn() => wx_deliver_notify($token, sample_params($app)), [$token]);   // CA not trusted yet
ini_set('wxpay.cafile', sandbox_ca());
var_dump(wx_deliver_notify($token, sample_params($app))['errcode']);
// The timeout directive bounds the call.
ini_set('wxpay.timeout', '0.5');
sandbox_fault(['kind' => 'delay', 'ms' => 2500, 'match' => $token]);
attempt(fn() => wx_deliver_notify($token, sample_params($app)), [$token]);
// A per-call option overrides the directive.
sandbox_fault(['kind' => 'delay', 'ms' => 1000, 'match' => $token]);
var_dump(wx_deliver_notify($token, sample_params($app), ['timeout' => 4])['errcode']);
ini_set('wxpay.api_base', 'https://127.0.0.1:1');
var_dump(wx_deliver_notify($token, sample_params($app), ['api_base' => sandbox_url()])['errcode']);
// A broken directive is reported as such, before any I/O.
ini_set('wxpay.timeout', 'soon');
attempt(fn() => wx_deliver_notify($token, sample_params($app)), [$token]);
ini_set('wxpay.timeout', '5');
ini_set('wxpay.api_base', 'http://insecure.example');
attempt(fn() => wx_deliver_notify($token, sample_params($app)), [$token]);
ini_set('wxpay.api_base', sandbox_url());
ini_set('wxpay.proxy', 'socks5://127.0.0.1:1080');
attempt(fn() => wx_deliver_notify($token, sample_params($app)), [$token]);
?>
--EXPECTF--
WxPay\TransportException(0): wx_deliver_notify(): network error with 127.0.0.1:1: connection refused
WxPay\TransportException(0): wx_deliver_notify(): TLS error with 127.0.0.1:%d: invalid peer certificate: UnknownIssuer
int(0)
WxPay\TransportException(0): wx_deliver_notify(): the request to 127.0.0.1:%d timed out after 0.5s (timeout)
int(0)
int(0)
WxPay\InvalidArgumentException(0): wx_deliver_notify(): wxpay.timeout must be a number of seconds
WxPay\InvalidArgumentException(0): wx_deliver_notify(): wxpay.api_base must be an https:// URL (TLS verification cannot be switched off)
WxPay\InvalidArgumentException(0): wx_deliver_notify(): wxpay.proxy must be an http:// or https:// proxy URL
