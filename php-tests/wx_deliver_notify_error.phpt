--TEST--
wx_deliver_notify(): bad input throws WxPay\InvalidArgumentException before any network I/O
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000002';
// A token the sandbox has never seen: any request carrying it would be counted.
$token = 'never-sent-' . bin2hex(random_bytes(8));
$p = sample_params($app);
$secrets = [$token, $p['appkey'], sandbox_app($app)[1]];
$o = sandbox_options();
$cases = [
    'unknown key (typo)'       => fn() => wx_deliver_notify($token, $p + ['out_trade_to' => 'x'], $o),
    'integer key'              => fn() => wx_deliver_notify($token, $p + [0 => 'x'], $o),
    'missing appid'            => fn() => wx_deliver_notify($token, array_diff_key($p, ['appid' => 1]), $o),
    'missing appkey'           => fn() => wx_deliver_notify($token, array_diff_key($p, ['appkey' => 1]), $o),
    'missing openid'           => fn() => wx_deliver_notify($token, array_diff_key($p, ['openid' => 1]), $o),
    'missing transid'          => fn() => wx_deliver_notify($token, array_diff_key($p, ['transid' => 1]), $o),
    'missing out_trade_no'     => fn() => wx_deliver_notify($token, array_diff_key($p, ['out_trade_no' => 1]), $o),
    'empty openid'             => fn() => wx_deliver_notify($token, ['openid' => ''] + $p, $o),
    'empty appkey'             => fn() => wx_deliver_notify($token, ['appkey' => ''] + $p, $o),
    'array transid'            => fn() => wx_deliver_notify($token, ['transid' => [1]] + $p, $o),
    'float out_trade_no'       => fn() => wx_deliver_notify($token, ['out_trade_no' => 1.5] + $p, $o),
    'null openid'              => fn() => wx_deliver_notify($token, ['openid' => null] + $p, $o),
    'object openid'            => fn() => wx_deliver_notify($token, ['openid' => new stdClass] + $p, $o),
    'GBK openid'               => fn() => wx_deliver_notify($token, ['openid' => "\xb8\xc3"] + $p, $o),
    'GBK deliver_msg'          => fn() => wx_deliver_notify($token, ['deliver_msg' => "\xb8\xc3\xc9\xcc"] + $p, $o),
    'status 2'                 => fn() => wx_deliver_notify($token, ['deliver_status' => 2] + $p, $o),
    'status "yes"'             => fn() => wx_deliver_notify($token, ['deliver_status' => 'yes'] + $p, $o),
    'status float'             => fn() => wx_deliver_notify($token, ['deliver_status' => 1.0] + $p, $o),
    'timestamp text'           => fn() => wx_deliver_notify($token, ['deliver_timestamp' => '2014-05-27'] + $p, $o),
    'timestamp negative'       => fn() => wx_deliver_notify($token, ['deliver_timestamp' => -1] + $p, $o),
    'timestamp float'          => fn() => wx_deliver_notify($token, ['deliver_timestamp' => 1.4e9] + $p, $o),
    'msg array'                => fn() => wx_deliver_notify($token, ['deliver_msg' => ['a']] + $p, $o),
    'empty token'              => fn() => wx_deliver_notify('', $p, $o),
    'token with space'         => fn() => wx_deliver_notify("$token x", $p, $o),
    'token with newline'       => fn() => wx_deliver_notify("$token\r\nX-Injected: 1", $p, $o),
    'token too long'           => fn() => wx_deliver_notify(str_repeat('a', 3000), $p, $o),
    'unknown option'           => fn() => wx_deliver_notify($token, $p, $o + ['timeuot' => 3]),
    'http api_base'            => fn() => wx_deliver_notify($token, $p, ['api_base' => 'http://127.0.0.1:1'] + $o),
    'api_base with query'      => fn() => wx_deliver_notify($token, $p, ['api_base' => 'https://127.0.0.1:1/?x=1'] + $o),
    'timeout 0'                => fn() => wx_deliver_notify($token, $p, ['timeout' => 0] + $o),
    'timeout text'             => fn() => wx_deliver_notify($token, $p, ['timeout' => 'soon'] + $o),
    'connect_timeout negative' => fn() => wx_deliver_notify($token, $p, ['connect_timeout' => -1] + $o),
    'missing cafile'           => fn() => wx_deliver_notify($token, $p, ['cafile' => '/nonexistent/ca.pem'] + $o),
    'cafile not a string'      => fn() => wx_deliver_notify($token, $p, ['cafile' => 5] + $o),
    'ftp proxy'                => fn() => wx_deliver_notify($token, $p, ['proxy' => 'ftp://user:PROXYPASS@127.0.0.1'] + $o),
    'empty appsecret'          => fn() => wx_deliver_notify($token, $p, ['appsecret' => ''] + $o),
    'params not an array'      => fn() => wx_deliver_notify($token, 'appid=1', $o),
    'options not an array'     => fn() => wx_deliver_notify($token, $p, 'fast'),
    'token an array'           => fn() => wx_deliver_notify([$token], $p, $o),
    'appsecret in params'      => fn() => wx_deliver_notify(null, $p + ['AppSecret' => 'x'], $o),
    'a 10 MB unknown key'      => fn() => wx_deliver_notify($token, $p + [str_repeat('k', 10 << 20) => 1], $o),
    'a 10 MB unknown option'   => fn() => wx_deliver_notify($token, $p, $o + [str_repeat('o', 10 << 20) => 1]),
    'cafile a device'          => fn() => wx_deliver_notify($token, $p, ['cafile' => '/dev/zero'] + $o),
    'cafile a directory'       => fn() => wx_deliver_notify($token, $p, ['cafile' => '/tmp'] + $o),
];
foreach ($cases as $name => $f) {
    echo "$name: ";
    attempt($f, array_merge($secrets, ['PROXYPASS']));
}
// Nothing reached the sandbox.
var_dump(sandbox_requests($token)['count']);
?>
--EXPECT--
unknown key (typo): WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: unknown key 'out_trade_to' (did you mean 'out_trade_no'?); the keys are appid, appkey, openid, transid, out_trade_no, deliver_timestamp, deliver_status, deliver_msg
integer key: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: unknown key '0'; the keys are appid, appkey, openid, transid, out_trade_no, deliver_timestamp, deliver_status, deliver_msg
missing appid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: the required key 'appid' is missing
missing appkey: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: the required key 'appkey' is missing
missing openid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: the required key 'openid' is missing
missing transid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: the required key 'transid' is missing
missing out_trade_no: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: the required key 'out_trade_no' is missing
empty openid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'openid' must not be empty
empty appkey: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'appkey' must not be empty
array transid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'transid' must be a non-empty string or an int, array given
float out_trade_no: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'out_trade_no' must be a non-empty string or an int, float given
null openid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'openid' must be a non-empty string or an int, null given
object openid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'openid' must be a non-empty string or an int, stdClass given
GBK openid: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'openid' must be valid UTF-8 (it is sent as a JSON string)
GBK deliver_msg: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_msg' must be valid UTF-8 (it is sent as a JSON string)
status 2: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_status' must be 1 (shipped) or 0 (failed)
status "yes": WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_status' must be 1 (shipped) or 0 (failed)
status float: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_status' must be 1, 0, "1", "0", true or false, float given
timestamp text: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_timestamp' must be a Unix time: a non-negative int or a string of decimal digits
timestamp negative: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_timestamp' must be a Unix time: a non-negative int or a string of decimal digits
timestamp float: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_timestamp' must be an int or a decimal string, float given
msg array: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'deliver_msg' must be a string, array given
empty token: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $access_token must be a non-empty token of printable ASCII characters (at most 2048)
token with space: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $access_token must be a non-empty token of printable ASCII characters (at most 2048)
token with newline: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $access_token must be a non-empty token of printable ASCII characters (at most 2048)
token too long: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $access_token must be a non-empty token of printable ASCII characters (at most 2048)
unknown option: WxPay\InvalidArgumentException(0): wx_deliver_notify(): unknown option 'timeuot'; the options are api_base, timeout, connect_timeout, cafile, proxy, appsecret, appid, token_endpoint, outbox, outbox_retry_first, outbox_retry_max, outbox_keep_sent, outbox_concurrency, outbox_replicas
http api_base: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'api_base' must be an https:// URL (TLS verification cannot be switched off)
api_base with query: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'api_base' must be https://host[:port][/path], without credentials or a query
timeout 0: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'timeout' must be a number of seconds greater than 0 and at most 3600
timeout text: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'timeout' must be a number of seconds greater than 0 and at most 3600
connect_timeout negative: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'connect_timeout' must be a number of seconds greater than 0 and at most 3600
missing cafile: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'cafile': the CA file /nonexistent/ca.pem does not exist
cafile not a string: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'cafile' must be a string, int given
ftp proxy: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'proxy' must be an http:// or https:// proxy URL
empty appsecret: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'appsecret' must not be empty
params not an array: TypeError(0): wx_deliver_notify(): Argument #2 ($params) must be of type array, string given
options not an array: TypeError(0): wx_deliver_notify(): Argument #3 ($options) must be of type array, string given
token an array: TypeError(0): wx_deliver_notify(): Argument #1 ($access_token) must be of type ?string, array given
appsecret in params: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: 'appsecret' does not belong in $params: pass it as $options['appsecret'] (it is never signed or sent)
a 10 MB unknown key: WxPay\InvalidArgumentException(0): wx_deliver_notify(): $params: unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' (10485760 bytes); the keys are appid, appkey, openid, transid, out_trade_no, deliver_timestamp, deliver_status, deliver_msg
a 10 MB unknown option: WxPay\InvalidArgumentException(0): wx_deliver_notify(): unknown option 'oooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo...'; the options are api_base, timeout, connect_timeout, cafile, proxy, appsecret, appid, token_endpoint, outbox, outbox_retry_first, outbox_retry_max, outbox_keep_sent, outbox_concurrency, outbox_replicas
cafile a device: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'cafile': the CA file /dev/zero is not a regular file
cafile a directory: WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'cafile': the CA file /tmp is not a regular file
int(0)
