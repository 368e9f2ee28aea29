--TEST--
wx_deliver_notify(): wxpay.proxy really carries the request (CONNECT through a real proxy); proxy environment variables are ignored; a proxy's 407, silence or refusal is reported against the proxy, credentials masked
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret, $appkey] = sandbox_app('wxhostile000000008');
$token = sandbox_token($id);
$sandboxHost = parse_url(sandbox_url(), PHP_URL_HOST) . ':' . parse_url(sandbox_url(), PHP_URL_PORT);
$s = [$token, $secret, $appkey, 'pr0xy-pw'];
$show = fn(array $log) => str_replace($sandboxHost, 'SANDBOX', implode(' | ', $log));

// A proxy named in the environment, as shells and cron set them: ignored.
$env = new PrivateProxy();
foreach (['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'] as $v) putenv("$v=http://$env->address");
var_dump(wx_deliver_notify($token, sample_params($id), sandbox_options())['errcode']);
echo "environment proxy used: ", count($env->log()), " times\n";

// wxpay.proxy: the request goes through it.
$tunnel = new PrivateProxy();
ini_set('wxpay.proxy', "http://$tunnel->address");
var_dump(wx_deliver_notify($token, sample_params($id), sandbox_options())['errcode']);
echo "wxpay.proxy: ", $show($tunnel->log()), "\n";
ini_set('wxpay.proxy', '');

// A proxy that wants credentials.
$auth = new PrivateProxy(['--auth', 'shop:pr0xy-pw']);
attempt(fn() => wx_deliver_notify($token, sample_params($id), sandbox_options(['proxy' => "http://$auth->address"])), $s);
attempt(fn() => wx_deliver_notify($token, sample_params($id), sandbox_options(['proxy' => "http://shop:wrong@$auth->address"])), $s);
var_dump(wx_deliver_notify($token, sample_params($id), sandbox_options(['proxy' => "http://shop:pr0xy-pw@$auth->address"]))['errcode']);
echo "auth proxy: ", $show($auth->log()), "\n";

// A proxy that accepts and never answers; one that is not there.
$silent = new PrivateProxy(['--mode', 'silent']);
attempt(fn() => wx_deliver_notify($token, sample_params($id), sandbox_options(['proxy' => "http://shop:pr0xy-pw@$silent->address", 'timeout' => 1, 'connect_timeout' => 0.5])), $s);
attempt(fn() => wx_deliver_notify($token, sample_params($id), sandbox_options(['proxy' => 'http://shop:pr0xy-pw@127.0.0.1:1'])), $s);
?>
--EXPECTF--
int(0)
environment proxy used: 0 times
int(0)
wxpay.proxy: CONNECT SANDBOX credentials=none 200
WxPay\TransportException(0): wx_deliver_notify(): the proxy http://127.0.0.1:%d refused to tunnel to 127.0.0.1:%d: HTTP 407 (proxy authentication required: check the user and password in the proxy URL)
WxPay\TransportException(0): wx_deliver_notify(): the proxy http://***@127.0.0.1:%d refused to tunnel to 127.0.0.1:%d: HTTP 407 (proxy authentication required: check the user and password in the proxy URL)
int(0)
auth proxy: CONNECT SANDBOX credentials=none 407 | CONNECT SANDBOX credentials=wrong 407 | CONNECT SANDBOX credentials=right 200
WxPay\TransportException(0): wx_deliver_notify(): connecting to 127.0.0.1:%d through the proxy http://***@127.0.0.1:%d timed out after 0.5s (connect_timeout)
WxPay\TransportException(0): wx_deliver_notify(): cannot connect to the proxy http://***@127.0.0.1:1: connection refused
