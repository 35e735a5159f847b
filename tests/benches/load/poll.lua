-- wrk script: each connection is one map client polling the event feed once a second from its
-- own cursor (run with as many threads as connections: a thread's state is its client's).
-- Set by tests/benches/load.rs through the environment:
--   PARKTWIN_SINCE  the cursor every client starts from (the log's head when the run starts)
local cursor = os.getenv("PARKTWIN_SINCE") or "0"
dofile(os.getenv("PARKTWIN_LUA") .. "/common.lua")

-- Clients started at different moments: the first poll of each is spread over the second after
-- wrk's own start (200 threads, each loading its Lua state: polls sent while that goes on
-- would time wrk's start-up on these two cores, not the server).
local first = true
function delay()
  if first then
    first = false
    return 1000 + (id * 10) % 1000
  end
  return 1000
end

function request()
  return wrk.format("GET", "/api/v1/events?since=" .. cursor)
end

function response(status, headers, body)
  if status == 200 then
    -- The page ends with its cursor: `..."next":1234}`.
    local next = string.match(string.sub(body, -32), '"next":(%d+)}$')
    if next then
      cursor = next
    end
  end
end
