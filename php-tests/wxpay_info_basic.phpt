--TEST--
phpinfo(): the wxpay section shows version, TLS backend, CA source, the outbox store and every directive
--EXTENSIONS--
wxpay
--INI--
wxpay.cafile={PWD}/include/sandbox.inc
wxpay.timeout=7.5
--FILE--
<?php
ob_start();
(new ReflectionExtension('wxpay'))->info();
$info = ob_get_clean();
foreach (['version', 'TLS backend', 'CA source', 'wxpay.api_base', 'wxpay.timeout', 'wxpay.connect_timeout',
          'wxpay.cafile', 'wxpay.proxy', 'wxpay.token_cache'] as $row) {
    echo $row, ': ', str_contains($info, $row) ? 'yes' : 'MISSING', "\n";
}
preg_match('/^outbox store => (.*)$/m', $info, $m);
echo "outbox store: ", $m[1] ?? 'MISSING', "\n";
var_dump(str_contains($info, phpversion('wxpay')));
var_dump(str_contains($info, 'include/sandbox.inc)'));
var_dump(ini_get('wxpay.timeout'), ini_get('wxpay.api_base'));
var_dump(ini_set('wxpay.api_base', 'https://127.0.0.1:1') !== false, ini_get('wxpay.api_base'));
// The token cache is chosen in php.ini, not by a script.
var_dump(ini_set('wxpay.token_cache', 'redis://127.0.0.1:6379/0'));
?>
--EXPECT--
version: yes
TLS backend: yes
CA source: yes
wxpay.api_base: yes
wxpay.timeout: yes
wxpay.connect_timeout: yes
wxpay.cafile: yes
wxpay.proxy: yes
wxpay.token_cache: yes
outbox store: SQLite file /var/lib/wxpay/outbox.sqlite
bool(true)
bool(true)
string(3) "7.5"
string(25) "https://api.weixin.qq.com"
bool(true)
string(19) "https://127.0.0.1:1"
bool(false)
