--TEST--
wx_deliver_notify(): every value arrives as the JSON string that was signed (quotes, newlines, Chinese, emoji, numeric strings)
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000001';
$token = sandbox_token($app);

$msgs = [
    'quote "double" and \'single\'',
    "back\\slash \\\" and \\n literally",
    "line one\nline two\r\ttabbed",
    '该商品已退款',
    'emoji 😀📦 and </script> & <b>',
    '',
    '{"json":"inside"}',
];
foreach ($msgs as $msg) {
    $p = sample_params($app, ['deliver_msg' => $msg, 'deliver_status' => 0]);
    wx_deliver_notify($token, $p, sandbox_options());
    $rec = sandbox_notifications($p['out_trade_no'])[0];
    echo json_encode($msg, JSON_UNESCAPED_UNICODE), ': ', $rec['deliver_msg'] === $msg ? 'intact' : 'CHANGED', ', status ', $rec['deliver_status'], "\n";
}

// Numeric-looking values stay strings (a number on the wire fails with 49004).
$p = sample_params($app, ['transid' => '0012345678901234567890', 'out_trade_no' => 'N' . mt_rand(), 'deliver_timestamp' => '0001369745073']);
$p['openid'] = 12345;
wx_deliver_notify($token, $p, sandbox_options());
$rec = sandbox_notifications($p['out_trade_no'])[0];
var_dump($rec['transid'], $rec['openid'], $rec['deliver_timestamp']);

// Keys match case-insensitively, as get_biz_sign does; a later key wins.
$p = sample_params($app);
$mixed = ['AppId' => $p['appid'], 'APPKEY' => $p['appkey'], 'OpenId' => 'first', 'openid' => $p['openid'],
          'TransId' => $p['transid'], 'Out_Trade_No' => $p['out_trade_no'], 'Deliver_Status' => true, 'DELIVER_MSG' => 'Mixed'];
var_dump(wx_deliver_notify($token, $mixed, sandbox_options())['errcode']);
$rec = sandbox_notifications($p['out_trade_no'])[0];
var_dump($rec['openid'] === $p['openid'], $rec['deliver_status'], $rec['deliver_msg']);

// A Stringable order number.
class OrderNo { function __construct(private string $n) {} function __toString(): string { return $this->n; } }
$p = sample_params($app);
$p['out_trade_no'] = new OrderNo('OBJ-' . mt_rand());
wx_deliver_notify($token, $p, sandbox_options());
var_dump(count(sandbox_notifications((string) $p['out_trade_no'])));
// A __toString() that throws: that exception reaches the caller, nothing is sent.
class Boom { function __toString(): string { throw new DomainException('no order number yet'); } }
try {
    wx_deliver_notify('never-sent-boom', ['out_trade_no' => new Boom] + sample_params($app), sandbox_options());
} catch (DomainException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(sandbox_requests('never-sent-boom')['count']);
?>
--EXPECT--
"quote \"double\" and 'single'": intact, status 0
"back\\slash \\\" and \\n literally": intact, status 0
"line one\nline two\r\ttabbed": intact, status 0
"该商品已退款": intact, status 0
"emoji 😀📦 and <\/script> & <b>": intact, status 0
"": intact, status 0
"{\"json\":\"inside\"}": intact, status 0
string(22) "0012345678901234567890"
string(5) "12345"
string(13) "0001369745073"
int(0)
bool(true)
string(1) "1"
string(5) "Mixed"
int(1)
DomainException: no order number yet
int(0)
