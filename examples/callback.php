<?php
/*
 * A payment callback as a shop writes it (WeChat Pay v2, JSAPI).
 *
 * WeChat calls this URL when a buyer has paid: the query string carries the
 * trade (transaction_id, out_trade_no, trade_state, total_fee, ... and `sign`,
 * an MD5 made with the partner key), and the POST body is a small XML document
 * with the buyer's OpenId and an AppSignature made with the app's PaySignKey.
 *
 * The script checks both signatures, marks the order paid, ships it (here:
 * virtual goods, delivered at once), sends the shipping notification with
 * wx_deliver_notify() and answers "success". Any other answer makes WeChat
 * call again later, so an order whose notification failed is retried by
 * WeChat itself; an order already shipped just gets "success" again.
 *
 * Configuration (php-fpm: env[...] in the pool, or SetEnv/fastcgi_param):
 *   WXPAY_APPID, WXPAY_APPSECRET, WXPAY_APPKEY, WXPAY_PARTNERKEY, WXPAY_ORDERS_DIR
 */

$appid = getenv('WXPAY_APPID') ?: 'wx0000000000000000';
$appsecret = getenv('WXPAY_APPSECRET') ?: 'e76050733ce76050733ce76050733cdd';
$appkey = getenv('WXPAY_APPKEY') ?: '';
$partnerkey = getenv('WXPAY_PARTNERKEY') ?: '';
$orders = getenv('WXPAY_ORDERS_DIR') ?: sys_get_temp_dir() . '/wxpay-orders';

function answer(string $word): void
{
    header('Content-Type: text/plain');
    echo $word;
    exit;
}

/** The partner-key MD5 of the query string (the v2 "sign" rule). */
function partner_sign(array $query, string $partnerkey): string
{
    unset($query['sign']);
    $query = array_filter($query, fn($v) => $v !== '' && $v !== null);
    ksort($query);
    $pairs = [];
    foreach ($query as $k => $v) {
        $pairs[] = "$k=$v";
    }
    return strtoupper(md5(implode('&', $pairs) . "&key=$partnerkey"));
}

/** The flat <xml> PostData as [tag => text]. */
function post_data(string $xml): array
{
    preg_match_all('#<(\w+)>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</\1>#s', $xml, $m, PREG_SET_ORDER);
    $out = [];
    foreach ($m as $tag) {
        $out[$tag[1]] = $tag[2] !== '' ? $tag[2] : ($tag[3] ?? '');
    }
    return $out;
}

// 1. The trade, signed with the partner key.
$query = $_GET;
if (($query['trade_state'] ?? '') !== '0') {
    answer('fail');
}
if (!isset($query['sign']) || !hash_equals(partner_sign($query, $partnerkey), (string) $query['sign'])) {
    error_log("callback: bad partner sign for order " . ($query['out_trade_no'] ?? '?'));
    answer('fail');
}
$order = (string) ($query['out_trade_no'] ?? '');
if (!preg_match('/^[A-Za-z0-9_-]{1,64}$/', $order)) {
    answer('fail');
}

// 2. The buyer, signed with the PaySignKey: the get_biz_sign rule.
$post = post_data(file_get_contents('php://input'));
try {
    $expected = wx_deliver_sign([
        'appid' => $post['AppId'] ?? '',
        'appkey' => $appkey,
        'openid' => $post['OpenId'] ?? '',
        'issubscribe' => $post['IsSubscribe'] ?? '',
        'timestamp' => $post['TimeStamp'] ?? '',
        'noncestr' => $post['NonceStr'] ?? '',
    ]);
} catch (WxPay\InvalidArgumentException $e) {
    error_log("callback: order $order: cannot check AppSignature: " . $e->getMessage());
    answer('fail');
}
if (($post['AppId'] ?? '') !== $appid || !hash_equals($expected, strtolower($post['AppSignature'] ?? ''))) {
    error_log("callback: order $order: bad AppSignature");
    answer('fail');
}

// 3. Mark it paid (idempotent: WeChat may call more than once).
@mkdir($orders, 0775, true);
if (is_file("$orders/$order.shipped")) {
    answer('success');
}
file_put_contents("$orders/$order.paid", json_encode([
    'transaction_id' => $query['transaction_id'] ?? '',
    'total_fee' => $query['total_fee'] ?? '',
    'openid' => $post['OpenId'],
    'paid_at' => time(),
]));

// 4. Ship, then tell WeChat (the extension obtains and shares the token).
try {
    $reply = wx_deliver_notify(null, [
        'appid' => $appid,
        'appkey' => $appkey,
        'openid' => $post['OpenId'],
        'transid' => $query['transaction_id'] ?? '',
        'out_trade_no' => $order,
        'deliver_status' => 1,
        'deliver_msg' => 'ok',
    ], ['appsecret' => $appsecret]);
} catch (WxPay\ApiException $e) {
    error_log(sprintf("callback: order %s: shipping notification refused: errcode %d", $order, $e->getCode()));
    answer('fail');
} catch (WxPay\TransportException $e) {
    error_log(sprintf("callback: order %s: shipping notification not delivered: %s", $order, $e->getMessage()));
    answer('fail');
}
touch("$orders/$order.shipped");
answer('success');
