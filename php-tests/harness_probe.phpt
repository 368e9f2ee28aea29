--TEST--
The harness's own probe: with WXPAY_PROBE=phpt-crash this php dies of SIGSEGV, and the suite must count it (tests/harness-probe.sh)
--SKIPIF--
<?php if (getenv('WXPAY_PROBE') !== 'phpt-crash') die('skip only when tests/harness-probe.sh probes the harness'); ?>
--FILE--
<?php
exec('kill -SEGV ' . getmypid());
sleep(5);
echo "still alive\n";
?>
--EXPECT--
still alive
