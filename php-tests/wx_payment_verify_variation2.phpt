--TEST--
wx_payment_verify(), wx_feedback_verify(), wx_alarm_verify(): $options['max_age'] refuses a genuine message whose signed TimeStamp is too old or too far ahead; without it the 2013 vectors still verify
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
require __DIR__ . '/include/v2_vectors.inc';

/** A payment body signed in plain PHP (the spec's rule) at $ts. */
function body_at(int $ts): string
{
    $sig = sha1('appid=' . DOC_APPID . '&appkey=' . DOC_APPKEY . "&issubscribe=1&noncestr=n0nce&openid=o1&timestamp=$ts");
    return "<xml><OpenId>o1</OpenId><AppId>" . DOC_APPID . "</AppId><IsSubscribe>1</IsSubscribe><TimeStamp>$ts</TimeStamp>"
         . "<NonceStr>n0nce</NonceStr><AppSignature>$sig</AppSignature><SignMethod>sha1</SignMethod></xml>";
}

// Fresh, a minute old, a minute ahead: within an hour.
foreach ([0, -60, 60] as $shift) {
    $b = wx_payment_verify(e1_query(), body_at(time() + $shift), doc_keys(), ['max_age' => 3600])['buyer'];
    echo "shift $shift: verified\n";
}
// The margins are far from the bound, so a slow machine cannot flip them.
echo "two hours old: ";
attempt(fn() => wx_payment_verify(e1_query(), body_at(time() - 7200), doc_keys(), ['max_age' => 3600]), [DOC_APPKEY, DOC_PARTNERKEY]);
echo "two hours ahead: ";
attempt(fn() => wx_payment_verify(e1_query(), body_at(time() + 7200), doc_keys(), ['max_age' => 3600]), [DOC_APPKEY, DOC_PARTNERKEY]);
// The doc's 2013 messages: accepted without max_age (WeChat's v2 never
// expires a signature), refused with it.
var_dump(count(wx_payment_verify(e1_query(), E2_XML, doc_keys())['trade']));
foreach ([
    'E2 with max_age' => fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(), ['max_age' => 86400]),
    'E4 with max_age' => fn() => wx_feedback_verify(E4_XML, DOC_APPKEY, ['max_age' => 86400]),
    'E5 with max_age' => fn() => wx_alarm_verify(E5_XML, DOC_APPKEY, ['max_age' => 86400]),
    // A forgery is a signature error, whatever its age.
    'forged and old' => fn() => wx_alarm_verify(E5_XML, 'another', ['max_age' => 86400]),
    // Options a caller can get wrong.
    'a typo' => fn() => wx_alarm_verify(E5_XML, DOC_APPKEY, ['maxage' => 60]),
    'zero' => fn() => wx_alarm_verify(E5_XML, DOC_APPKEY, ['max_age' => 0]),
    'negative' => fn() => wx_feedback_verify(E4_XML, DOC_APPKEY, ['max_age' => -1]),
    'milliseconds' => fn() => wx_feedback_verify(E4_XML, DOC_APPKEY, ['max_age' => 3600000000]),
    'a string' => fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(), ['max_age' => '3600']),
    'a float' => fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(), ['max_age' => 3600.0]),
    'null' => fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(), ['max_age' => null]),
    'not an array' => fn() => wx_payment_verify(e1_query(), E2_XML, doc_keys(), 3600),
    'not an array (alarm)' => fn() => wx_alarm_verify(E5_XML, DOC_APPKEY, 'max_age'),
] as $label => $f) {
    echo "$label: ";
    attempt($f, [DOC_APPKEY, DOC_PARTNERKEY]);
}
// A TimeStamp that is not a number is only judged when an age is asked for.
$sig = sha1('alarmcontent=c&appid=' . DOC_APPID . '&appkey=' . DOC_APPKEY . '&description=d&errortype=1001&timestamp=soon');
$odd = '<xml><AppId>' . DOC_APPID . '</AppId><ErrorType>1001</ErrorType><Description>d</Description><AlarmContent>c</AlarmContent>'
     . "<TimeStamp>soon</TimeStamp><AppSignature>$sig</AppSignature><SignMethod>sha1</SignMethod></xml>";
var_dump(wx_alarm_verify($odd, DOC_APPKEY)['timestamp']);
echo "a TimeStamp that is not a number: ";
attempt(fn() => wx_alarm_verify($odd, DOC_APPKEY, ['max_age' => 60]), [DOC_APPKEY]);
?>
--EXPECTF--
shift 0: verified
shift -60: verified
shift 60: verified
two hours old: WxPay\SignatureException(0): wx_payment_verify(): the message's signed <TimeStamp> is 72%d s old, more than max_age (3600 s): a replayed or delayed message, or a wrong clock
two hours ahead: WxPay\SignatureException(0): wx_payment_verify(): the message's signed <TimeStamp> is 7%d s in the future, more than max_age (3600 s): a replayed or delayed message, or a wrong clock
int(16)
E2 with max_age: WxPay\SignatureException(0): wx_payment_verify(): the message's signed <TimeStamp> is %d s old, more than max_age (86400 s): a replayed or delayed message, or a wrong clock
E4 with max_age: WxPay\SignatureException(0): wx_feedback_verify(): the message's signed <TimeStamp> is %d s old, more than max_age (86400 s): a replayed or delayed message, or a wrong clock
E5 with max_age: WxPay\SignatureException(0): wx_alarm_verify(): the message's signed <TimeStamp> is %d s old, more than max_age (86400 s): a replayed or delayed message, or a wrong clock
forged and old: WxPay\SignatureException(0): wx_alarm_verify(): the AppSignature (SHA-1 with the appkey over the XML body) does not match
a typo: WxPay\InvalidArgumentException(0): wx_alarm_verify(): unknown option 'maxage'; the option of this function is max_age
zero: WxPay\InvalidArgumentException(0): wx_alarm_verify(): option 'max_age' must be between 1 and 315360000 seconds, 0 given
negative: WxPay\InvalidArgumentException(0): wx_feedback_verify(): option 'max_age' must be between 1 and 315360000 seconds, -1 given
milliseconds: WxPay\InvalidArgumentException(0): wx_feedback_verify(): option 'max_age' must be between 1 and 315360000 seconds, 3600000000 given
a string: WxPay\InvalidArgumentException(0): wx_payment_verify(): option 'max_age' must be an int (seconds), string given
a float: WxPay\InvalidArgumentException(0): wx_payment_verify(): option 'max_age' must be an int (seconds), float given
null: WxPay\InvalidArgumentException(0): wx_payment_verify(): option 'max_age' must be an int (seconds), null given
not an array: TypeError(0): wx_payment_verify(): Argument #4 ($options) must be of type array, int given
not an array (alarm): TypeError(0): wx_alarm_verify(): Argument #3 ($options) must be of type array, string given
string(4) "soon"
a TimeStamp that is not a number: WxPay\InvalidArgumentException(0): wx_alarm_verify(): the XML body is not a WeChat message: <TimeStamp> is not unix seconds
