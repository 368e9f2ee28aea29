--TEST--
wx_deliver_sign(): huge arrays, 1 MB values, deep nesting: a correct result or an exception, never a crash
--EXTENSIONS--
wxpay
--INI--
memory_limit=512M
--FILE--
<?php
require __DIR__ . '/../tests/reference/get_biz_sign.php';

// 10,000 entries, half of them colliding after lowercasing, some numeric.
$big = [];
for ($i = 0; $i < 10000; $i++) {
    $big[($i % 2 ? 'Key' : 'key') . intdiv($i, 2)] = "v$i";
    if ($i % 97 === 0) $big[$i] = $i;
}
var_dump(wx_deliver_sign($big, 'k') === ref_get_biz_sign($big, 'k'));

// 1 MB values and a 1 MB appkey.
$mb = str_repeat("\xe4\xb8\xad", 349526);
var_dump(strlen($mb) > 1000000);
var_dump(wx_deliver_sign(['deliver_msg' => $mb, 'x' => $mb], $mb) === sha1("appkey=$mb&deliver_msg=$mb&x=$mb"));

// Deep nesting: refused at the first level, whatever is below.
$deep = 'leaf';
for ($i = 0; $i < 100000; $i++) $deep = [$deep];
try {
    wx_deliver_sign(['deep' => $deep], 'k');
} catch (WxPay\InvalidArgumentException $e) {
    echo $e->getMessage(), "\n";
}
// A self-referencing array.
$self = ['a' => 1];
$self['me'] = &$self;
try {
    wx_deliver_sign($self, 'k');
} catch (WxPay\InvalidArgumentException $e) {
    echo $e->getMessage(), "\n";
}
// Many numeric keys force the engine's own ordering on a large array.
$nums = [];
for ($i = 0; $i < 5000; $i++) $nums[mt_rand(0, 1) ? (string) ($i * 1.5) : $i] = $i;
var_dump(wx_deliver_sign($nums, 'k') === ref_get_biz_sign($nums, 'k'));
echo "alive\n";
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
wx_deliver_sign(): the value of key 'deep' is an array, expected a scalar or a Stringable object
wx_deliver_sign(): the value of key 'me' is an array, expected a scalar or a Stringable object
bool(true)
alive
