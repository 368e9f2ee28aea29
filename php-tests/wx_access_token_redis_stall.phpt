--TEST--
wxpay.token_cache=redis: a stopped or silent Redis costs one bounded wait, not one per call; one warning per outage; Redis is used again once it is back
--EXTENSIONS--
wxpay
--SKIPIF--
<?php
if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)');
?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret, $appkey] = sandbox_app('wxhostile000000003');
$redis = new PrivateRedis();
// Every call asks Redis (no worker-local copy): these tests are about Redis itself.
$ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $redis->url(), 'wxpay.token_copy_ttl' => '0'];
$report = function (array $r) use ($secret, $appkey) {
    echo "ok: ", $r['ok'] ?? json_encode($r), "/10, same token: ", json_encode($r['same_token'] ?? null), "\n";
    foreach ($r['errors'] ?? [] as $e) echo "  $e\n";
    // 10 calls of up to 0.5 s each: before the back-off, each paid ~2 s.
    echo "slowest call within the 0.5 s timeout + slack: ", json_encode($r['slowest'] < 1.0), "\n";
    echo "all 10 within 2 timeouts: ", json_encode($r['total'] < 1.5), "\n";
    echo "warnings: ", count($r['warnings']), "\n";
    foreach ($r['warnings'] as $w) {
        echo '  ', preg_replace('/127\.0\.0\.1:\d+/', '127.0.0.1:PORT', $w), "\n";
        if (str_contains($w, $secret) || str_contains($w, $appkey)) echo "SECRET LEAKED\n";
    }
};
echo "-- Redis stopped (SIGSTOP) mid-run\n";
$r = run_workers('redis_stall_worker.php', 1, $ini, [$id, $secret, $appkey, (string) $redis->pid])[0];
$report($r);
echo "after it resumed: another process's new token is used: ", json_encode($r['other_token_differs'] && $r['uses_redis_again']), "\n";

echo "-- a 'Redis' that accepts connections and never answers\n";
$silent = stream_socket_server('tcp://127.0.0.1:0');
$port = (int) substr(strrchr(stream_socket_get_name($silent, false), ':'), 1);
$r = run_workers('redis_stall_worker.php', 1, ['wxpay.token_cache' => "redis://127.0.0.1:$port/0"] + $ini,
                 [$id, $secret, $appkey, 'silent'])[0];
$report($r);
?>
--EXPECT--
-- Redis stopped (SIGSTOP) mid-run
ok: 10/10, same token: true
slowest call within the 0.5 s timeout + slack: true
all 10 within 2 timeouts: true
warnings: 1
  wx_deliver_notify(): the token cache Redis at redis://127.0.0.1:PORT/0 is unusable (timed out); using this worker's own token cache, and trying Redis again in 5 s
after it resumed: another process's new token is used: true
-- a 'Redis' that accepts connections and never answers
ok: 10/10, same token: true
slowest call within the 0.5 s timeout + slack: true
all 10 within 2 timeouts: true
warnings: 1
  wx_access_token(): the token cache Redis at redis://127.0.0.1:PORT/0 is unusable (timed out); using this worker's own token cache, and trying Redis again in 5 s
