//! The outbox in Redis, shared by every server of a shop: a stream with one
//! consumer group carries the entries that are due, a sorted set holds the
//! ones waiting for a retry, and one hash holds every entry's state. Each
//! step is one Lua script, so a step is atomic even with many drainers.
//!
//! Every script declares every key, and the keys share a hash tag: in a
//! Cluster the outbox is one slot, and while that slot migrates a script
//! runs where all its keys are or not at all (TRYAGAIN, retried by redis'
//! router), never half done.
//!
//! Keys (all under `wxpay:{outbox}`: the hash tag `outbox` keeps them in
//! one slot, and an ACL key pattern `~wxpay:*` still covers them):
//!   :entries   hash: `<id>/<name>` for each name of appid, transid,
//!              out_trade_no, deliver_status, body, created_ms, deadline_ms,
//!              state, attempts, last_error, done_ms, msg (the stream message
//!              it is due under), lease_ms, shipment
//!   :shipments hash: shipment (appid, transid, out_trade_no, status) -> id
//!   :stream    stream of due ids; consumer group `drain`
//!   :delayed   zset id -> when it is due again
//!   :pending   zset id -> deadline (every pending entry)
//!   :created   zset id -> enqueue time (every pending entry)
//!   :dead      zset id -> when it died
//!   :superseded  zset id -> deadline of entries a newer status replaced
//!   :sent      counter
//!   :sent_by_deadline  zset id -> deadline of sent entries (pruned after wxpay.outbox_keep_sent)
//!   :epoch     a random marker set with the first entry (see lost_script)

use super::{store_error, Claimed, Clock, Finish, Listed, NewEntry, Overdue, Status, Store};
use crate::error::Result;
use crate::net::redis::Conn;
use crate::net::redis::Link;
use crate::net::tls::CaSource;
use crate::process::PerProcess;
use redis::{Script, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The prefix of every key, with its hash tag: the whole outbox is in one
/// slot of a Cluster, and under `wxpay:` as every other key of ours.
const TAG: &str = "wxpay:{outbox}";
/// Where the first layout kept it (see adopt_script).
const FIRST_LAYOUT: &str = "wxpay:outbox";
/// The newest command the scripts use (Redis 6.2).
const NEWEST_COMMAND: &str = "XAUTOCLAIM";

pub struct RedisOutbox {
    link: Link,
    /// Every key of the outbox, declared by every script (see KEYS).
    keys: Vec<String>,
    /// Where the first layout may still hold entries (not a Cluster).
    first_layout: bool,
    /// One call's bound (`wxpay.timeout` of the call that opened it last):
    /// a Redis that needs longer is reported, not waited for.
    io: Mutex<Duration>,
    /// Why this server may lose the outbox (None: it keeps it), and when
    /// that was last asked: the answer is reused for a minute.
    verdict: Mutex<Option<(std::time::Instant, Option<String>)>>,
    /// Set once the server was seen to have every command the scripts use.
    capable: std::sync::OnceLock<()>,
    /// The outbox's marker as this process last saw it.
    seen_epoch: Mutex<Option<String>>,
}

/// How long a durability verdict is reused.
const VERDICT_FOR: Duration = Duration::from_secs(60);

static OPEN: PerProcess<HashMap<(String, CaSource), Arc<RedisOutbox>>> = PerProcess::new();

/// The store at `url`; a `rediss://` server is verified against the CA
/// bundle the HTTPS calls trust (`wxpay.cafile`, else the system's).
pub fn open(url: &str, ca: &CaSource, io: Duration) -> Result<Arc<dyn Store + Send + Sync>> {
    OPEN.with(|open| {
        let key = (url.to_string(), ca.clone());
        if let Some(s) = open.get(&key) {
            *s.io.lock().unwrap_or_else(|e| e.into_inner()) = io;
            return Ok(Arc::clone(s) as Arc<dyn Store + Send + Sync>);
        }
        let link = Link::open(url, ca, "wxpay.outbox", Some("wxpay.timeout"))
            .map_err(|down| store_error(&crate::secrets::masked(url), down.0))?;
        let store = Arc::new(RedisOutbox {
            link,
            keys: KEYS.iter().map(|k| format!("{TAG}:{k}")).collect(),
            first_layout: !crate::net::redis::is_cluster(url),
            io: Mutex::new(io),
            verdict: Mutex::new(None),
            capable: std::sync::OnceLock::new(),
            seen_epoch: Mutex::new(None),
        });
        open.insert(key, Arc::clone(&store));
        Ok(store as Arc<dyn Store + Send + Sync>)
    })
}

/// The primary this process's outbox at `url` last used, when found
/// through Sentinel (nothing is opened or asked here).
pub fn primary_in_use(url: &str) -> Option<String> {
    OPEN.with(|open| {
        open.iter()
            .find(|((u, _), _)| u == url)
            .and_then(|(_, s)| s.link.primary_in_use())
    })
}

/// A script argument as Redis receives it.
fn arg(v: impl redis::ToRedisArgs) -> Vec<u8> {
    v.to_redis_args().concat()
}

macro_rules! args {
    ($($v:expr),* $(,)?) => { [$(arg(&$v)),*] };
}

impl RedisOutbox {
    /// The key that routes a command to the outbox's server (its slot).
    fn home(&self) -> &str {
        &self.keys[0]
    }

    /// Moves what the first layout holds into this one, a batch per round
    /// trip, when a process of an earlier release left entries there (a
    /// rolling upgrade can leave more later: every drain looks).
    fn adopt_first_layout(&self) -> Result<()> {
        if !self.first_layout {
            return Ok(());
        }
        let sets = ["pending", "dead", "superseded", "sent_by_deadline"]
            .map(|z| format!("{FIRST_LAYOUT}:{z}"));
        let mut left: u64 = self.with_conn(|conn| redis::cmd("EXISTS").arg(&sets).query(conn))?;
        while left > 0 {
            let epoch = hex::encode(crate::random::bytes::<8>()?);
            left = num(self
                .run(adopt_script(), &args![FIRST_LAYOUT, 500, epoch])?
                .first());
        }
        Ok(())
    }

    /// Runs `f` on this process's connection, connecting first if needed;
    /// connecting and `f` share one bound. A connection that failed is
    /// dropped: a late reply would answer the next command.
    fn with_conn<T>(&self, f: impl FnMut(&mut Conn) -> redis::RedisResult<T>) -> Result<T> {
        let io = *self.io.lock().unwrap_or_else(|e| e.into_inner());
        self.link
            .run(io, f)
            .map_err(|down| store_error(self.link.shown(), down.0))
    }

    fn run(&self, script: &Script, args: &[Vec<u8>]) -> Result<Vec<Value>> {
        self.run_then_wait(0, script, args)
    }

    /// Runs `script`; then, for `replicas` > 0, waits (`WAIT`, on the same
    /// connection: a new one would have nothing to wait for) until that many
    /// replicas have its writes, within three quarters of the call's bound.
    fn run_then_wait(
        &self,
        replicas: usize,
        script: &Script,
        args: &[Vec<u8>],
    ) -> Result<Vec<Value>> {
        self.check_capable()?;
        let mut invocation = script.prepare_invoke();
        for k in &self.keys {
            invocation.key(k);
        }
        for a in args {
            invocation.arg(a.as_slice());
        }
        let io = *self.io.lock().unwrap_or_else(|e| e.into_inner());
        let wait_ms = (io.as_millis() as u64 * 3 / 4).max(1);
        let (value, reached) = self.with_conn(|conn| {
            let value = invocation.invoke::<Value>(conn)?;
            let reached: usize = if replicas > 0 {
                conn.query_at(self.home(), redis::cmd("WAIT").arg(replicas).arg(wait_ms))?
            } else {
                0
            };
            Ok((value, reached))
        })?;
        if reached < replicas {
            return Err(store_error(
                self.link.shown(),
                format!(
                    "{reached} of the {replicas} replica(s) wxpay.outbox_replicas asks for had the write within {} s: \
                     it is on the primary but would be lost if the primary failed now (enqueue it again: the same shipment keeps its id)",
                    wait_ms as f64 / 1000.0
                ),
            ));
        }
        match value {
            Value::Array(v) => Ok(v),
            Value::Nil => Ok(Vec::new()),
            other => Ok(vec![other]),
        }
    }

    /// Redis 6.2 is the oldest that runs the drain's script (XAUTOCLAIM);
    /// Debian 11 and Ubuntu 20.04 ship older ones. Asked before the first
    /// script, so an enqueue that no drain could ever send is refused
    /// instead of acknowledged. A server that will not answer COMMAND INFO
    /// (an ACL, a managed Redis) is not judged: its scripts will tell.
    fn check_capable(&self) -> Result<()> {
        if self.capable.get().is_some() {
            return Ok(());
        }
        let (missing, version) = self.with_conn(|conn| {
            // Only the server's refusal leaves it unjudged; a lost connection
            // is the call's failure, and the question is asked again.
            let info = match redis::cmd("COMMAND")
                .arg("INFO")
                .arg(NEWEST_COMMAND)
                .query::<Value>(conn)
            {
                Err(e) if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() => {
                    return Err(e)
                }
                other => other,
            };
            let missing =
                matches!(info, Ok(Value::Array(ref v)) if matches!(v.as_slice(), [Value::Nil]));
            let version = if missing {
                redis::cmd("INFO")
                    .arg("server")
                    .query::<String>(conn)
                    .ok()
                    .and_then(|i| {
                        i.lines().find_map(|l| {
                            l.strip_prefix("redis_version:")
                                .map(|v| v.trim().to_string())
                        })
                    })
            } else {
                None
            };
            Ok((missing, version))
        })?;
        if missing {
            let server = version.map_or_else(|| "This Redis".to_string(), |v| format!("Redis {v}"));
            return Err(store_error(
                self.link.shown(),
                format!(
                    "{server} cannot run the outbox: it needs Redis 6.2 or newer ({NEWEST_COMMAND} is missing); \
                     upgrade it, or keep the outbox in SQLite"
                ),
            ));
        }
        let _ = self.capable.set(());
        Ok(())
    }

    /// Why this server can lose the outbox silently, if it can: keys
    /// evicted under an allkeys-* policy with a memory limit, or neither
    /// AOF nor RDB (a restart empties it). A server whose CONFIG cannot be
    /// read (managed Redis, an ACL) is not known to keep it either.
    fn risk(&self) -> Result<Option<String>> {
        let get = |conn: &mut Conn, name: &str| {
            conn.query_at::<Vec<String>>(self.home(), redis::cmd("CONFIG").arg("GET").arg(name))
                .map(|v| v.get(1).cloned().unwrap_or_default())
        };
        // A refusal by the server (CONFIG unknown or forbidden: managed
        // Redis, an ACL) is an answer, not an outage: None.
        let read = self.with_conn(|conn| {
            let mut values = Vec::with_capacity(4);
            for name in ["maxmemory-policy", "maxmemory", "appendonly", "save"] {
                match get(conn, name) {
                    Ok(v) => values.push(v),
                    Err(e) if !e.is_io_error() => return Ok(None),
                    Err(e) => return Err(e),
                }
            }
            Ok(Some(values))
        })?;
        let Some([policy, maxmemory, aof, rdb]) =
            read.and_then(|v| <[String; 4]>::try_from(v).ok())
        else {
            return Ok(Some(
                "its configuration cannot be read (CONFIG GET is refused), so it is not known to keep the outbox"
                    .into(),
            ));
        };
        if policy.starts_with("allkeys-") && maxmemory.trim() != "0" {
            return Ok(Some(format!(
                "its maxmemory-policy {policy} with maxmemory {maxmemory} lets Redis evict the outbox's entries \
                 (use noeviction or a volatile-* policy)"
            )));
        }
        if aof != "yes" && rdb.trim().is_empty() {
            return Ok(Some(
                "it keeps nothing on disk (appendonly no and no save points): a restart empties the outbox \
                 (turn on appendonly)"
                    .into(),
            ));
        }
        Ok(None)
    }
}

/// A Redis failure in one line: a timeout says so and names the setting; a
/// server's garbage reply is cut to its first line.
/// A text field of a script's reply: the scripts return every one as a
/// bulk string (numbers are read by [`num`]).
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

fn bytes(v: Option<&Value>) -> Vec<u8> {
    match v {
        Some(Value::BulkString(b)) => b.clone(),
        other => text(other).into_bytes(),
    }
}

fn num(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Int(n)) => (*n).max(0) as u64,
        other => text(other).parse::<f64>().map_or(0, |f| f.max(0.0) as u64),
    }
}

fn opt(v: Option<&Value>) -> Option<u64> {
    match v {
        Some(Value::Int(n)) if *n >= 0 => Some(*n as u64),
        _ => None,
    }
}

/// Every script declares every key of the outbox (all in one slot, by
/// their hash tag), in this order; the prelude names them and wraps the
/// entries hash, whose fields are `<id>/<name>`.
const KEYS: [&str; 11] = [
    "stream",
    "entries",
    "shipments",
    "delayed",
    "pending",
    "created",
    "dead",
    "superseded",
    "sent",
    "sent_by_deadline",
    "epoch",
];

macro_rules! lua {
    ($name:ident, $src:expr) => {
        fn $name() -> &'static Script {
            static S: std::sync::OnceLock<Script> = std::sync::OnceLock::new();
            S.get_or_init(|| Script::new(concat!(include_str!("redis_prelude.lua"), $src)))
        }
    };
}

lua!(
    enqueue_script,
    r"
-- The dedup rule: pending or sent keeps its first id; dead or superseded is
-- re-armed with the new body; the other status of the order, still pending,
-- is superseded, and while it is on its way this one waits for its lease.
local now, deadline = tonumber(ARGV[8]), ARGV[9]
local first = redis.call('HGET', SHIPMENTS, ARGV[1])
local state = first and get(first, 'state')
if state == 'pending' or state == 'sent' then return {first, 0} end
local due = now
local other = redis.call('HGET', SHIPMENTS, ARGV[10])
if other then
  local st = mget(other, 'state', 'msg', 'lease_ms')
  if st[1] == 'pending' then
    if st[2] and st[2] ~= '' and tonumber(st[3] or '0') > due then due = tonumber(st[3]) end
    set(other, 'state', 'superseded', 'done_ms', now, 'msg', '', 'lease_ms', 0,
      'last_error', 'superseded by deliver_status ' .. ARGV[6] .. ' enqueued later')
    for _, z in ipairs({PENDING, CREATED, DELAYED}) do redis.call('ZREM', z, other) end
    redis.call('ZADD', SUPERSEDED, get(other, 'deadline_ms'), other)
  end
end
local id = first or ARGV[2]
if first then
  redis.call('ZREM', DEAD, id)
  redis.call('ZREM', SUPERSEDED, id)
  unset(id, 'last_error', 'done_ms')
else
  redis.call('HSET', SHIPMENTS, ARGV[1], id)
end
set(id, 'appid', ARGV[3], 'transid', ARGV[4], 'out_trade_no', ARGV[5],
  'deliver_status', ARGV[6], 'body', ARGV[7], 'created_ms', ARGV[8], 'deadline_ms', deadline,
  'state', 'pending', 'attempts', 0, 'lease_ms', 0, 'shipment', ARGV[1], 'msg', '')
redis.call('ZADD', PENDING, deadline, id)
redis.call('ZADD', CREATED, ARGV[8], id)
if due > now then
  redis.call('ZADD', DELAYED, due, id)
else
  set(id, 'msg', redis.call('XADD', STREAM, '*', 'id', id))
end
-- The marker that makes a lost outbox visible (see lost_script).
redis.call('SET', EPOCH, ARGV[11], 'NX')
return {id, 1}
"
);

lua!(
    bound_due_script,
    r"
local n = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', DELAYED, '(' .. ARGV[2], '+inf', 'LIMIT', 0, 1000)) do
  redis.call('ZADD', DELAYED, ARGV[1], id)
  n = n + 1
end
return n
"
);

lua!(
    lost_script,
    r"
local epoch = redis.call('GET', EPOCH)
local used = redis.call('EXISTS', STREAM, ENTRIES, SHIPMENTS, DELAYED, PENDING, CREATED, DEAD,
  SUPERSEDED, SENT, SENT_BY)
return {epoch or '', used}
"
);

lua!(
    claim_script,
    r"
local me, now, max, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.pcall('XGROUP', 'CREATE', STREAM, 'drain', '0', 'MKSTREAM')
for _, id in ipairs(redis.call('ZRANGEBYSCORE', DELAYED, '-inf', now, 'LIMIT', 0, 100)) do
  redis.call('ZREM', DELAYED, id)
  set(id, 'msg', redis.call('XADD', STREAM, '*', 'id', id))
end
local msgs = {}
-- Messages a drainer took and never acknowledged (it died), once its lease ran out.
local stale = redis.call('XAUTOCLAIM', STREAM, 'drain', me, ARGV[5], '0-0', 'COUNT', max)
for _, m in ipairs(stale[2]) do table.insert(msgs, m) end
if #msgs < max then
  local r = redis.call('XREADGROUP', 'GROUP', 'drain', me, 'COUNT', max - #msgs, 'STREAMS', STREAM, '>')
  if r then for _, m in ipairs(r[1][2]) do table.insert(msgs, m) end end
end
local out, n = {}, 0
for _, m in ipairs(msgs) do
  local xid, fields = m[1], m[2]
  local id = fields and fields[2]
  local st = id and mget(id, 'state', 'msg', 'appid', 'out_trade_no', 'body', 'deadline_ms', 'attempts')
  if st and st[1] == 'pending' and st[2] == xid then
    n = n + 1
    set(id, 'lease_ms', now + lease * n)
    for _, v in ipairs({id, xid, st[3], st[4], st[5], st[6], st[7]}) do table.insert(out, v) end
  else
    -- Stale: the entry was finished or re-queued under another message.
    redis.call('XACK', STREAM, 'drain', xid)
    redis.call('XDEL', STREAM, xid)
  end
end
return out
"
);

lua!(
    finish_script,
    r"
-- ARGV[1] is the time; then (id, stream message id, how, next, error) per claim.
local now = ARGV[1]
local done = 0
for i = 2, #ARGV, 5 do
  local id, xid, how, next, err = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  redis.call('XACK', STREAM, 'drain', xid)
  redis.call('XDEL', STREAM, xid)
  local st = mget(id, 'state', 'msg')
  -- WeChat has a sent one whoever holds it now; the rest only by its holder.
  if st[1] == 'pending' and (how == 'sent' or st[2] == xid) then
    done = done + 1
    if how == 'sent' or how == 'dead' then
      for _, z in ipairs({PENDING, CREATED, DELAYED}) do redis.call('ZREM', z, id) end
      set(id, 'state', how, 'done_ms', now, 'msg', '', 'lease_ms', 0)
      bump(id, 'attempts')
      if how == 'sent' then
        redis.call('INCR', SENT)
        redis.call('ZADD', SENT_BY, get(id, 'deadline_ms'), id)
      else
        set(id, 'last_error', err)
        redis.call('ZADD', DEAD, now, id)
      end
    else
      if how == 'retry' then bump(id, 'attempts') end
      if err ~= '' then set(id, 'last_error', err) end
      set(id, 'msg', '', 'lease_ms', 0)
      redis.call('ZADD', DELAYED, next, id)
    end
  end
end
return done
"
);

lua!(
    expire_script,
    r"
local now, died = tonumber(ARGV[1]), {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', PENDING, '-inf', now, 'LIMIT', 0, 1000)) do
  local st = mget(id, 'state', 'lease_ms', 'last_error', 'out_trade_no', 'transid', 'deadline_ms')
  if st[1] == 'pending' and tonumber(st[2] or '0') <= now then
    local why = 'the deadline passed'
    if st[3] then why = why .. ' (last error: ' .. st[3] .. ')' end
    set(id, 'state', 'dead', 'done_ms', now, 'last_error', why, 'msg', '')
    for _, z in ipairs({PENDING, CREATED, DELAYED}) do redis.call('ZREM', z, id) end
    redis.call('ZADD', DEAD, now, id)
    for _, v in ipairs({st[4] or '', st[5] or '', st[6] or '0', why}) do table.insert(died, v) end
  end
end
return died
"
);

lua!(
    near_script,
    r"
local before, max = '(' .. ARGV[1], tonumber(ARGV[2])
local out = {redis.call('ZCOUNT', PENDING, '-inf', before)}
if max > 0 then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', PENDING, '-inf', before, 'LIMIT', 0, max)) do
    local st = mget(id, 'out_trade_no', 'transid', 'deadline_ms', 'last_error')
    for i = 1, 4 do table.insert(out, st[i] or '') end
  end
end
return out
"
);

lua!(
    status_script,
    r"
local soon, max = '(' .. ARGV[1], tonumber(ARGV[2])
local oldest = redis.call('ZRANGE', CREATED, 0, 0, 'WITHSCORES')
local nearest = redis.call('ZRANGE', PENDING, 0, 0, 'WITHSCORES')
local out = {
  redis.call('ZCARD', PENDING), tonumber(redis.call('GET', SENT) or '0'),
  redis.call('ZCARD', DEAD), redis.call('ZCOUNT', PENDING, '-inf', soon),
  tonumber(oldest[2] or '-1'), tonumber(nearest[2] or '-1'), redis.call('ZCARD', SUPERSEDED),
}
local dead, retrying = {}, {}
if max > 0 then
  for _, id in ipairs(redis.call('ZRANGE', DEAD, 0, max - 1)) do
    local st = mget(id, 'appid', 'transid', 'out_trade_no', 'last_error', 'attempts', 'deadline_ms', 'done_ms')
    table.insert(dead, id)
    for i = 1, 7 do table.insert(dead, st[i] or '') end
  end
  -- Waiting for a retry: delayed, pending, with an error; a bounded scan.
  local listed = 0
  local delayed = redis.call('ZRANGE', DELAYED, 0, 4 * max - 1, 'WITHSCORES')
  for i = 1, #delayed, 2 do
    local id = delayed[i]
    local st = mget(id, 'appid', 'transid', 'out_trade_no', 'last_error', 'attempts', 'deadline_ms', 'state')
    if listed < max and st[7] == 'pending' and (st[4] or '') ~= '' then
      listed = listed + 1
      table.insert(retrying, id)
      for j = 1, 6 do table.insert(retrying, st[j] or '') end
      table.insert(retrying, delayed[i + 1])
    end
  end
end
table.insert(out, #dead / 8)
for _, v in ipairs(dead) do table.insert(out, v) end
for _, v in ipairs(retrying) do table.insert(out, v) end
return out
"
);

lua!(
    requeue_script,
    r"
local now, deadline, ids = ARGV[1], ARGV[2], {}
if #ARGV > 2 then
  for i = 3, #ARGV do table.insert(ids, ARGV[i]) end
else
  ids = redis.call('ZRANGE', DEAD, 0, -1)
end
local n = 0
for _, id in ipairs(ids) do
  if get(id, 'state') == 'dead' then
    set(id, 'state', 'pending', 'deadline_ms', deadline, 'lease_ms', 0)
    unset(id, 'done_ms')
    redis.call('ZREM', DEAD, id)
    redis.call('ZADD', PENDING, deadline, id)
    redis.call('ZADD', CREATED, get(id, 'created_ms'), id)
    set(id, 'msg', redis.call('XADD', STREAM, '*', 'id', id))
    n = n + 1
  end
end
return n
"
);

lua!(
    prune_script,
    r"
local n, max = 0, tonumber(ARGV[2])
local function drop(id)
  local shipment = get(id, 'shipment')
  if shipment and redis.call('HGET', SHIPMENTS, shipment) == id then redis.call('HDEL', SHIPMENTS, shipment) end
  forget(id)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', SENT_BY, '-inf', '(' .. ARGV[1], 'LIMIT', 0, max)) do
  drop(id)
  redis.call('ZREM', SENT_BY, id)
  redis.call('DECR', SENT)
  n = n + 1
end
-- At most max in all, as SQLite's prune.
if n >= max then return n end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', SUPERSEDED, '-inf', '(' .. ARGV[1], 'LIMIT', 0, max - n)) do
  drop(id)
  redis.call('ZREM', SUPERSEDED, id)
  n = n + 1
end
return n
"
);

lua!(
    leave_script,
    r"
-- A drainer that holds nothing leaves the group (killed ones stay, empty).
local held = redis.pcall('XPENDING', STREAM, 'drain', '-', '+', 1, ARGV[1])
if type(held) == 'table' and #held == 0 then
  redis.call('XGROUP', 'DELCONSUMER', STREAM, 'drain', ARGV[1])
end
return 0
"
);

lua!(
    adopt_script,
    r"
-- Moves up to ARGV[3] entries of the first layout (a hash per entry, keys
-- under ARGV[1], which only one server or a Sentinel's primary held) into
-- this one; returns how many are left there. A pending
-- one is due at once: a drainer of the old layout may hold it, so it can
-- be sent twice, never lost.
local old, max, t = ARGV[1], tonumber(ARGV[2]), redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local function o(name) return old .. ':' .. name end
local into = {pending = PENDING, dead = DEAD, superseded = SUPERSEDED, sent_by_deadline = SENT_BY}
local n = 0
for _, z in ipairs({'pending', 'dead', 'superseded', 'sent_by_deadline'}) do
  if n >= max then break end
  local listed = redis.call('ZRANGE', o(z), 0, max - n - 1, 'WITHSCORES')
  for i = 1, #listed, 2 do
    local id, score = listed[i], listed[i + 1]
    local e = o('e:' .. id)
    local h = redis.call('HGETALL', e)
    if #h > 0 then
      set(id, unpack(h))
      redis.call('ZADD', into[z], score, id)
      if z == 'pending' then
        set(id, 'msg', '', 'lease_ms', 0)
        redis.call('ZADD', CREATED, get(id, 'created_ms') or now, id)
        redis.call('ZADD', DELAYED, redis.call('ZSCORE', o('delayed'), id) or now, id)
      elseif z == 'sent_by_deadline' then
        redis.call('INCR', SENT)
        redis.call('DECR', o('sent'))
      end
      local shipment = get(id, 'shipment')
      if shipment and redis.call('HGET', o('keys'), shipment) == id then
        redis.call('HSETNX', SHIPMENTS, shipment, id)
        redis.call('HDEL', o('keys'), shipment)
      end
    end
    redis.call('DEL', e)
    for _, z2 in ipairs({'pending', 'created', 'delayed', 'dead', 'superseded', 'sent_by_deadline'}) do
      redis.call('ZREM', o(z2), id)
    end
    n = n + 1
  end
end
if n > 0 then redis.call('SET', EPOCH, ARGV[3], 'NX') end
local left = 0
for _, z in ipairs({'pending', 'dead', 'superseded', 'sent_by_deadline'}) do
  left = left + redis.call('ZCARD', o(z))
end
if left == 0 then
  redis.call('DEL', o('keys'), o('stream'), o('sent'), o('epoch'), o('created'), o('delayed'))
end
return left
"
);

/// The identity of one shipment, as one hash field.
fn shipment(e: &NewEntry) -> String {
    shipment_of(e, &e.deliver_status)
}

/// The same order with `status` as its deliver_status.
fn shipment_of(e: &NewEntry, status: &str) -> String {
    [&e.appid, &e.transid, &e.out_trade_no, status]
        .map(|s| s.replace('\\', "\\\\").replace('\n', "\\n"))
        .join("\n")
}

impl Store for RedisOutbox {
    /// The server's TIME: every drainer of a fleet goes by one clock.
    fn time(&self, local_now_ms: u64, _boot: Option<(String, u64)>) -> Result<Clock> {
        let (secs, micros): (u64, u64) =
            self.with_conn(|conn| conn.query_at(self.home(), &redis::cmd("TIME")))?;
        let server_ms = secs * 1000 + micros / 1000;
        Ok(Clock {
            offset_ms: server_ms as i64 - local_now_ms as i64,
            warning: None,
        })
    }

    fn bound_due(&self, now_ms: u64, latest_ms: u64) -> Result<u64> {
        Ok(num(self
            .run(bound_due_script(), &args![now_ms, latest_ms])?
            .first()))
    }

    fn check_durable(&self, accept_risk: bool) -> Result<()> {
        if accept_risk {
            return Ok(());
        }
        let mut verdict = self.verdict.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = verdict
            .as_ref()
            .filter(|(at, _)| at.elapsed() < VERDICT_FOR);
        let risk = match fresh {
            Some((_, risk)) => risk.clone(),
            None => {
                let risk = self.risk()?;
                *verdict = Some((std::time::Instant::now(), risk.clone()));
                risk
            }
        };
        match risk {
            None => Ok(()),
            Some(why) => Err(store_error(
                self.link.shown(),
                format!(
                    "refused to keep notifications there: {why}; or set wxpay.outbox_redis_unsafe = 1 to accept that they can be lost"
                ),
            )),
        }
    }

    fn lost(&self) -> Result<Option<String>> {
        // Entries of the first layout are not lost: they are moved here.
        self.adopt_first_layout()?;
        let r = self.run(lost_script(), &[])?;
        let (epoch, used) = (text(r.first()), num(r.get(1)));
        let mut seen = self.seen_epoch.lock().unwrap_or_else(|e| e.into_inner());
        let lost = if epoch.is_empty() && used > 0 {
            Some(format!(
                "the outbox at {} lost its marker key while entries remain: Redis evicted or deleted keys, and notifications may be lost",
                self.link.shown()
            ))
        } else if seen.as_ref().is_some_and(|s| *s != epoch) {
            Some(format!(
                "the outbox at {} was emptied or replaced since this process last used it (a restart without persistence, a FLUSH, eviction): notifications it held may be lost",
                self.link.shown()
            ))
        } else {
            None
        };
        if !epoch.is_empty() {
            *seen = Some(epoch);
        }
        Ok(lost)
    }

    fn enqueue(&self, e: &NewEntry, id: &str) -> Result<(String, bool)> {
        self.enqueue_replicated(e, id, 0)
    }

    fn enqueue_replicated(
        &self,
        e: &NewEntry,
        id: &str,
        replicas: usize,
    ) -> Result<(String, bool)> {
        let r = self.run_then_wait(
            replicas,
            enqueue_script(),
            &args![
                shipment(e),
                id,
                e.appid,
                e.transid,
                e.out_trade_no,
                e.deliver_status,
                e.body,
                e.created_ms,
                e.deadline_ms,
                shipment_of(e, if e.deliver_status == "1" { "0" } else { "1" }),
                hex::encode(crate::random::bytes::<8>()?),
            ],
        )?;
        Ok((text(r.first()), num(r.get(1)) == 1))
    }

    fn claim(&self, owner: &str, now_ms: u64, max: usize, lease_ms: u64) -> Result<Vec<Claimed>> {
        let min_idle = lease_ms * max as u64;
        let r = self.run(
            claim_script(),
            &args![owner, now_ms, max, lease_ms, min_idle],
        )?;
        Ok(r.chunks_exact(7)
            .map(|c| Claimed {
                id: text(c.first()),
                handle: text(c.get(1)),
                appid: text(c.get(2)),
                out_trade_no: text(c.get(3)),
                body: bytes(c.get(4)),
                deadline_ms: num(c.get(5)),
                attempts: num(c.get(6)).min(u64::from(u32::MAX)) as u32,
            })
            .collect())
    }

    fn finish(&self, c: &Claimed, how: &Finish, now_ms: u64) -> Result<()> {
        self.finish_all(&[(c, how.clone())], now_ms)
    }

    fn finish_all(&self, done: &[(&Claimed, Finish)], now_ms: u64) -> Result<()> {
        let mut args = vec![arg(now_ms)];
        for (c, how) in done {
            let (kind, next, error) = match how {
                Finish::Sent => ("sent", now_ms, ""),
                Finish::Retry { next_ms, error } => ("retry", *next_ms, error.as_str()),
                Finish::Dead { error } => ("dead", now_ms, error.as_str()),
                Finish::Release { next_ms, error } => ("release", *next_ms, error.as_str()),
            };
            args.extend(args![c.id, c.handle, kind, next, error]);
        }
        self.run(finish_script(), &args).map(drop)
    }

    fn expire(&self, now_ms: u64) -> Result<Vec<Overdue>> {
        let r = self.run(expire_script(), &args![now_ms])?;
        Ok(r.chunks_exact(4)
            .map(|c| Overdue {
                out_trade_no: text(c.first()),
                transid: text(c.get(1)),
                deadline_ms: num(c.get(2)),
                last_error: Some(text(c.get(3))),
            })
            .collect())
    }

    fn near_deadline(&self, before_ms: u64, max: usize) -> Result<(u64, Vec<Overdue>)> {
        let r = self.run(near_script(), &args![before_ms, max])?;
        let list = r[1.min(r.len())..]
            .chunks_exact(4)
            .map(|c| Overdue {
                out_trade_no: text(c.first()),
                transid: text(c.get(1)),
                deadline_ms: num(c.get(2)),
                last_error: Some(text(c.get(3))).filter(|s| !s.is_empty()),
            })
            .collect();
        Ok((num(r.first()), list))
    }

    fn status(&self, now_ms: u64, dead_max: usize) -> Result<Status> {
        let soon = now_ms + super::drain::WARN_BEFORE_MS;
        let lost = self.lost()?;
        let r = self.run(status_script(), &args![soon, dead_max])?;
        // After the counts: how many dead entries are listed, then 8 fields
        // per dead entry, then 8 per retrying one.
        let n_dead = num(r.get(7)) as usize;
        let lists = &r[8.min(r.len())..];
        let (dead, retrying) = lists.split_at((n_dead * 8).min(lists.len()));
        let listed = |fields: &[Value]| -> Vec<Listed> {
            fields
                .chunks_exact(8)
                .map(|c| Listed {
                    id: text(c.first()),
                    appid: text(c.get(1)),
                    transid: text(c.get(2)),
                    out_trade_no: text(c.get(3)),
                    last_error: text(c.get(4)),
                    attempts: num(c.get(5)),
                    deadline_ms: num(c.get(6)),
                    at_ms: num(c.get(7)),
                })
                .collect()
        };
        Ok(Status {
            lost,
            pending: num(r.first()),
            sent: num(r.get(1)),
            dead: num(r.get(2)),
            overdue: num(r.get(3)),
            oldest_pending_ms: opt(r.get(4)),
            nearest_deadline_ms: opt(r.get(5)),
            superseded: num(r.get(6)),
            dead_entries: listed(dead),
            retrying_entries: listed(retrying),
        })
    }

    fn requeue(&self, ids: Option<&[String]>, deadline_ms: u64, now_ms: u64) -> Result<u64> {
        let mut args = args![now_ms, deadline_ms].to_vec();
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(0);
            }
            args.extend(ids.iter().map(arg));
        }
        Ok(num(self.run(requeue_script(), &args)?.first()))
    }

    fn prune(&self, before_ms: u64, max: usize) -> Result<u64> {
        Ok(num(self
            .run(prune_script(), &args![before_ms, max])?
            .first()))
    }

    fn leave(&self, owner: &str) -> Result<()> {
        self.run(leave_script(), &args![owner]).map(drop)
    }
}
