<?php
/*
 * The 2014 WxPayHelper signing rule, written from
 * shared/spec/wechat-v2-delivernotify.md ("app_signature"), in plain PHP.
 * It is the oracle the differential test holds wx_deliver_sign() against.
 *
 * As in WxPayHelper, get_biz_sign() ksorts and formatBizQueryParaMap()
 * ksorts again; with PHP's mixed numeric/string key comparison the second
 * sort is not always a no-op, so both are kept.
 */

function ref_format_biz_query_para_map(array $paraMap): string
{
    $buff = "";
    ksort($paraMap);
    foreach ($paraMap as $k => $v) {
        $buff .= strtolower($k) . "=" . $v . "&";
    }
    return substr($buff, 0, strlen($buff) - 1);
}

/** Returns the signature, or null where the original refuses (no/empty appkey). */
function ref_get_biz_sign(array $bizObj, ?string $appkey = null): ?string
{
    $bizParameters = [];
    foreach ($bizObj as $k => $v) {
        $bizParameters[strtolower($k)] = $v;
    }
    if ($appkey !== null) {
        $bizParameters["appkey"] = $appkey;
    }
    // WxPayHelper tests its APPKEY (a string) for ""; here the key may be any
    // scalar from $bizObj, so the test is silenced: only the join's
    // conversions are the ones PHP (8.5: a NAN) warns about.
    if (!array_key_exists("appkey", $bizParameters) || @((string) $bizParameters["appkey"]) === "") {
        return null;
    }
    ksort($bizParameters);
    return sha1(ref_format_biz_query_para_map($bizParameters));
}
