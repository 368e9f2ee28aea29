--TEST--
wx_deliver_enqueue(): 20 processes creating one new SQLite file at once all succeed; a deleted or replaced file is noticed by a process that had it open
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$appid, , $appkey] = sandbox_app('wxnotify0000000003');

// First use, many processes at the same instant (once: "database is locked;
// its directory must be writable" in 4 of 10 rounds).
$failed = [];
for ($round = 0; $round < 5; $round++) {
    $file = outbox_file();
    foreach (run_workers('enqueue_worker.php', 20, [], [$file, $appid, $appkey]) as $r) {
        if (!isset($r['id'])) $failed[] = $r;
    }
    $s = wx_deliver_outbox(['outbox' => $file]);
    if ($s['pending'] !== 20) $failed[] = "round $round: {$s['pending']} pending";
}
echo "first use: ", count($failed), " failed ", json_encode(array_slice($failed, 0, 2)), "\n";

// A process that has the store open, and the file deleted or replaced under it.
$file = outbox_file();
$params = sample_params('wxnotify0000000003');
wx_deliver_enqueue($params, ['outbox' => $file]);
foreach (['', '-wal', '-shm'] as $suffix) @unlink("$file$suffix");
$after = sample_params('wxnotify0000000003');
wx_deliver_enqueue($after, ['outbox' => $file]);
clearstatcache();
echo "after rm: the file exists again: ", var_export(is_file($file), true), "\n";
// Another process, as the cron drain is.
$php = fn(string $code, string ...$args) => shell_exec(escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg(wxpay_so())
    . ' -r ' . escapeshellarg($code) . ' ' . implode(' ', array_map('escapeshellarg', $args)));
echo "another process sees pending: ", $php('echo wx_deliver_outbox(["outbox" => $argv[1]])["pending"];', $file), "\n";

// Replaced by another file (a restore from backup, say), written by another
// process; its -wal goes with it.
$other = outbox_file();
$php('foreach ([1, 2] as $i) wx_deliver_enqueue(["appid" => $argv[2], "appkey" => $argv[3], "openid" => "o", "transid" => "t",
    "out_trade_no" => "restored-$i"], ["outbox" => $argv[1]]);', $other, $appid, $appkey);
foreach (['', '-wal', '-shm'] as $suffix) @rename("$other$suffix", "$file$suffix");
echo "after a rename over it, pending: ", wx_deliver_outbox(['outbox' => $file])['pending'], "\n";
?>
--EXPECT--
first use: 0 failed []
after rm: the file exists again: true
another process sees pending: 1
after a rename over it, pending: 2
