--TEST--
wx_deliver_notify() / wx_access_token(): a server that echoes the request never gets a secret into a message (plain, percent- or JSON-encoded); token lifetimes that are not positive integers are malformed replies
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
// This app's secret and appkey hold + / = &: they travel encoded.
ini_set('wxpay.api_base', sandbox_url());
ini_set('wxpay.cafile', sandbox_ca());
[$id, $secret, $appkey] = sandbox_app('wxhostile000000006');
$opts = sandbox_options(['appsecret' => $secret]);
$forms = fn(string $s) => [$s, rawurlencode($s), urlencode($s), strtolower(rawurlencode($s)), str_replace('/', '\/', $s),
                           json_encode($s), substr(json_encode($s, JSON_HEX_AMP), 1, -1)];
$check = function (callable $f) use ($forms, $secret, $appkey) {
    try { $f(); echo "no exception\n"; return; } catch (WxPay\Exception $e) {}
    $shown = $e->getMessage() . $e->getTraceAsString();
    echo get_class($e), '(', $e->getCode(), '): ', $e->getMessage(), "\n";
    foreach ([$secret, $appkey, $GLOBALS['token'] ?? 'none'] as $s) {
        foreach ($forms($s) as $form) if (str_contains($shown, $form)) echo "LEAKED: $form\n";
    }
};
// The token fetch echoed: the query carries the secret, percent-encoded.
sandbox_fault(['kind' => 'echo', 'match' => "appid=$id"]);
$check(fn() => wx_access_token($id, $secret));
$GLOBALS['token'] = $token = wx_access_token($id, $secret);
// The notification echoed: the query carries the token.
$p = sample_params($id);
sandbox_fault(['kind' => 'echo', 'errcode' => 40003, 'match' => $p['out_trade_no']]);
$check(fn() => wx_deliver_notify($token, $p, $opts));
// A token with + / = & of the caller's own, echoed back encoded.
$odd = 'tok+en/with=odd&chars' . bin2hex(random_bytes(4));
$GLOBALS['token'] = $odd;
$p = sample_params($id);
sandbox_fault(['kind' => 'echo', 'errcode' => 40003, 'match' => $p['out_trade_no']]);
$check(fn() => wx_deliver_notify($odd, $p, $opts));

echo "-- token lifetimes\n";
[$id2, $secret2] = sandbox_app('wxhostile000000007');
foreach (['-5', '0', '1.5', '"soon"', 'null', '1e3'] as $lifetime) {
    sandbox_fault(['kind' => 'body', 'body' => "{\"access_token\":\"T" . bin2hex(random_bytes(8)) . "\",\"expires_in\":$lifetime}", 'match' => "appid=$id2"]);
    echo str_pad($lifetime, 7), ' -> ';
    attempt(fn() => wx_access_token($id2, $secret2, true), [$secret2]);
}
// A digit string is a lifetime: 60 s, refreshed ahead of expiry (a quarter before).
sandbox_fault(['kind' => 'body', 'body' => '{"access_token":"SIXTYSECONDS","expires_in":"60"}', 'match' => "appid=$id2"]);
var_dump(wx_access_token($id2, $secret2, true), wx_access_token($id2, $secret2));
?>
--EXPECTF--
WxPay\ApiException(40001): wx_access_token(): WeChat error 40001 while fetching the access_token: refused /cgi-bin/token?grant_type=client_credential&appid=wxhostile000000006&secret=*** 
WxPay\ApiException(40003): wx_deliver_notify(): WeChat error 40003: refused /pay/delivernotify?access_token=*** {"app_signature":"%x","appid":"wxhostile000000006",%s}
WxPay\ApiException(40003): wx_deliver_notify(): WeChat error 40003: refused /pay/delivernotify?access_token=*** {"app_signature":"%x","appid":"wxhostile000000006",%s}
-- token lifetimes
-5      -> WxPay\TransportException(0): wx_access_token(): fetching the access_token: the token reply has no usable expires_in (a positive number of seconds)
0       -> WxPay\TransportException(0): wx_access_token(): fetching the access_token: the token reply has no usable expires_in (a positive number of seconds)
1.5     -> WxPay\TransportException(0): wx_access_token(): fetching the access_token: the token reply has no usable expires_in (a positive number of seconds)
"soon"  -> WxPay\TransportException(0): wx_access_token(): fetching the access_token: the token reply has no usable expires_in (a positive number of seconds)
null    -> WxPay\TransportException(0): wx_access_token(): fetching the access_token: the token reply has no usable expires_in (a positive number of seconds)
1e3     -> WxPay\TransportException(0): wx_access_token(): fetching the access_token: the token reply has no usable expires_in (a positive number of seconds)
string(12) "SIXTYSECONDS"
string(12) "SIXTYSECONDS"
