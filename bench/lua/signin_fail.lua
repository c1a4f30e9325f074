-- Failed sign-ins (wrong password) over the failure range of users, which no other scenario
-- signs in with: failures count towards the per-user lock (5 in a row lock the user), so
-- load.py sizes the range and runs this scenario last. Expected answer: HTTP 400
-- NotAuthorizedException "Incorrect username or password." (a refusal by the lock is counted
-- as "400:NotAuthorizedException:locked").
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local requests = dofile(dir .. "requests.lua")

common.scenario(function(cfg, id, threads)
  local fail = { signin_first = cfg.fail_first, signin_count = cfg.fail_count }
  setmetatable(fail, { __index = cfg })
  return requests.sign_in(fail, id, threads, cfg.wrong_password)
end)
