<?php
/*
 * The end-to-end run's checks over the drive summaries and the sandbox's
 * records. Every input is loaded strictly: a missing, empty or garbled file
 * or field fails the check (exit 1), it never passes by default.
 *   php checks.php CHECK ARGS...
 */
function load(string $file, array $keys): array
{
    $raw = @file_get_contents($file);
    if ($raw === false || $raw === '') fail("$file is missing or empty");
    try {
        $d = json_decode($raw, true, 512, JSON_THROW_ON_ERROR);
    } catch (JsonException $e) {
        fail("$file is not JSON");
    }
    foreach ($keys as $k => $type) {
        if (!is_array($d) || !array_key_exists($k, $d) || get_debug_type($d[$k]) !== $type) fail("$file: '$k' missing or not $type");
    }
    return $d;
}
function fail(string $why): never
{
    fwrite(STDERR, "  $why\n");
    exit(1);
}
$summary = ['answers' => 'array', 'slowest_s' => 'float', 'outcome' => 'array'];
$records = ['notifications' => 'array'];
[, $check] = $argv;
switch ($check) {
    case 'all-success':        // SUMMARY COUNT
        $a = load($argv[2], $summary)['answers'];
        if (($a['200 success'] ?? 0) !== (int) $argv[3] || array_sum($a) !== (int) $argv[3]) fail(json_encode($a));
        break;
    case 'recorded-once':      // RECORDS COUNT
        $o = array_column(load($argv[2], $records)['notifications'], 'out_trade_no');
        if (count($o) !== (int) $argv[3] || count(array_unique($o)) !== count($o)) fail(count($o) . ' recorded, ' . count(array_unique($o)) . ' distinct');
        break;
    case 'slowest-within':     // SUMMARY SECONDS
        $s = load($argv[2], $summary)['slowest_s'];
        if ($s <= 0 || $s > (float) $argv[3]) fail("slowest $s s");
        break;
    case 'success-or-fail':    // SUMMARY COUNT
        $a = load($argv[2], $summary)['answers'];
        if (array_sum($a) !== (int) $argv[3] || array_diff(array_keys($a), ['200 success', '200 fail']) !== []) fail(json_encode($a));
        break;
    case 'failures-logged':    // SUMMARY PHP_ERROR_LOG
        $o = load($argv[2], $summary)['outcome'];
        $log = (string) @file_get_contents($argv[3]);
        if (count($o) === 0) fail('no outcomes');
        foreach ($o as $order => $r) {
            if ($r === 'fail' && !preg_match("/order $order: shipping notification (refused: errcode -?\\d+|not delivered: .+)/", $log)) fail("unlogged $order");
        }
        break;
    case 'successes-once':     // SUMMARY RECORDS
        $o = load($argv[2], $summary)['outcome'];
        $c = array_count_values(array_column(load($argv[3], $records)['notifications'], 'out_trade_no'));
        if (count($o) === 0) fail('no outcomes');
        foreach ($o as $order => $r) if ($r === 'success' && ($c[$order] ?? 0) !== 1) fail("$order: " . ($c[$order] ?? 0));
        break;
    case 'both-outcomes':      // SUMMARY
        $a = load($argv[2], $summary)['answers'];
        if (($a['200 success'] ?? 0) === 0 || ($a['200 fail'] ?? 0) === 0) fail(json_encode($a));
        break;
    case 'refused-not-shipped': // SUMMARY RECORDS: every tampered callback answered fail and shipped nothing
        $o = load($argv[2], $summary)['outcome'];
        $c = array_count_values(array_column(load($argv[3], $records)['notifications'], 'out_trade_no'));
        if (count($o) === 0) fail('no outcomes');
        foreach ($o as $order => $r) if ($r !== 'fail' || isset($c[$order])) fail("$order: answered $r, recorded " . ($c[$order] ?? 0));
        break;
    case 'paid-shipped-once':   // ORDERS COUNT: every genuine order settled by "success" and shipped exactly once
        $orders = array_filter(load($argv[2], ['orders' => 'array'])['orders'], fn($o) => !$o['tampered']);
        if (count($orders) !== (int) $argv[3]) fail(count($orders) . ' genuine orders');
        foreach ($orders as $o) {
            $last = end($o['attempts']);
            if (!$o['settled'] || $o['deliveries'] !== 1 || ($last['answer'] ?? '') !== 'success') fail(json_encode($o));
        }
        break;
    case 'tampered-refused':    // ORDERS COUNT: every tampered notification answered fail on each of WeChat's 10 attempts, never shipped
        $orders = array_filter(load($argv[2], ['orders' => 'array'])['orders'], fn($o) => $o['tampered']);
        if (count($orders) !== (int) $argv[3]) fail(count($orders) . ' tampered orders');
        foreach ($orders as $o) {
            $answers = array_column($o['attempts'], 'answer');
            if ($o['settled'] || $o['deliveries'] !== 0 || count($answers) !== 10 || array_unique($answers) !== ['fail']) fail(json_encode($o));
        }
        break;
    case 'retried-then-shipped': // ORDERS: some genuine order failed first (fault) and WeChat's retry then succeeded
        $orders = load($argv[2], ['orders' => 'array'])['orders'];
        $n = 0;
        foreach ($orders as $o) {
            $a = array_column($o['attempts'], 'answer');
            if (!$o['tampered'] && count($a) >= 2 && $a[0] === 'fail' && end($a) === 'success' && $o['deliveries'] === 1) $n++;
        }
        if ($n === 0) fail('no order was retried into success');
        echo "  $n orders failed first and were shipped on WeChat's retry\n";
        break;
    case 'alarms-answered':     // ORDERS: each tampered (never shipped) order got alarm 1001, answered success; genuine ones none
        foreach (load($argv[2], ['orders' => 'array'])['orders'] as $o) {
            $answers = array_column($o['alarms'], 'answer');
            if ($o['tampered'] ? $answers !== ['success'] : $answers !== []) fail(json_encode($o));
        }
        break;
    case 'replays-answered':    // BEFORE AFTER TAG N: orders TAG-1..N got exactly one more attempt, answered success
        $index = fn($f) => array_column(load($f, ['orders' => 'array'])['orders'], null, 'out_trade_no');
        [$before, $after] = [$index($argv[2]), $index($argv[3])];
        for ($i = 1; $i <= (int) $argv[5]; $i++) {
            $b = $before["$argv[4]-$i"]['attempts'] ?? fail("$argv[4]-$i missing");
            $a = $after["$argv[4]-$i"]['attempts'];
            if (count($a) !== count($b) + 1 || end($a)['answer'] !== 'success') fail("$argv[4]-$i: " . json_encode($a));
        }
        break;
    case 'checkout-shipped-once': // CHECKOUT ORDERS SHOP_DIR: every paid checkout order: one sandbox order, settled, one delivery, shipped by callback.php
        $c = load($argv[2], ['jsapi' => 'array', 'native' => 'array']);
        $orders = load($argv[3], ['orders' => 'array'])['orders'];
        $by = [];
        foreach ($orders as $o) $by[$o['out_trade_no']][] = $o;
        $paid = array_merge($c['jsapi'], $c['native']);
        if ($paid === [] || count(array_unique($paid)) !== count($paid)) fail('no orders, or one paid twice');
        foreach ($paid as $n) {
            $o = $by[$n] ?? fail("$n: no sandbox order");
            if (count($o) !== 1 || !$o[0]['settled'] || $o[0]['deliveries'] !== 1) fail("$n: " . json_encode($o));
            if (!is_file("$argv[4]/$n.shipped")) fail("$n: callback.php did not ship it");
        }
        break;
    case 'checkout-recorded-once': // CHECKOUT RECORDS: each paid checkout order's notification recorded exactly once
        $c = load($argv[2], ['jsapi' => 'array', 'native' => 'array']);
        $seen = array_count_values(array_column(load($argv[3], $records)['notifications'], 'out_trade_no'));
        foreach (array_merge($c['jsapi'], $c['native']) as $n) {
            if (($seen[$n] ?? 0) !== 1) fail("$n recorded " . ($seen[$n] ?? 0) . ' times');
        }
        break;
    case 'checkout-refused':    // CHECKOUT ORDERS PER_KIND: each spoiled request refused (4 kinds), none of its orders paid
        $c = load($argv[2], ['refused' => 'array', 'spoiled_orders' => 'array']);
        if (count($c['refused']) !== 4) fail('kinds: ' . json_encode(array_keys($c['refused'])));
        foreach ($c['refused'] as $kind => $reasons) {
            if (count($reasons) !== (int) $argv[4] || in_array('PAID', $reasons, true)) fail("$kind: " . json_encode($reasons));
        }
        $paid = array_column(load($argv[3], ['orders' => 'array'])['orders'], 'out_trade_no');
        // A spoiled request names an order nobody paid (the replayed-nonce kind names a new one).
        foreach ($c['spoiled_orders'] as $n) {
            if (in_array($n, $paid, true)) fail("$n was paid");
        }
        break;
    default:
        fail("unknown check $check");
}
exit(0);
