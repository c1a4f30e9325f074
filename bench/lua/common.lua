-- Shared machinery of the wrk scenario scripts (bench/load.py runs them; see its docstring).
--
-- A scenario script loads this file with dofile and calls common.scenario(build), where
-- build(cfg, thread_id, threads) returns a function making the next request (a string from
-- wrk.format) and, optionally, a function naming the kind of the request made last (used by
-- the check mode of mixed scenarios, which runs one connection: each answer belongs to the
-- last request made; wrk also calls request() once before connecting, to inspect it).
--
-- Arguments after `--` on the wrk command line, as key=value:
--   config=FILE    key=value lines written by load.py (client id, pool id, passwords, ranges,
--                  token files); secrets stay in that temporary file, never on the command line
--   threads=N      the -t given to wrk (for per-thread offsets)
--   rate=R         open loop: R requests/s in total, paced by delay() (see below)
--   check=N        check mode: record the first N responses, then stop the thread
--
-- Values read back with thread:get() are flat tables of strings and numbers: wrk 4.1's
-- thread:get() crashes copying nested tables.
--
-- Output: done() prints one line `BENCHJSON {...}` with the summary, wrk's latency
-- percentiles (microseconds), the per-status counts of every thread (for 4xx/5xx keyed
-- "<status>:<__type or error code>", with ":locked" added for Cognito's "Password attempts
-- exceeded"), the open-loop schedule lag, and in check mode the first responses.

local common = {}

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } idmint_bench_timespec;
int clock_gettime(int clk_id, idmint_bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("idmint_bench_timespec")

function common.now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

function common.read_config(path)
  local cfg = {}
  for line in io.lines(path) do
    local key, value = line:match("^([%w_]+)=(.*)$")
    if key then
      cfg[key] = value
    end
  end
  return cfg
end

function common.json_string(s)
  local escaped = s:gsub('[%c"\\]', function(c)
    if c == '"' then
      return '\\"'
    elseif c == "\\" then
      return "\\\\"
    else
      return string.format("\\u%04x", c:byte())
    end
  end)
  return '"' .. escaped .. '"'
end

local function encode(value)
  local kind = type(value)
  if kind == "table" then
    local parts = {}
    if #value > 0 then
      for _, item in ipairs(value) do
        parts[#parts + 1] = encode(item)
      end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for key, item in pairs(value) do
      parts[#parts + 1] = common.json_string(tostring(key)) .. ":" .. encode(item)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "string" then
    return common.json_string(value)
  elseif kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then
      return "null"
    end
    return string.format("%.17g", value)
  elseif kind == "boolean" then
    return tostring(value)
  end
  return "null"
end
common.encode = encode

-- Threads, as setup() sees them in the main Lua state, for done().
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function common.scenario(build)
  function init(args)
    local opts = {}
    for i = 1, #args do
      local key, value = args[i]:match("^([%w_]+)=(.*)$")
      if key then
        opts[key] = value
      end
    end
    local cfg = opts.config and common.read_config(opts.config) or {}
    local nthreads = tonumber(opts.threads or "1")
    local next_request, kind_of = build(cfg, id, nthreads)

    counts = {}
    lag = { late = 0, max_ms = 0, sum_ms = 0, slots = 0 }
    first = {}
    local check = tonumber(opts.check or "0")
    local sent = 0
    local seen = 0

    request = function()
      sent = sent + 1
      return next_request()
    end

    response = function(status, headers, body)
      local key = tostring(status)
      if status >= 300 then
        local code = body and (body:match('"__type"%s*:%s*"([^"]+)"')
          or body:match('"error"%s*:%s*"([^"]+)"'))
        if code then
          key = key .. ":" .. code
        end
        if body and body:find("Password attempts exceeded", 1, true) then
          key = key .. ":locked"
        end
      end
      counts[key] = (counts[key] or 0) + 1
      if check > 0 then
        seen = seen + 1
        if seen <= check then
          -- Flat: wrk's thread:get() crashes copying nested tables.
          first["status" .. seen] = status
          first["kind" .. seen] = kind_of and kind_of() or ""
          first["body" .. seen] = body and body:sub(1, 20000) or ""
        end
        if seen >= check then
          wrk.thread:stop()
        end
      end
    end

    local rate = tonumber(opts.rate or "0")
    if rate > 0 then
      -- Open loop. wrk calls delay() before every request of every connection, without
      -- saying which connection: so the thread keeps one schedule of send slots (its share of
      -- the rate: slot k is due at start + k * threads/rate) and each call takes the next slot.
      -- A connection that frees up takes the next slot and waits for its time; when every
      -- connection is busy past a slot's time, the slot is sent late (as soon as one frees
      -- up) and the lateness is recorded in `lag`.
      local interval = 1000 * nthreads / rate
      local start = nil
      local k = 0
      delay = function()
        local now = common.now_ms()
        if start == nil then
          start = now
        end
        local due = start + k * interval
        k = k + 1
        lag.slots = lag.slots + 1
        local wait = due - now
        if wait < 0 then
          local late = -wait
          if late > 1 then
            lag.late = lag.late + 1
          end
          lag.sum_ms = lag.sum_ms + late
          if late > lag.max_ms then
            lag.max_ms = late
          end
          return 0
        end
        return math.floor(wait + 0.5)
      end
    end
  end
end

function done(summary, latency, requests)
  local all_counts = {}
  local all_lag = { late = 0, max_ms = 0, sum_ms = 0, slots = 0 }
  local firsts = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("counts") or {}
    for key, n in pairs(counts) do
      all_counts[key] = (all_counts[key] or 0) + n
    end
    local lag = thread:get("lag")
    if lag then
      all_lag.late = all_lag.late + lag.late
      all_lag.slots = all_lag.slots + lag.slots
      all_lag.sum_ms = all_lag.sum_ms + lag.sum_ms
      if lag.max_ms > all_lag.max_ms then
        all_lag.max_ms = lag.max_ms
      end
    end
    local first = thread:get("first")
    local i = 1
    while first and first["status" .. i] do
      firsts[#firsts + 1] = {
        status = first["status" .. i],
        kind = first["kind" .. i],
        body = first["body" .. i],
      }
      i = i + 1
    end
  end
  local out = {
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors = {
      connect = summary.errors.connect,
      read = summary.errors.read,
      write = summary.errors.write,
      status = summary.errors.status,
      timeout = summary.errors.timeout,
    },
    latency_us = {
      min = latency.min,
      mean = latency.mean,
      max = latency.max,
      p50 = latency:percentile(50),
      p90 = latency:percentile(90),
      p99 = latency:percentile(99),
      p999 = latency:percentile(99.9),
    },
    counts = all_counts,
    lag = all_lag,
    first = firsts,
  }
  io.write("BENCHJSON ", encode(out), "\n")
end

return common
