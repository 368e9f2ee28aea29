<?php
// Requested through php-fpm by scripts/dist-test.sh: the installed module,
// loaded by the package's conf.d link, signs and sends one notification to
// the sandbox whose state directory is ?sandbox=.
$dir = $_GET['sandbox'] ?? '';
[$appid, $secret, $appkey] = preg_split('/\s+/', trim(explode("\n", trim(
    preg_replace('/^#.*$/m', '', file_get_contents(__DIR__ . '/../sandbox-apps.txt'))))[0]));
ini_set('wxpay.api_base', trim(file_get_contents("$dir/address")));
ini_set('wxpay.cafile', "$dir/ca.pem");
$params = [
    'appid' => $appid, 'appkey' => $appkey, 'openid' => 'oFPM' . getmypid(),
    'transid' => '1219419901201309' . random_int(100000, 999999), 'out_trade_no' => 'fpm-' . getmypid(),
    'deliver_timestamp' => (string) time(), 'deliver_status' => '1', 'deliver_msg' => 'ok',
];
try {
    wx_deliver_notify(null, $params, ['appsecret' => $secret]);
    echo "fpm-notify ok ", PHP_SAPI, " ", PHP_VERSION, "\n";
} catch (\Throwable $e) {
    echo "fpm-notify FAIL ", get_class($e), ": ", $e->getMessage(), "\n";
}
