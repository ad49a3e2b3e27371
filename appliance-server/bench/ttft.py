"""Time to first token through a path: one streaming chat completion at a time (no load), the time
from sending the request to receiving the first SSE data line. Prints the median and p90 in ms."""
import socket, sys, time

host, port, key, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
body = b'{"model":"bench-chat","stream":true,"messages":[{"role":"user","content":"Summarise the audit policy."}],"max_tokens":16}'
head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n" + (f"Authorization: Bearer {key}\r\n" if key != "-" else "") + "\r\n").encode()
times = []
for i in range(n + 10):
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = time.perf_counter()
    s.sendall(head + body)
    buf = b""
    while b"data: " not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("stream ended before the first event: " + buf[:300].decode(errors="replace"))
        buf += chunk
    if i >= 10:  # the first ten warm the path
        times.append((time.perf_counter() - t) * 1000)
    s.close()
times.sort()
print(f"{times[len(times) // 2]:.3f} {times[int(len(times) * 0.9)]:.3f}")
