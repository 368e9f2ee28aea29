--TEST--
wx_deliver_sign(): under strict_types a non-string appkey is a TypeError
--EXTENSIONS--
wxpay
--FILE--
<?php
declare(strict_types=1);
try {
    wx_deliver_sign(['a' => 1], 12345);
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
// Values inside the array are data, converted as string concatenation does.
var_dump(wx_deliver_sign(['a' => 1, 'b' => 2.5], 'k') === sha1('a=1&appkey=k&b=2.5'));
?>
--EXPECT--
TypeError: wx_deliver_sign(): Argument #2 ($appkey) must be of type ?string, int given
bool(true)
