--TEST--
wx_deliver_sign(): Stringable objects, a throwing __toString, references inside the array
--EXTENSIONS--
wxpay
--FILE--
<?php
class Money { function __construct(private int $fen) {} function __toString(): string { return sprintf('%d.%02d', intdiv($this->fen, 100), $this->fen % 100); } }
class Broken { function __toString(): string { throw new DomainException('cannot print'); } }

var_dump(wx_deliver_sign(['total' => new Money(1234)], 'k') === sha1('appkey=k&total=12.34'));
// An appkey argument may be Stringable too, as for any string parameter.
var_dump(wx_deliver_sign(['a' => 1], new Money(5)) === sha1('a=1&appkey=0.05'));

try {
    wx_deliver_sign(['ok' => 'x', 'bad' => new Broken], 'k');
} catch (DomainException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

// References are followed.
$msg = 'shipped';
$arr = ['deliver_msg' => &$msg, 'appkey' => 'k'];
var_dump(wx_deliver_sign($arr) === sha1('appkey=k&deliver_msg=shipped'));
$msg = 'changed';
var_dump(wx_deliver_sign($arr) === sha1('appkey=k&deliver_msg=changed'));
// A reference to the appkey itself.
$key = 'secret';
$arr2 = ['a' => '1', 'AppKey' => &$key];
var_dump(wx_deliver_sign($arr2) === sha1('a=1&appkey=secret'));
// A __toString that rewrites a referenced value while the array is read.
class Sneaky { function __toString(): string { $GLOBALS['msg'] = str_repeat('z', 100); return 's'; } }
$msg = 'before';
$arr3 = ['a' => &$msg, 'b' => new Sneaky, 'appkey' => 'k'];
var_dump(wx_deliver_sign($arr3) === sha1('a=before&appkey=k&b=s'));
?>
--EXPECT--
bool(true)
bool(true)
DomainException: cannot print
bool(true)
bool(true)
bool(true)
bool(true)
