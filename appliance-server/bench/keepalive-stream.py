"""Streams on one kept-alive connection, one at a time, each read to its end: the median and p90
time to the first SSE event, the median time for the whole stream, and (through Airlock) the median
x-airlock-overhead-ms header, which for a stream is the time until the request was forwarded.
Usage: keepalive-stream.py HOST PORT KEY|- N   (the first 20 streams warm the path and are not counted)"""
import re, socket, sys, time

host, port, key, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
body = (b'{"model":"bench-chat","stream":true,"stream_options":{"include_usage":true},'
        b'"messages":[{"role":"user","content":"Summarise."}],"max_tokens":16}')
head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n" + (f"Authorization: Bearer {key}\r\n" if key != "-" else "") + "\r\n").encode()
s = socket.create_connection((host, port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
first_event, whole, overhead = [], [], []
for i in range(n + 20):
    t = time.perf_counter()
    s.sendall(head + body)
    buf, first = b"", None
    while not buf.endswith(b"0\r\n\r\n"):  # the chunked body's last chunk
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed: " + buf[:300].decode(errors="replace"))
        buf += chunk
        if first is None and b"data: " in buf:
            first = time.perf_counter()
    if i < 20:
        continue
    first_event.append((first - t) * 1000)
    whole.append((time.perf_counter() - t) * 1000)
    m = re.search(rb"x-airlock-overhead-ms: ([0-9.]+)", buf)
    if m:
        overhead.append(float(m.group(1)))
median = lambda v: sorted(v)[len(v) // 2]
line = (f"first event median {median(first_event):.3f} ms p90 {sorted(first_event)[int(len(first_event) * 0.9)]:.3f} ms;"
        f" whole stream median {median(whole):.3f} ms")
print(line + (f"; overhead header median {median(overhead):.3f} ms" if overhead else ""))
