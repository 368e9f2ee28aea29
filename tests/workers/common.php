<?php
/** Runs tests/workers/$script in a sibling process with this worker's php command; returns its decoded JSON. */
function run_sibling(string $script, array $args): array
{
    $cmd = array_merge(json_decode(getenv('WXPAY_WORKER_PHP'), true), [__DIR__ . "/$script", '0', '0'], $args);
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    proc_close($p);
    return json_decode($out, true) ?? ['broken' => $out];
}
