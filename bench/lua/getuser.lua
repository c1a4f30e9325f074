-- GetUser with the access tokens of real sign-ins, cycled.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local requests = dofile(dir .. "requests.lua")

common.scenario(function(cfg, id, threads)
  return requests.cycle(requests.getuser_requests(cfg), id, threads)
end)
