--TEST--
Every PHP snippet marked runnable in README.md and docs/*.md runs as written against the sandbox (WxPay.config.php's constants defined for a sandbox app, $obj the sample's array), with no warning, and its notifications reach the sandbox
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$root = dirname(__DIR__);
[$appid, $secret, $appkey] = sandbox_app('wxnotify0000000001');
$tag = 'DOC' . bin2hex(random_bytes(4));
// What a WxPayHelper shop has: its WxPay.config.php, the sample's $obj,
// and (for the outbox snippets) a shipment with its appkey.
$prelude = '<?php
define("APPID", ' . var_export($appid, true) . ');
define("APPKEY", ' . var_export($appkey, true) . ');
define("APPSERCERT", ' . var_export($secret, true) . ');
define("PARTNERKEY", "8934e7d15453e97507ef794cf7b0519d");
$appsecret = APPSERCERT;
$obj = ["appid" => APPID, "openid" => "o-' . $tag . '", "transid" => "1218614901201405273313473135",
        "out_trade_no" => "' . $tag . '-" . bin2hex(random_bytes(3)), "deliver_timestamp" => time(),
        "deliver_status" => "1", "deliver_msg" => "ok"];
$shipment = $obj + ["appkey" => APPKEY];
$parcel = ["out_trade_no" => $obj["out_trade_no"] . "-parcel"] + $shipment;
?>';
$snippets = [];
foreach (array_merge(["$root/README.md"], glob("$root/docs/*.md")) as $file) {
    $lines = file($file);
    foreach ($lines as $i => $line) {
        if (trim($line) !== '<!-- runnable -->') continue;
        if (trim($lines[$i + 1] ?? '') !== '```php') { echo basename($file), ':', $i + 1, ": a runnable mark not followed by a php block\n"; continue; }
        $code = '';
        for ($j = $i + 2; $j < count($lines) && trim($lines[$j]) !== '```'; $j++) $code .= $lines[$j];
        $snippets[] = [basename($file) . ':' . ($i + 1), $code];
    }
}
$outbox = outbox_file();
$clean = 0;
foreach ($snippets as [$where, $code]) {
    $script = tempnam(sys_get_temp_dir(), 'snippet');
    file_put_contents($script, $prelude . "<?php\n" . $code);
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(), '-d', 'error_reporting=-1', '-d', 'display_errors=1',
            '-d', 'zend.assertions=1', '-d', 'assert.exception=1',
            '-d', 'wxpay.api_base=' . sandbox_url(), '-d', 'wxpay.cafile=' . sandbox_ca(), '-d', "wxpay.outbox=$outbox", $script];
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    $status = proc_close($p);
    unlink($script);
    if ($status === 0 && !preg_match('/(Warning|Notice|Deprecated|Fatal error|Uncaught)/', $out)) {
        $clean++;
    } else {
        echo "$where: exit $status\n$out\n";
    }
}
echo count($snippets), " runnable snippets, ", $clean, " ran cleanly\n";
echo "notifications the sandbox recorded for them: ", count(sandbox_notifications($tag)) >= 4 ? 'yes' : 'no', "\n";
echo "kept in the outbox: ", wx_deliver_outbox(['outbox' => $outbox])['pending'], " (the parcel)\n";
?>
--EXPECT--
10 runnable snippets, 10 ran cleanly
notifications the sandbox recorded for them: yes
kept in the outbox: 1 (the parcel)
