--TEST--
wx_deliver_enqueue() + wx_deliver_drain() over rediss:// (TLS verified against wxpay.cafile) with an ACL user and password
--EXTENSIONS--
wxpay
--SKIPIF--
<?php
require __DIR__ . '/include/sandbox.inc';
if ($why = redis_outbox_skip()) die($why);
if (!is_executable('/usr/bin/openssl')) die('skip openssl missing');
?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$dir = sys_get_temp_dir() . '/wxpay-rediss-' . getmypid();
@mkdir($dir);
register_shutdown_function(function () use ($dir) { array_map('unlink', glob("$dir/*")); @rmdir($dir); });
$q = fn(string $cmd) => exec("cd $dir && $cmd 2>&1", $out, $rc) === false || $rc !== 0 ? die("setup failed: $cmd\n" . implode("\n", $out)) : null;
// A CA of the test's own and a server certificate for 127.0.0.1.
$q('openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=wxpay test redis CA"');
$q('openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1"');
file_put_contents("$dir/ext.cnf", "subjectAltName=IP:127.0.0.1\n");
$q('openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf');
// One trust bundle for both: the sandbox's CA (HTTPS) and this one (Redis).
file_put_contents("$dir/trust.pem", file_get_contents(sandbox_ca()) . file_get_contents("$dir/ca.pem"));

$redis = new PrivateRedis(['--port', '0', '--tls-port', 'PORT', '--tls-cert-file', "$dir/srv.pem", '--tls-key-file', "$dir/srv.key",
    '--tls-ca-cert-file', "$dir/ca.pem", '--tls-auth-clients', 'no',
    '--user', 'default', 'off', '--user', 'shop', 'on', '>s3cret-pw', '~wxpay:*', '+@all']);
$url = "rediss://shop:s3cret-pw@127.0.0.1:{$redis->port}/0";

$app = 'wxnotify0000000001';
[, $secret] = sandbox_app($app);
$o = sandbox_options(['outbox' => $url, 'cafile' => "$dir/trust.pem"]);
$p = sample_params($app);
$id = wx_deliver_enqueue($p, $o);
var_dump(wx_deliver_enqueue($p, $o) === $id);
var_dump(wx_deliver_drain($o + ['appsecret' => $secret])['sent'], count(sandbox_notifications($p['out_trade_no'])));
$s = wx_deliver_outbox($o);
echo $s['store'], ' sent=', $s['sent'], "\n";

echo "-- failures: the password never shown\n";
attempt(fn() => wx_deliver_enqueue(sample_params($app), ['outbox' => "rediss://shop:wrong-pw@127.0.0.1:{$redis->port}/0"] + $o), ['wrong-pw', 's3cret-pw']);
attempt(fn() => wx_deliver_enqueue(sample_params($app), sandbox_options(['outbox' => $url])), ['s3cret-pw']);
attempt(fn() => wx_deliver_enqueue(sample_params($app), ['outbox' => "redis://shop:s3cret-pw@127.0.0.1:{$redis->port}/0"] + $o), ['s3cret-pw']);
?>
--EXPECTF--
bool(true)
int(1)
int(1)
rediss://***@127.0.0.1:%d/0 sent=1
-- failures: the password never shown
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at rediss://***@127.0.0.1:%d/0: %s
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at rediss://***@127.0.0.1:%d/0: invalid peer certificate: UnknownIssuer
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis://***@127.0.0.1:%d/0: %s
