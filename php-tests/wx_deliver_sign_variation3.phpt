--TEST--
wx_deliver_sign(): every scalar converted as PHP converts it, floats under the current precision
--EXTENSIONS--
wxpay
--INI--
precision=14
--FILE--
<?php
function check($v, string $as) {
    var_dump(wx_deliver_sign(['v' => $v], 'k') === sha1("appkey=k&v=$as"));
}
check(1369745073, '1369745073');
check(-42, '-42');
check(PHP_INT_MAX, '9223372036854775807');
check(PHP_INT_MIN, '-9223372036854775808');
check(true, '1');
check(false, '');
check(null, '');
check(0.1 + 0.2, '0.3');
check(1.0, '1');
check(-0.0, '-0');
check(1e15, '1.0E+15');
check(123456789012345.678, '1.2345678901235E+14');
check(INF, 'INF');
check(-INF, '-INF');
check(NAN, 'NAN');
ini_set('precision', '17');
check(0.1 + 0.2, '0.30000000000000004');
check(0.1, '0.10000000000000001');
ini_set('precision', '-1');
check(0.1 + 0.2, '0.30000000000000004');
check(0.1, '0.1');
check(1e100, '1.0E+100');
ini_set('precision', '3');
check(3.14159, '3.14');
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
