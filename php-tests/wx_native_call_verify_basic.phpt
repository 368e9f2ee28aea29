--TEST--
wx_native_call_verify(): a NativeCall signed by the rule (computed here in plain PHP) verifies; tampering, a wrong appkey, a missing element, a stale TimeStamp and bad input are refused
--EXTENSIONS--
wxpay
--FILE--
<?php
$appkey = str_repeat('K', 128);
function call(array $f, string $appkey, ?string $sign = null): string {
    $signed = $f;
    $signed['appkey'] = $appkey;
    ksort($signed);
    $sign ??= sha1(implode('&', array_map(fn($k, $v) => "$k=$v", array_keys($signed), $signed)));
    return "<xml><OpenId><![CDATA[{$f['openid']}]]></OpenId><AppId><![CDATA[{$f['appid']}]]></AppId>"
         . "<IsSubscribe>{$f['issubscribe']}</IsSubscribe><ProductId><![CDATA[{$f['productid']}]]></ProductId>"
         . "<TimeStamp>{$f['timestamp']}</TimeStamp><NonceStr><![CDATA[{$f['noncestr']}]]></NonceStr>"
         . "<AppSignature><![CDATA[$sign]]></AppSignature><SignMethod><![CDATA[sha1]]></SignMethod></xml>";
}
$f = ['appid' => 'wx0000000000000000', 'openid' => 'oScan', 'issubscribe' => '1', 'productid' => '商品 1001',
      'timestamp' => (string) time(), 'noncestr' => 'n0nce'];
var_dump(wx_native_call_verify(call($f, $appkey), $appkey, ['max_age' => 600]) === $f);
function attempt(string $what, callable $fn): void {
    try { $fn(); echo "$what: accepted\n"; }
    catch (Throwable $e) { echo "$what: ", get_class($e), ": ", $e->getMessage(), "\n"; }
}
$xml = call($f, $appkey);
attempt('productid changed', fn() => wx_native_call_verify(str_replace('商品 1001', '商品 1002', $xml), $appkey));
attempt('wrong appkey', fn() => wx_native_call_verify($xml, str_repeat('k', 128)));
attempt('upper-case signature', fn() => wx_native_call_verify(call($f, $appkey, strtoupper(sha1('x'))), $appkey));
attempt('no ProductId', fn() => wx_native_call_verify(preg_replace('#<ProductId>.*</ProductId>#', '', $xml), $appkey));
attempt('stale', fn() => wx_native_call_verify(call(['timestamp' => (string) (time() - 3600)] + $f, $appkey), $appkey, ['max_age' => 600]));
attempt('empty appkey', fn() => wx_native_call_verify($xml, ''));
attempt('not XML', fn() => wx_native_call_verify('appid=x', $appkey));
attempt('unknown option', fn() => wx_native_call_verify($xml, $appkey, ['maxage' => 1]));
$upper = call($f, $appkey, strtoupper(call_user_func(function () use ($f, $appkey) {
    $s = $f + ['appkey' => $appkey]; ksort($s); return sha1(implode('&', array_map(fn($k, $v) => "$k=$v", array_keys($s), $s)));
})));
attempt('genuine signature in upper case', fn() => wx_native_call_verify($upper, $appkey));
?>
--EXPECTF--
bool(true)
productid changed: WxPay\SignatureException: wx_native_call_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
wrong appkey: WxPay\SignatureException: wx_native_call_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
upper-case signature: WxPay\SignatureException: wx_native_call_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
no ProductId: WxPay\InvalidArgumentException: wx_native_call_verify(): %s<ProductId>%s
stale: WxPay\SignatureException: wx_native_call_verify(): the message's signed <TimeStamp> is %d s old, more than max_age (600 s): a replayed or delayed message, or a wrong clock
empty appkey: WxPay\InvalidArgumentException: wx_native_call_verify(): $appkey is required and must not be empty
not XML: WxPay\InvalidArgumentException: wx_native_call_verify(): %s
unknown option: WxPay\InvalidArgumentException: wx_native_call_verify(): unknown option 'maxage'; the option of this function is max_age
genuine signature in upper case: accepted
