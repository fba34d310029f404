-- wrk script of bench/run: picks one of the prepared requests at random (seeded, per
-- thread) for every request, checks every response, and prints a parseable summary.
--
-- Environment (set by bench/run):
--   BENCH_REQUESTS  file of prepared requests, one a line: METHOD <tab> PATH <tab> BODY
--                   (BODY empty for a GET; a non-empty BODY is sent as application/json)
--   BENCH_SEED      integer seed of the random picks (default 1)
--   BENCH_EXPECT    a string every good response body contains (optional)
--
-- A response is a failure when its status is not 2xx, when its body contains "errors"
-- (a GraphQL error), or when it lacks BENCH_EXPECT. done() prints one line:
--   BENCH_RESULT {json}
-- with the request count, latency percentiles in microseconds, socket errors and failures.

local requests_file = os.getenv("BENCH_REQUESTS")
local seed = tonumber(os.getenv("BENCH_SEED") or "1") or 1
local expect = os.getenv("BENCH_EXPECT")
if expect == "" then expect = nil end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local prepared = {}
local n = 0

function init(args)
  local f = assert(io.open(requests_file, "r"), "cannot open BENCH_REQUESTS")
  for line in f:lines() do
    local method, path, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    if method then
      local headers = { ["Accept"] = "application/json" }
      if body ~= "" then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      n = n + 1
      prepared[n] = wrk.format(method, path, headers, body)
    end
  end
  f:close()
  assert(n > 0, "no request in BENCH_REQUESTS")
  math.randomseed(seed * 7919 + (thread_id or 0))
  non2xx = 0
  graphql_errors = 0
  missing = 0
  responses = 0
end

function request()
  return prepared[math.random(n)]
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif body == nil then
    missing = missing + 1
  elseif string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  elseif expect and not string.find(body, expect, 1, true) then
    missing = missing + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total, gql_total, missing_total, responses_total = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    non2xx_total = non2xx_total + (t:get("non2xx") or 0)
    gql_total = gql_total + (t:get("graphql_errors") or 0)
    missing_total = missing_total + (t:get("missing") or 0)
    responses_total = responses_total + (t:get("responses") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"responses_checked":%d,"duration_us":%d,"bytes":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"non2xx":%d,"graphql_errors":%d,"missing":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"min_us":%d,"max_us":%d,"mean_us":%.1f,"stdev_us":%.1f}\n',
    summary.requests, responses_total, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    non2xx_total, gql_total, missing_total,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.min, latency.max, latency.mean, latency.stdev))
end
