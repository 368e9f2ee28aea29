<?php
/*
 * make bench: a hostile 64 KiB body of distinct sibling elements (each name
 * new) against one of repeated <item/>s, through wx_alarm_verify() (both
 * parse whole and then lack the alarm's elements). A duplicate check that
 * scanned the siblings made the first ~70x the second; prints medians.
 */
function body(callable $name): string
{
    $b = '<xml>';
    for ($i = 0; strlen($b) < 64 * 1024 - 40; $i++) $b .= '<' . $name($i) . '/>';
    return $b . '</xml>';
}
$bodies = ['distinct' => body(fn($i) => "E$i"), 'items' => body(fn($i) => 'item')];
$t = ['distinct' => [], 'items' => []];
for ($round = 0; $round < 41; $round++) {
    foreach ($bodies as $k => $b) {
        $start = hrtime(true);
        try { wx_alarm_verify($b, 'k'); } catch (WxPay\InvalidArgumentException $e) {}
        $t[$k][] = hrtime(true) - $start;
    }
}
foreach ($t as $k => $v) { sort($v); echo "$k ", $v[20] / 1000, "\n"; }
