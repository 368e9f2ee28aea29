--TEST--
wx_deliver_sign(): every scalar converted as PHP converts it, floats under the current precision, with PHP's own warnings (8.5 warns for NAN)
--EXTENSIONS--
wxpay
--INI--
precision=14
--FILE--
<?php
function warnings(callable $f): array {
    $seen = [];
    set_error_handler(function (int $no, string $msg) use (&$seen) { $seen[] = [$no, $msg]; return true; });
    try {
        $f();
    } finally {
        restore_error_handler();
    }
    return $seen;
}
function check($v, string $as) {
    $sig = null;
    $ours = warnings(function () use ($v, &$sig) { $sig = wx_deliver_sign(['v' => $v], 'k'); });
    $php = warnings(function () use ($v) { return (string) $v; });
    var_dump($sig === sha1("appkey=k&v=$as") && $ours === $php);
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
