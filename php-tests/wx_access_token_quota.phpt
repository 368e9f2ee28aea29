--TEST--
wx_access_token(): the daily quota exhausted gives ApiException 45009 after a bounded number of fetch attempts
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$sb = new PrivateSandbox(['--token-quota', '3']);
[$id, $secret, $appkey] = sandbox_app('wxtoken00000000001');
ini_set('wxpay.api_base', $sb->url);
ini_set('wxpay.cafile', "$sb->dir/ca.pem");
$stats = fn() => json_decode(file_get_contents("$sb->url/_sandbox/stats?appid=$id", false,
    stream_context_create(['ssl' => ['cafile' => "$sb->dir/ca.pem"]])), true);
for ($i = 0; $i < 3; $i++) wx_access_token($id, $secret, true);
attempt(fn() => wx_access_token($id, $secret, true), [$secret]);
// The cached token keeps working while the quota is gone...
var_dump(wx_deliver_notify(null, sample_params($id), ['appsecret' => $secret])['errcode']);
// ...and when it is retired, the one refresh attempt reports 45009: no retry storm.
file_get_contents("$sb->url/_sandbox/retire?appid=$id", false, stream_context_create(
    ['http' => ['method' => 'POST'], 'ssl' => ['cafile' => "$sb->dir/ca.pem"]]));
$before = $stats()['token_calls'];
attempt(fn() => wx_deliver_notify(null, sample_params($id), ['appsecret' => $secret]), [$secret]);
echo "fetch attempts: ", $stats()['token_calls'] - $before, "\n";
?>
--EXPECT--
WxPay\ApiException(45009): wx_access_token(): WeChat error 45009 while fetching the access_token: reach max api daily quota limit
int(0)
WxPay\ApiException(45009): wx_deliver_notify(): WeChat error 45009 while fetching the access_token: reach max api daily quota limit
fetch attempts: 1
