-- The bare ASGI "hello" (bench/hello.py): GET /.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.scenario(function(cfg, id, threads)
  local req = wrk.format("GET", "/", {})
  return function()
    return req
  end
end)
