--TEST--
stubs/wxpay.stub.php declares exactly what the loaded extension exposes
--EXTENSIONS--
wxpay
--FILE--
<?php
$root = dirname(__DIR__);
ob_start();
require "$root/tests/describe_api.php";
$loaded = ob_get_clean();
$stub = shell_exec(escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg("$root/tests/describe_api.php")
    . ' ' . escapeshellarg("$root/stubs/wxpay.stub.php") . ' 2>&1');
if ($loaded === $stub) {
    echo "stub matches:\n", $loaded;
} else {
    echo "extension:\n$loaded\nstub:\n$stub";
}
?>
--EXPECT--
stub matches:
class WxPay\ApiException extends WxPay\Exception {}
class WxPay\ConfigurationException extends WxPay\TransportException {}
class WxPay\Exception extends Exception {}
class WxPay\Helper {__construct, check_cft_parameters, create_app_package, create_biz_package, create_native_package, create_native_url, create_noncestr, getParameter, get_biz_sign, get_cft_package, setParameter}
class WxPay\InvalidArgumentException extends WxPay\Exception {}
class WxPay\OutboxException extends WxPay\Exception {}
class WxPay\SignatureException extends WxPay\Exception {}
class WxPay\TransportException extends WxPay\Exception {}
function wx_access_token(string $appid, #[SensitiveParameter] string $appsecret, bool $force_refresh = false): string
function wx_alarm_verify(string $post_xml, #[SensitiveParameter] string $appkey, array $options = []): array
function wx_app_request(array $params, #[SensitiveParameter] array $keys, array $options = []): array
function wx_deliver_drain(#[SensitiveParameter] array $options = []): array
function wx_deliver_enqueue(#[SensitiveParameter] array $params, #[SensitiveParameter] array $options = []): string
function wx_deliver_notify(#[SensitiveParameter] ?string $access_token, #[SensitiveParameter] array $params, #[SensitiveParameter] array $options = []): array
function wx_deliver_outbox(#[SensitiveParameter] array $options = []): mixed
function wx_deliver_requeue(?array $ids = null, #[SensitiveParameter] array $options = []): int
function wx_deliver_sign(#[SensitiveParameter] array $params, #[SensitiveParameter] ?string $appkey = null): string
function wx_feedback_update(#[SensitiveParameter] ?string $access_token, string $openid, string $feedbackid, #[SensitiveParameter] array $options = []): array
function wx_feedback_verify(string $post_xml, #[SensitiveParameter] string $appkey, array $options = []): array
function wx_jsapi_request(array $params, #[SensitiveParameter] array $keys, array $options = []): array
function wx_native_call_verify(string $post_xml, #[SensitiveParameter] string $appkey, array $options = []): array
function wx_native_reply(array $params, #[SensitiveParameter] array $keys, array $options = []): string
function wx_native_url(string $productid, #[SensitiveParameter] array $keys, array $options = []): string
function wx_order_query(#[SensitiveParameter] ?string $access_token, #[SensitiveParameter] array $params, #[SensitiveParameter] array $options = []): array
function wx_pay_package(array $params, #[SensitiveParameter] string $partnerkey, array $options = []): string
function wx_payment_verify(array $query, string $post_xml, #[SensitiveParameter] array $keys, array $options = []): array
