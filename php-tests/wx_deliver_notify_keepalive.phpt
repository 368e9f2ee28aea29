--TEST--
wx_deliver_notify(): 100 consecutive notifications travel over one kept-alive TLS connection
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000001';
$token = sandbox_token($app);
$o = sandbox_options();
$ok = 0;
for ($i = 0; $i < 100; $i++) {
    $ok += wx_deliver_notify($token, sample_params($app), $o)['errcode'] === 0;
}
var_dump($ok);
$seen = sandbox_requests($token);
var_dump($seen['count'], count(array_unique($seen['connections'])));
?>
--EXPECT--
int(100)
int(100)
int(1)
