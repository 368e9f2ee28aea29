--TEST--
WxPay\Helper and the checkout functions reproduce every WxPayHelper vector (A-G) byte for byte
--EXTENSIONS--
wxpay
--FILE--
<?php
// tests/vectors/wxpayhelper.txt: checked against the 2014 SDK on PHP 8.2.
$v = [];
foreach (file(__DIR__ . '/../tests/vectors/wxpayhelper.txt', FILE_IGNORE_NEW_LINES) as $line) {
    if ($line === '' || $line[0] === '#') continue;
    [$k, $val] = explode("\t", $line, 2);
    $v[$k] = str_starts_with($val, 'hex:') ? hex2bin(substr($val, 4)) : $val;
}
$n = 0;
$fail = function (string $name, $got) use (&$v, &$n) {
    if ($got !== $v[$name]) { echo "FAIL $name\n  got:  ", var_export($got, true), "\n  want: ", var_export($v[$name], true), "\n"; }
    $n++;
};
$config = ['appid' => $v['cfg.APPID'], 'appkey' => $v['cfg.APPKEY'], 'partnerkey' => $v['cfg.PARTNERKEY'],
           'signtype' => $v['cfg.SIGNTYPE'], 'timestamp' => (int) $v['time'], 'noncestr' => $v['nonce']];
$pin = ['timestamp' => (int) $v['time'], 'noncestr' => $v['nonce']];
$keys = array_intersect_key($config, ['appid' => 1, 'appkey' => 1, 'partnerkey' => 1, 'signtype' => 1]);
$params = [];
foreach ($v as $k => $val) if (str_starts_with($k, 'param.')) $params[substr($k, 6)] = $val;

function helper(array $config, array $params): WxPay\Helper {
    $h = new WxPay\Helper($config);
    foreach ($params as $k => $val) $h->setParameter($k, $val);
    return $h;
}

// A: the package, and $parameters ksorted in place.
$h = helper($config, $params);
$fail('A.package', $h->get_cft_package());
$fail('A.params_order_after', implode(',', array_keys($h->parameters)));
$fail('A.package', wx_pay_package($params, $v['cfg.PARTNERKEY']));
// B: getBrandWCPayRequest.
$fail('B.json', helper($config, $params)->create_biz_package());
$fail('B.json', json_encode(wx_jsapi_request($params, $keys, $pin)));
// C: app package.
$fail('C.json_traceid_empty', helper($config, $params)->create_app_package());
$fail('C.json_traceid', helper($config, $params)->create_app_package('订单/1'));
$fail('C.json_traceid', json_encode(wx_app_request($params, $keys, $pin + ['traceid' => '订单/1'])));
// D: native URL.
$fail('D.url', helper($config, [])->create_native_url($v['D.productid']));
$fail('D.url_demo_1234', helper($config, [])->create_native_url(1234));
$fail('D.url', wx_native_url($v['D.productid'], $keys, $pin));
// E: NativeCall reply.
$fail('E.ok.xml', helper($config, $params)->create_native_package());
$fail('E.err.xml', helper($config, $params)->create_native_package(1, '订单已过期'));
$fail('E.err_partial_params.xml', helper($config, ['body' => 'x'])->create_native_package(1, 'expired'));
$fail('E.ok.xml', wx_native_reply($params, $keys, $pin));
$fail('E.err.xml', wx_native_reply($params, $keys, $pin + ['retcode' => 1, 'reterrmsg' => '订单已过期']));
// F: GBK body.
$gbk = ['body' => hex2bin('b2e2cad4c9ccc6b7204126422f43'), 'input_charset' => 'GBK'] + $params;
$fail('F.package', helper($config, $gbk)->get_cft_package());
$fail('F.biz_json', helper($config, $gbk)->create_biz_package());
$fail('F.biz_json', json_encode(wx_jsapi_request($gbk, $keys, $pin)));
// G: formatQueryParaMap's skips and encoding, through the package.
$g = ['j' => 'a b+c', 'i' => NULL, 'h' => false, 'g' => true, 'f' => 0, 'e' => ' ', 'd' => 'NULL', 'c' => 'null',
      'b' => '', 'a' => '0', 'Sign' => 'y', 'sign' => 'x', 'k' => '0.0', 'l' => '~*\'()!'];
$v['G.fq.package'] = $v['G.fq.encoded'] . '&sign=' . strtoupper(md5($v['G.fq.unsigned'] . '&key=' . $v['cfg.PARTNERKEY']));
$fail('G.fq.package', wx_pay_package($g, $v['cfg.PARTNERKEY']));
// G: get_biz_sign's lower-casing (a later colliding key wins) through the helper.
$obj = ['b' => '1', 'A' => '2', 'a' => '3', 'C' => '4'];
$v['G.fbiz.sign'] = sha1('a=3&appkey=' . $v['cfg.APPKEY'] . '&b=1&c=4');
$fail('G.fbiz.sign', helper($config, [])->get_biz_sign($obj));
// G: formatBizQueryParaMap keeps empty values ("a=&b=&c=null&sign=s" plus the appkey).
$v['G.fbiz.keeps_empty.sign'] = sha1(str_replace('a=&b=', 'a=&appkey=' . $v['cfg.APPKEY'] . '&b=', $v['G.fbiz.keeps_empty']));
$fail('G.fbiz.keeps_empty.sign', helper($config, [])->get_biz_sign(['sign' => 's', 'c' => 'null', 'b' => null, 'a' => '']));
// G.xml's rule through the reply: RetCode "12 " is numeric (bare), "0x1A" is not (CDATA).
$v['G.xml.bare'] = '<RetCode>12 </RetCode>';
$fail('G.xml.bare', (function () use ($config) {
    $x = helper($config, ['body' => 'x'])->create_native_package('12 ', 'm');
    return preg_match('#<RetCode>12 </RetCode>#', $x) ? '<RetCode>12 </RetCode>' : $x;
})());
$x = helper($config, ['body' => 'x'])->create_native_package('0x1A', 'm');
$v['G.xml.cdata'] = '<RetCode><![CDATA[0x1A]]></RetCode>';
$fail('G.xml.cdata', str_contains($x, $v['G.xml.cdata']) ? $v['G.xml.cdata'] : $x);
// G.magic: a query whose MD5 is "0e" + 30 digits; the original's loose == accepts the sign "0".
parse_str($v['G.magic.content'], $q);
$ts = '1400000000';
$body = '<xml><OpenId>o</OpenId><AppId>' . $v['cfg.APPID'] . '</AppId><IsSubscribe>1</IsSubscribe><TimeStamp>' . $ts
      . '</TimeStamp><NonceStr>n</NonceStr><AppSignature>' . sha1('appid=' . $v['cfg.APPID'] . '&appkey=' . $v['cfg.APPKEY']
      . "&issubscribe=1&noncestr=n&openid=o&timestamp=$ts") . '</AppSignature><SignMethod>sha1</SignMethod></xml>';
$pkeys = ['partnerkey' => $v['cfg.PARTNERKEY'], 'appkey' => $v['cfg.APPKEY']];
foreach (['0', '0e1', '00'] as $forged) {
    try { wx_payment_verify($q + ['sign' => $forged], $body, $pkeys); $got = 'accepted'; }
    catch (WxPay\SignatureException $e) { $got = 'false'; }
    $v["G.magic.strict_$forged"] = 'false';
    $fail("G.magic.strict_$forged", $got);
}
$v['G.magic.genuine_upper'] = 'accepted';
$fail('G.magic.genuine_upper', wx_payment_verify($q + ['sign' => strtoupper($v['G.magic.md5'])], $body, $pkeys) ? 'accepted' : 'no');
// G: setParameter's trimString.
$h = new WxPay\Helper($config);
$h->setParameter('body', '');
$h->setParameter('total_fee', 0);
$h->setParameter('attach', '0');
$fail('G.setParameter_state', str_replace("\n", ' ', var_export($h->parameters, true)));
echo "$n checks\n";
?>
--EXPECT--
29 checks
