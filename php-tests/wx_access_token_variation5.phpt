--TEST--
wx_access_token(): $force_refresh is coerced as PHP coerces a bool parameter in weak mode (int, float, string)
--EXTENSIONS--
wxpay
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
ini_set('wxpay.api_base', sandbox_url());
ini_set('wxpay.cafile', sandbox_ca());
[$id, $secret] = sandbox_app('wxhostile000000009');
$t = wx_access_token($id, $secret);
foreach ([0, 0.0, '', '0', 1, 2.5, '1', 'yes', true] as $force) {
    $before = sandbox_stats($id)['tokens_issued'];
    $new = wx_access_token($id, $secret, $force);
    echo str_pad(var_export($force, true), 6), ' -> ', sandbox_stats($id)['tokens_issued'] > $before ? 'refreshed' : 'cached', "\n";
}
attempt(fn() => wx_access_token($id, $secret, []));
attempt(fn() => wx_access_token($id, $secret, new stdClass));
?>
--EXPECT--
0      -> cached
0.0    -> cached
''     -> cached
'0'    -> cached
1      -> refreshed
2.5    -> refreshed
'1'    -> refreshed
'yes'  -> refreshed
true   -> refreshed
TypeError(0): wx_access_token(): Argument #3 ($force_refresh) must be of type bool, array given
TypeError(0): wx_access_token(): Argument #3 ($force_refresh) must be of type bool, stdClass given
