<?php
/*
 * A worker's own copy of a Redis-shared token: takes a token, stops Redis
 * (kill REDIS_PID), asks again at once and again after PAUSE seconds, and
 * reports how many warnings (Redis unusable) each ask produced.
 *   php -d ... token_copy_worker.php START ID APPID SECRET REDIS_PID PAUSE
 */
[, $start, , $appid, $secret, $redisPid, $pause] = $argv;
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
if ((float) $start > microtime(true)) time_sleep_until((float) $start);
$first = wx_access_token($appid, $secret);
exec('kill ' . (int) $redisPid);
usleep(300000);
$now = wx_access_token($appid, $secret);
$atOnce = count($warnings);
usleep((int) ((float) $pause * 1e6));
$later = wx_access_token($appid, $secret);
echo json_encode(['same' => $first === $now && $now === $later, 'at_once' => $atOnce, 'later' => count($warnings) - $atOnce]);
