<?php
/*
 * Asks for a token once and prints {"token": ...} or {"error": ...}.
 *   php -d ... token_worker.php START ID APPID SECRET [force]
 */
[, $start, , $appid, $secret] = $argv;
if ((float) $start > microtime(true)) time_sleep_until((float) $start);
try {
    echo json_encode(['token' => wx_access_token($appid, $secret, ($argv[5] ?? '') === 'force')]);
} catch (Throwable $e) {
    echo json_encode(['error' => get_class($e) . '(' . $e->getCode() . '): ' . $e->getMessage()]);
}
