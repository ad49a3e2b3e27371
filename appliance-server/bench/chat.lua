-- One non-streaming chat completion per request, as an OpenAI client sends it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-chat","messages":[{"role":"user","content":"Summarise the audit policy in one line."}],"max_tokens":16,"user":"bench-user"}'
if os.getenv("BENCH_KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
end
-- PACE_MS: after each answer a connection waits before its next request, so that the load stays
-- below what every target can serve and latency is measured without queueing. The wait is drawn
-- from an exponential distribution with PACE_MS as its mean (independent clients' think times):
-- with the same wait for every connection, connections held up together (by a collection pause,
-- say) kept sending together, in bursts that queued at every target, the stand-in alone included.
local pace = tonumber(os.getenv("PACE_MS") or "")
if pace then
  -- each wrk thread has its own Lua state: seeded apart by the address of a fresh table
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000003)
  function delay() return math.floor(-pace * math.log(1 - math.random()) + 0.5) end
end
