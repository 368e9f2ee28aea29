--TEST--
wx_access_token(): stable_token endpoint, and 400 notifications in one process cost one token fetch
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
ini_set('wxpay.api_base', sandbox_url());
ini_set('wxpay.cafile', sandbox_ca());
[$id, $secret, $appkey] = sandbox_app('wxtoken00000000002');
$ok = 0;
for ($i = 0; $i < 400; $i++) {
    $ok += wx_deliver_notify(null, sample_params($id), ['appsecret' => $secret])['errcode'] === 0;
}
var_dump($ok, sandbox_stats($id)['token_calls']);
// The same token serves wx_access_token() callers.
$t = wx_access_token($id, $secret);
var_dump(sandbox_stats($id)['token_calls']);

// stable_token: a forced refresh through POST /cgi-bin/stable_token.
ini_set('wxpay.token_endpoint', 'stable_token');
$before = sandbox_requests('/cgi-bin/stable_token')['count'];
$s1 = wx_access_token($id, $secret, true);
var_dump($s1 !== $t, sandbox_requests('/cgi-bin/stable_token')['count'] - $before);
var_dump(wx_deliver_notify($s1, sample_params($id))['errcode']);
// Options choose the endpoint per call too.
attempt(fn() => wx_deliver_notify(null, sample_params($id), ['appsecret' => $secret, 'token_endpoint' => 'weird']));
?>
--EXPECT--
int(400)
int(1)
int(1)
bool(true)
int(1)
int(0)
WxPay\InvalidArgumentException(0): wx_deliver_notify(): option 'token_endpoint' must be "token" or "stable_token"
