#!/usr/bin/env python3
"""Holds many waiting clients open against one batpak server, for benchmarks/load/waiters.sh.

Opens SSE streams (GET /api/v1/subscribe?entityPrefix=<prefix>, a prefix nothing is appended to, so
they only wait) and starts long polls (POST /api/v1/streams/<stream>/groups/<group>/poll with a long
waitMs on a stream nobody publishes to; each poller polls again when its poll answers). Prints one
line "ready {json}" once all are open, then keeps them open until the file given as --stop exists
(or --max-seconds pass), then prints "done {json}" with the counts:
  sse_opened / sse_refused: streams answered 200 / anything else or a connection error while opening
  sse_closed: streams the server closed while held open
  polls: long polls started; poll_answers: 2xx answers; poll_refused: non-2xx or connection errors
Only the HTTP contract (docs/HTTP-API.md) is used; only loopback targets make sense.
"""
import argparse
import http.client
import json
import os
import resource
import selectors
import socket
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor


def open_sse(host, port, path, token):
    """One SSE stream: the connected socket once the server answered 200, else None."""
    try:
        s = socket.create_connection((host, port), timeout=30)
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                   f"Authorization: Bearer {token}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                s.close()
                return None
            head += chunk
        if not head.startswith(b"HTTP/1.1 200"):
            s.close()
            return None
        s.setblocking(False)
        return s
    except OSError:
        return None


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {"sse_opened": 0, "sse_refused": 0, "sse_closed": 0, "polls": 0, "poll_answers": 0,
                       "poll_refused": 0}

    def add(self, key, n=1):
        with self.lock:
            self.values[key] += n

    def snapshot(self):
        with self.lock:
            return dict(self.values)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    a.add_argument("--token", required=True)
    a.add_argument("--sse", type=int, default=1000)
    a.add_argument("--polls", type=int, default=200)
    a.add_argument("--stream", default="waiters-idle")
    a.add_argument("--group", default="waiters")
    a.add_argument("--wait-ms", type=int, default=30000)
    a.add_argument("--prefix", default="waiters-idle:")
    a.add_argument("--stop", required=True, help="stop once this file exists")
    a.add_argument("--max-seconds", type=int, default=900)
    args = a.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.sse + args.polls + 64
    if soft < want:  # one socket per waiter
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(want, soft)), hard))
    url = urllib.parse.urlparse(args.base)
    host, port = url.hostname, url.port
    counts = Counts()
    stop = threading.Event()
    deadline = time.monotonic() + args.max_seconds

    # SSE streams, 16 opening at a time
    path = "/api/v1/subscribe?entityPrefix=" + urllib.parse.quote(args.prefix)
    with ThreadPoolExecutor(16) as pool:
        socks = list(pool.map(lambda _: open_sse(host, port, path, args.token), range(args.sse)))
    sel = selectors.DefaultSelector()
    for s in socks:
        if s is None:
            counts.add("sse_refused")
        else:
            counts.add("sse_opened")
            sel.register(s, selectors.EVENT_READ)

    def read_streams():  # discard keep-alives; count streams the server ends
        while not stop.is_set():
            for key, _ in sel.select(timeout=0.5):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    counts.add("sse_closed")
    reader = threading.Thread(target=read_streams, daemon=True)
    reader.start()

    body = lambda i: json.dumps({"consumer": f"w{i}", "max": 10, "waitMs": args.wait_ms})
    poll_path = f"/api/v1/streams/{urllib.parse.quote(args.stream)}/groups/{urllib.parse.quote(args.group)}/poll"
    started = threading.Barrier(args.polls + 1) if args.polls > 0 else None

    def poller(i):
        first = True
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                c = http.client.HTTPConnection(host, port, timeout=args.wait_ms / 1000 + 60)
                c.request("POST", poll_path, body(i), {"Content-Type": "application/json",
                                                       "Authorization": "Bearer " + args.token})
                counts.add("polls")
                if first:
                    first = False
                    started.wait()
                r = c.getresponse()
                r.read()
                counts.add("poll_answers" if 200 <= r.status < 300 else "poll_refused")
                c.close()
            except (OSError, http.client.HTTPException):
                counts.add("poll_refused")
                if first:
                    first = False
                    started.wait()
                time.sleep(0.5)
    for i in range(args.polls):
        threading.Thread(target=poller, args=(i,), daemon=True).start()
    if started is not None:
        started.wait()
    time.sleep(1)  # the last polls' requests reach the server and start waiting
    print("ready " + json.dumps(counts.snapshot()), flush=True)
    while not os.path.exists(args.stop) and time.monotonic() < deadline:
        time.sleep(0.2)
    print("done " + json.dumps(counts.snapshot()), flush=True)
    stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
