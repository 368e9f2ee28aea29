--TEST--
wx_payment_verify(): tampering is a SignatureException naming the signature only; malformed or hostile input is an InvalidArgumentException
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
require __DIR__ . '/include/v2_vectors.inc';
$secrets = [DOC_APPKEY, DOC_PARTNERKEY];
$try = fn(string $label, callable $f) => [print("$label: "), attempt($f, $secrets)];

$q = e1_query(); $q['total_fee'] = '100';
$try('total_fee changed', fn() => wx_payment_verify($q, E2_XML, doc_keys()));
$q = e1_query(); $q['attach'] = 'x';
$try('a parameter added', fn() => wx_payment_verify($q, E2_XML, doc_keys()));
$q = e1_query(); unset($q['sign_type']);
$try('sign_type dropped', fn() => wx_payment_verify($q, E2_XML, doc_keys()));
$try('another partner key', fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(['partnerkey' => 'x' . DOC_PARTNERKEY])));
$try('openid changed', fn() => wx_payment_verify(e1_query(), str_replace('111222', '111223', E2_XML), doc_keys()));
$try('untrimmed-sensitive: timestamp changed', fn() => wx_payment_verify(e1_query(), str_replace('1369743511', '1369743512', E2_XML), doc_keys()));
$try('another appkey', fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(['appkey' => 'K'])));
$try('a forged sign (right length)', fn() => wx_payment_verify(['sign' => str_repeat('A', 32)] + e1_query(), E2_XML, doc_keys()));

$q = e1_query(); unset($q['sign']);
$try('no sign', fn() => wx_payment_verify($q, E2_XML, doc_keys()));
$q = e1_query() + ["a\xff" => '1', "a\xfe" => '2'];
$try('query keys that are not UTF-8', fn() => wx_payment_verify($q, E2_XML, doc_keys()));
$try('no NonceStr', fn() => wx_payment_verify(e1_query(), preg_replace('#<NonceStr>.*?</NonceStr>#', '', E2_XML), doc_keys()));
$try('SignMethod md5', fn() => wx_payment_verify(e1_query(), str_replace('[sha1]', '[md5]', E2_XML), doc_keys()));
$try('two AppIds', fn() => wx_payment_verify(e1_query(), str_replace('</xml>', '<AppId>wxOther</AppId></xml>', E2_XML), doc_keys()));
$try('not XML', fn() => wx_payment_verify(e1_query(), 'openid=111222', doc_keys()));
$try('cut short', fn() => wx_payment_verify(e1_query(), substr(E2_XML, 0, 60), doc_keys()));
$try('another root', fn() => wx_payment_verify(e1_query(), '<root/>', doc_keys()));
$bomb = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    . str_replace('<![CDATA[111222]]>', '&c;', E2_XML);
$try('a DOCTYPE bomb', fn() => wx_payment_verify(e1_query(), $bomb, doc_keys()));
$try('an unknown entity', fn() => wx_payment_verify(e1_query(), str_replace('<![CDATA[111222]]>', '&ent;', E2_XML), doc_keys()));
$try('a 65 KiB body', fn() => wx_payment_verify(e1_query(), str_replace('</xml>', '<Pad>' . str_repeat('x', 65536) . '</Pad></xml>', E2_XML), doc_keys()));
$try('another app', fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(['appid' => 'wx0000000000000000'])));
$try('another merchant', fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(['partner' => '1900000110'])));

$try('no partnerkey', fn() => wx_payment_verify(e1_query(), E2_XML, ['appkey' => DOC_APPKEY]));
$try('empty appkey', fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(['appkey' => ''])));
$try('an unknown key', fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(['paysignkey' => 'x'])));
$try('an array in $query', fn() => wx_payment_verify(['a' => ['b']] + e1_query(), E2_XML, doc_keys()));
$try('an array as $post_xml', fn() => wx_payment_verify(e1_query(), [], doc_keys()));
$try('a string as $keys', fn() => wx_payment_verify(e1_query(), E2_XML, 'k'));

// The class hierarchy a callback catches.
var_dump(is_subclass_of('WxPay\SignatureException', 'WxPay\Exception'));
?>
--EXPECT--
total_fee changed: WxPay\SignatureException(0): wx_payment_verify(): the partner sign (MD5 with the partner key over the query string) does not match
a parameter added: WxPay\SignatureException(0): wx_payment_verify(): the partner sign (MD5 with the partner key over the query string) does not match
sign_type dropped: WxPay\SignatureException(0): wx_payment_verify(): the partner sign (MD5 with the partner key over the query string) does not match
another partner key: WxPay\SignatureException(0): wx_payment_verify(): the partner sign (MD5 with the partner key over the query string) does not match
openid changed: WxPay\SignatureException(0): wx_payment_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
untrimmed-sensitive: timestamp changed: WxPay\SignatureException(0): wx_payment_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
another appkey: WxPay\SignatureException(0): wx_payment_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
a forged sign (right length): WxPay\SignatureException(0): wx_payment_verify(): the partner sign (MD5 with the partner key over the query string) does not match
no sign: WxPay\InvalidArgumentException(0): wx_payment_verify(): $query has no 'sign': this is not a WeChat payment notification
query keys that are not UTF-8: WxPay\InvalidArgumentException(0): wx_payment_verify(): a key of $query is not UTF-8: this is not a WeChat payment notification
no NonceStr: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: the element <NonceStr> is missing
SignMethod md5: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: <SignMethod> is not sha1
two AppIds: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: the element <AppId> appears twice
not XML: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: text outside the root element
cut short: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: malformed at byte 49: syntax error: CDATA not closed: `]]>` not found before end of input
another root: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: the root element is not <xml>
a DOCTYPE bomb: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: a DOCTYPE is not accepted
an unknown entity: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: an entity that is not accepted (at 1..4: unrecognized entity `ent`)
a 65 KiB body: WxPay\InvalidArgumentException(0): wx_payment_verify(): the XML body is not a WeChat message: it is 65879 bytes (at most 65536)
another app: WxPay\InvalidArgumentException(0): wx_payment_verify(): the notification is for another app (its <AppId> is not $keys['appid'])
another merchant: WxPay\InvalidArgumentException(0): wx_payment_verify(): the notification is for another merchant (its 'partner' is not $keys['partner'])
no partnerkey: WxPay\InvalidArgumentException(0): wx_payment_verify(): $keys['partnerkey'] is required and must not be empty
empty appkey: WxPay\InvalidArgumentException(0): wx_payment_verify(): $keys['appkey'] is required and must not be empty
an unknown key: WxPay\InvalidArgumentException(0): wx_payment_verify(): unknown key 'paysignkey' in $keys; the keys are partnerkey, appkey, appid, partner
an array in $query: WxPay\InvalidArgumentException(0): wx_payment_verify(): $query['a'] must be a string, an array given
an array as $post_xml: TypeError(0): wx_payment_verify(): Argument #2 ($post_xml) must be of type string, array given
a string as $keys: TypeError(0): wx_payment_verify(): Argument #3 ($keys) must be of type array, string given
bool(true)
