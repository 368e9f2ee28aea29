--TEST--
wx_deliver_notify($token): when WeChat calls a token invalid, it is dropped from the token cache (memory and Redis, only if still the cached one), so wx_access_token() stops handing it out
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$sb = new PrivateSandbox(['--grace', '0']);
[$id, $secret, $appkey] = sandbox_app('wxhostile000000007');
ini_set('wxpay.api_base', $sb->url);
ini_set('wxpay.cafile', "$sb->dir/ca.pem");
$retire = fn() => file_get_contents("$sb->url/_sandbox/retire?appid=$id", false, stream_context_create(
    ['http' => ['method' => 'POST'], 'ssl' => ['cafile' => "$sb->dir/ca.pem"]]));
$p = fn() => sample_params($id);

echo "-- memory\n";
$t1 = wx_access_token($id, $secret);
$retire();
attempt(fn() => wx_deliver_notify($t1, $p()), [$t1, $secret, $appkey]);
$t2 = wx_access_token($id, $secret);
var_dump($t2 !== $t1, wx_deliver_notify($t2, $p())['errcode']);
// A refused token that is not the cached one leaves the cache alone.
attempt(fn() => wx_deliver_notify($t1, $p()), [$t1, $secret, $appkey]);
var_dump(wx_access_token($id, $secret) === $t2);

echo "-- redis\n";
$redis = new PrivateRedis();
$ini = ['wxpay.api_base' => $sb->url, 'wxpay.cafile' => "$sb->dir/ca.pem", 'wxpay.token_cache' => $redis->url()];
$a = run_workers('token_worker.php', 1, $ini, [$id, $secret])[0]['token'];
$retire();
echo run_workers('notify_token_worker.php', 1, $ini, [$id, $appkey, $a])[0]['error'] ?? 'NO ERROR', "\n";
$b = run_workers('token_worker.php', 1, $ini, [$id, $secret])[0]['token'];
var_dump($b !== $a);
?>
--EXPECT--
-- memory
WxPay\ApiException(40001): wx_deliver_notify(): WeChat error 40001: invalid credential, access_token is invalid or not latest (this access_token was dropped from the token cache: wx_access_token() fetches a new one)
bool(true)
int(0)
WxPay\ApiException(40001): wx_deliver_notify(): WeChat error 40001: invalid credential, access_token is invalid or not latest
bool(true)
-- redis
WxPay\ApiException(40001): wx_deliver_notify(): WeChat error 40001: invalid credential, access_token is invalid or not latest (this access_token was dropped from the token cache: wx_access_token() fetches a new one)
bool(true)
