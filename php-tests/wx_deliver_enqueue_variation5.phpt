--TEST--
wx_deliver_enqueue(): an outbox file created by root (an admin's php ship.php) is read-write for its directory's group, so the web server's user in that group keeps enqueuing, and a drain as that user sends both
--EXTENSIONS--
wxpay
--SKIPIF--
<?php
if (!function_exists('posix_getuid') ? trim((string) shell_exec('id -u')) !== '0' : posix_getuid() !== 0) die('skip needs root (to act as nobody)');
if (!is_executable('/usr/bin/setpriv')) die('skip setpriv (util-linux) is missing');
require __DIR__ . '/include/sandbox.inc';
$probe = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(),
          '-r', 'echo function_exists("wx_deliver_enqueue") ? "loaded" : "not loaded";'];
if (trim((string) shell_exec(implode(' ', array_map('escapeshellarg', $probe)) . ' 2>/dev/null')) !== 'loaded') die('skip nobody cannot load the extension here');
?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000003';
[, $secret] = sandbox_app($app);
$file = outbox_file();
// The directory as packaging makes it: the web server's group may write it.
chgrp(dirname($file), 65534);
chmod(dirname($file), 0770);
umask(0022);
$first = sample_params($app);
wx_deliver_enqueue($first, ['outbox' => $file]);   // root creates the file
clearstatcache();
printf("created by root: %d:%d mode %o\n", fileowner($file), filegroup($file), fileperms($file) & 0777);
foreach (['-wal', '-shm'] as $suffix) {
    if (file_exists($file . $suffix)) printf("%s: group %d mode %o\n", $suffix, filegroup($file . $suffix), fileperms($file . $suffix) & 0777);
}

// The web server's user (here nobody, in that group) enqueues and drains.
$second = sample_params($app);
$code = '$o = ["outbox" => $argv[1]]; $p = json_decode($argv[2], true);
    try { wx_deliver_enqueue($p, $o); echo "enqueued\n";
          echo json_encode(wx_deliver_drain($o + ["api_base" => $argv[3], "cafile" => $argv[4], "appsecret" => $argv[5]])), "\n"; }
    catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }';
$cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(), '-r', $code,
        $file, json_encode($second), sandbox_url(), sandbox_ca(), $secret];
echo str_replace($file, 'FILE', (string) shell_exec(implode(' ', array_map('escapeshellarg', $cmd)) . ' 2>&1'));
foreach ([$first, $second] as $i => $p) echo "order ", $i + 1, " recorded ", count(sandbox_notifications($p['out_trade_no'])), " time(s)\n";
?>
--EXPECT--
created by root: 0:65534 mode 660
-wal: group 65534 mode 660
-shm: group 65534 mode 660
enqueued
{"sent":2,"retried":0,"dead":0,"skipped":0,"pending":0,"overdue":0}
order 1 recorded 1 time(s)
order 2 recorded 1 time(s)
