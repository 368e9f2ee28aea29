--TEST--
WxPay exceptions: the hierarchy, constructible and extendable from PHP
--EXTENSIONS--
wxpay
--FILE--
<?php
foreach (['WxPay\Exception', 'WxPay\InvalidArgumentException', 'WxPay\TransportException', 'WxPay\ApiException', 'WxPay\SignatureException'] as $c) {
    $r = new ReflectionClass($c);
    echo $c, ' extends ', $r->getParentClass()->getName(), $r->isFinal() ? ' (final)' : '', "\n";
}
$e = new WxPay\ApiException('invalid openid', 40003);
var_dump($e->getMessage(), $e->getCode(), $e instanceof WxPay\Exception, $e instanceof Exception);
$prev = new RuntimeException('inner');
$t = new WxPay\TransportException('outer', 0, $prev);
var_dump($t->getPrevious() === $prev);

class ShopApiException extends WxPay\ApiException {
    public function __construct(string $m, int $c, public string $orderId) { parent::__construct($m, $c); }
}
try {
    throw new ShopApiException('quota', 45009, 'JfuKdiBig4zZnE4n');
} catch (WxPay\Exception $e) {
    var_dump(get_class($e), $e->getCode(), $e->orderId);
}
?>
--EXPECT--
WxPay\Exception extends Exception
WxPay\InvalidArgumentException extends WxPay\Exception
WxPay\TransportException extends WxPay\Exception
WxPay\ApiException extends WxPay\Exception
WxPay\SignatureException extends WxPay\Exception
string(14) "invalid openid"
int(40003)
bool(true)
bool(true)
bool(true)
string(16) "ShopApiException"
int(45009)
string(16) "JfuKdiBig4zZnE4n"
