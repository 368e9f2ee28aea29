--TEST--
wx_access_token(): tokens expiring during a run (2 s lifetime, no grace) cost zero failed notifications
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$sb = new PrivateSandbox(['--token-ttl', '2', '--grace', '0']);
[$id, $secret, $appkey] = sandbox_app('wxtoken00000000004');
$o = $sb->options(['appsecret' => $secret]);
$ok = $failed = 0;
$t = microtime(true);
while (microtime(true) - $t < 6) {
    try {
        $ok += wx_deliver_notify(null, sample_params($id), $o)['errcode'] === 0;
    } catch (WxPay\Exception $e) {
        $failed++;
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
    usleep(20000);
}
$calls = json_decode(file_get_contents($sb->url . '/_sandbox/stats?appid=' . $id, false,
    stream_context_create(['ssl' => ['cafile' => "$sb->dir/ca.pem"]])), true)['token_calls'];
echo "failed: $failed\n";
echo "notifications: ", $ok > 50 ? 'many' : $ok, "\n";
echo "token refreshed ahead of expiry: ", $calls >= 3 ? 'yes' : "no ($calls)", "\n";
?>
--EXPECT--
failed: 0
notifications: many
token refreshed ahead of expiry: yes
