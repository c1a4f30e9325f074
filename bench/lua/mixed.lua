-- 1 sign-in : 8 refreshes : 8 GetUser, interleaved in a cycle of 17 requests
-- (S R G R G R G R G R G R G R G R G): what an app's users do while signed in.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local requests = dofile(dir .. "requests.lua")

local function kind(i)
  local step = (i - 1) % 17
  if step == 0 then
    return "signin"
  elseif step % 2 == 1 then
    return "refresh"
  end
  return "getuser"
end

common.scenario(function(cfg, id, threads)
  local sign_in = requests.sign_in(cfg, id, threads, cfg.password)
  local refresh = requests.cycle(requests.refresh_requests(cfg), id, threads)
  local getuser = requests.cycle(requests.getuser_requests(cfg), id, threads)
  local i = 0
  local last = ""
  return function()
    i = i + 1
    last = kind(i)
    if last == "signin" then
      return sign_in()
    elseif last == "refresh" then
      return refresh()
    end
    return getuser()
  end, function()
    return last
  end
end)
