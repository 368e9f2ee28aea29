--TEST--
wx_deliver_drain() on Redis Streams (a redis-server of its own): back-off, the deadline, a permanent errcode, the overdue warning, requeue, Prometheus
--EXTENSIONS--
wxpay
--SKIPIF--
<?php require __DIR__ . '/include/sandbox.inc'; if ($why = redis_outbox_skip()) die($why); ?>
--FILE--
<?php
require __DIR__ . '/include/sandbox.inc';
require __DIR__ . '/include/outbox_scenario.inc';
$redis = new PrivateRedis();
outbox_scenario($o = sandbox_options(['outbox' => $redis->url()]));
outbox_dedup_scenario($o);
?>
--EXPECTF--
A refused: {"sent":0,"retried":1,"dead":0,"skipped":0,"pending":1,"overdue":1}
one warning: 1
it names A: true
no secret: true
it starts: wx_deliver_drain(): 1 shipping notification(s) still undelivered within 2 hours of the
retrying: 1 A, HTTP 503 from 1, attempts 1, next_try now or later: true, listed within dead_limit: 0
A past its deadline: {"sent":0,"retried":0,"dead":1,"skipped":0,"pending":0,"overdue":0}
dead: A, the deadline passed (last error: HTTP 503 from 127, attempts 1
retrying once dead: 0
death warned: 1, wx_deliver_drain(): 1 shipping notification(s) died in this drain and will not be sent unless re-queued (wx_deliver_requeue()): out_trade_no %s (transid N): the deadline passed (last error: HTTP 503 from 127.0.0.1:%d)
and not again: 0
B refused once: {"sent":0,"retried":1,"dead":0,"skipped":0,"pending":1,"overdue":0}
B sent: {"sent":1,"retried":0,"dead":0,"skipped":0,"pending":0,"overdue":0}
C dead at once: {"sent":0,"retried":0,"dead":1,"skipped":0,"pending":0,"overdue":0}
its death warned: 1, true
requeue A: 1, again: 0
A sent: {"sent":1,"retried":0,"dead":0,"skipped":0,"pending":0,"overdue":0}
A recorded 1 time(s)
B recorded 1 time(s)
C recorded 0 time(s)
status: {"pending":0,"sent":2,"dead":1,"overdue":0,"nearest_deadline":null}
C in dead_entries: yes, WeChat error 49004
prometheus: true
warnings after: 0
kept within outbox_keep_sent: 3, same id: true
pruned after it: 2, a new id: true
F signed with a wrong appkey: {"sent":0,"retried":0,"dead":1,"skipped":0,"pending":0,"overdue":0}, dead: 1, warned: 1
F again, signed right: same id true, dead: 0, pending: 1
F sent: {"sent":1,"retried":0,"dead":0,"skipped":0,"pending":0,"overdue":0}
F once more: same id true, {"sent":0,"retried":0,"dead":0,"skipped":0,"pending":0,"overdue":0}
F recorded 1 time(s)
G status 0 refused: {"sent":0,"retried":1,"dead":0,"skipped":0,"pending":1,"overdue":0}
G status 1 enqueued: a new id true, pending 1, superseded 1
G drained: {"sent":1,"retried":0,"dead":0,"skipped":0,"pending":0,"overdue":0}
G as WeChat has it: ["1"]
