-- REFRESH_TOKEN_AUTH (InitiateAuth) with the refresh tokens of real sign-ins, cycled.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local requests = dofile(dir .. "requests.lua")

common.scenario(function(cfg, id, threads)
  return requests.cycle(requests.refresh_requests(cfg), id, threads)
end)
