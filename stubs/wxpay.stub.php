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
 *        cafile?: string, proxy?: string, appsecret?: string, appid?: string,
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

/**
 * Checks the payment notification WeChat posts to the shop's notify_url:
 * the partner sign (MD5 with the partner key over every received query
 * parameter but `sign`, empty values left out, raw bytes) and the
 * AppSignature of the XML body (SHA-1 over appid, appkey, issubscribe,
 * noncestr, openid, timestamp). It does not judge trade_state: the
 * returned trade says it.
 *
 * @param array<string, string> $query $_GET as received
 * @param string $post_xml file_get_contents('php://input')
 * @param array{partnerkey: string, appkey: string, appid?: string, partner?: string} $keys
 *        appid and partner, when given, must be the notification's
 * @param array{max_age?: int} $options max_age: seconds the signed TimeStamp may lie
 *        from the clock (none by default: WeChat's v2 never expires a signature)
 * @return array{trade: array<string, string>, buyer: array{appid: string, openid: string,
 *         issubscribe: string, timestamp: string, noncestr: string}}
 *         trade is covered by the partner sign, buyer by the AppSignature; nothing
 *         binds one to the other (a genuine body from another notification verifies)
 * @throws \WxPay\SignatureException a signature does not match (says which, never a value),
 *         or the TimeStamp is beyond max_age
 * @throws \WxPay\InvalidArgumentException no sign, bad or hostile XML (DOCTYPE, unknown
 *         entities, over 64 KiB), a missing element, another app or merchant
 */
function wx_payment_verify(array $query, string $post_xml, #[\SensitiveParameter] array $keys, array $options = []): array {}

/**
 * Checks a complaint (维权) WeChat posts to the shop's payfeedback URL:
 * AppSignature over appid, appkey, openid, timestamp. That signature covers
 * who and when only, so the rest is returned apart, under 'unsigned': it may
 * have been changed on the way (look the complaint up by feedbackid before
 * acting on it).
 *
 * @param array{max_age?: int} $options as for wx_payment_verify()
 * @return array{signed: array{appid: string, openid: string, timestamp: string},
 *         unsigned: array{msgtype: 'request'|'confirm'|'reject', feedbackid: string, transid: string,
 *         reason: string, solution: string, extinfo: string, picurls: list<string>}}
 * @throws \WxPay\SignatureException the AppSignature does not match, or the TimeStamp is beyond max_age
 * @throws \WxPay\InvalidArgumentException bad or hostile XML, a missing element, an unknown MsgType
 */
function wx_feedback_verify(string $post_xml, #[\SensitiveParameter] string $appkey, array $options = []): array {}

/**
 * Checks an alarm (告警, e.g. ErrorType 1001 "shipping timeout") WeChat posts
 * to the shop's alarm URL: AppSignature over alarmcontent, appid, appkey,
 * description, errortype, timestamp.
 *
 * @param array{max_age?: int} $options as for wx_payment_verify()
 * @return array{appid: string, errortype: string, description: string, alarmcontent: string, timestamp: string}
 *         every field is covered by the AppSignature
 * @throws \WxPay\SignatureException the AppSignature does not match, or the TimeStamp is beyond max_age
 * @throws \WxPay\InvalidArgumentException bad or hostile XML, a missing element
 */
function wx_alarm_verify(string $post_xml, #[\SensitiveParameter] string $appkey, array $options = []): array {}

/**
 * Asks WeChat about an order (POST /pay/orderquery): the package signed with
 * the partner key, the app_signature with the appkey; same transport, token
 * management, options and exceptions as wx_deliver_notify().
 *
 * @param string|null $access_token null = let the extension obtain and refresh it
 *        (needs $options['appsecret'])
 * @param array{appid: string, appkey: string, partner: string|int, partnerkey: string,
 *        out_trade_no: string|int, timestamp?: int|string} $params
 * @param array<string, mixed> $options as for wx_deliver_notify()
 * @return array<string, string|int> order_info as WeChat sends it: strings, ret_code an int
 *         (0: found; trade_state "0": paid)
 */
function wx_order_query(
    #[\SensitiveParameter] ?string $access_token,
    #[\SensitiveParameter] array $params,
    #[\SensitiveParameter] array $options = [],
): array {}

/**
 * Marks a complaint handled (GET /payfeedback/update).
 *
 * @param string|null $access_token null = let the extension obtain and refresh it
 *        (needs $options['appid'] and $options['appsecret'])
 * @return array{errcode: int, errmsg: string}
 */
function wx_feedback_update(
    #[\SensitiveParameter] ?string $access_token,
    string $openid,
    string $feedbackid,
    #[\SensitiveParameter] array $options = [],
): array {}

/**
 * Keeps a shipping notification in the outbox (wxpay.outbox: a SQLite file or
 * redis://) until WeChat accepts it or its deadline passes. $params are
 * validated and signed exactly as wx_deliver_notify() does; only the signed
 * body is stored (never the appkey). The same (appid, transid, out_trade_no,
 * deliver_status) enqueued again returns the first id.
 *
 * @param array{deadline?: int, goods?: 'virtual'|'physical'} $options plus any
 *        wxpay.* setting by its short name (outbox, outbox_retry_first, ...);
 *        the deadline defaults to now + 24 h ('physical': + 72 h)
 * @return string the entry's id
 * @throws \WxPay\InvalidArgumentException bad $params or options; nothing stored
 * @throws \WxPay\ConfigurationException the outbox cannot be opened (names the path)
 * @throws \WxPay\OutboxException the store failed; the notification was not kept
 */
function wx_deliver_enqueue(
    #[\SensitiveParameter] array $params,
    #[\SensitiveParameter] array $options = [],
): string {}

/**
 * Sends the outbox's due entries (from cron, a worker, or the end of a
 * callback); safe to run from many processes and servers at once.
 *
 * @param array{appsecret?: string, apps?: array<string, string>, max_items?: int,
 *        max_seconds?: int|float} $options plus wxpay.* settings by short name
 * @return array{sent: int, retried: int, dead: int, skipped: int, pending: int, overdue: int}
 * @throws \WxPay\InvalidArgumentException no secret, bad options
 * @throws \WxPay\ConfigurationException the outbox or another setting cannot be used
 * @throws \WxPay\OutboxException the store failed mid-drain (what was sent and not
 *         marked is sent once more by a later drain)
 */
function wx_deliver_drain(#[\SensitiveParameter] array $options = []): array {}

/**
 * The outbox's state for monitoring, or with $options['format'] => 'prometheus'
 * the same in Prometheus' text format (node_exporter's textfile collector).
 *
 * @param array{format?: 'array'|'prometheus', dead_limit?: int} $options
 * @return array{store: string, pending: int, sent: int, dead: int, overdue: int,
 *         oldest_pending_age: float, nearest_deadline: ?int,
 *         dead_entries: list<array{id: string, appid: string, transid: string,
 *         out_trade_no: string, last_error: string, attempts: int, deadline: int,
 *         dead_since: int}>,
 *         retrying_entries: list<array{id: string, appid: string, transid: string,
 *         out_trade_no: string, last_error: string, attempts: int, deadline: int,
 *         next_try: int}>}|string
 *         dead_limit (default 100) bounds each list
 */
function wx_deliver_outbox(#[\SensitiveParameter] array $options = []): mixed {}

/**
 * Makes dead entries pending again (all, or those whose ids are given), with a
 * new deadline ($options['deadline'] or 'goods', as for wx_deliver_enqueue()).
 *
 * @param list<string>|null $ids
 * @return int how many entries were re-queued
 */
function wx_deliver_requeue(?array $ids = null, #[\SensitiveParameter] array $options = []): int {}


/**
 * Checks WeChat's NativeCall request (posted to the shop's native callback
 * URL when a buyer scans a weixin://wxpay/bizpayurl code): AppSignature over
 * appid, appkey, issubscribe, noncestr, openid, productid, timestamp.
 *
 * @param array{max_age?: int} $options as for wx_payment_verify()
 * @return array{appid: string, openid: string, issubscribe: string, productid: string, timestamp: string, noncestr: string}
 *         every field is covered by the AppSignature
 * @throws \WxPay\SignatureException the AppSignature does not match, or the TimeStamp is beyond max_age
 * @throws \WxPay\InvalidArgumentException bad or hostile XML, a missing element
 */
function wx_native_call_verify(string $post_xml, #[\SensitiveParameter] string $appkey, array $options = []): array {}

/**
 * The partner-key package, as WxPayHelper::get_cft_package(): the parameters
 * sorted, those with a value URL-encoded, then "&sign=" and the upper-case
 * MD5 over the raw pairs and the partner key. Values are hashed as given
 * (GBK stays GBK).
 *
 * @param array<string, scalar|null|\Stringable> $params the order (bank_type, body, partner, ...)
 * @param array{space?: '+'|'%20'} $options space: '+' (PHP urlencode, the 2014 SDK) or '%20' (WeChat's doc)
 * @throws \WxPay\ConfigurationException $partnerkey is empty
 * @throws \WxPay\InvalidArgumentException no parameter has a value; a value with no string form
 */
function wx_pay_package(array $params, #[\SensitiveParameter] string $partnerkey, array $options = []): string {}

/**
 * The getBrandWCPayRequest argument, as WxPayHelper::create_biz_package():
 * json_encode() of the result is byte for byte what the original returns.
 *
 * @param array<string, scalar|null|\Stringable> $params the order; bank_type, body, partner, out_trade_no,
 *        total_fee, fee_type, notify_url, spbill_create_ip, input_charset are required
 * @param array{appid: string, appkey: string, partnerkey: string, signtype?: string} $keys
 * @param array{timestamp?: int, noncestr?: string, space?: '+'|'%20'} $options timestamp and noncestr pin the
 *        signature (tests); otherwise time() and 16 characters [A-Za-z0-9] from the OS's random source
 * @return array{appId: string, package: string, timeStamp: string, nonceStr: string, paySign: string, signType: string}
 * @throws \WxPay\InvalidArgumentException a required parameter is missing or empty (named), a value is not UTF-8
 * @throws \WxPay\ConfigurationException no appid, appkey or partnerkey
 */
function wx_jsapi_request(array $params, #[\SensitiveParameter] array $keys, array $options = []): array {}

/**
 * The app payment object, as WxPayHelper::create_app_package($traceid).
 *
 * @param array{appid: string, appkey: string, partnerkey: string, signtype?: string} $keys
 * @param array{timestamp?: int, noncestr?: string, space?: '+'|'%20', traceid?: string|int} $options
 * @return array{appid: string, package: string, timestamp: int, traceid: string|int, noncestr: string,
 *         app_signature: string, sign_method: string}
 * @throws \WxPay\InvalidArgumentException as wx_jsapi_request()
 * @throws \WxPay\ConfigurationException as wx_jsapi_request()
 */
function wx_app_request(array $params, #[\SensitiveParameter] array $keys, array $options = []): array {}

/**
 * The native-pay QR URL, as WxPayHelper::create_native_url($productid): the
 * productid URL-encoded before it is signed, the fields sorted by name.
 *
 * @param array{appid: string, appkey: string, partnerkey?: string, signtype?: string} $keys
 * @param array{timestamp?: int, noncestr?: string, space?: '+'|'%20'} $options
 * @throws \WxPay\ConfigurationException no appid or appkey
 */
function wx_native_url(string $productid, #[\SensitiveParameter] array $keys, array $options = []): string {}

/**
 * The XML reply to a NativeCall, as WxPayHelper::create_native_package():
 * numbers bare, strings in CDATA. A success reply (retcode 0) needs the
 * order parameters; an error reply signs whatever is given.
 *
 * @param array{appid: string, appkey: string, partnerkey: string, signtype?: string} $keys
 * @param array{timestamp?: int, noncestr?: string, space?: '+'|'%20', retcode?: int|string, reterrmsg?: string} $options
 *        retcode defaults to 0, reterrmsg to "ok"
 * @throws \WxPay\InvalidArgumentException a required parameter is missing (retcode 0), a "]]>" in a value
 * @throws \WxPay\ConfigurationException no appid, appkey or partnerkey
 */
function wx_native_reply(array $params, #[\SensitiveParameter] array $keys, array $options = []): string {}

}

namespace WxPay {

/**
 * WxPayHelper (the 2014 WeChat Pay v2 SDK) as a class: the swap is
 * `new WxPayHelper()` -> `new WxPay\Helper()`. Outputs are byte for byte the
 * original's; where it die()s, this throws. The keys stay inside the object
 * (never a property, never in var_dump()).
 */
class Helper {
    /** The stored parameters (null before the first setParameter()); a package call ksorts them. */
    public readonly ?array $parameters;

    /**
     * @param array{appid?: string, appkey?: string, partnerkey?: string, signtype?: string,
     *        timestamp?: int, noncestr?: string, space?: '+'|'%20'} $config
     *        a key left out falls back to the constant APPID / APPKEY / PARTNERKEY / SIGNTYPE when defined
     */
    public function __construct(#[\SensitiveParameter] array $config = []) {}
    /** Stores trimString($value) under trimString($parameter): null, false, "", 0 become null. */
    public function setParameter(mixed $parameter, mixed $parameterValue): void {}
    public function getParameter(mixed $parameter): mixed {}
    /** True when bank_type, body, partner, out_trade_no, total_fee, fee_type, notify_url, spbill_create_ip, input_charset are set. */
    public function check_cft_parameters(): bool {}
    /** Characters [a-zA-Z0-9] from the OS's random source (the original used mt_rand). */
    public function create_noncestr(int $length = 16): string {}
    public function get_cft_package(): string {}
    public function get_biz_sign(array $bizObj): string {}
    public function create_biz_package(): string {}
    public function create_app_package(string|int $traceid = ""): string {}
    public function create_native_url(string $productid): string {}
    public function create_native_package(string|int $retcode = 0, string $reterrmsg = "ok"): string {}
}

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

/**
 * A message claimed to come from WeChat (payment notification, complaint,
 * alarm) carries a signature that does not match: answer "fail", ship nothing.
 */
class SignatureException extends Exception {}

/** The outbox's store cannot be used (a Redis that is down, a full disk): what
 * was not stored is not kept, and a callback should answer "fail". */
class OutboxException extends Exception {}

}
