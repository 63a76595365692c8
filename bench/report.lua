-- wrk script shared by the benchmarks: optional method, auth header and a JSON body template in
-- which every "{n}" becomes a unique value; prints one RESULT line with the percentiles in ms.
local method = os.getenv("WRK_METHOD") or "GET"
local auth = os.getenv("WRK_AUTH")
local template = os.getenv("WRK_BODY")
local extra = os.getenv("WRK_HEADER")
local run = os.getenv("WRK_RUN") or "0"
local counter = 0

request = function()
  counter = counter + 1
  local headers = {}
  if auth then headers["Authorization"] = auth end
  if extra then
    local name, value = string.match(extra, "^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local body = nil
  if template then
    headers["Content-Type"] = "application/json"
    local unique = run .. "x" .. tostring(counter)
    body = string.gsub(template, "{n}", unique)
  end
  return wrk.format(method, nil, headers, body)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    "RESULT rps=%.1f requests=%d non2xx=%d socket_errors=%d p50=%.3f p95=%.3f p99=%.3f\n",
    summary.requests / seconds, summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
