-- Replays pre-generated POSTs (one per line: path \t cookie \t body), each thread its own slice.
local lines = {}
local counter = 1
local step = 1

function setup(thread)
  thread:set("offset", step)
  step = step + 1
end

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
    lines[#lines + 1] = { path = path, cookie = cookie, body = body }
  end
  counter = offset
end

function request()
  local r = lines[((counter - 1) % #lines) + 1]
  counter = counter + 2
  return wrk.format("POST", r.path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = r.cookie,
    ["User-Agent"] = "inspect-bench",
  }, r.body)
end

function done(summary, latency, requests)
  io.write(string.format("BENCH non2xx3xx=%d requests=%d\n", summary.errors.status, summary.requests))
end
