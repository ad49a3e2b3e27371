-- One non-streaming chat completion per request, as an OpenAI client sends it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-chat","messages":[{"role":"user","content":"Summarise the audit policy in one line."}],"max_tokens":16,"user":"bench-user"}'
if os.getenv("BENCH_KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
end
-- PACE_MS: each connection waits this long after an answer before its next request, so that the
-- load stays below what every target can serve and latency is measured without queueing.
local pace = tonumber(os.getenv("PACE_MS") or "")
if pace then
  function delay() return pace end
end
