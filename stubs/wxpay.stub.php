<?php
/**
 * IDE and static-analysis stubs for the wxpay extension.
 * Kept in step with the loaded extension by php-tests/wxpay_stub_match.phpt.
 *
 * @generated no: written by hand, checked by a test.
 */

namespace {

/**
 * Signs a WeChat Pay v2 shipping notification exactly as the 2014
 * WxPayHelper::get_biz_sign() does (same 40 lowercase hex characters).
 *
 * Keys are lowercased, `appkey` is set, the array is ksort()ed and joined as
 * raw `key=value&...` bytes, then SHA-1'd.
 *
 * @param array<array-key, scalar|\Stringable|null> $params
 * @param string|null $appkey the PaySignKey; null = use the `appkey` entry of $params (any case)
 * @return string 40 lowercase hex characters
 * @throws \WxPay\InvalidArgumentException no or empty appkey, or a value that is an array,
 *         a resource or an object without __toString (the message names the key, never the value)
 */
function wx_deliver_sign(array $params, ?string $appkey = null): string {}

}

namespace WxPay {

/** Base of every exception the extension throws. */
class Exception extends \Exception {}

/** Bad input; nothing was sent. */
class InvalidArgumentException extends Exception {}

/** DNS, connect, TLS, timeout, a non-200 status, or a body that is not JSON. */
class TransportException extends Exception {}

/** WeChat answered with errcode != 0; getCode() is the errcode. */
class ApiException extends Exception {}

}
