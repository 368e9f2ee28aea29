--TEST--
wx_deliver_sign(): bad input throws WxPay\InvalidArgumentException naming the key, never a value
--EXTENSIONS--
wxpay
--FILE--
<?php
function attempt(callable $f) {
    try {
        $f();
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
        if (str_contains($e->getMessage(), 'SECRET')) echo "LEAK\n";
    }
}
$base = ['appid' => 'wx1', 'openid' => 'o1'];
attempt(fn() => wx_deliver_sign($base));                                  // no appkey anywhere
attempt(fn() => wx_deliver_sign($base, ''));                              // empty appkey argument
attempt(fn() => wx_deliver_sign($base + ['AppKey' => '']));               // empty appkey entry
attempt(fn() => wx_deliver_sign($base + ['appkey' => null]));
attempt(fn() => wx_deliver_sign($base + ['appkey' => false]));
attempt(fn() => wx_deliver_sign([]));                                     // nothing at all
attempt(fn() => wx_deliver_sign($base + ['deliver_msg' => ['SECRET']], 'SECRET'));
attempt(fn() => wx_deliver_sign($base + ['fh' => STDIN], 'SECRET'));
attempt(fn() => wx_deliver_sign($base + ['obj' => new stdClass], 'SECRET'));
attempt(fn() => wx_deliver_sign($base + ['cb' => fn() => 1], 'SECRET'));
enum Status { case Shipped; }
attempt(fn() => wx_deliver_sign($base + ['st' => Status::Shipped], 'SECRET'));
attempt(fn() => wx_deliver_sign([7 => [1]], 'SECRET'));                   // an integer key is named as such
attempt(fn() => wx_deliver_sign(["bad\0key\xff" => []], 'SECRET'));        // a binary key is escaped
attempt(fn() => wx_deliver_sign([str_repeat('k', 10 << 20) => []], 'SECRET')); // a message quotes 64 characters of a key
// The original would sign "Array" and warn; the extension refuses, whatever the key case.
attempt(fn() => wx_deliver_sign(['AppKey' => ['SECRET']]));
// Wrong argument types are TypeErrors, as for any internal function.
attempt(fn() => wx_deliver_sign('appid=1', 'k'));
attempt(fn() => wx_deliver_sign($base, ['SECRET']));
attempt(fn() => wx_deliver_sign($base, new stdClass));
attempt(fn() => wx_deliver_sign());
// Exceptions are WxPay\Exception too, so one catch covers the extension.
try { wx_deliver_sign($base); } catch (WxPay\Exception $e) { echo "caught as WxPay\\Exception\n"; }
?>
--EXPECT--
WxPay\InvalidArgumentException: wx_deliver_sign(): no appkey: pass it as the second argument or as the 'appkey' entry
WxPay\InvalidArgumentException: wx_deliver_sign(): the appkey is empty
WxPay\InvalidArgumentException: wx_deliver_sign(): the appkey is empty
WxPay\InvalidArgumentException: wx_deliver_sign(): the appkey is empty
WxPay\InvalidArgumentException: wx_deliver_sign(): the appkey is empty
WxPay\InvalidArgumentException: wx_deliver_sign(): no appkey: pass it as the second argument or as the 'appkey' entry
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'deliver_msg' is an array, expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'fh' is a resource, expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'obj' is an object without __toString(), expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'cb' is an object without __toString(), expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'st' is an object without __toString(), expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key '7' is an array, expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'bad\x00key\xff' is an array, expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' is an array, expected a scalar or a Stringable object
WxPay\InvalidArgumentException: wx_deliver_sign(): the value of key 'AppKey' is an array, expected a scalar or a Stringable object
TypeError: wx_deliver_sign(): Argument #1 ($params) must be of type array, string given
TypeError: wx_deliver_sign(): Argument #2 ($appkey) must be of type ?string, array given
TypeError: wx_deliver_sign(): Argument #2 ($appkey) must be of type ?string, stdClass given
ArgumentCountError: wx_deliver_sign() expects at least 1 argument, 0 given
caught as WxPay\Exception
