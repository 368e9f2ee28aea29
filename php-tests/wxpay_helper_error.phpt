--TEST--
WxPay\Helper and the checkout functions: where WxPayHelper die()s, a named exception; no key in var_dump or messages
--EXTENSIONS--
wxpay
--FILE--
<?php
$appkey = str_repeat('K', 128);
$keys = ['appid' => 'wx0000000000000000', 'appkey' => $appkey, 'partnerkey' => 'P0123456789abcdef0123456789abcdef'];
$order = ['bank_type' => 'WX', 'body' => 'b', 'partner' => '1900000109', 'out_trade_no' => 'O1', 'total_fee' => 1,
          'fee_type' => 1, 'notify_url' => 'http://shop/n', 'spbill_create_ip' => '127.0.0.1', 'input_charset' => 'UTF-8'];
function attempt(string $what, callable $f): void {
    try {
        $r = $f();
        echo "$what: ok ", is_string($r) ? $r : json_encode($r), "\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ": ", $e->getMessage(), "\n";
    }
}
attempt('missing body', fn() => wx_jsapi_request(['body' => ''] + $order, $keys));
attempt('total_fee 0', fn() => wx_app_request(['total_fee' => 0] + $order, $keys));
attempt('no appkey', fn() => wx_jsapi_request($order, ['appkey' => ''] + $keys));
attempt('no partnerkey', fn() => wx_pay_package($order, ''));
attempt('no appid', fn() => wx_native_url('p', ['appid' => ''] + $keys));
attempt('nothing to sign', fn() => wx_pay_package(['a' => null, 'b' => 'null'], 'k'));
attempt('unknown key', fn() => wx_jsapi_request($order, $keys + ['apikey' => 'x']));
attempt('key type', fn() => wx_jsapi_request($order, ['appkey' => 5] + $keys));
attempt('unknown option', fn() => wx_native_url('p', $keys, ['nonce' => 'x']));
attempt('bad timestamp', fn() => wx_native_url('p', $keys, ['timestamp' => -1]));
attempt('bad space', fn() => wx_native_url('p', $keys, ['space' => ' ']));
attempt('array value', fn() => wx_pay_package(['body' => [1]], 'k'));
attempt('object value', fn() => wx_pay_package(['body' => new stdClass], 'k'));
attempt('GBK traceid', fn() => wx_app_request($order, $keys, ['traceid' => "\xb2\xe2", 'noncestr' => 'n', 'timestamp' => 1]));
attempt('CDATA end', fn() => wx_native_reply([], $keys, ['retcode' => 1, 'reterrmsg' => 'a]]>b', 'noncestr' => 'n', 'timestamp' => 1]));
attempt('error reply, no params', fn() => wx_native_reply([], $keys, ['retcode' => '1', 'reterrmsg' => 'sold out', 'noncestr' => 'n', 'timestamp' => 1]));
attempt('success reply, no params', fn() => wx_native_reply([], $keys, ['retcode' => '0']));
attempt('toString throws', fn() => wx_pay_package(['body' => new class { function __toString(): string { throw new RuntimeException('mine'); } }], 'k'));

$h = new WxPay\Helper(['appkey' => $appkey]);
attempt('helper: no appid', fn() => $h->create_biz_package());
attempt('helper: no parameters', fn() => (new WxPay\Helper($keys))->create_biz_package());
$h = new WxPay\Helper(['appid' => 'wx1', 'appkey' => $appkey]);
foreach ($order as $k => $v) $h->setParameter($k, $v);
var_dump($h->check_cft_parameters());
attempt('helper: no partnerkey', fn() => $h->create_biz_package());
attempt('helper: get_biz_sign no appkey', fn() => (new WxPay\Helper())->get_biz_sign(['a' => 1]));
attempt('helper: unknown config', fn() => new WxPay\Helper(['appkey' => 'x', 'paysignkey' => 'y']));
attempt('helper: nonce length', fn() => $h->create_noncestr(0));
attempt('helper: traceid type', fn() => $h->create_app_package([]));
attempt('helper: key type', fn() => $h->setParameter([], 'x'));
var_dump(strlen($h->create_noncestr()), preg_match('/^[A-Za-z0-9]{32}$/', $h->create_noncestr(32)));
// The keys are nowhere in what PHP can print.
$dump = print_r($h, true) . var_export($h, true) . (function () use ($h) { try { return serialize($h); } catch (Exception $e) { return $e->getMessage(); } })() . json_encode(get_object_vars($h));
var_dump(str_contains($dump, 'KKKK'), str_contains($dump, 'wx1'));
var_dump($h->getParameter('total_fee'), $h->getParameter('missing'));

// Constants of WxPay.config.php fill what $config leaves out.
define('APPID', 'wxconst');
define('APPKEY', $appkey);
define('PARTNERKEY', 'P0123456789abcdef0123456789abcdef');
define('SIGNTYPE', 'sha1');
$c = new WxPay\Helper(['noncestr' => 'n', 'timestamp' => 1]);
foreach ($order as $k => $v) $c->setParameter($k, $v);
echo json_decode($c->create_biz_package())->appId, "\n";
var_dump(json_decode($c->create_biz_package(), true) === wx_jsapi_request($order, ['appid' => 'wxconst'] + $keys, ['noncestr' => 'n', 'timestamp' => 1]));
?>
--EXPECT--
missing body: WxPay\InvalidArgumentException: wx_jsapi_request(): the package parameter 'body' is missing or empty (生成package参数缺失！)
total_fee 0: WxPay\InvalidArgumentException: wx_app_request(): the package parameter 'total_fee' is missing or empty (生成package参数缺失！)
no appkey: WxPay\ConfigurationException: wx_jsapi_request(): no appkey (the 128-character paySignKey) is configured (APPKEY为空！)
no partnerkey: WxPay\ConfigurationException: wx_pay_package(): no partnerkey (the 32-character Tenpay key) is configured (密钥不能为空！)
no appid: WxPay\ConfigurationException: wx_native_url(): no appid (the public account's wx... id) is configured
nothing to sign: WxPay\InvalidArgumentException: wx_pay_package(): no package parameter has a value to sign (财付通签名内容不能为空)
unknown key: WxPay\InvalidArgumentException: wx_jsapi_request(): unknown key 'apikey' in $keys; the keys are appid, appkey, partnerkey, signtype
key type: WxPay\InvalidArgumentException: wx_jsapi_request(): $keys['appkey'] must be a string, int given
unknown option: WxPay\InvalidArgumentException: wx_native_url(): unknown option 'nonce'; the options of this function are timestamp, noncestr, space
bad timestamp: WxPay\InvalidArgumentException: wx_native_url(): option 'timestamp' must be an int of unix seconds (0 or more), -1 given
bad space: WxPay\InvalidArgumentException: wx_native_url(): option 'space' must be '+' (PHP's urlencode, the 2014 SDK) or '%20' (WeChat's documentation), string given
array value: WxPay\InvalidArgumentException: wx_pay_package(): the value of key 'body' is an array, expected a scalar or a Stringable object
object value: WxPay\InvalidArgumentException: wx_pay_package(): the value of key 'body' is an object without __toString(), expected a scalar or a Stringable object
GBK traceid: WxPay\InvalidArgumentException: wx_app_request(): the value of 'traceid' is not valid UTF-8, so it cannot go into the JSON the page hands to WeChat (json_encode() would return false)
CDATA end: WxPay\InvalidArgumentException: wx_native_reply(): the value of <RetErrMsg> contains ']]>', which cannot be written inside CDATA (the original would send broken XML)
error reply, no params: ok <xml><AppId><![CDATA[wx0000000000000000]]></AppId><Package><![CDATA[]]></Package><TimeStamp>1</TimeStamp><NonceStr><![CDATA[n]]></NonceStr><RetCode>1</RetCode><RetErrMsg><![CDATA[sold out]]></RetErrMsg><AppSignature><![CDATA[d3acd6157eb2bf3f179104543a0ba849fd128da7]]></AppSignature><SignMethod><![CDATA[sha1]]></SignMethod></xml>
success reply, no params: WxPay\InvalidArgumentException: wx_native_reply(): the package parameter 'bank_type' is missing or empty (生成package参数缺失！)
toString throws: RuntimeException: mine
helper: no appid: WxPay\ConfigurationException: WxPay\Helper::create_biz_package(): no appid (the public account's wx... id) is configured
helper: no parameters: WxPay\InvalidArgumentException: WxPay\Helper::create_biz_package(): the package parameter 'bank_type' is missing or empty (生成package参数缺失！)
bool(true)
helper: no partnerkey: WxPay\ConfigurationException: WxPay\Helper::create_biz_package(): no partnerkey (the 32-character Tenpay key) is configured (密钥不能为空！)
helper: get_biz_sign no appkey: WxPay\ConfigurationException: WxPay\Helper::get_biz_sign(): no appkey (the 128-character paySignKey) is configured (APPKEY为空！)
helper: unknown config: WxPay\InvalidArgumentException: WxPay\Helper::__construct(): unknown key 'paysignkey' in $config; the keys are appid, appkey, partnerkey, signtype (and timestamp, noncestr, space for tests)
helper: nonce length: WxPay\InvalidArgumentException: WxPay\Helper::create_noncestr(): Argument #1 ($length) must be between 1 and 1024, 0 given
helper: traceid type: TypeError: WxPay\Helper::create_app_package(): Argument #1 ($traceid) must be of type string|int, array given
helper: key type: WxPay\InvalidArgumentException: WxPay\Helper::setParameter(): a parameter name must be a string or an int, array given
int(16)
int(1)
bool(false)
bool(false)
int(1)
NULL
wxconst
bool(true)
