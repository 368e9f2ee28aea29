--TEST--
wx_deliver_sign(): key case, collisions after lowercasing (later value wins), empty values kept
--EXTENSIONS--
wxpay
--FILE--
<?php
function check(array $a, ?string $key, string $joined) {
    var_dump(wx_deliver_sign($a, $key) === sha1($joined));
}
check(['AppID' => 'x', 'OPENID' => 'o'], 'k', 'appid=x&appkey=k&openid=o');
// A later key that lowercases to the same name overwrites the value.
check(['AppId' => 'first', 'appid' => 'second', 'APPID' => 'third'], 'k', 'appid=third&appkey=k');
// The appkey argument overrides an appkey entry of any case.
check(['APPKEY' => 'inside', 'a' => '1'], 'outside', 'a=1&appkey=outside');
check(['APPKEY' => 'inside', 'a' => '1'], null, 'a=1&appkey=inside');
// Empty values are signed as "k=".
check(['deliver_msg' => '', 'z' => null, 'f' => false], 'k', 'appkey=k&deliver_msg=&f=&z=');
// Keys are sorted after lowercasing, by bytes.
check(['b' => 1, 'B_' => 2, 'A' => 3, '_' => 4, 'a0' => 5], 'k', '_=4&a=3&a0=5&appkey=k&b=1&b_=2');
// Only ASCII letters are lowercased (PHP 8.2 strtolower is locale-independent).
check(["\xC4X" => 1], 'k', "appkey=k&\xC4x=1");
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
