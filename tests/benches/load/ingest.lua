-- wrk script: posts batches of vehicle positions back to back on each connection, as machine
-- feeds do. Set by tests/benches/load.rs through the environment:
--   PARKTWIN_TOKEN  an ingest token     PARKTWIN_BATCH  positions per batch
--   PARKTWIN_TIME   the fixes' time (RFC 3339, not in the future)
local token = os.getenv("PARKTWIN_TOKEN")
local batch = tonumber(os.getenv("PARKTWIN_BATCH") or "500")
local time = os.getenv("PARKTWIN_TIME")
dofile(os.getenv("PARKTWIN_LUA") .. "/common.lua")

-- A few requests made once per thread: each a batch of this thread's trucks a little further
-- east than in the one before, so that they drive (and the rules see moving vehicles).
local requests = {}
local next_request = 1
function init(args)
  for r = 1, 8 do
    local fixes = {}
    for k = 0, batch - 1 do
      local x = ((r * 0.0001) + k * 0.00001) % 0.02
      fixes[#fixes + 1] = string.format(
        '{"plate":"L%d-%04d","time":"%s","lon":%.6f,"lat":37.565,"speed_kmh":25.0,"heading_deg":90.0}',
        id, k, time, 118.44 + x)
    end
    requests[r] = wrk.format("POST", "/api/v1/vehicles/positions",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
      "[" .. table.concat(fixes, ",") .. "]")
  end
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end
