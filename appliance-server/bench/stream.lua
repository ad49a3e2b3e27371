-- One streaming chat completion per request (read to its end), to warm the streamed path before
-- time to first token is measured.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-chat","stream":true,"messages":[{"role":"user","content":"Summarise the audit policy in one line."}],"max_tokens":16,"user":"bench-user"}'
if os.getenv("BENCH_KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
end
