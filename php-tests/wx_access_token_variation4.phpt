--TEST--
wx_access_token(): a cached token is only handed to the secret that fetched it (memory and Redis, fresh processes too); the secret never reaches Redis
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
ini_set('wxpay.api_base', sandbox_url());
ini_set('wxpay.cafile', sandbox_ca());
[$id, $secret, $appkey] = sandbox_app('wxhostile000000001');
$s = [$secret, 'WRONG-SECRET-xyz'];

// Memory: the right secret fetches and caches...
$t = wx_access_token($id, $secret);
var_dump(wx_access_token($id, $secret) === $t);
// ...a wrong one gets WeChat's own answer, never the cached token,
attempt(fn() => wx_access_token($id, 'WRONG-SECRET-xyz'), $s);
attempt(fn() => wx_deliver_notify(null, sample_params($id), ['appsecret' => 'WRONG-SECRET-xyz']), $s);
// ...and the right secret still gets the same token, without a new fetch.
$before = sandbox_stats($id)['tokens_issued'];
var_dump(wx_access_token($id, $secret) === $t, sandbox_stats($id)['tokens_issued'] === $before);

// Redis: one process fetches with the right secret; fresh processes that
// only ever pass a wrong secret get 40125, the right one gets the shared token.
$redis = new PrivateRedis();
$ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $redis->url()];
$right = run_workers('token_worker.php', 1, $ini, [$id, $secret])[0];
$wrong = run_workers('token_worker.php', 2, $ini, [$id, 'WRONG-SECRET-xyz']);
$again = run_workers('token_worker.php', 1, $ini, [$id, $secret])[0];
echo "right: ", isset($right['token']) ? 'token' : json_encode($right), "\n";
foreach ($wrong as $w) echo "wrong: ", $w['error'] ?? 'GOT A TOKEN', "\n";
var_dump($again['token'] === $right['token']);
// What Redis holds: the token and a salted MAC, never the secret.
$stored = redis_command($redis->port, 'GET', 'wxpay:token:' . sandbox_url() . ':' . $id);
var_dump(str_contains($stored, $right['token']), str_contains($stored, $secret), str_contains($stored, '"proof"'));
?>
--EXPECTF--
bool(true)
WxPay\ApiException(40125): wx_access_token(): WeChat error 40125 while fetching the access_token: invalid appsecret (check the appsecret)
WxPay\ApiException(40125): wx_deliver_notify(): WeChat error 40125 while fetching the access_token: invalid appsecret (check the appsecret)
bool(true)
bool(true)
right: token
wrong: WxPay\ApiException(40125): wx_access_token(): WeChat error 40125 while fetching the access_token: invalid appsecret (check the appsecret)
wrong: WxPay\ApiException(40125): wx_access_token(): WeChat error 40125 while fetching the access_token: invalid appsecret (check the appsecret)
bool(true)
bool(true)
bool(false)
bool(true)
