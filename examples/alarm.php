<?php
/*
 * The alarm (告警) URL: WeChat POSTs an XML message when something is wrong
 * with the shop's payments, e.g. ErrorType 1001, a paid order not shipped
 * in time. wx_alarm_verify() checks its AppSignature; this script logs the
 * alarm for the shop's monitoring. WeChat expects exactly "success".
 *
 * Configuration: WXPAY_APPID, WXPAY_APPKEY
 */

$appid = getenv('WXPAY_APPID') ?: 'wx0000000000000000';
$appkey = getenv('WXPAY_APPKEY') ?: '';

header('Content-Type: text/plain');
try {
    $alarm = wx_alarm_verify(file_get_contents('php://input'), $appkey);
} catch (WxPay\SignatureException | WxPay\InvalidArgumentException $e) {
    error_log('alarm: refused a message: ' . $e->getMessage());
    exit('fail');
}
if ($alarm['appid'] !== $appid) {
    exit('fail');
}
error_log(sprintf('alarm: WeChat ErrorType %s (%s): %s', $alarm['errortype'], $alarm['description'], $alarm['alarmcontent']));
echo 'success';
