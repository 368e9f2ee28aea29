--TEST--
wx_access_token(): 8 concurrent PHP processes x 50 notifications share one token through Redis (cold cache: one fetch)
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$redis = new PrivateRedis();
[$id, $secret, $appkey] = sandbox_app('wxtoken00000000003');
$tag = 'R' . bin2hex(random_bytes(4));
$ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $redis->url()];
$results = run_workers('notify_worker.php', 8, $ini, [$id, $secret, $appkey, '50', $tag]);
$ok = array_sum(array_column($results, 'ok'));
$failed = array_sum(array_column($results, 'failed'));
echo "sent ok: $ok, failed: $failed\n";
foreach ($results as $r) if (!empty($r['errors']) || isset($r['broken']) || !empty($r['warnings'])) echo json_encode($r), "\n";
echo "token fetches: ", sandbox_stats($id)['token_calls'], "\n";
$recorded = sandbox_notifications($tag);
$orders = array_column($recorded, 'out_trade_no');
echo "recorded: ", count($recorded), ", distinct: ", count(array_unique($orders)), "\n";

// The token lives in Redis under the documented key, with a TTL.
$s = fsockopen('127.0.0.1', $redis->port);
$key = 'wxpay:token:' . sandbox_url() . ':' . $id;
fwrite($s, "*2\r\n$4\r\nPTTL\r\n$" . strlen($key) . "\r\n$key\r\n");
$ttl = (int) substr(fgets($s), 1);
echo "ttl set: ", ($ttl > 0 && $ttl <= 7200 * 1000) ? 'yes' : "no ($ttl)", "\n";
?>
--EXPECT--
sent ok: 400, failed: 0
token fetches: 1
recorded: 400, distinct: 400
ttl set: yes
