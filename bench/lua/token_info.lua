-- mint GET /mint/api/v1/auth/token_info with user tokens from the mint password grant, cycled.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local requests = dofile(dir .. "requests.lua")

common.scenario(function(cfg, id, threads)
  local list = requests.from_lines(cfg.mint_file, function(token)
    return wrk.format("GET", "/mint/api/v1/auth/token_info",
      { ["Authorization"] = "UserToken " .. token })
  end)
  return requests.cycle(list, id, threads)
end)
