--TEST--
wx_deliver_enqueue() on Redis: refused where the outbox can be lost silently (no persistence, an evicting policy, CONFIG hidden) unless php.ini accepts it; a lost outbox is reported by status and drain
--EXTENSIONS--
wxpay
--SKIPIF--
<?php require __DIR__ . '/include/sandbox.inc'; if ($why = redis_outbox_skip()) die($why); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000003';
[, $secret] = sandbox_app($app);
$enqueue = function (PrivateRedis $r) use ($app) {
    attempt(fn() => strlen(wx_deliver_enqueue(sample_params($app), ['outbox' => $r->url()])));
};
// php.ini only: the same call in a php with -d wxpay.outbox_redis_unsafe=1.
$accepted = function (PrivateRedis $r) use ($app) {
    $code = 'require $argv[1]; echo strlen(wx_deliver_enqueue(sample_params($argv[2]), ["outbox" => $argv[3]]));';
    return shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(),
        '-d', 'wxpay.outbox_redis_unsafe=1', '-r', $code, __DIR__ . '/include/sandbox.inc', $app, $r->url()])) . ' 2>&1');
};

echo "-- no AOF, no save points\n";
$r = new PrivateRedis(['--appendonly', 'no']);
$enqueue($r);
echo "accepted by php.ini: ", $accepted($r), "\n";
echo "-- allkeys-lru under a memory limit\n";
$r = new PrivateRedis(['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru']);
$enqueue($r);
echo "-- volatile-lru evicts only keys with a TTL (the outbox has none): kept\n";
$r = new PrivateRedis(['--maxmemory', '2mb', '--maxmemory-policy', 'volatile-lru']);
$enqueue($r);
echo "-- CONFIG hidden, as some managed Redis do\n";
$r = new PrivateRedis(['--rename-command', 'CONFIG', '']);
$enqueue($r);
echo "accepted by php.ini: ", $accepted($r), "\n";

echo "-- a lost outbox is loud\n";
$r = new PrivateRedis();
$o = sandbox_options(['outbox' => $r->url()]);
foreach ([1, 2, 3] as $_) wx_deliver_enqueue(sample_params($app), $o);
echo "status before: ", json_encode(wx_deliver_outbox($o)['lost']), "\n";
redis_command($r->port, 'DEL', 'wxpay:{outbox}:epoch');           // what eviction does to one key
echo "marker evicted: ", wx_deliver_outbox($o)['lost'], "\n";
redis_command($r->port, 'FLUSHALL');                             // what a restart without persistence does
wx_deliver_enqueue(sample_params($app), $o);
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
$d = wx_deliver_drain($o + ['appsecret' => $secret]);
restore_error_handler();
echo "drained: ", $d['sent'], ", warnings: ", count($warnings), "\n", $warnings[0] ?? '', "\n";
echo "prometheus: ", preg_match('/^wxpay_outbox_lost\{store="[^"]+"\} 0$/m', wx_deliver_outbox($o + ['format' => 'prometheus'])), "\n";
?>
--EXPECTF--
-- no AOF, no save points
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis://127.0.0.1:%d/0: refused to keep notifications there: it keeps nothing on disk (appendonly no and no save points): a restart empties the outbox (turn on appendonly); or set wxpay.outbox_redis_unsafe = 1 to accept that they can be lost
accepted by php.ini: 24
-- allkeys-lru under a memory limit
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis://127.0.0.1:%d/0: refused to keep notifications there: its maxmemory-policy allkeys-lru with maxmemory 2097152 lets Redis evict the outbox's entries (use noeviction or a volatile-* policy); or set wxpay.outbox_redis_unsafe = 1 to accept that they can be lost
-- volatile-lru evicts only keys with a TTL (the outbox has none): kept
no exception: 24
-- CONFIG hidden, as some managed Redis do
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis://127.0.0.1:%d/0: refused to keep notifications there: its configuration cannot be read (CONFIG GET is refused), so it is not known to keep the outbox; or set wxpay.outbox_redis_unsafe = 1 to accept that they can be lost
accepted by php.ini: 24
-- a lost outbox is loud
status before: null
marker evicted: the outbox at redis://127.0.0.1:%d/0 lost its marker key while entries remain: Redis evicted or deleted keys, and notifications may be lost
drained: 1, warnings: 1
wx_deliver_drain(): the outbox at redis://127.0.0.1:%d/0 was emptied or replaced since this process last used it (a restart without persistence, a FLUSH, eviction): notifications it held may be lost
prometheus: 1
