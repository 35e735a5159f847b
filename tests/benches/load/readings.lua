-- wrk script: posts batches of device readings, as a park's feeds do. Each thread is one feed
-- for its share of the devices, reading each of them once a second of its own clock. Set by
-- tests/benches/devices.rs through the environment:
--   PARKTWIN_TOKEN  an ingest token        PARKTWIN_BATCH    readings per batch
--   PARKTWIN_DEVICES  the devices, pt-00000 on, shared between the threads
--   PARKTWIN_THREADS  how many threads share them
--   PARKTWIN_START  Unix seconds of the first readings (in the past: none may be in the future)
--   PARKTWIN_EVERY_MS  if set, each connection sends a batch on this beat instead of as fast as
--                   it can
local token = os.getenv("PARKTWIN_TOKEN")
local batch = tonumber(os.getenv("PARKTWIN_BATCH") or "1000")
local devices = tonumber(os.getenv("PARKTWIN_DEVICES") or "10000")
local nthreads = tonumber(os.getenv("PARKTWIN_THREADS") or "2")
local start = tonumber(os.getenv("PARKTWIN_START"))
local every = tonumber(os.getenv("PARKTWIN_EVERY_MS") or "")
dofile(os.getenv("PARKTWIN_LUA") .. "/common.lua")

if every then
  pace(every)
end

local headers
local n = 0
function init(args)
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

function request()
  local per = math.floor(devices / nthreads)
  local first = id * per
  local readings = {}
  for k = 0, batch - 1 do
    local i = n * batch + k
    local device = first + i % per
    local time = os.date("!%Y-%m-%dT%H:%M:%SZ", start + math.floor(i / per))
    readings[k + 1] = string.format('{"sensor":"pt-%05d","time":"%s","value":%.3f}',
      device, time, 0.8 + ((device + n) % 10) * 0.01)
  end
  n = n + 1
  return wrk.format("POST", "/api/v1/observations", headers, "[" .. table.concat(readings, ",") .. "]")
end
