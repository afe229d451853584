//! The store's Lua scripts: each step that must read and write atomically is one script, on
//! keys that share a hash tag, so that on Redis Cluster it runs on one node.

use redis::Script;

/// The value and its remaining milliseconds, in one snapshot (`PTTL`: -2 without a key).
const READ: &str = "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}";
/// Claims the lease if free: `-1` when claimed, else the lease's remaining milliseconds. A
/// lease key without expiry (written by hand, or by something else) would otherwise answer
/// `PTTL` -1, read as "claimed", and its holder would never let the fleet share: it is given
/// the lease's duration instead, so it runs out like any other.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
local left = redis.call('PTTL', KEYS[1])
if left == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(ARGV[2])
end
return left
";
/// Writes the token only while the caller still holds the lease (or nobody holds it and there
/// is no entry), releases the lease, and wakes waiters.
const PUBLISH: &str = r"
local lease = redis.call('GET', KEYS[2])
if lease == ARGV[3] or (not lease and redis.call('EXISTS', KEYS[1]) == 0) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if lease == ARGV[3] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[4], KEYS[1])
return 1
";
/// Extends the lease KEYS[1] to ARGV[2] ms only while it still holds the owner id ARGV[1]: 1 if
/// it did, else 0.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
";
/// Deletes KEYS[1] only if it still holds ARGV[1]; with ARGV[2], also publishes.
const DELETE_IF: &str = r"
local deleted = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then deleted = redis.call('DEL', KEYS[1]) end
if ARGV[2] then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return deleted
";

/// The scripts, each kept with its SHA-1 (sent as `EVALSHA`, loaded on `NOSCRIPT`).
pub(super) struct Scripts {
    pub(super) read: Script,
    pub(super) claim: Script,
    pub(super) renew: Script,
    pub(super) publish: Script,
    pub(super) delete_if: Script,
}

impl Scripts {
    pub(super) fn new() -> Self {
        Self {
            read: Script::new(READ),
            claim: Script::new(CLAIM),
            renew: Script::new(RENEW),
            publish: Script::new(PUBLISH),
            delete_if: Script::new(DELETE_IF),
        }
    }
}
