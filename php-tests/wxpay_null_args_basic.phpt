--TEST--
null passed to a parameter that does not accept it: every wxpay function does what php-src's own functions do (a deprecation and "" or false in weak mode, their TypeError under strict_types and for arrays)
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/null_args_strict.inc';
require __DIR__ . '/include/v2_vectors.inc';
echo "weak mode:\n";
null_args_check(fn(string $f, array $args) => $f(...$args));
echo "strict_types:\n";
null_args_check_strict();
// Coerced as PHP coerces: null is "" (an empty appkey) and false.
foreach ([
    'appkey null' => fn() => wx_alarm_verify(E5_XML, null),
    'post_xml null' => fn() => wx_feedback_verify(null, DOC_APPKEY),
    'options null' => fn() => wx_alarm_verify(E5_XML, DOC_APPKEY, null),
] as $label => $f) {
    try {
        $f();
        echo "$label: no exception\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
weak mode:
44 parameters checked, 0 differ from php-src
ArgumentCountError: wx_feedback_verify() expects at least 2 arguments, 1 given
the string oracle: ErrorException: str_repeat(): Passing null to parameter #1 ($string) of type string is deprecated
strict_types:
44 parameters checked, 0 differ from php-src
ArgumentCountError: wx_feedback_verify() expects at least 2 arguments, 1 given
the string oracle: TypeError: str_repeat(): Argument #1 ($string) must be of type string, null given

Deprecated: wx_alarm_verify(): Passing null to parameter #2 ($appkey) of type string is deprecated in %s on line %d
appkey null: WxPay\InvalidArgumentException: wx_alarm_verify(): $appkey is required and must not be empty

Deprecated: wx_feedback_verify(): Passing null to parameter #1 ($post_xml) of type string is deprecated in %s on line %d
post_xml null: WxPay\InvalidArgumentException: wx_feedback_verify(): the XML body is not a WeChat message: there is no <xml> element
options null: TypeError: wx_alarm_verify(): Argument #3 ($options) must be of type array, null given
