-- wrk script: every request is a signed-in person's my-data page, the sessions taken in turn from
-- cookies.txt (one "name=value" per line, made by signin.py), so 100 connections are many people.
local cookies = {}
for line in io.lines(os.getenv("COOKIES") or "cookies.txt") do
  cookies[#cookies + 1] = line
end

local counter = 0

function init(args)
  -- Threads start at different places in the list.
  counter = (id or 0) * 997
end

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/en/my-data", { ["Cookie"] = cookies[(counter % #cookies) + 1], ["X-Forwarded-Proto"] = "https" })
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d non2xx=%d rps=%.0f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
