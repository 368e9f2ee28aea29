--TEST--
wxpay.token_cache=redis: a 40001 refreshes only if nobody refreshed meanwhile; a fetcher killed while holding the lock blocks nobody beyond timeout + 1 s
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret, $appkey] = sandbox_app('wxhostile000000010');
$redis = new PrivateRedis();
$ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $redis->url(), 'wxpay.timeout' => '3'];
/** Starts one worker in the background; returns [process, stdout pipe]. */
function start_worker(string $script, array $ini, array $args): array
{
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so()];
    foreach ($ini as $k => $v) { $cmd[] = '-d'; $cmd[] = "$k=$v"; }
    $cmd = array_merge($cmd, [dirname(__DIR__) . "/tests/workers/$script", '0', '0'], $args);
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    return [$p, $pipes[1]];
}
$issued = fn() => sandbox_stats($id)['tokens_issued'];

echo "-- refresh only if the token is unchanged\n";
$t1 = run_workers('token_worker.php', 1, $ini, [$id, $secret])[0]['token'];   // T1, shared
$before = $issued();
// A sends with T1; its answer comes 1.5 s later and is 40001.
$order = 'race-' . getmypid();
sandbox_fault(['kind' => 'errcode', 'errcode' => 40001, 'errmsg' => 'invalid credential', 'delay_ms' => 1500, 'match' => $order]);
[$a, $aout] = start_worker('notify_managed_worker.php', $ini, [$id, $secret, $appkey, $order]);
usleep(500000);
// Meanwhile B refreshes the shared token.
$t2 = run_workers('token_worker.php', 1, $ini, [$id, $secret, 'force'])[0]['token'];
$ra = json_decode(stream_get_contents($aout), true);
proc_close($a);
echo "A: ", ($ra['ok'] ?? false) ? 'delivered' : json_encode($ra), "\n";
echo "fetches after T1: ", $issued() - $before, " (B's refresh only; A took B's token)\n";
echo "A resent with B's token: ", json_encode(sandbox_requests($t2)['count'] >= 1 && $t2 !== $t1), "\n";

echo "-- a fetcher killed while holding the lock\n";
[$id, $secret] = sandbox_app('wxhostile000000011');
// A's fetch hangs (the token endpoint answers in 20 s); A is killed while it waits.
sandbox_fault(['kind' => 'delay', 'ms' => 20000, 'match' => "grant_type=client_credential&appid=$id"]);
$killedAt = microtime(true) + 1.0;
[$a, $aout] = start_worker('token_worker.php', $ini, [$id, $secret]);
time_sleep_until($killedAt);
proc_terminate($a, 9);
proc_close($a);
$lock = 'wxpay:lock:' . sandbox_url() . ":$id";
$pttl = (int) trim(substr(redis_command($redis->port, 'PTTL', $lock), 1));
echo "lock left by the dead fetcher expires within timeout + 1 s: ", json_encode($pttl > 0 && $pttl <= 4000), "\n";
// B asks at once: it waits for the lock to expire, then fetches itself.
$rb = run_workers('token_worker.php', 1, $ini, [$id, $secret])[0];
echo "B: ", isset($rb['token']) ? 'token' : json_encode($rb), ", within 4.5 s of the kill: ", json_encode(microtime(true) - $killedAt < 4.5 + 0.6), "\n";

echo "-- the worst case, with Redis silent as well: still 3 x timeout\n";
[$id, $secret, $appkey] = sandbox_app('wxhostile000000012');
$silent = stream_socket_server('tcp://127.0.0.1:0');
$silentPort = (int) substr(strrchr(stream_socket_get_name($silent, false), ':'), 1);
$order = 'worst-' . getmypid();
sandbox_fault(['kind' => 'delay', 'ms' => 2500, 'match' => "grant_type=client_credential&appid=$id", 'count' => 2]);
sandbox_fault(['kind' => 'errcode', 'errcode' => 40001, 'errmsg' => 'invalid credential', 'delay_ms' => 2500, 'match' => $order]);
sandbox_fault(['kind' => 'delay', 'ms' => 2500, 'match' => $order]);
$t = microtime(true);
$r = run_workers('notify_managed_worker.php', 1, ['wxpay.timeout' => '3', 'wxpay.token_cache' => "redis://127.0.0.1:$silentPort/0"] + $ini,
                 [$id, $secret, $appkey, $order])[0];
$elapsed = microtime(true) - $t - 0.5;   // run_workers starts its workers 0.5 s ahead
echo preg_replace('/127\.0\.0\.1:\d+/', 'HOST', $r['error'] ?? (($r['ok'] ?? false) ? 'delivered' : json_encode($r))), "\n";
echo "within 3 x timeout (+ php start-up): ", json_encode($elapsed <= 10.2), "\n";
?>
--EXPECTF--
-- refresh only if the token is unchanged
A: delivered
fetches after T1: 1 (B's refresh only; A took B's token)
A resent with B's token: true
-- a fetcher killed while holding the lock
lock left by the dead fetcher expires within timeout + 1 s: true
B: token, within 4.5 s of the kill: true
-- the worst case, with Redis silent as well: still 3 x timeout
WxPay\TransportException(0): wx_deliver_notify(): %Sthe request to HOST timed out after %fs (the rest of the call's budget)
within 3 x timeout (+ php start-up): true
