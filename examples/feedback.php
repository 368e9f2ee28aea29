<?php
/*
 * The complaint (维权) URL: WeChat POSTs an XML message when a buyer opens a
 * complaint (MsgType "request"), or later confirms (or rejects) that it was
 * resolved. wx_feedback_verify() checks its AppSignature; this script keeps
 * the complaint for the shop's staff and, for the demo, marks it handled at
 * once with wx_feedback_update().
 *
 * Configuration: WXPAY_APPID, WXPAY_APPSECRET, WXPAY_APPKEY, WXPAY_ORDERS_DIR
 */

$appid = getenv('WXPAY_APPID') ?: 'wx0000000000000000';
$appsecret = getenv('WXPAY_APPSECRET') ?: '';
$appkey = getenv('WXPAY_APPKEY') ?: '';
$dir = (getenv('WXPAY_ORDERS_DIR') ?: sys_get_temp_dir() . '/wxpay-orders') . '/feedback';

header('Content-Type: text/plain');
try {
    $complaint = wx_feedback_verify(file_get_contents('php://input'), $appkey);
} catch (WxPay\SignatureException | WxPay\InvalidArgumentException $e) {
    error_log('feedback: refused a message: ' . $e->getMessage());
    exit('fail');
}
// The signature covers who and when; what the complaint says ('unsigned')
// is kept for staff to read, not acted on blindly.
['signed' => $who, 'unsigned' => $what] = $complaint;
if ($who['appid'] !== $appid) {
    error_log('feedback: a complaint for another app');
    exit('fail');
}
if (!preg_match('/^[0-9A-Za-z_-]{1,64}$/', $what['feedbackid'])) {
    error_log('feedback: a complaint with an unusable FeedBackId');
    exit('fail');
}
@mkdir($dir, 0775, true);
file_put_contents("$dir/{$what['feedbackid']}.{$what['msgtype']}.json", json_encode($complaint, JSON_UNESCAPED_UNICODE));

if ($what['msgtype'] === 'request') {
    try {
        wx_feedback_update(null, $who['openid'], $what['feedbackid'], ['appid' => $appid, 'appsecret' => $appsecret]);
    } catch (WxPay\Exception $e) {
        // Kept on disk: staff can mark it handled later.
        error_log("feedback {$what['feedbackid']}: not marked handled: " . $e->getMessage());
    }
}
echo 'success';
