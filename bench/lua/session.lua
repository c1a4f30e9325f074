-- Web-session check GET /api/v1/auth/session with the cookies of real web-session logins
-- (one Cookie header per line of cookie_file), cycled.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local requests = dofile(dir .. "requests.lua")

common.scenario(function(cfg, id, threads)
  local list = requests.from_lines(cfg.cookie_file, function(cookie)
    return wrk.format("GET", "/api/v1/auth/session", { ["Cookie"] = cookie })
  end)
  return requests.cycle(list, id, threads)
end)
