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
// ini_set() refuses a value that cannot be used, with a warning naming the
// directive, and the previous value stays.
ini_set('wxpay.timeout', '5');
var_dump(ini_set('wxpay.timeout', 'soon'), ini_get('wxpay.timeout'));
var_dump(ini_set('wxpay.timeout', '5s'), ini_get('wxpay.timeout'));
ini_set('wxpay.api_base', sandbox_url());
var_dump(ini_set('wxpay.api_base', 'http://insecure.example') === false, ini_get('wxpay.api_base') === sandbox_url());
var_dump(ini_set('wxpay.proxy', 'socks5://user:pw@127.0.0.1:1080'), ini_get('wxpay.proxy'));
var_dump(ini_set('wxpay.cafile', '/dev/zero') === false, ini_get('wxpay.cafile') === sandbox_ca());
var_dump(wx_deliver_notify($token, sample_params($app))['errcode']);
?>
--EXPECTF--
WxPay\TransportException(0): wx_deliver_notify(): network error with 127.0.0.1:1: connection refused
WxPay\TransportException(0): wx_deliver_notify(): TLS error with 127.0.0.1:%d: invalid peer certificate: UnknownIssuer (no CA in %s signed it; set wxpay.cafile to the PEM bundle of the CA that did)
int(0)
WxPay\TransportException(0): wx_deliver_notify(): the request to 127.0.0.1:%d timed out after 0.5s (timeout)
int(0)
int(0)

Warning: ini_set(): wxpay.timeout must be a number of seconds greater than 0 and at most 3600; the value was not changed in %s on line %d
bool(false)
string(1) "5"

Warning: ini_set(): wxpay.timeout must be a number of seconds greater than 0 and at most 3600; the value was not changed in %s on line %d
bool(false)
string(1) "5"

Warning: ini_set(): wxpay.api_base must be an https:// URL (TLS verification cannot be switched off); the value was not changed in %s on line %d
bool(true)
bool(true)

Warning: ini_set(): wxpay.proxy must be an http:// or https:// proxy URL; the value was not changed in %s on line %d
bool(false)
string(0) ""

Warning: ini_set(): wxpay.cafile: the CA file /dev/zero is not a regular file; the value was not changed in %s on line %d
bool(true)
bool(true)
int(0)
