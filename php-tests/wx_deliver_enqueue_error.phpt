--TEST--
wx_deliver_enqueue()/drain()/outbox()/requeue(): every bad input is a clear exception, and nothing is stored
--EXTENSIONS--
wxpay
--INI--
wxpay.outbox=not/absolute
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
$app = 'wxnotify0000000002';
[, $secret, $appkey] = sandbox_app($app);
$file = outbox_file();
$o = sandbox_options(['outbox' => $file]);
$p = sample_params($app);
$secrets = [$secret, $appkey];

echo "-- enqueue: \$params as wx_deliver_notify() checks them\n";
attempt(fn() => wx_deliver_enqueue(['appkey' => ''] + $p, $o), $secrets);
attempt(fn() => wx_deliver_enqueue(array_diff_key($p, ['transid' => 1]), $o), $secrets);
attempt(fn() => wx_deliver_enqueue(['deliver_msg' => [1]] + $p, $o), $secrets);
attempt(fn() => wx_deliver_enqueue(['deliver_msg' => new class {}] + $p, $o), $secrets);   // no NUL or path of an anonymous class
attempt(fn() => wx_deliver_enqueue($p + ['appsecret' => $secret], $o), $secrets);
attempt(fn() => wx_deliver_enqueue(['out_trade_no' => str_repeat('9', 10 << 20)] + $p, $o), $secrets);
attempt(fn() => wx_deliver_enqueue(['out_trade_no' => "T1\nforged line"] + $p, $o), $secrets);
attempt(fn() => wx_deliver_enqueue(['transid' => "12\0" . '34'] + $p, $o), $secrets);
attempt(fn() => wx_deliver_enqueue(['deliver_msg' => str_repeat('x', 2049)] + $p, $o), $secrets);
echo "-- enqueue: options\n";
attempt(fn() => wx_deliver_enqueue($p, $o + ['deadline' => time() - 1]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['deadline' => time() + 31 * 86400]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['deadline' => '2030-01-01']), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['goods' => 'digital']), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['goods' => 'physical', 'deadline' => time() + 60]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['goods' => "virtu\xffal"]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['dedline' => time() + 60]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, ['outbox' => 'outbox.sqlite'] + $o), $secrets);
attempt(fn() => wx_deliver_enqueue($p, ['outbox' => '/proc/no/such/dir/o.sqlite'] + $o), $secrets);
attempt(fn() => wx_deliver_enqueue($p, ['outbox' => 'redis://u:pw@127.0.0.1:1/0?x=1'] + $o), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['outbox_retry_first' => 0]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['outbox_replicas' => 17]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['outbox_replicas' => '1']), $secrets);
attempt(fn() => wx_deliver_enqueue($p, $o + ['outbox_replicas' => 1]), $secrets);
attempt(fn() => wx_deliver_enqueue($p, ['outbox' => 'redis+sentinel://u:hunter2@127.0.0.1:26379'] + $o), ['hunter2']);
attempt(fn() => wx_deliver_enqueue($p, ['outbox' => 'redis+cluster://u:hunter2@127.0.0.1:7000/0'] + $o), ['hunter2']);
echo "nothing stored: ", json_encode(array_intersect_key(wx_deliver_outbox($o), ['pending' => 1, 'sent' => 1, 'dead' => 1])), "\n";

echo "-- a Redis outbox that is down: OutboxException, the password masked\n";
attempt(fn() => wx_deliver_enqueue($p, ['outbox' => 'redis://u:hunter2@127.0.0.1:1/0'] + $o), ['hunter2']);
attempt(fn() => wx_deliver_enqueue($p, ['outbox' => 'redis+cluster://u:hunter2@127.0.0.1:1'] + $o), ['hunter2']);

echo "-- drain\n";
attempt(fn() => wx_deliver_drain($o), $secrets);
attempt(fn() => wx_deliver_drain($o + ['appsecret' => 'has space']), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => 'x']), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => [$app => 5]]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => [$secret]]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => ["wx\xff" => $secret]]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => [$app => "s\xff"]]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => [$app => $secret], 'max_items' => 0]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => [$app => $secret], 'max_seconds' => -1]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['apps' => [$app => $secret], 'max_seconds' => 'soon']), $secrets);
attempt(fn() => wx_deliver_drain(5), $secrets);
attempt(fn() => wx_deliver_drain($o + ['appsecret' => $secret, 'outbox_concurrency' => 0]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['appsecret' => $secret, 'outbox_concurrency' => 17]), $secrets);
attempt(fn() => wx_deliver_drain($o + ['appsecret' => $secret, 'outbox_concurrency' => '4 threads']), $secrets);
attempt(fn() => wx_deliver_drain($o + ['appsecret' => $secret, 'outbox_concurrency' => 2.5]), $secrets);
var_dump(ini_set('wxpay.outbox_concurrency', '0'), ini_get('wxpay.outbox_concurrency'));
echo "-- outbox and requeue\n";
attempt(fn() => wx_deliver_outbox($o + ['format' => 'xml']), $secrets);
attempt(fn() => wx_deliver_outbox($o + ['dead_limit' => -1]), $secrets);
attempt(fn() => wx_deliver_requeue([1], $o), $secrets);
attempt(fn() => wx_deliver_requeue('all', $o), $secrets);
attempt(fn() => wx_deliver_requeue(null, $o + ['deadline' => 1]), $secrets);
var_dump(wx_deliver_requeue([], $o), wx_deliver_requeue(null, $o));

echo "-- a bad wxpay.outbox in php.ini fails only the outbox functions\n";
var_dump(ini_get('wxpay.outbox'));
attempt(fn() => wx_deliver_outbox(), $secrets);
var_dump(strlen(wx_deliver_sign($p)));
?>
--EXPECTF--
Warning: PHP Startup: wxpay.outbox must be an absolute path to a SQLite file or a redis://, rediss://, redis[s]+sentinel:// or redis[s]+cluster:// URL; the calls that need it throw WxPay\ConfigurationException until it is fixed in Unknown on line 0
-- enqueue: $params as wx_deliver_notify() checks them
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'appkey' must not be empty
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: the required key 'transid' is missing
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'deliver_msg' must be a string, array given
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'deliver_msg' must be a string, class@anonymous given
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'appsecret' does not belong in $params: pass it as $options['appsecret'] (it is never signed or sent)
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'out_trade_no' must be at most 128 bytes without control characters (10485760 bytes given)
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'out_trade_no' must be at most 128 bytes without control characters (14 bytes given)
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'transid' must be at most 128 bytes without control characters (5 bytes given)
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): $params: 'deliver_msg' must be at most 2048 bytes without NUL (2049 bytes given)
-- enqueue: options
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'deadline' must be a unix time in the future, at most 30 days ahead
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'deadline' must be a unix time in the future, at most 30 days ahead
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'deadline' must be an int, string given
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'goods' must be 'virtual' (24 h to notify) or 'physical' (72 h)
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): give either option 'deadline' or option 'goods', not both
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'goods' must be valid UTF-8
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): unknown option 'dedline'; the options are api_base, timeout, connect_timeout, cafile, proxy, appsecret, appid, token_endpoint, outbox, outbox_retry_first, outbox_retry_max, outbox_keep_sent, outbox_concurrency, outbox_replicas (and for this function: deadline, goods)
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'outbox' must be an absolute path to a SQLite file or a redis://, rediss://, redis[s]+sentinel:// or redis[s]+cluster:// URL
WxPay\ConfigurationException(0): wx_deliver_enqueue(): option 'outbox': cannot use the SQLite outbox /proc/no/such/dir/o.sqlite (%s); its directory /proc/no/such/dir must exist and be writable by the user PHP runs as
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'outbox': redis://***@127.0.0.1:1/0 has a query; put credentials as redis://user:password@host:port/db
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'outbox_retry_first' must be a number of seconds from 0.01 to 86400
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'outbox_replicas' must be a whole number from 0 to 16
WxPay\ConfigurationException(0): wx_deliver_enqueue(): wxpay.outbox_replicas applies to a Redis outbox; a SQLite outbox has no replicas (set it to 0)
WxPay\ConfigurationException(0): wx_deliver_enqueue(): wxpay.outbox_replicas applies to a Redis outbox; a SQLite outbox has no replicas (set it to 0)
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'outbox': redis+sentinel://***@127.0.0.1:26379 is not a usable Redis URL: no /NAME of the primary
WxPay\InvalidArgumentException(0): wx_deliver_enqueue(): option 'outbox': redis+cluster://***@127.0.0.1:7000/0 is not a usable Redis URL: a Cluster has one database: no /db after its nodes
nothing stored: {"pending":0,"sent":0,"dead":0}
-- a Redis outbox that is down: OutboxException, the password masked
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis://***@127.0.0.1:1/0: %s
WxPay\OutboxException(0): wx_deliver_enqueue(): the outbox at redis+cluster://***@127.0.0.1:1: Failed to connect to each cluster node (127.0.0.1:1: %s)
-- drain
WxPay\InvalidArgumentException(0): wx_deliver_drain(): wx_deliver_drain() obtains tokens itself: pass option 'appsecret' (every app) or option 'apps' => [appid => appsecret]
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'appsecret' must be a non-empty string of printable ASCII characters (at most 256)
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'apps' must be an array of appid => appsecret, string given
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'apps' must map each appid to its appsecret (a string), int given
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'apps' must map each appid (a string key) to its appsecret: [appid => appsecret, ...]
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'apps' must map each appid (a string key) to its appsecret: [appid => appsecret, ...]
WxPay\InvalidArgumentException(0): wx_deliver_drain(): an appsecret in option 'apps' must be valid UTF-8
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'max_items' must be at least 1
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'max_seconds' must be more than 0 and at most 86400
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'max_seconds' must be a number of seconds, string given
TypeError(0): wx_deliver_drain(): Argument #1 ($options) must be of type array, int given
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'outbox_concurrency' must be a whole number from 1 to 16
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'outbox_concurrency' must be a whole number from 1 to 16
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'outbox_concurrency' must be a whole number from 1 to 16
WxPay\InvalidArgumentException(0): wx_deliver_drain(): option 'outbox_concurrency' must be an int, float given

Warning: ini_set(): wxpay.outbox_concurrency must be a whole number from 1 to 16; the value was not changed in %s on line %d
bool(false)
string(1) "4"
-- outbox and requeue
WxPay\InvalidArgumentException(0): wx_deliver_outbox(): option 'format' must be 'array' or 'prometheus'
WxPay\InvalidArgumentException(0): wx_deliver_outbox(): option 'dead_limit' must be 0 or more
WxPay\InvalidArgumentException(0): wx_deliver_requeue(): $ids must hold entry ids (strings), int given
TypeError(0): wx_deliver_requeue(): Argument #1 ($ids) must be of type ?array, string given
WxPay\InvalidArgumentException(0): wx_deliver_requeue(): option 'deadline' must be a unix time in the future, at most 30 days ahead
int(0)
int(0)
-- a bad wxpay.outbox in php.ini fails only the outbox functions
string(12) "not/absolute"
WxPay\ConfigurationException(0): wx_deliver_outbox(): php.ini: wxpay.outbox must be an absolute path to a SQLite file or a redis://, rediss://, redis[s]+sentinel:// or redis[s]+cluster:// URL (see php --ri wxpay)
int(40)
