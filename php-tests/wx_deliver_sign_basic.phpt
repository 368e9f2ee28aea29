--TEST--
wx_deliver_sign(): the seed article's example and the spec's worked example
--EXTENSIONS--
wxpay
--FILE--
<?php
// The spec's worked example: appkey passed as the second argument.
$spec = [
    'appid' => 'wwwwb4f85f3a797777',
    'openid' => 'oX99MDgNcgwnz3zFN3DNmo8uwa-w',
    'transid' => '111112222233333',
    'out_trade_no' => '555666uuu',
    'deliver_timestamp' => '1369745073',
    'deliver_status' => '1',
    'deliver_msg' => 'ok',
];
var_dump(wx_deliver_sign($spec, 'KEY'));
// The same with the key inside the array (any case), and a numeric timestamp.
var_dump(wx_deliver_sign(['AppKey' => 'KEY', 'deliver_timestamp' => 1369745073] + $spec));

// The seed's sample: appkey inside the array, time() as an int.
$obj['appid'] = "wx0000000000000000";
$obj['appkey'] = "8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6k";
$obj['openid'] = "o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc";
$obj['transid'] = "1218614901201405273313473135";
$obj['out_trade_no'] = "JfuKdiBig4zZnE4n";
$obj['deliver_timestamp'] = 1400000000;
$obj['deliver_status'] = "1";
$obj['deliver_msg'] = "ok";
$sig = wx_deliver_sign($obj);
var_dump($sig);
var_dump($sig === sha1("appid=wx0000000000000000&appkey={$obj['appkey']}&deliver_msg=ok&deliver_status=1"
    . "&deliver_timestamp=1400000000&openid=o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc&out_trade_no=JfuKdiBig4zZnE4n"
    . "&transid=1218614901201405273313473135"));
// The array is not modified.
var_dump(array_keys($obj) === ['appid', 'appkey', 'openid', 'transid', 'out_trade_no', 'deliver_timestamp', 'deliver_status', 'deliver_msg']);
?>
--EXPECT--
string(40) "9fc68a590c0809a9cd6323dc48c801a6a79077d2"
string(40) "9fc68a590c0809a9cd6323dc48c801a6a79077d2"
string(40) "f6330dbc084f31f2071a82b38bdc7fca5c0ab0cd"
bool(true)
bool(true)
