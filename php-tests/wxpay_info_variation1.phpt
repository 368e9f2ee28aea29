--TEST--
phpinfo(): a Redis outbox found through Sentinel is shown masked, with no primary until this process asked for one
--EXTENSIONS--
wxpay
--INI--
wxpay.outbox=redis+sentinel://shop:hunter2@127.0.0.1:1,127.0.0.1:2/shop-primary/0
wxpay.timeout=0.3
--FILE--
<?php
$show = function (): string {
    ob_start();
    (new ReflectionExtension('wxpay'))->info();
    $info = ob_get_clean();
    var_dump(str_contains($info, 'hunter2'));
    preg_match('/^outbox store => (.*)$/m', $info, $m);
    return $m[1] ?? 'MISSING';
};
echo $show(), "\n";
// No sentinel answers on these ports: the call fails within its bound, and
// says which, without the password; still no primary to show.
try {
    wx_deliver_outbox();
} catch (WxPay\OutboxException $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
echo $show(), "\n";
?>
--EXPECTF--
bool(false)
Redis, primary found through Sentinel at redis+sentinel://***@127.0.0.1:1,127.0.0.1:2/shop-primary/0
WxPay\OutboxException: wx_deliver_outbox(): the outbox at redis+sentinel://***@127.0.0.1:1,127.0.0.1:2/shop-primary/0: sentinel 127.0.0.1:%d: connection refused
bool(false)
Redis, primary found through Sentinel at redis+sentinel://***@127.0.0.1:1,127.0.0.1:2/shop-primary/0
