#!/usr/bin/env bash
# Shared state across a Redis failover, with the real parts: Debian's
# redis-server (a primary with AOF fsync always, and a replica) and
# redis-sentinel (three, quorum 2) on loopback ports of this test's own,
# wxpay-sandbox over HTTPS, PHP processes loading the extension.
# Prints "HA ok|FAIL <check>" lines.
#   T  tokens through Sentinel: 8 processes at once, one token fetch
#   F  the primary kill -9'd while 8 processes enqueue and 3 drain, with
#      wxpay.outbox_replicas = 1: every acknowledged enqueue delivered exactly
#      once (or listed dead), repeats at most the sends in flight; the token
#      cache meanwhile: every call succeeds, one warning for the outage, and
#      the same process shares tokens through the new primary afterwards
#   L  the same failover without wxpay.outbox_replicas: what was lost is shown
#   C  a Redis Cluster (3 primaries with a replica each, redis-cli --cluster
#      create): tokens shared through it (one fetch for 8 processes)
#   M  the outbox in that Cluster, its slot migrated to another primary a key
#      at a time while 8 processes enqueue (with wxpay.outbox_replicas = 1)
#      and 3 drain: every acknowledged
#      enqueue delivered, repeats at most K per failed drain call, the
#      outbox's counts right afterwards
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/lib.sh
M=${1:-150}
scratch wxpay-ha

check() {
    local name=$1; shift
    if "$@"; then echo "HA ok $name"; else echo "HA FAIL $name"; fi
}
for tool in redis-server redis-sentinel redis-cli; do
    command -v "$tool" > /dev/null || { echo "HA FAIL $tool is not installed (make test-deps)"; exit 1; }
done
free_port() { "$PHP" -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);'; }
# field NAME: NAME of the JSON on stdin's last line.
field() { "$PHP" -n -r '$l = file("php://stdin"); $v = json_decode(end($l) ?: "", true); echo $v[$argv[1]] ?? "none";' "$1"; }

"$BIN/wxpay-sandbox" --state-dir "$work/sandbox" --apps tests/sandbox-apps.txt --token-quota 100000 > "$work/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do [ -s "$work/sandbox/address" ] && break; sleep 0.1; done
[ -s "$work/sandbox/address" ] || { cat "$work/sandbox.log"; echo "HA FAIL the sandbox did not start"; exit 1; }
export WXPAY_SANDBOX_DIR=$work/sandbox
api=$(cat "$work/sandbox/address")
ctl() { curl -sS --cacert "$work/sandbox/ca.pem" "$@"; }

# redis NAME PORT [ARGS...]: a redis-server with AOF, fsync always, in $work/NAME.
redis() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$work/$name"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work/$name" --appendonly yes --appendfsync always \
        --save '' --daemonize no --logfile "$work/$name.log" "$@" &
    pids+=($!)
    eval "pid_${name//-/_}=$!"
    for _ in $(seq 200); do redis-cli -p "$port" ping > /dev/null 2>&1 && return; sleep 0.05; done
}
# ha NAME: a primary and a replica watched by three sentinels (quorum 2,
# down after 1 s) under the primary name NAME; sets P (the primary's port),
# R, S (the sentinels' ports) and URL (redis+sentinel://.../NAME/0).
ha() {
    local name=$1 s conf
    P=$(free_port) R=$(free_port) S=()
    redis "$name-a" "$P"
    redis "$name-b" "$R" --replicaof 127.0.0.1 "$P"
    for _ in 1 2 3; do
        s=$(free_port) S+=("$s") conf=$work/sentinel-$s.conf
        printf 'port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %s 2\nsentinel down-after-milliseconds %s 1000\nsentinel failover-timeout %s 4000\n' \
            "$s" "$work" "$name" "$P" "$name" "$name" > "$conf"
        redis-sentinel "$conf" --logfile "$work/sentinel-$s.log" &
        pids+=($!)
    done
    URL="redis+sentinel://127.0.0.1:${S[0]},127.0.0.1:${S[1]},127.0.0.1:${S[2]}/$name/0"
    # Ready when the sentinels know each other and the replica is in sync.
    for _ in $(seq 300); do
        redis-cli -p "${S[0]}" sentinel ckquorum "$name" 2>/dev/null | grep -q '^OK 3 usable' &&
            redis-cli -p "${S[0]}" sentinel replicas "$name" 2>/dev/null | grep -qx 'slave' &&
            redis-cli -p "$P" info replication | grep -q 'state=online' && return 0
        sleep 0.1
    done
    echo "the sentinels of $name did not come up:"; tail -5 "$work"/sentinel-*.log
    return 1
}
primary_port() { redis-cli -p "${S[0]}" sentinel get-master-addr-by-name "$1" | sed -n 2p; }
ini=(-n -d "extension=$SO" -d "wxpay.api_base=$api" -d "wxpay.cafile=$work/sandbox/ca.pem")
W=("$PHP" "${ini[@]}" tests/outbox/worker.php)
K=$("$PHP" "${ini[@]}" -r 'echo ini_get("wxpay.outbox_concurrency");')
read -r appid secret _ < <(grep '^wxtoken00000000001 ' tests/sandbox-apps.txt)
read -r appid2 secret2 _ < <(grep '^wxtoken00000000002 ' tests/sandbox-apps.txt)

echo "== T: tokens through Sentinel"
ha wxha || { echo "HA FAIL T: the Sentinel setup"; exit 1; }
tok=("$PHP" "${ini[@]}" -d "wxpay.token_cache=$URL")
start=$(( $(date +%s) + 2 ))
for i in $(seq 8); do "${tok[@]}" tests/ha/tokens.php once "$appid" "$secret" "$start" > "$work/t$i.out" 2>&1 & done
for p in $(jobs -p); do [[ " ${pids[*]} " == *" $p "* ]] || wait "$p"; done
calls=$(ctl "$api/_sandbox/stats?appid=$appid" | field token_calls)
echo "8 processes: $(cat "$work"/t*.out | grep -c '^token$') tokens, $calls fetch(es) from WeChat"
check "T: 8 processes sharing the token cache through Sentinel fetch one token" test "$calls" = 1 -a "$(cat "$work"/t*.out | grep -c '^token$')" = 8

# tally TAG: over the 8 enqueuers' acknowledged orders TAG0-* .. TAG7-*,
# sets acked, lost (never delivered) and repeats (delivered more than once).
tally() {
    local i n total distinct missing
    acked=0 lost=0 repeats=0
    for i in $(seq 0 7); do
        n=$(grep -c '^ok' "$work/$1$i.enq")
        acked=$((acked + n))
        read -r total distinct missing < <("${W[@]}" count "$1$i" "$n" |
            "$PHP" -n -r '$v = json_decode(stream_get_contents(STDIN), true); echo "$v[total] $v[distinct] $v[missing]\n";')
        lost=$((lost + missing)) repeats=$((repeats + total - distinct))
    done
}

# The drainers keep draining while the enqueuers ($enq) run, then stop
# once nothing is pending.
enqueuing() { enq=(); touch "$work/enqueuing"; }
enqueued() {
    local p
    for p in "${enq[@]}"; do wait "$p"; done
    rm -f "$work/enqueuing"
    for p in $(jobs -p); do [[ " ${pids[*]} " == *" $p "* ]] || wait "$p"; done
}

# failover TAG REPLICAS: 8 enqueuers of M orders each and 3 drainers on the
# Sentinel URL, the primary kill -9'd a moment in, restarted once the
# sentinels promoted the replica (they make it a replica of the new primary).
failover() {
    local tag=$1 replicas=$2 i old
    local enqueuer=("$PHP" "${ini[@]}" -d "wxpay.outbox_replicas=$replicas" tests/outbox/worker.php)
    old=$(primary_port wxha)
    enqueuing
    for i in $(seq 0 7); do
        # Paced, so that the enqueues span the failover (about 4 s of them).
        WXPAY_ENQUEUE_PAUSE_MS=$((4000 / M)) timeout 120 "${enqueuer[@]}" enqueue "$URL" "$tag$i" 0 "$M" > "$work/$tag$i.enq" 2>&1 &
        enq+=($!)
    done
    for i in 1 2 3; do WXPAY_DRAIN_WHILE=$work/enqueuing timeout 120 "${W[@]}" drain "$URL" 60 > "$work/$tag.drain$i" 2>&1 & done
    sleep 1.5
    local victim
    [ "$old" = "$P" ] && victim=$pid_wxha_a || victim=$pid_wxha_b
    kill -9 "$victim"
    wait "$victim" 2>/dev/null
    local from=$SECONDS
    for _ in $(seq 300); do [ "$(primary_port wxha)" != "$old" ] && break; sleep 0.1; done
    echo "$tag: primary on port $old killed; the sentinels promoted port $(primary_port wxha) after $((SECONDS - from)) s"
    [ "$old" = "$P" ] && redis wxha-a "$P" || redis wxha-b "$R"
    enqueued
    "${W[@]}" drain "$URL" 60 > "$work/$tag.final" 2>&1
}

echo "== F: the primary killed with wxpay.outbox_replicas = 1"
"${tok[@]}" -d wxpay.token_copy_ttl=0 -d wxpay.timeout=1 tests/ha/tokens.php calls "$appid" "$secret" 12 "$appid2" "$secret2" > "$work/tokens-failover.out" 2>&1 &
tokens_pid=$!
failover F 1
wait "$tokens_pid"
tally F
dead=$(field dead < "$work/F.final")
echo "F: $acked acknowledged enqueues, $lost not delivered, $dead dead, $repeats repeats"
check "F: every acknowledged enqueue ($acked) delivered or listed dead across the failover" test "$acked" = $((8 * M)) -a "$lost" = 0
check "F: repeats ($repeats) at most the sends in flight ($K for each of 3 drainers)" test "$repeats" -le $((3 * K))
check "F: the outbox agrees after the failover (pending 0)" test "$(field pending < "$work/F.final")" = 0
read -r tcalls tfailed twarnings < <(sed -n 's/^calls \([0-9]*\) failed \([0-9]*\) warnings \([0-9]*\)$/\1 \2 \3/p' "$work/tokens-failover.out")
echo "token calls during the failover: ${tcalls:-?}, ${tfailed:-?} failed, ${twarnings:-?} warning(s)"
grep '^warning: ' "$work/tokens-failover.out" | cut -c1-240
check "F: the token cache through the failover: every call succeeded, one warning" test "${tfailed:-1}" = 0 -a "${twarnings:-0}" = 1 -a "${tcalls:-0}" -gt 100
# The process that saw the outage found the new primary: the token it fetched
# afterwards for a second app is there for a new process (one fetch in all).
"${tok[@]}" tests/ha/tokens.php once "$appid2" "$secret2" 0 > "$work/t-after.out" 2>&1
calls=$(ctl "$api/_sandbox/stats?appid=$appid2" | field token_calls)
check "F: after the failover the same process shares tokens through the new primary ($calls fetch)" test "$calls" = 1 -a "$(cat "$work/t-after.out")" = token

echo "== L: the same failover without wxpay.outbox_replicas"
failover L 0
tally L
echo "L: $acked acknowledged enqueues, $lost lost with the primary (replication is asynchronous without WAIT)"
check "L: the failover without WAIT ran to the end ($acked acknowledged; lost ones are shown, not failed)" test "$acked" = $((8 * M))

echo "== C: a Redis Cluster"
C=()
for i in 1 2 3 4 5 6; do
    C+=("$(free_port)")
    redis "cl$i" "${C[-1]}" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 3000
done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${C[@]}") --cluster-replicas 1 --cluster-yes > "$work/cluster-create.log" 2>&1
for _ in $(seq 300); do
    ok=0
    for p in "${C[@]}"; do redis-cli -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && ok=$((ok + 1)); done
    [ $ok = 6 ] && break
    sleep 0.1
done
check "C: a Cluster of 3 primaries with a replica each is up ($ok of 6 nodes say ok)" test "$ok" = 6
CURL="redis+cluster://127.0.0.1:${C[0]},127.0.0.1:${C[1]},127.0.0.1:${C[2]}"
read -r appid3 secret3 _ < <(grep '^wxtoken00000000003 ' tests/sandbox-apps.txt)
start=$(( $(date +%s) + 2 ))
for i in $(seq 8); do
    "$PHP" "${ini[@]}" -d "wxpay.token_cache=$CURL" tests/ha/tokens.php once "$appid3" "$secret3" "$start" > "$work/c$i.out" 2>&1 &
done
for p in $(jobs -p); do [[ " ${pids[*]} " == *" $p "* ]] || wait "$p"; done
calls=$(ctl "$api/_sandbox/stats?appid=$appid3" | field token_calls)
echo "8 processes through the Cluster: $(cat "$work"/c*.out | grep -c '^token$') tokens, $calls fetch(es)"
check "C: 8 processes sharing the token cache through the Cluster fetch one token" test "$calls" = 1 -a "$(cat "$work"/c*.out | grep -c '^token$')" = 8

echo "== M: the outbox in the Cluster, its slot migrated while 8 processes enqueue and 3 drain"
# owner KEY: the port of the primary that serves KEY's slot (the others,
# replicas included, answer MOVED).
owner() { local p; for p in "${C[@]}"; do [[ $(redis-cli -p "$p" exists "$1" 2>&1) =~ ^[0-9]+$ ]] && { echo "$p"; return; }; done; }
slot=$(redis-cli -p "${C[0]}" cluster keyslot 'wxpay:{outbox}:stream')
src=$(owner 'wxpay:{outbox}:stream')
for p in "${C[@]}"; do
    [ "$p" != "$src" ] && redis-cli -p "$p" role | head -1 | grep -qx master && { dst=$p; break; }
done
src_id=$(redis-cli -p "$src" cluster myid) dst_id=$(redis-cli -p "$dst" cluster myid)
sent() { echo $(( $(ctl "$api/_sandbox/stats" | field notifications) - base )); }
base=0 base=$(sent)
enqueuing
for i in $(seq 0 7); do
    # With WAIT too: the primary that holds the slot, and then the one it
    # moved to, waits for its replica.
    WXPAY_ENQUEUE_PAUSE_MS=$((4000 / M)) timeout 120 "$PHP" "${ini[@]}" -d wxpay.outbox_replicas=1 tests/outbox/worker.php \
        enqueue "$CURL" "M$i" 0 "$M" > "$work/M$i.enq" 2>&1 &
    enq+=($!)
done
for i in 1 2 3; do
    WXPAY_DRAIN_WHILE=$work/enqueuing timeout 120 "${W[@]}" drain "$CURL" 60 > "$work/M.drain$i" 2> "$work/M.drain$i.err" &
done
# The migration starts once the drainers are well under way.
for _ in $(seq 200); do [ "$(sent)" -ge "$M" ] && break; sleep 0.05; done
# By hand, a key at a time with a pause between, as redis-cli --cluster
# reshard does it in one go: the slot is half moved for about a second.
before=$(sent)
redis-cli -p "$dst" cluster setslot "$slot" importing "$src_id" > /dev/null
redis-cli -p "$src" cluster setslot "$slot" migrating "$dst_id" > /dev/null
moved=0
while read -r key; do
    [ -n "$key" ] || continue
    [ "$(redis-cli -p "$src" migrate 127.0.0.1 "$dst" "$key" 0 5000)" = OK ] && moved=$((moved + 1))
    sleep 0.1
done < <(redis-cli -p "$src" cluster getkeysinslot "$slot" 100)
for p in "$dst" "$src" "${C[@]}"; do redis-cli -p "$p" cluster setslot "$slot" node "$dst_id" > /dev/null 2>&1; done
after=$(sent)
echo "M: slot $slot moved from port $src to port $dst ($moved keys) when $before of the orders were sent, done when $after were"
enqueued
"${W[@]}" drain "$CURL" 60 > "$work/M.final" 2>&1
failed=$(cat "$work"/M.drain*.err | grep -c '^drain failed')
grep -h '^drain failed' "$work"/M.drain*.err | sort | uniq -c | sort -rn | head -3 | cut -c1-200
tally M
echo "M: $acked acknowledged enqueues, $lost not delivered, $repeats repeats, $failed drain call(s) failed"
check "M: the slot moved to another primary during the drain ($moved keys; $before of $acked sent before, $after after)" \
    test "$(owner 'wxpay:{outbox}:stream')" = "$dst" -a "$moved" -gt 0 -a "$before" -gt 0 -a "$after" -lt $((8 * M))
check "M: every acknowledged enqueue ($acked) delivered across the migration" test "$acked" = $((8 * M)) -a "$lost" = 0
check "M: repeats ($repeats) at most the sends in flight ($K) of each failed drain call ($failed)" test "$repeats" -le $((failed * K))
check "M: the outbox agrees after the migration (pending 0)" test "$(field pending < "$work/M.final")" = 0
