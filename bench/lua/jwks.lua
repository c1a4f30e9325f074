-- The pool's public key set, GET /<poolId>/.well-known/jwks.json.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.scenario(function(cfg, id, threads)
  local req = wrk.format("GET", "/" .. cfg.pool_id .. "/.well-known/jwks.json", {})
  return function()
    return req
  end
end)
