<?php
/*
 * The seed article's flow, written with the extension: get the access_token,
 * then send the shipping notification. No WxPayHelper, no hand-made JSON, TLS
 * verified, every call bounded by wxpay.timeout.
 *
 *   php examples/deliver_notify.php        (make demo runs it against wxpay-sandbox)
 */

// 1. The access token: cached and shared, not fetched on every call.
$appid = getenv('WXPAY_APPID') ?: "wx0000000000000000";
$appsecret = getenv('WXPAY_APPSECRET') ?: "e76050733ce76050733ce76050733cdd";
$access_token = wx_access_token($appid, $appsecret);

// 2. The notification, with the same fields as the seed's $obj.
$obj['appid'] = $appid;
$obj['appkey'] = getenv('WXPAY_APPKEY') ?: "8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6k";
$obj['openid'] = "o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc";
$obj['transid'] = "1218614901201405273313473135";
$obj['out_trade_no'] = "JfuKdiBig4zZnE4n";
$obj['deliver_timestamp'] = time();
$obj['deliver_status'] = "1";
$obj['deliver_msg'] = "ok";

// 3. Signed, encoded and sent by the extension; failures are exceptions.
try {
    $result = wx_deliver_notify($access_token, $obj);
    echo json_encode($result, JSON_UNESCAPED_UNICODE), "\n";
} catch (WxPay\ApiException $e) {
    // WeChat refused: getCode() is the errcode.
    fprintf(STDERR, "order %s: WeChat errcode %d: %s\n", $obj['out_trade_no'], $e->getCode(), $e->getMessage());
    exit(1);
} catch (WxPay\Exception $e) {
    // Not sent, or no answer: retry later, the deadline is 24 h / 72 h.
    fprintf(STDERR, "order %s: %s\n", $obj['out_trade_no'], $e->getMessage());
    exit(1);
}
