--TEST--
wxpay.* in php.ini: passwords masked in phpinfo; a bad value is reported at startup, marked invalid in php --ri, and throws WxPay\ConfigurationException only in the calls that need it
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
function php_with(array $ini, array $args): string
{
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(), '-d', 'display_startup_errors=1', '-d', 'display_errors=1'];
    foreach ($ini as $k => $v) { $cmd[] = '-d'; $cmd[] = "$k=\"$v\""; }
    $p = proc_open(array_merge($cmd, $args), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    proc_close($p);
    return $out;
}
$leak = fn(string $out) => str_contains($out, 'hunter2') || str_contains($out, 'pr0xypw') ? "PASSWORD SHOWN\n" : '';

echo "-- credentials in URLs are masked (text and HTML phpinfo)\n";
$ini = ['wxpay.proxy' => 'http://shop:pr0xypw@127.0.0.1:3128', 'wxpay.token_cache' => 'redis://user:hunter2@127.0.0.1:6390/0'];
$ri = php_with($ini, ['--ri', 'wxpay']);
echo $leak($ri);
foreach (explode("\n", $ri) as $line) if (preg_match('/^(wxpay\.(proxy|token_cache)|configuration)/', $line)) echo $line, "\n";
$html = php_with($ini, ['-r', 'ob_start(); (new ReflectionExtension("wxpay"))->info(); $o = ob_get_clean(); echo str_contains($o, "***@127.0.0.1:3128") ? "html masked" : "NOT MASKED";']);
echo $leak($html), $html, "\n";
// A query password is refused (and not shown).
$out = php_with(['wxpay.token_cache' => 'redis://127.0.0.1:6390/0?password=hunter2'], ['-r', 'echo "ran\n";']);
echo $leak($out), trim(preg_replace('/ in Unknown on line \d+/', '', $out)), "\n";

echo "-- bad values: a startup warning each, INVALID rows, ConfigurationException where needed\n";
$bad = ['wxpay.timeout' => '5s', 'wxpay.token_cache' => '127.0.0.1:6390', 'wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca()];
$ri = php_with($bad, ['--ri', 'wxpay']);
foreach (explode("\n", $ri) as $line) if (str_contains($line, 'Warning') || str_starts_with($line, 'configuration')) echo $line, "\n";
$token = sandbox_token('wxhostile000000002');
[$id, $secret, $appkey] = sandbox_app('wxhostile000000002');
$script = '$p = ["appid" => "wxhostile000000002", "appkey" => $argv[3], "openid" => "o", "transid" => "t", "out_trade_no" => "ini-" . getmypid()];
foreach ([fn() => wx_deliver_notify($argv[1], $p), fn() => wx_deliver_notify(null, $p, ["appsecret" => $argv[2]]),
          fn() => wx_access_token("wxhostile000000002", $argv[2])] as $f) {
    try { $f(); echo "no exception\n"; } catch (WxPay\Exception $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
}';
// (Startup warnings also go to stderr's log before the module is up: not repeated here.)
$calls = fn(string $out) => preg_replace('/^PHP Warning:  PHP Startup: .*\n/m', '', $out);
echo "(timeout broken)\n";
$out = php_with($bad, ['-d', 'display_startup_errors=0', '-d', 'log_errors=0', '-r', $script, $token, $secret, $appkey]);
echo $calls($out);
echo "(only token_cache broken: an explicit token still works)\n";
$out = php_with(['wxpay.timeout' => '5'] + $bad, ['-d', 'display_startup_errors=0', '-d', 'log_errors=0', '-r', $script, $token, $secret, $appkey]);
echo $calls($out);
?>
--EXPECTF--
-- credentials in URLs are masked (text and HTML phpinfo)
configuration => valid
wxpay.proxy => http://***@127.0.0.1:3128 => http://***@127.0.0.1:3128
wxpay.token_cache => redis://***@127.0.0.1:6390/0 => redis://***@127.0.0.1:6390/0
html masked
Warning: PHP Startup: wxpay.token_cache: redis://127.0.0.1:6390/0 has a query; put credentials as redis://user:password@host:port/db; the calls that need it throw WxPay\ConfigurationException until it is fixed
ran
-- bad values: a startup warning each, INVALID rows, ConfigurationException where needed
%AWarning: PHP Startup: wxpay.timeout must be a number of seconds greater than 0 and at most 3600; the calls that need it throw WxPay\ConfigurationException until it is fixed%A
%AWarning: PHP Startup: wxpay.token_cache must be "memory" or a redis[s]://[user:password@]host:port/db URL, not 127.0.0.1:6390; the calls that need it throw WxPay\ConfigurationException until it is fixed%A
configuration => INVALID: wxpay.timeout must be a number of seconds greater than 0 and at most 3600
configuration => INVALID: wxpay.token_cache must be "memory" or a redis[s]://[user:password@]host:port/db URL, not 127.0.0.1:6390
(timeout broken)
WxPay\ConfigurationException: wx_deliver_notify(): php.ini: wxpay.timeout must be a number of seconds greater than 0 and at most 3600 (see php --ri wxpay)
WxPay\ConfigurationException: wx_deliver_notify(): php.ini: wxpay.timeout must be a number of seconds greater than 0 and at most 3600 (see php --ri wxpay)
WxPay\ConfigurationException: wx_access_token(): php.ini: wxpay.timeout must be a number of seconds greater than 0 and at most 3600 (see php --ri wxpay)
(only token_cache broken: an explicit token still works)
no exception
WxPay\ConfigurationException: wx_deliver_notify(): php.ini: wxpay.token_cache must be "memory" or a redis[s]://[user:password@]host:port/db URL, not 127.0.0.1:6390 (see php --ri wxpay)
WxPay\ConfigurationException: wx_access_token(): php.ini: wxpay.token_cache must be "memory" or a redis[s]://[user:password@]host:port/db URL, not 127.0.0.1:6390 (see php --ri wxpay)
