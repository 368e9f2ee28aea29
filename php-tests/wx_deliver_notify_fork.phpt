--TEST--
wx_deliver_notify(): after pcntl_fork() every child starts with its own TLS pool, Redis connection and single-flight state (80 child notifications, each recorded exactly once)
--EXTENSIONS--
wxpay
--SKIPIF--
<?php
if (!function_exists('pcntl_fork')) die('skip needs ext/pcntl');
if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)');
?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret, $appkey] = sandbox_app('wxhostile000000004');
$redis = new PrivateRedis();
$ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca()];
foreach (['memory' => $ini, 'redis' => ['wxpay.token_cache' => $redis->url()] + $ini] as $mode => $settings) {
    $r = run_workers('fork_worker.php', 1, $settings, [$id, $secret, $appkey, $mode . getmypid()])[0];
    echo "$mode: child exit codes ", json_encode($r['codes'] ?? $r), "\n";
    $sent = 0;
    foreach ($r['children'] ?? [] as $c) {
        $sent += count($c['sent'] ?? []);
        foreach ($c['errors'] ?? [] as $e) echo "  $e\n";
    }
    echo "$mode: $sent child notifications succeeded\n";
    // Each child notification recorded by the sandbox exactly once; none
    // recorded that its child did not see succeed.
    $recorded = [];
    $tag = 'fork-' . $mode . getmypid() . '-';
    foreach (sandbox_notifications($tag) as $n) {
        if (preg_match('/^' . $tag . '\d-\d$/', $n['out_trade_no'])) $recorded[$n['out_trade_no']] = ($recorded[$n['out_trade_no']] ?? 0) + 1;
    }
    $wanted = [];
    foreach ($r['children'] ?? [] as $c) foreach ($c['sent'] ?? [] as $o) $wanted[$o] = 1;
    echo "$mode: recorded exactly once each: ", json_encode($recorded == $wanted && count($wanted) === 80), "\n";
}
?>
--EXPECT--
memory: child exit codes [0,0,0,0,0,0,0,0]
memory: 80 child notifications succeeded
memory: recorded exactly once each: true
redis: child exit codes [0,0,0,0,0,0,0,0]
redis: 80 child notifications succeeded
redis: recorded exactly once each: true
