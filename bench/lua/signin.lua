-- USER_PASSWORD_AUTH sign-ins (InitiateAuth), cycling through the sign-in range of the seeded
-- users (signin_first .. signin_first + signin_count - 1), each thread from its own offset.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local requests = dofile(dir .. "requests.lua")

common.scenario(function(cfg, id, threads)
  return requests.sign_in(cfg, id, threads, cfg.password)
end)
