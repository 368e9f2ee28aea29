--TEST--
wxpay.token_cache=redis: Redis stopped mid-run, notifications still go out, one warning per worker naming Redis
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$redis = new PrivateRedis();
[$id, $secret, $appkey] = sandbox_app('wxtoken00000000006');
$ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $redis->url()];
$r = run_workers('redis_down_worker.php', 1, $ini, [$id, $secret, $appkey, (string) $redis->pid])[0];
echo "ok: {$r['ok']}, failed: {$r['failed']}\n";
foreach ($r['errors'] ?? [] as $e) echo "  $e\n";
echo "warnings: ", count($r['warnings']), "\n";
foreach ($r['warnings'] as $w) {
    echo str_replace((string) $redis->port, 'PORT', $w), "\n";
    if (str_contains($w, $secret) || str_contains($w, $appkey)) echo "SECRET LEAKED\n";
}
// A wrong Redis URL in php.ini is reported before any I/O.
$r = run_workers('notify_worker.php', 1, ['wxpay.token_cache' => 'memcached://:pw@127.0.0.1'] + $ini, [$id, $secret, $appkey, '1', 'bad'])[0];
echo $r['errors'][0] ?? json_encode($r), "\n";
?>
--EXPECT--
ok: 40, failed: 0
warnings: 1
wx_deliver_notify(): the token cache Redis at redis://127.0.0.1:PORT/0 is unreachable (connection lost); fetching access tokens without it until it is back
WxPay\InvalidArgumentException(0): wx_deliver_notify(): wxpay.token_cache must be "memory" or a redis://host:port/db URL, not memcached://***@127.0.0.1
