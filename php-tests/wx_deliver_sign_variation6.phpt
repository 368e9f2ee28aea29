--TEST--
wx_deliver_sign(): the appkey parameter coerces scalars in weak mode, as a native ?string parameter does
--EXTENSIONS--
wxpay
--FILE--
<?php
var_dump(wx_deliver_sign(['a' => 1], 12345) === sha1('a=1&appkey=12345'));
var_dump(wx_deliver_sign(['a' => 1], 1.5) === sha1('a=1&appkey=1.5'));
var_dump(wx_deliver_sign(['a' => 1], true) === sha1('a=1&appkey=1'));
var_dump(wx_deliver_sign(['a' => 1], null) === null);
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)

Fatal error: Uncaught WxPay\InvalidArgumentException: wx_deliver_sign(): no appkey: %s
%A
