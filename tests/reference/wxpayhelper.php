<?php
/*
 * The checkout rules of the 2014 WxPayHelper, written in plain PHP from
 * shared/spec/wechat-v2-helper.md: the oracle tests/checkout_differential.php
 * holds WxPay\Helper and the wx_*_request functions against. Each function
 * returns what the original outputs, or null where it dies.
 */

function ref_loosely_null($v): bool
{
    return $v == null;
}

/** formatQueryParaMap($map, $urlencode). */
function ref_query(array $map, bool $encode): ?string
{
    ksort($map);
    $pairs = [];
    foreach ($map as $k => $v) {
        if (ref_loosely_null($v) || "null" == $v || $k === "sign") {
            continue;
        }
        $pairs[] = $k . "=" . ($encode ? urlencode((string) $v) : $v);
    }
    return $pairs ? implode("&", $pairs) : null;
}

/** get_cft_package(): ksorts $params in place, as the original does. */
function ref_package(array &$params, string $partnerkey): ?string
{
    if ($partnerkey == null) {
        return null;
    }
    ksort($params);
    $unsigned = ref_query($params, false);
    if ($unsigned === null) {
        return null;
    }
    return ref_query($params, true) . "&sign=" . strtoupper(md5($unsigned . "&key=" . $partnerkey));
}

function ref_check(array $params): bool
{
    foreach (['bank_type', 'body', 'partner', 'out_trade_no', 'total_fee', 'fee_type', 'notify_url',
              'spbill_create_ip', 'input_charset'] as $k) {
        if (!array_key_exists($k, $params) || $params[$k] == null) {
            return false;
        }
    }
    return true;
}

/** get_biz_sign over fixed lower-case fields (formatBizQueryParaMap, sha1). */
function ref_sha1(array $fields, string $appkey): string
{
    $fields['appkey'] = $appkey;
    ksort($fields);
    $pairs = [];
    foreach ($fields as $k => $v) {
        $pairs[] = strtolower($k) . "=" . $v;
    }
    return sha1(implode("&", $pairs));
}

function ref_biz_json(array $params, array $keys, int $ts, string $nonce): ?string
{
    if (!ref_check($params) || ($package = ref_package($params, $keys['partnerkey'])) === null) {
        return null;
    }
    $o = ['appId' => $keys['appid'], 'package' => $package, 'timeStamp' => strval($ts), 'nonceStr' => $nonce];
    $o['paySign'] = ref_sha1(['appid' => $keys['appid'], 'noncestr' => $nonce, 'package' => $package,
                              'timestamp' => strval($ts)], $keys['appkey']);
    $o['signType'] = $keys['signtype'];
    $json = json_encode($o);
    return $json === false ? null : $json;
}

function ref_app_json(array $params, array $keys, $traceid, int $ts, string $nonce): ?string
{
    if (!ref_check($params) || ($package = ref_package($params, $keys['partnerkey'])) === null) {
        return null;
    }
    $o = ['appid' => $keys['appid'], 'package' => $package, 'timestamp' => $ts, 'traceid' => $traceid,
          'noncestr' => $nonce];
    $o['app_signature'] = ref_sha1(['appid' => $keys['appid'], 'noncestr' => $nonce, 'package' => $package,
                                    'timestamp' => $ts, 'traceid' => $traceid], $keys['appkey']);
    $o['sign_method'] = $keys['signtype'];
    $json = json_encode($o);
    return $json === false ? null : $json;
}

function ref_native_url(string $productid, array $keys, int $ts, string $nonce): string
{
    $o = ['appid' => $keys['appid'], 'timestamp' => $ts, 'noncestr' => $nonce, 'productid' => urlencode($productid)];
    $o['sign'] = ref_sha1($o, $keys['appkey']);
    ksort($o);
    $pairs = [];
    foreach ($o as $k => $v) {
        $pairs[] = "$k=$v";
    }
    return "weixin://wxpay/bizpayurl?" . implode("&", $pairs);
}

/** arrayToXml; null where a value holds "]]>" (the original sends it broken). */
function ref_xml(array $arr): ?string
{
    $xml = "<xml>";
    foreach ($arr as $k => $v) {
        if (is_numeric($v)) {
            $xml .= "<$k>$v</$k>";
        } elseif (str_contains((string) $v, "]]>")) {
            return null;
        } else {
            $xml .= "<$k><![CDATA[$v]]></$k>";
        }
    }
    return $xml . "</xml>";
}

function ref_native_xml(array $params, array $keys, $retcode, string $reterrmsg, int $ts, string $nonce): ?string
{
    if (!ref_check($params) && $retcode == 0) {
        return null;
    }
    $package = ref_package($params, $keys['partnerkey']);
    if ($package === null) {
        return null;
    }
    $o = ['AppId' => $keys['appid'], 'Package' => $package, 'TimeStamp' => $ts, 'NonceStr' => $nonce,
          'RetCode' => $retcode, 'RetErrMsg' => $reterrmsg];
    $o['AppSignature'] = ref_sha1(['appid' => $keys['appid'], 'noncestr' => $nonce, 'package' => $package,
                                   'retcode' => $retcode, 'reterrmsg' => $reterrmsg, 'timestamp' => $ts],
                                  $keys['appkey']);
    $o['SignMethod'] = $keys['signtype'];
    return ref_xml($o);
}
