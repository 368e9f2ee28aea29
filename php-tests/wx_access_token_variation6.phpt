--TEST--
wx_access_token(): under strict_types a non-bool $force_refresh is PHP's own TypeError
--EXTENSIONS--
wxpay
--FILE--
<?php
declare(strict_types=1);
require __DIR__ . '/include/sandbox.inc';
foreach ([1, '1', 1.0] as $force) {
    attempt(fn() => wx_access_token('wx1', 'secret', $force));
}
?>
--EXPECT--
TypeError(0): wx_access_token(): Argument #3 ($force_refresh) must be of type bool, int given
TypeError(0): wx_access_token(): Argument #3 ($force_refresh) must be of type bool, string given
TypeError(0): wx_access_token(): Argument #3 ($force_refresh) must be of type bool, float given
