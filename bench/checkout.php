<?php
/*
 * make bench: the checkout page's call, create_biz_package(), by WxPay\Helper
 * and by the same rules in plain PHP (tests/reference/wxpayhelper.php,
 * written as WxPayHelper writes them: ksort, formatQueryParaMap twice with
 * urlencode, md5, get_biz_sign, json_encode), each with its nine
 * setParameter() calls; and wx_jsapi_request(). Interleaved rounds; prints
 * medians in microseconds per order.
 */
require __DIR__ . '/../tests/reference/wxpayhelper.php';

/** The 2014 class's shape around the reference rules. */
final class PlainHelper
{
    public $parameters;
    public function __construct(private array $keys) {}
    public function setParameter($k, $v): void { $this->parameters[$k == null ? '' : $k] = $v == null ? null : $v; }
    public function create_biz_package(): string
    {
        $nonce = '';
        for ($i = 0; $i < 16; $i++) $nonce .= 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[mt_rand(0, 61)];
        return ref_biz_json($this->parameters, $this->keys, time(), $nonce);
    }
}

$keys = ['appid' => 'wx0000000000000000', 'appkey' => str_repeat('k', 128),
         'partnerkey' => '8934e7d15453e97507ef794cf7b0519d', 'signtype' => 'sha1'];
$order = ['bank_type' => 'WX', 'body' => '测试商品 A&B/C', 'partner' => '1900000109', 'out_trade_no' => 'ORD1',
          'total_fee' => 1, 'fee_type' => 1, 'notify_url' => 'http://shop.example.com/pay/notify.php?x=1',
          'spbill_create_ip' => '127.0.0.1', 'input_charset' => 'UTF-8'];
$runs = [
    'ext' => function () use ($keys, $order) {
        $h = new WxPay\Helper($keys);
        foreach ($order as $k => $v) $h->setParameter($k, $v);
        return $h->create_biz_package();
    },
    'php' => function () use ($keys, $order) {
        $h = new PlainHelper($keys);
        foreach ($order as $k => $v) $h->setParameter($k, $v);
        return $h->create_biz_package();
    },
    'fn' => fn() => wx_jsapi_request($order, $keys),
];
// Both give the same object (nonce and time aside).
$a = json_decode($runs['ext'](), true);
$b = json_decode($runs['php'](), true);
if ($a['package'] !== $b['package']) { fwrite(STDERR, "packages differ\n"); exit(1); }

$n = 2000;
$t = array_fill_keys(array_keys($runs), []);
for ($round = 0; $round < 15; $round++) {
    foreach ($runs as $k => $f) {
        $start = hrtime(true);
        for ($i = 0; $i < $n; $i++) $f();
        $t[$k][] = (hrtime(true) - $start) / $n / 1000;
    }
}
foreach ($t as $k => $v) { sort($v); echo "$k ", $v[7], "\n"; }
