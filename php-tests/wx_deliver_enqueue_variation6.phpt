--TEST--
wx_deliver_enqueue() and wx_deliver_drain() on a Redis older than 6.2 (Debian 11's, Ubuntu 20.04's): refused with the version named, nothing stored; no enqueue is acknowledged that no drain could send
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
// A real old server where there is one (the bullseye row: 6.0); elsewhere
// one without XAUTOCLAIM, the 6.2 command the drain's script needs.
$old = version_compare(redis_server_version(), '6.2', '<');
$r = new PrivateRedis(array_merge(['--requirepass', 'ol-pw'], $old ? [] : ['--rename-command', 'XAUTOCLAIM', '']));
$app = 'wxnotify0000000003';
[, $secret] = sandbox_app($app);
$o = sandbox_options(['outbox' => "redis://:ol-pw@127.0.0.1:{$r->port}/0"]);
attempt(fn() => wx_deliver_enqueue(sample_params($app), $o), ['ol-pw']);
attempt(fn() => wx_deliver_enqueue(sample_params($app), $o), ['ol-pw']);
attempt(fn() => wx_deliver_drain($o + ['appsecret' => $secret]), ['ol-pw', $secret]);
echo "keys stored: ", trim(ltrim(socket_dbsize($r->port), ':')), "\n";

/** DBSIZE behind the password (redis_command() sends one command). */
function socket_dbsize(int $port): string
{
    $s = fsockopen('127.0.0.1', $port);
    fwrite($s, "AUTH ol-pw\r\nDBSIZE\r\n");
    fgets($s);
    return fgets($s);
}
?>
--EXPECTF--
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis://***@127.0.0.1:%d/0: Redis %s cannot run the outbox: it needs Redis 6.2 or newer (XAUTOCLAIM is missing); upgrade it, or keep the outbox in SQLite
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis://***@127.0.0.1:%d/0: Redis %s cannot run the outbox: it needs Redis 6.2 or newer (XAUTOCLAIM is missing); upgrade it, or keep the outbox in SQLite
WxPay\OutboxException(0): wx_deliver_drain(): the outbox at redis://***@127.0.0.1:%d/0: Redis %s cannot run the outbox: it needs Redis 6.2 or newer (XAUTOCLAIM is missing); upgrade it, or keep the outbox in SQLite
keys stored: 0
