-- wrk script: posts batches of vehicle positions back to back on each connection, as machine
-- feeds do. Set by tests/benches/load.rs through the environment:
--   PARKTWIN_TOKEN  an ingest token     PARKTWIN_BATCH  positions per batch
--   PARKTWIN_START  Unix seconds of the first batch's fixes (in the past: each batch is a
--                   second later than the one before, and none may be in the future)
--   PARKTWIN_EVERY_MS  if set, each connection sends a batch on this beat (one due every so
--                   many ms, sent back to back while behind) instead of as fast as it can
local token = os.getenv("PARKTWIN_TOKEN")
local batch = tonumber(os.getenv("PARKTWIN_BATCH") or "500")
local start = tonumber(os.getenv("PARKTWIN_START"))
local every = tonumber(os.getenv("PARKTWIN_EVERY_MS") or "")
dofile(os.getenv("PARKTWIN_LUA") .. "/common.lua")

if every then
  pace(every)
end

-- Each thread is one feed of `batch` trucks reporting once a second of their own clock: each
-- batch is the next second's fixes, every truck a little further east, so that they drive
-- (and the rules see moving vehicles).
local headers
local n = 0
function init(args)
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

function request()
  local time = os.date("!%Y-%m-%dT%H:%M:%SZ", start + n)
  local fixes = {}
  for k = 0, batch - 1 do
    local x = ((n * 0.0001) + k * 0.00001) % 0.02
    fixes[k + 1] = string.format(
      '{"plate":"L%d-%04d","time":"%s","lon":%.6f,"lat":37.565,"speed_kmh":25.0,"heading_deg":90.0}',
      id, k, time, 118.44 + x)
  end
  n = n + 1
  return wrk.format("POST", "/api/v1/vehicles/positions", headers, "[" .. table.concat(fixes, ",") .. "]")
end
