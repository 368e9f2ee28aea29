--TEST--
wx_deliver_notify(): TLS is always verified: a server certificate from an untrusted CA is refused
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000001';
$token = sandbox_token($app);
$p = sample_params($app);
$base = ['api_base' => sandbox_url(), 'timeout' => 3];
// The system store does not know the sandbox's private CA.
echo "system store: ";
attempt(fn() => wx_deliver_notify($token, $p, $base), [$token]);
// Nor does another bundle given as cafile.
echo "other bundle: ";
attempt(fn() => wx_deliver_notify($token, $p, $base + ['cafile' => '/etc/ssl/certs/ca-certificates.crt']), [$token]);
// A file that holds no certificate.
$junk = tempnam(sys_get_temp_dir(), 'ca');
file_put_contents($junk, "not a certificate\n");
echo "junk cafile: ";
attempt(fn() => wx_deliver_notify($token, $p, $base + ['cafile' => $junk]), [$token]);
unlink($junk);
// The name must match too: a sandbox on 127.0.0.2 still presents a
// certificate for 127.0.0.1 and localhost only.
$other = new PrivateSandbox(['--listen', '127.0.0.2']);
echo "wrong name: ";
attempt(fn() => wx_deliver_notify($token, $p, $other->options()), [$token]);
unset($other);
// Trusting the sandbox's CA explicitly works, by IP and by name.
var_dump(wx_deliver_notify($token, $p, $base + ['cafile' => sandbox_ca()])['errcode']);
var_dump(wx_deliver_notify($token, sample_params($app), ['api_base' => str_replace('127.0.0.1', 'localhost', sandbox_url()), 'cafile' => sandbox_ca()])['errcode']);
// Nothing was recorded from the refused attempts.
var_dump(count(sandbox_notifications($p['out_trade_no'])));
?>
--EXPECTF--
system store: WxPay\TransportException(0): wx_deliver_notify(): TLS error with 127.0.0.1:%d: invalid peer certificate: UnknownIssuer (no CA in system store (%s) signed it; set wxpay.cafile to the PEM bundle of the CA that did)
other bundle: WxPay\TransportException(0): wx_deliver_notify(): TLS error with 127.0.0.1:%d: invalid peer certificate: UnknownIssuer (no CA in wxpay.cafile (%s) signed it; set wxpay.cafile to the PEM bundle of the CA that did)
junk cafile: WxPay\TransportException(0): wx_deliver_notify(): the CA bundle %s holds no PEM certificate
wrong name: WxPay\TransportException(0): wx_deliver_notify(): TLS error with 127.0.0.2:%d: invalid peer certificate: %s
int(0)
int(0)
int(1)
