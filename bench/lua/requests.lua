-- Request builders shared by the scenario scripts.
local requests = {}

-- The non-empty lines of a file written by bench/load.py (tokens, cookies).
function requests.read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

local function cognito(action, body)
  local headers = {
    ["Content-Type"] = "application/x-amz-json-1.1",
    ["X-Amz-Target"] = "AWSCognitoIdentityProviderService." .. action,
  }
  return wrk.format("POST", "/", headers, body)
end

-- Cycle through a list of prepared requests, thread `id` of `threads` starting at its share.
-- One request per line of path, made by make(line).
function requests.from_lines(path, make)
  local list = {}
  for _, line in ipairs(requests.read_lines(path)) do
    list[#list + 1] = make(line)
  end
  return list
end

function requests.cycle(list, id, threads)
  local i = math.floor((id - 1) * #list / threads)
  return function()
    i = i % #list + 1
    return list[i]
  end
end

-- USER_PASSWORD_AUTH for users signin_first .. signin_first + signin_count - 1 ("user%07d"),
-- thread `id` of `threads` starting at its share of the range. Passwords never contain
-- characters that need JSON escaping (load.py makes them).
function requests.sign_in(cfg, id, threads, password)
  local first, count = tonumber(cfg.signin_first), tonumber(cfg.signin_count)
  local i = math.floor((id - 1) * count / threads)
  local template = '{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"' .. cfg.client_id
    .. '","AuthParameters":{"USERNAME":"user%07d","PASSWORD":"' .. password .. '"}}'
  return function()
    local n = first + i
    i = (i + 1) % count
    return cognito("InitiateAuth", string.format(template, n))
  end
end

function requests.refresh_requests(cfg)
  local list = {}
  for _, token in ipairs(requests.read_lines(cfg.refresh_file)) do
    list[#list + 1] = cognito("InitiateAuth",
      '{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"' .. cfg.client_id
      .. '","AuthParameters":{"REFRESH_TOKEN":"' .. token .. '"}}')
  end
  return list
end

function requests.getuser_requests(cfg)
  local list = {}
  for _, token in ipairs(requests.read_lines(cfg.access_file)) do
    list[#list + 1] = cognito("GetUser", '{"AccessToken":"' .. token .. '"}')
  end
  return list
end

return requests
