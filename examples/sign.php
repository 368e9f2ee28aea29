<?php
// The seed article's signing step, with the extension instead of
// WxPayHelper::get_biz_sign(). Run: php examples/sign.php
$obj['appid'] = "wx0000000000000000";
$obj['appkey'] = "8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6kxCRvdJENpWpw8mruTNOGeX8OVUlIYxIyw6k";
$obj['openid'] = "o0pk9uIVnlY-fJkzFKEbQ6LJ4cFc";
$obj['transid'] = "1218614901201405273313473135";
$obj['out_trade_no'] = "JfuKdiBig4zZnE4n";
$obj['deliver_timestamp'] = 1400000000;
$obj['deliver_status'] = "1";
$obj['deliver_msg'] = "ok";

echo "app_signature: ", wx_deliver_sign($obj), "\n";
