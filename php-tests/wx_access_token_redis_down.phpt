--TEST--
wxpay.token_cache=redis: Redis stopped mid-run, notifications still go out, one warning per outage naming Redis
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$redis = new PrivateRedis();
[$id, $secret, $appkey] = sandbox_app('wxtoken00000000006');
// Every call asks Redis (no worker-local copy): these tests are about Redis itself.
$ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $redis->url(), 'wxpay.token_copy_ttl' => '0'];
$r = run_workers('redis_down_worker.php', 1, $ini, [$id, $secret, $appkey, (string) $redis->pid])[0];
echo "ok: {$r['ok']}, failed: {$r['failed']}\n";
foreach ($r['errors'] ?? [] as $e) echo "  $e\n";
echo "warnings: ", count($r['warnings']), "\n";
foreach ($r['warnings'] as $w) {
    echo str_replace((string) $redis->port, 'PORT', $w), "\n";
    if (str_contains($w, $secret) || str_contains($w, $appkey)) echo "SECRET LEAKED\n";
}
?>
--EXPECT--
ok: 40, failed: 0
warnings: 1
wx_deliver_notify(): the token cache Redis at redis://127.0.0.1:PORT/0 is unusable (connection lost); using this worker's own token cache, and trying Redis again in 5 s
