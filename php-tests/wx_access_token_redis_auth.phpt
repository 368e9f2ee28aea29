--TEST--
wxpay.token_cache=redis: a wrong or missing Redis password is reported as an authentication failure (password masked), and notifications still go out
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$redis = new PrivateRedis(['--requirepass', 'r3dis-pw']);
[$id, $secret, $appkey] = sandbox_app('wxhostile000000013');
foreach (["redis://:wr0ng-pw@127.0.0.1:$redis->port/0", "redis://127.0.0.1:$redis->port/0", "redis://:r3dis-pw@127.0.0.1:$redis->port/0"] as $url) {
    // Every call asks Redis (no worker-local copy): these tests are about Redis itself.
    $ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $url, 'wxpay.token_copy_ttl' => '0'];
    $r = run_workers('redis_down_worker.php', 1, $ini, [$id, $secret, $appkey, '0'])[0];
    echo "ok: {$r['ok']}, failed: {$r['failed']}, warnings: ", count($r['warnings']), "\n";
    foreach ($r['warnings'] as $w) {
        echo '  ', str_replace((string) $redis->port, 'PORT', $w), "\n";
        if (str_contains($w, 'wr0ng-pw') || str_contains($w, 'r3dis-pw')) echo "PASSWORD SHOWN\n";
    }
}
echo "stored in Redis: ", str_contains(redis_command($redis->port, 'AUTH', 'r3dis-pw'), 'OK') ? 'auth ok' : 'auth failed', "\n";
?>
--EXPECT--
ok: 40, failed: 0, warnings: 1
  wx_deliver_notify(): the token cache Redis at redis://***@127.0.0.1:PORT/0 is unusable (authentication failed: check the user and password in wxpay.token_cache); using this worker's own token cache, and trying Redis again in 5 s
ok: 40, failed: 0, warnings: 1
  wx_deliver_notify(): the token cache Redis at redis://127.0.0.1:PORT/0 is unusable (authentication failed: check the user and password in wxpay.token_cache); using this worker's own token cache, and trying Redis again in 5 s
ok: 40, failed: 0, warnings: 0
stored in Redis: auth ok
