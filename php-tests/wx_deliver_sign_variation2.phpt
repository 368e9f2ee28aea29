--TEST--
wx_deliver_sign(): integer keys and numeric-looking string keys in PHP's own ksort order
--EXTENSIONS--
wxpay
--FILE--
<?php
function check(array $a, string $joined) {
    $ok = wx_deliver_sign($a, 'k') === sha1($joined);
    var_dump($ok);
}
// Integer keys compare numerically with each other...
check([10 => 'a', 9 => 'b', -5 => 'c'], '-5=c&9=b&10=a&appkey=k');
// ...and with numeric strings ("08" and "1e1" stay string keys).
check([10 => 'a', '08' => 'b', '1e1' => 'c', 7 => 'd'], '7=d&08=b&10=a&1e1=c&appkey=k');
// Leading whitespace still makes a numeric string; "9a" is not numeric.
check([' 5' => 'a', 4 => 'b', '9a' => 'c'], '4=b& 5=a&9a=c&appkey=k');
// Numeric strings among themselves: numerically.
check(['1.5' => 'a', '1e0' => 'b', '.5' => 'c', '-0' => 'd'], '-0=d&.5=c&1e0=b&1.5=a&appkey=k');
// A string key "-5" is an int key already; "05" is not.
check(['-5' => 'a', '05' => 'b'], '-5=a&05=b&appkey=k');
// Numerically equal keys keep their insertion order (ksort is stable).
check(['1.0' => 'a', 1 => 'b', '01' => 'c'], '1.0=a&1=b&01=c&appkey=k');
check(['01' => 'c', 1 => 'b', '1.0' => 'a'], '01=c&1=b&1.0=a&appkey=k');
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
