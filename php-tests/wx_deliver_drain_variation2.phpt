--TEST--
examples/drain.php and examples/requeue.php as cron and an operator run them: no demo secret, failing entries shown with their error, a dead one reported once, exit codes for monitoring, dead entries re-queued and sent
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000003';
[, $secret, $appkey] = sandbox_app($app);
$outbox = outbox_file();
$ini = ['wxpay.outbox' => $outbox, 'wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(),
        'wxpay.outbox_retry_first' => '0.05', 'wxpay.outbox_retry_max' => '0.2'];

/** Runs an example as cron would: php with this php.ini, this environment; [status, stdout, stderr]. */
function example(string $script, array $ini, array $env, array $args = []): array
{
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(), '-d', 'date.timezone=UTC'];
    foreach ($ini as $k => $v) { $cmd[] = '-d'; $cmd[] = "$k=$v"; }
    $cmd = array_merge($cmd, [dirname(__DIR__) . "/examples/$script"], $args);
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env + ['PATH' => getenv('PATH')]);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    return [proc_close($p), $out, $err];
}
function show(string $label, array $r, array $secrets): void
{
    [$status, $out, $err] = $r;
    echo "$label: exit $status\n";
    foreach (explode("\n", trim($out . $err)) as $line) {
        if ($line !== '') echo "  ", preg_replace(['/\d{2}:\d{2}:\d{2}/', '/after \d+ attempt/', '/attempt \d+/', '/\b[0-9a-f]{24}\b/'], ['HH:MM:SS', 'after N attempt', 'attempt N', 'ID'], $line), "\n";
    }
    foreach ($secrets as $s) if (str_contains($out . $err, $s)) echo "SECRET LEAKED\n";
}
$secrets = [$secret, $appkey];
$env = ['WXPAY_APPSECRET' => $secret];

show('no secret configured', example('drain.php', $ini, []), $secrets);
show('nothing to do', example('drain.php', $ini, $env), $secrets);

// One order WeChat keeps refusing with a 503: failing, then overdue.
$openid = 'o-examples-' . bin2hex(random_bytes(6));
sandbox_fault(['kind' => 'status', 'status' => 503, 'count' => 1000, 'match' => $openid]);
$a = sample_params($app, ['openid' => $openid, 'out_trade_no' => 'EX-A-' . bin2hex(random_bytes(3))]);
$idA = wx_deliver_enqueue($a, ['outbox' => $outbox, 'deadline' => time() + 3]);
show('refused, close to its deadline', example('drain.php', $ini, $env), $secrets);
usleep(3200000);
show('past its deadline', example('drain.php', $ini, $env), $secrets);
show('the next run', example('drain.php', $ini, $env), $secrets);

// The operator: lists, then re-queues once WeChat is back.
show('requeue lists', example('requeue.php', $ini, []), $secrets);
show('requeue a bad option', example('requeue.php', $ini, [], ['--everything']), $secrets);
sandbox_http('DELETE', '/_sandbox/fault?match=' . urlencode($openid));   // WeChat is back
show('requeue --all', example('requeue.php', $ini, [], ['--all']), $secrets);
show('drained', example('drain.php', $ini, $env), $secrets);
echo "recorded: ", count(sandbox_notifications($a['out_trade_no'])), "\n";
?>
--EXPECTF--
no secret configured: exit 2
  drain: set WXPAY_APPSECRET (one app) or WXPAY_APPS (appid=secret,appid=secret) for this cron line
nothing to do: exit 0
  sent 0, retried 0, dead 0, pending 0, overdue 0
refused, close to its deadline: exit 3
  Warning: wx_deliver_drain(): 1 shipping notification(s) still undelivered within 2 hours of their deadline: out_trade_no EX-A-%s (transid %d, deadline in 0 min, last error: HTTP 503 from 127.0.0.1:%d) in %s on line %d
  sent 0, retried 1, dead 0, pending 1, overdue 1
  failing: order EX-A-%s (transid %d), attempt N, next try HH:MM:SS: HTTP 503 from 127.0.0.1:%d
past its deadline: exit 3
  Warning: wx_deliver_drain(): 1 shipping notification(s) died in this drain and will not be sent unless re-queued (wx_deliver_requeue()): out_trade_no EX-A-%s (transid %d): the deadline passed (last error: HTTP 503 from 127.0.0.1:%d) in %s on line %d
  sent 0, retried 0, dead 1, pending 0, overdue 0
  dead: 1 notification(s) in all will not be sent unless re-queued: php examples/requeue.php lists and re-queues them
the next run: exit 3
  sent 0, retried 0, dead 0, pending 0, overdue 0
  dead: 1 notification(s) in all will not be sent unless re-queued: php examples/requeue.php lists and re-queues them
requeue lists: exit 0
  ID  order EX-A-%s (transid %s), dead since %d-%d-%d %d:%d after N attempt(s): the deadline passed (last error: HTTP 503 from 127.0.0.1%s)
  1 dead; re-queue with --all or by id
requeue a bad option: exit 2
  requeue: unknown option --everything (options: --all, --physical)
requeue --all: exit 0
  re-queued 1 of 1 (deadline: virtual goods, from now); the next drain sends them
drained: exit 0
  sent 1, retried 0, dead 0, pending 0, overdue 0
recorded: 1
