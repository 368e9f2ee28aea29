--TEST--
wx_access_token(): a token is refreshed ahead of expiry (a quarter of its lifetime before it), while it still works: no 42001 needed
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
// 8 s tokens; a replaced token keeps working for 600 s, so nothing here can
// ever get 42001 or 40001: any refresh is the cache's own.
$sb = new PrivateSandbox(['--token-ttl', '8', '--grace', '600']);
ini_set('wxpay.api_base', $sb->url);
ini_set('wxpay.cafile', "$sb->dir/ca.pem");
[$id, $secret, $appkey] = sandbox_app('wxhostile000000001');
$t0 = microtime(true);
$t1 = wx_access_token($id, $secret);
time_sleep_until($t0 + 4.5);
var_dump(wx_access_token($id, $secret) === $t1);      // 3.5 s of margin left: still the cached one
time_sleep_until($t0 + 6.5);
$t2 = wx_access_token($id, $secret);                  // inside the last quarter: refreshed
var_dump($t2 !== $t1, microtime(true) - $t0 < 8);     // ...before the old one expired
// The old token still worked when it was replaced.
var_dump(wx_deliver_notify($t1, sample_params($id), $sb->options())['errcode']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
int(0)
