--TEST--
wx_deliver_sign(): the keys signed last are remembered (their order, never a value): each array still gets its own signature, whatever changes between two calls
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/../tests/reference/get_biz_sign.php';

final class Str
{
    public function __construct(private string $s) {}
    public function __toString(): string { return $this->s; }
}

$base = ['appid' => 'wx0000000000000000', 'openid' => 'o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc',
         'transid' => '1218614901201405273313473135', 'out_trade_no' => 'JfuKdiBig4zZnE4n',
         'deliver_timestamp' => 1400000000, 'deliver_status' => '1', 'deliver_msg' => 'ok'];
$with_key = $base + ['appkey' => 'KEY'];
$s = 'a string behind a reference';
$cases = [
    // [label, array, appkey argument]: each one right after the one before.
    ['first call', $base, 'KEY'],
    ['same keys, new values', ['transid' => '9', 'out_trade_no' => 'n2', 'deliver_timestamp' => 1] + $base, 'KEY2'],
    ['same keys, appkey now an entry', $with_key, null],
    ['same keys and entry, new appkey', ['appkey' => 'OTHER'] + $with_key, null],
    ['a key in other letters', ['AppId' => 'wx1'] + $base, 'KEY'],
    ['the same again', ['AppId' => 'wx2'] + $base, 'KEY'],
    ['a key that collides after lowercasing', $base + ['APPID' => 'last wins'], 'KEY'],
    ['the same again, other values', ['appid' => 'first'] + $base + ['APPID' => 'wins'], 'KEY'],
    ['one key fewer', array_slice($base, 1), 'KEY'],
    ['one key more', $base + ['sign_method' => 'sha1'], 'KEY'],
    ['the keys in another order', array_reverse($base), 'KEY'],
    ['the same again', array_reverse(['deliver_msg' => 'other'] + $base), 'KEY'],
    ['integer keys', [3 => 'c', 1 => 'a', 2 => 'b'], 'KEY'],
    ['the same again', [3 => 'x', 1 => 'y', 2 => 'z'], 'KEY'],
    ['an integer where a string was', [3 => 7, 1 => 8, 2 => 9], 'KEY'],
    ['a string key that looks numeric', ['3x' => 'c', 1 => 'a', 2 => 'b'], 'KEY'],
    ['a float among the same keys', ['deliver_timestamp' => 1.5] + $base, 'KEY'],
    ['an object among the same keys', ['deliver_msg' => new Str('from __toString')] + $base, 'KEY'],
    ['a reference among the same keys', ['deliver_msg' => &$s] + $base, 'KEY'],
    ['a bool and a null', ['deliver_msg' => true, 'deliver_status' => null] + $base, 'KEY'],
    ['plain again', $base, 'KEY'],
    ['a hole in the array', (function () use ($base) { $a = $base + ['x' => 1]; unset($a['x']); return $a; })(), 'KEY'],
    ['an empty appkey', $base, ''],
    ['no appkey at all', $base, null],
    ['an empty appkey entry', $base + ['appkey' => ''], null],
    ['a long value (joined on the heap)', ['deliver_msg' => str_repeat('x', 5000)] + $base, 'KEY'],
];
foreach ($cases as [$label, $params, $appkey]) {
    $error = '';
    try {
        $got = wx_deliver_sign($params, $appkey);
    } catch (WxPay\InvalidArgumentException $e) {
        [$got, $error] = [null, ' (' . get_class($e) . ': ' . $e->getMessage() . ')'];
    }
    $want = ref_get_biz_sign($params, $appkey);
    printf("%-40s %s%s\n", $label, $got === $want ? 'as the PHP rule' : "DIFFERS: $got vs $want", $error);
}
?>
--EXPECT--
first call                               as the PHP rule
same keys, new values                    as the PHP rule
same keys, appkey now an entry           as the PHP rule
same keys and entry, new appkey          as the PHP rule
a key in other letters                   as the PHP rule
the same again                           as the PHP rule
a key that collides after lowercasing    as the PHP rule
the same again, other values             as the PHP rule
one key fewer                            as the PHP rule
one key more                             as the PHP rule
the keys in another order                as the PHP rule
the same again                           as the PHP rule
integer keys                             as the PHP rule
the same again                           as the PHP rule
an integer where a string was            as the PHP rule
a string key that looks numeric          as the PHP rule
a float among the same keys              as the PHP rule
an object among the same keys            as the PHP rule
a reference among the same keys          as the PHP rule
a bool and a null                        as the PHP rule
plain again                              as the PHP rule
a hole in the array                      as the PHP rule
an empty appkey                          as the PHP rule (WxPay\InvalidArgumentException: wx_deliver_sign(): the appkey is empty)
no appkey at all                         as the PHP rule (WxPay\InvalidArgumentException: wx_deliver_sign(): no appkey: pass it as the second argument or as the 'appkey' entry)
an empty appkey entry                    as the PHP rule (WxPay\InvalidArgumentException: wx_deliver_sign(): the appkey is empty)
a long value (joined on the heap)        as the PHP rule
