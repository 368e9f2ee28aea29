--TEST--
wxpay.token_copy_ttl: in Redis mode a worker reuses its own copy of the token (no round trip, so no sign of a Redis outage) for at most that many seconds, then asks Redis again; 0 asks on every call; php.ini only, a bad value is a ConfigurationException
--EXTENSIONS--
wxpay
--SKIPIF--
<?php if (!is_executable('/usr/bin/redis-server')) die('skip redis-server not installed (make deps installs it)'); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
[$id, $secret] = sandbox_app('wxtoken00000000007');
foreach ([['60 (default)', null, '0'], ['1', '1', '1.3'], ['0', '0', '0']] as [$label, $ttl, $pause]) {
    $redis = new PrivateRedis();
    $ini = ['wxpay.api_base' => sandbox_url(), 'wxpay.cafile' => sandbox_ca(), 'wxpay.token_cache' => $redis->url()];
    if ($ttl !== null) $ini['wxpay.token_copy_ttl'] = $ttl;
    $r = run_workers('token_copy_worker.php', 1, $ini, [$id, $secret, (string) $redis->pid, $pause])[0];
    echo "ttl $label: ", isset($r['broken']) ? $r['broken'] : "same token: " . var_export($r['same'], true)
        . ", warnings right after the outage: {$r['at_once']}, after {$pause} s more: {$r['later']}", "\n";
    unset($redis);
}

echo "-- bad values and ini_set\n";
foreach (['61', '-1', 'soon'] as $bad) {
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . wxpay_so(), '-d', "wxpay.token_copy_ttl=$bad", '-d', 'display_startup_errors=0',
            '-d', 'log_errors=0', '-r', 'try { wx_access_token("wxtoken00000000007", "S"); } catch (WxPay\Exception $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }'];
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    echo "$bad: ", stream_get_contents($pipes[1]), stream_get_contents($pipes[2]);
    proc_close($p);
}
var_dump(ini_set('wxpay.token_copy_ttl', '5'));
?>
--EXPECT--
ttl 60 (default): same token: true, warnings right after the outage: 0, after 0 s more: 0
ttl 1: same token: true, warnings right after the outage: 0, after 1.3 s more: 1
ttl 0: same token: true, warnings right after the outage: 1, after 0 s more: 0
-- bad values and ini_set
61: WxPay\ConfigurationException: wx_access_token(): php.ini: wxpay.token_copy_ttl must be a number of seconds from 0 to 60 (see php --ri wxpay)
PHP Warning:  PHP Startup: wxpay.token_copy_ttl must be a number of seconds from 0 to 60; the calls that need it throw WxPay\ConfigurationException until it is fixed in Unknown on line 0
-1: WxPay\ConfigurationException: wx_access_token(): php.ini: wxpay.token_copy_ttl must be a number of seconds from 0 to 60 (see php --ri wxpay)
PHP Warning:  PHP Startup: wxpay.token_copy_ttl must be a number of seconds from 0 to 60; the calls that need it throw WxPay\ConfigurationException until it is fixed in Unknown on line 0
soon: WxPay\ConfigurationException: wx_access_token(): php.ini: wxpay.token_copy_ttl must be a number of seconds from 0 to 60 (see php --ri wxpay)
PHP Warning:  PHP Startup: wxpay.token_copy_ttl must be a number of seconds from 0 to 60; the calls that need it throw WxPay\ConfigurationException until it is fixed in Unknown on line 0
bool(false)
