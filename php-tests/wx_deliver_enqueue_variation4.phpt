--TEST--
wx_deliver_enqueue(): an outbox file created by root and then used by another user: the message says whose file it is and what to change
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
$file = outbox_file();
chmod(dirname($file), 0777);
wx_deliver_enqueue(sample_params('wxnotify0000000003'), ['outbox' => $file]);   // root creates it, rw-r--r--
// Readable by all, writable by root only (as an older wxpay or a hand-made file left it).
foreach (['', '-wal', '-shm'] as $suffix) @chmod($file . $suffix, 0644);
$code = 'try { wx_deliver_enqueue(["appid" => "wx1", "appkey" => "k", "openid" => "o", "transid" => "t", "out_trade_no" => "n"], ["outbox" => $argv[1]]); echo "no exception\n"; }
         catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }';
$cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(), '-r', $code, $file];
$out = shell_exec(implode(' ', array_map('escapeshellarg', $cmd)) . ' 2>&1');
echo str_replace($file, 'FILE', (string) $out);
?>
--EXPECTF--
WxPay\OutboxException: wx_deliver_enqueue(): the outbox at FILE: attempt to write a readonly database; the file is root:root mode 644: the user PHP runs as must be able to write it and its directory %s (chown it to that user or its group, mode 660)
