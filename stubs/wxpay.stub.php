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
function wx_deliver_sign(#[\SensitiveParameter] array $params, #[\SensitiveParameter] ?string $appkey = null): string {}

/**
 * Sends the WeChat Pay v2 shipping notification (POST /pay/delivernotify)
 * over verified HTTPS and returns WeChat's decoded answer.
 *
 * $params keys (matched case-insensitively): appid, appkey (signs, never sent),
 * openid, transid, out_trade_no (required); deliver_timestamp (default time()),
 * deliver_status (1/0, "1"/"0", true/false; default "1"), deliver_msg (UTF-8; default "ok").
 *
 * @param string|null $access_token a token from wx_access_token(); null = let the
 *        extension obtain and refresh it (needs $options['appsecret'])
 * @param array{appid: string|int, appkey: string, openid: string|int, transid: string|int,
 *        out_trade_no: string|int|\Stringable, deliver_timestamp?: int|string,
 *        deliver_status?: int|string|bool, deliver_msg?: string} $params
 * @param array{api_base?: string, timeout?: float|int, connect_timeout?: float|int,
 *        cafile?: string, proxy?: string, appsecret?: string,
 *        token_endpoint?: 'token'|'stable_token'} $options per-call
 *        overrides of the wxpay.* ini settings
 * @return array{errcode: int, errmsg: string}
 * @throws \WxPay\InvalidArgumentException bad input; nothing was sent
 * @throws \WxPay\TransportException DNS, connect, TLS, timeout, non-200, malformed reply
 * @throws \WxPay\ConfigurationException a wxpay.* directive in php.ini cannot be used
 * @throws \WxPay\ApiException errcode != 0; getCode() is the errcode
 */
function wx_deliver_notify(
    #[\SensitiveParameter] ?string $access_token,
    #[\SensitiveParameter] array $params,
    #[\SensitiveParameter] array $options = [],
): array {}

/**
 * Returns a valid access_token for the app: from the cache, or fetched once
 * for every caller sharing it (single flight). The cache is per worker, or
 * shared by every worker and server when wxpay.token_cache names a Redis
 * server. Tokens are refreshed ahead of expiry. A cached token is only
 * returned to a caller whose appsecret is the one that fetched it.
 *
 * @param bool $force_refresh fetch a new token even if the cached one is valid
 * @throws \WxPay\InvalidArgumentException an empty or malformed appid/appsecret
 * @throws \WxPay\TransportException the token endpoint could not be reached
 * @throws \WxPay\ConfigurationException a wxpay.* directive in php.ini cannot be used
 * @throws \WxPay\ApiException WeChat refused (40013 appid, 40125 appsecret, 45009 quota...)
 */
function wx_access_token(string $appid, #[\SensitiveParameter] string $appsecret, bool $force_refresh = false): string {}

}

namespace WxPay {

/** Base of every exception the extension throws. */
class Exception extends \Exception {}

/** Bad input; nothing was sent. */
class InvalidArgumentException extends Exception {}

/**
 * Not delivered: DNS, connect, TLS, a timeout or the call's time budget, a
 * non-200 status, or a malformed reply (not JSON, no integer errcode).
 */
class TransportException extends Exception {}

/**
 * A wxpay.* directive in php.ini cannot be used (named in the message and in
 * php --ri wxpay); nothing was sent. A TransportException, so a callback's
 * "retry later" branch handles it while the server is misconfigured.
 */
class ConfigurationException extends TransportException {}

/** WeChat answered with errcode != 0; getCode() is the errcode (64-bit). */
class ApiException extends Exception {}

}
