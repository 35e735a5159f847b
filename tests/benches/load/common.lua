-- What both wrk scripts share, loaded by each with dofile: each thread's number, and the one
-- line tests/benches/load.rs reads back (requests, errors, latency in µs).
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("PARKTWIN requests=%d errors=%d p50=%d p99=%d max=%d\n",
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end

-- Paces a feed: from now on each connection sends a request on a beat of `every` ms (one due
-- every so often, sent back to back while behind), wrk's `delay` reading the wall clock in ms
-- from LuaJIT's FFI (wrk's Lua has no clock finer than a second).
function pace(every)
  local ffi = require("ffi")
  ffi.cdef [[
    struct parktwin_tv { long sec; long usec; };
    int gettimeofday(struct parktwin_tv *tv, void *tz);
  ]]
  local tv = ffi.new("struct parktwin_tv")
  local function now_ms()
    ffi.C.gettimeofday(tv, nil)
    return tonumber(tv.sec) * 1000 + tonumber(tv.usec) / 1000
  end
  local due
  function delay()
    local t = now_ms()
    due = (due or t) + every
    return math.max(0, math.floor(due - t))
  end
end
