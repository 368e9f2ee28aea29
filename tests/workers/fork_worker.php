<?php
/*
 * A CLI worker that notifies once, then forks 8 children that each notify
 * 10 times (managed token): the children must not share the parent's TLS
 * or Redis connections. Prints the parent's view: children's exit codes and
 * the order numbers each child sent successfully.
 *   php -d ... fork_worker.php START ID APPID SECRET APPKEY TAG
 */
[, $start, , $appid, $secret, $appkey, $id] = $argv;
$notify = function (string $order) use ($appid, $appkey, $secret) {
    wx_deliver_notify(null, ['appid' => $appid, 'appkey' => $appkey, 'openid' => 'o1', 'transid' => 't' . crc32($order),
                             'out_trade_no' => $order], ['appsecret' => $secret]);
};
$notify("fork-$id-parent");   // warms the parent's TLS pool (and Redis connection)
$dir = sys_get_temp_dir() . '/wxpay-fork-' . getmypid();
@mkdir($dir);
$children = [];
for ($c = 0; $c < 8; $c++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $sent = [];
        $errors = [];
        for ($i = 0; $i < 10; $i++) {
            $order = "fork-$id-$c-$i";
            try { $notify($order); $sent[] = $order; } catch (Throwable $e) { $errors[] = get_class($e) . ': ' . $e->getMessage(); }
        }
        file_put_contents("$dir/$c", json_encode(['sent' => $sent, 'errors' => $errors]));
        exit(count($errors) > 0 ? 1 : 0);
    }
    $children[] = $pid;
}
$codes = [];
foreach ($children as $pid) { pcntl_waitpid($pid, $status); $codes[] = pcntl_wexitstatus($status); }
// The parent's pool still works after its children used theirs.
$notify("fork-$id-parent-after");
$results = [];
for ($c = 0; $c < 8; $c++) { $results[] = json_decode((string) @file_get_contents("$dir/$c"), true); @unlink("$dir/$c"); }
@rmdir($dir);
echo json_encode(['codes' => $codes, 'children' => $results]);
