<?php
/*
 * Differential test: wx_deliver_sign() against the PHP rule
 * (tests/reference/get_biz_sign.php) over randomly generated arrays.
 *
 *   php -d extension=... tests/sign_differential.php [COUNT] [SEED]
 *
 * Prints the seed first so a failing run can be replayed exactly; exits 1 on
 * any mismatch and shows the first few offending arrays.
 */

require __DIR__ . '/reference/get_biz_sign.php';

$count = (int) ($argv[1] ?? 100000);
$seed = isset($argv[2]) ? (int) $argv[2] : random_int(1, PHP_INT_MAX >> 1);
mt_srand($seed);
echo "sign differential: seed=$seed count=$count (replay: php tests/sign_differential.php $count $seed)\n";

final class Str
{
    public function __construct(private string $s) {}
    public function __toString(): string { return $this->s; }
}

function pick(array $a) { return $a[mt_rand(0, count($a) - 1)]; }

function rand_bytes(int $max): string
{
    $n = mt_rand(0, $max);
    $s = '';
    for ($i = 0; $i < $n; $i++) {
        $s .= chr(mt_rand(0, 255));
    }
    return $s;
}

function rand_key()
{
    switch (mt_rand(0, 9)) {
        case 0: return mt_rand(-5, 20);                        // int key
        case 1: return pick(['08', '1e1', ' 5', '5 ', '0x1A', '1.5', '-0', '.5', '00', '9a',
                             '10', '+3', '1e3', '1000', '-1.0e1', "\n7", '0.0', 'INF', 'nan']);
        case 2: return pick(['AppId', 'APPID', 'appid', 'OpenId', 'openid', 'Deliver_Msg',
                             'deliver_msg', 'TransId', 'Out_Trade_No', 'AppKey']);
        case 3: return rand_bytes(6);                           // any bytes, GBK included
        case 4: return "\xc4\xe3\xba\xc3" . mt_rand(0, 3);      // GBK text
        case 5: return "\xff\xfe" . chr(mt_rand(65, 90));       // invalid UTF-8, upper case
        default:
            $k = '';
            $n = mt_rand(1, 12);
            for ($i = 0; $i < $n; $i++) {
                $k .= pick(['a', 'B', 'c', 'D', '_', 'z', 'Z', '1', '9', '-', '.', ' ']);
            }
            return $k;
    }
}

function rand_value()
{
    switch (mt_rand(0, 12)) {
        case 0: return mt_rand(PHP_INT_MIN, PHP_INT_MAX);
        case 1: return pick([0, -1, PHP_INT_MAX, PHP_INT_MIN, 1369745073]);
        case 2: return mt_rand() / mt_getrandmax() * pick([1, 1e-7, 1e20, -3.5, 1e300]);
        case 3: return pick([0.1 + 0.2, -0.0, INF, -INF, NAN, 1e15, 1e14, 123456789012345678.0, 0.1, 1/3]);
        case 4: return (bool) mt_rand(0, 1);
        case 5: return null;
        case 6: return new Str(rand_bytes(8));
        case 7: return '';
        case 8: return rand_bytes(16);
        case 9: return "\xb8\xc3\xc9\xcc\xc6\xb7\xd2\xd1\xcd\xcb\xbf\xee"; // GBK "refunded"
        case 10: return '该商品已退款 "quoted" \\ & = ' . mt_rand();
        default: return (string) mt_rand(0, 99999);
    }
}

/** A value read as it is (a string or an integer): what a repeated key layout signs without ordering again. */
function rand_plain_value()
{
    return pick([fn () => mt_rand(PHP_INT_MIN, PHP_INT_MAX), fn () => '', fn () => rand_bytes(16),
                 fn () => '该商品已退款 "quoted" \\ & = ' . mt_rand(), fn () => (string) mt_rand(0, 99999)])();
}

$mismatches = 0;
$precisions = [14, 17, -1, 5, 1, 20];
/** Keys in arrival order, whether a reference is inside, and where the appkey comes from. */
function rand_layout(): array
{
    $keys = [];
    $n = mt_rand(0, 12);
    for ($j = 0; $j < $n; $j++) {
        $keys[] = rand_key();
    }
    return [$keys, mt_rand(0, 9) === 0, mt_rand(0, 3), pick(['appkey', 'AppKey', 'APPKEY'])];
}

/** An array (and the appkey argument) with that layout and new values. */
function build(array $layout, bool $plain): array
{
    [$keys, $refs, $appkey_mode, $appkey_name] = $layout;
    $value = fn () => $plain ? rand_plain_value() : rand_value();
    $arr = [];
    foreach ($keys as $k) {
        $arr[$k] = $value();
    }
    if ($refs && $arr) {                                  // references inside the array
        $k = array_key_first($arr);
        $target = $value();
        $arr[$k] = &$target;
        unset($target);
    }
    $appkey = null;
    switch ($appkey_mode) {
        case 0: $appkey = rand_bytes(40); break;
        case 1: $arr[$appkey_name] = pick(['KEY', rand_bytes(10), 12345, '']); break;
        case 2: $appkey = 'KEY'; $arr['AppKey'] = 'ignored'; break;
        default: break;                                   // often no appkey at all
    }
    return [$arr, $appkey];
}

// Each layout is signed twice: with random values, then with new values
// under the same keys (only strings and integers half of the time), as a
// callback signs order after order. The second signing of a layout with
// such values takes the extension's remembered order: both paths meet the
// rule.
for ($i = 0; $i < $count; $i++) {
    ini_set('precision', (string) pick($precisions));
    if ($i % 2 === 0) {
        $layout = rand_layout();
    }
    [$arr, $appkey] = build($layout, $i % 2 === 1 && mt_rand(0, 1) === 1);

    // PHP's own warnings (8.5: a NAN coerced to string) must be raised
    // by the extension exactly as by the plain-PHP rule.
    $warned = [];
    set_error_handler(function (int $no, string $msg) use (&$warned) {
        if (error_reporting() & $no) {
            $warned[] = "$no $msg";
        }
        return true;
    });
    $expected = ref_get_biz_sign($arr, $appkey);
    $expected_warnings = $warned;
    $warned = [];
    try {
        $got = wx_deliver_sign($arr, $appkey);
    } catch (WxPay\InvalidArgumentException $e) {
        $got = null;
    }
    restore_error_handler();
    if ($got !== null && $warned !== $expected_warnings) {
        $got = 'warnings differ: ' . json_encode([$warned, $expected_warnings]);
    }
    if ($got !== $expected) {
        if (++$mismatches <= 5) {
            echo "MISMATCH #$i precision=", ini_get('precision'), " expected=", var_export($expected, true),
                " got=", var_export($got, true), "\n  appkey=", var_export($appkey, true), "\n  array=",
                str_replace("\n", "\n  ", var_export($arr, true)), "\n";
        }
    }
}
ini_restore('precision');

echo "sign differential: $count arrays, $mismatches mismatches\n";
exit($mismatches === 0 ? 0 : 1);
