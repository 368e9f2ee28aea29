--TEST--
wx_deliver_sign(): values are converted when the join reaches them, in sorted-key order, and only the value a key collision keeps (side-effecting __toString, a precision change, which exception wins)
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/../tests/reference/get_biz_sign.php';
class Counter
{
    public static int $n = 0;
    public static array $calls = [];
    public function __construct(private string $tag) {}
    public function __toString(): string
    {
        self::$calls[] = $this->tag;
        return $this->tag . ++self::$n;
    }
}
class Boom
{
    public function __construct(private string $tag) {}
    public function __toString(): string { throw new RuntimeException("boom $this->tag"); }
}
class Precise
{
    public function __toString(): string { ini_set('precision', '5'); return 'p'; }
}
// Each call gets a fresh array: the extension and the 2014 rule (the plain-PHP oracle) must agree.
$both = function (callable $make) {
    Counter::$n = 0; Counter::$calls = []; ini_set('precision', '14');
    $ext = wx_deliver_sign($make());
    $extCalls = Counter::$calls;
    Counter::$n = 0; Counter::$calls = []; ini_set('precision', '14');
    $ref = ref_get_biz_sign($make());
    echo $ext === $ref ? 'same signature' : "DIFFERENT: $ext vs $ref", '; __toString order: ', implode(',', $extCalls),
         $extCalls === Counter::$calls ? '' : ' (the rule: ' . implode(',', Counter::$calls) . ')', "\n";
};
// Inserted out of order; 'ALPHA' overwrites 'Alpha', whose __toString never runs.
$both(fn() => ['zeta' => new Counter('z'), 'Alpha' => new Counter('a'), 'mid' => new Counter('m'), 'appkey' => 'KEY', 'ALPHA' => new Counter('A')]);
// A __toString that changes `precision` before a float later in the order.
$both(fn() => ['b_third' => 1 / 3, 'a_obj' => new Precise, 'appkey' => 'KEY']);
$both(fn() => ['a_third' => 1 / 3, 'b_obj' => new Precise, 'appkey' => 'KEY']);
// A value overwritten by the $appkey argument is never converted.
Counter::$calls = [];
wx_deliver_sign(['appkey' => new Counter('k'), 'x' => '1'], 'KEY');
echo "overwritten appkey converted: ", json_encode(Counter::$calls !== []), "\n";
// Two throwing __toString: the first in sorted order is the one that reaches the caller.
try { wx_deliver_sign(['b' => new Boom('b'), 'a' => new Boom('a'), 'appkey' => 'KEY']); } catch (RuntimeException $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
// Strings behind references are read before any __toString runs, as foreach copies them.
$ref = 'before';
$params = ['a' => new class { public function __toString(): string { $GLOBALS['ref'] = 'after'; return 'x'; } }, 'b' => &$ref, 'appkey' => 'KEY'];
$ext = wx_deliver_sign($params);
$ref = 'before';
var_dump($ext === ref_get_biz_sign($params));
?>
--EXPECT--
same signature; __toString order: A,m,z
same signature; __toString order: 
same signature; __toString order: 
overwritten appkey converted: false
RuntimeException: boom a
bool(true)
