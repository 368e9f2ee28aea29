--TEST--
wxpay.token_cache=rediss:// with an ACL user: 4 processes share one token over TLS verified against wxpay.cafile; a wrong password or a plain redis:// to the TLS port is one warning that shows no password
--EXTENSIONS--
wxpay
--SKIPIF--
<?php
if (!is_executable('/usr/bin/redis-server') || !is_executable('/usr/bin/openssl')) die('skip redis-server or openssl missing');
?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$dir = sys_get_temp_dir() . '/wxpay-token-rediss-' . getmypid();
@mkdir($dir);
register_shutdown_function(function () use ($dir) { array_map('unlink', glob("$dir/*")); @rmdir($dir); });
$q = fn(string $cmd) => exec("cd $dir && $cmd 2>&1", $out, $rc) === false || $rc !== 0 ? die("setup failed: $cmd\n" . implode("\n", $out)) : null;
$q('openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=wxpay test token redis CA"');
$q('openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1"');
file_put_contents("$dir/ext.cnf", "subjectAltName=IP:127.0.0.1\n");
$q('openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf');
file_put_contents("$dir/trust.pem", file_get_contents(sandbox_ca()) . file_get_contents("$dir/ca.pem"));

$redis = new PrivateRedis(['--port', '0', '--tls-port', 'PORT', '--tls-cert-file', "$dir/srv.pem", '--tls-key-file', "$dir/srv.key",
    '--tls-ca-cert-file', "$dir/ca.pem", '--tls-auth-clients', 'no',
    '--user', 'default', 'off', '--user', 'shop', 'on', '>t0ken-pw', '~wxpay:*', '+@all']);
[$id, $secret, $appkey] = sandbox_app('wxtoken00000000008');
$run = function (string $url, int $workers) use ($dir, $id, $secret, $appkey, $redis) {
    $ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => "$dir/trust.pem", 'wxpay.token_cache' => $url, 'wxpay.token_copy_ttl' => '0'];
    $results = run_workers('notify_worker.php', $workers, $ini, [$id, $secret, $appkey, '10', 'T' . bin2hex(random_bytes(4))]);
    $ok = array_sum(array_column($results, 'ok'));
    $warnings = array_merge(...array_map(fn($r) => $r['warnings'] ?? [], $results));
    echo "sent ok: $ok, broken: ", count(array_filter($results, fn($r) => isset($r['broken']))), ", warnings: ", count($warnings), "\n";
    foreach (array_unique($warnings) as $w) {
        echo '  ', str_replace((string) $redis->port, 'PORT', $w), "\n";
        if (str_contains($w, 't0ken-pw') || str_contains($w, 'wr0ng-pw')) echo "PASSWORD SHOWN\n";
    }
};
$before = sandbox_stats($id)['token_calls'];
$run("rediss://shop:t0ken-pw@127.0.0.1:{$redis->port}/0", 4);
echo "token fetches: ", sandbox_stats($id)['token_calls'] - $before, "\n";
$run("rediss://shop:wr0ng-pw@127.0.0.1:{$redis->port}/0", 1);
$run("redis://shop:t0ken-pw@127.0.0.1:{$redis->port}/0", 1);
?>
--EXPECTF--
sent ok: 40, broken: 0, warnings: 0
token fetches: 1
sent ok: 10, broken: 0, warnings: 1
  wx_deliver_notify(): the token cache Redis at rediss://***@127.0.0.1:PORT/0 is unusable (authentication failed: check the user and password in wxpay.token_cache); using this worker's own token cache, and trying Redis again in 5 s
sent ok: 10, broken: 0, warnings: 1
  wx_deliver_notify(): the token cache Redis at redis://***@127.0.0.1:PORT/0 is unusable (%s); using this worker's own token cache, and trying Redis again in 5 s
