--TEST--
wx_deliver_notify(): connect_timeout bounds TCP + TLS connect on its own, timeout the whole request (a server that accepts and never speaks TLS)
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
// The kernel completes the TCP handshake; nobody ever answers the ClientHello.
$silent = stream_socket_server('tcp://127.0.0.1:0');
$port = (int) substr(strrchr(stream_socket_get_name($silent, false), ':'), 1);
$p = sample_params('wxnotify0000000003');
foreach ([['timeout' => 4, 'connect_timeout' => 0.5], ['timeout' => 0.7, 'connect_timeout' => 5]] as $o) {
    $t = microtime(true);
    attempt(fn() => wx_deliver_notify('token-never-checked', $p, ['api_base' => "https://127.0.0.1:$port"] + $o));
    $elapsed = microtime(true) - $t;
    printf("ended by the smaller bound: %s\n", json_encode($elapsed >= min($o) - 0.05 && $elapsed < min($o) + 0.5));
}
?>
--EXPECTF--
WxPay\TransportException(0): wx_deliver_notify(): connecting to 127.0.0.1:%d timed out after 0.5s (connect_timeout)
ended by the smaller bound: true
WxPay\TransportException(0): wx_deliver_notify(): %s after 0.7s (timeout)
ended by the smaller bound: true
