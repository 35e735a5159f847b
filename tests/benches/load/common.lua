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
