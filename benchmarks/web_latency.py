"""Latency of POST /api/simulate (5-year scenario, daily output) under concurrent clients.

    .venv/bin/python benchmarks/web_latency.py                     # 20 clients, 400 requests
    .venv/bin/python benchmarks/web_latency.py --workers 4 --repeat

Starts ``boneaxis serve`` on a free loopback port (a separate process), waits for /api/health,
sends a bounded number of requests from ``--clients`` threads (httpx, one client each), and prints
p50/p95/max latency, throughput and errors.  By default every request is a different scenario
(age and dose vary), so none is answered from the server's response cache; ``--repeat`` sends the
same scenario every time (a reloaded shared link: cache hits).  Bounded by ``--max-seconds`` too.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx


def scenario(i: int, repeat: bool) -> dict:
    k = 0 if repeat else i
    return {
        "patient": {"phenotype": "postmenopausal_woman" if k % 2 else "man",
                    "age": 50 + (k % 40) + (k // 40) * 0.01},
        "treatments": [{"drug": "anastrozole", "dose": f"{1 + (k % 7) * 0.1:.1f} mg",
                        "every": "1 day"}],
        "duration": "5 years",
        "output_every": "1 day",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--repeat", action="store_true", help="same scenario every time (cache hits)")
    ap.add_argument("--max-seconds", type=float, default=120.0)
    a = ap.parse_args()

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "boneaxis.cli", "serve", "--port", str(port),
                               "--workers", str(a.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as c:   # warm-up (numba, first import)
            for i in range(2 * a.workers):
                c.post("/api/simulate", json=scenario(10_000 + i, a.repeat))

        lat: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        counter = iter(range(a.requests))
        stop_at = time.monotonic() + a.max_seconds

        def client() -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                while time.monotonic() < stop_at:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    t0 = time.perf_counter()
                    try:
                        r = c.post("/api/simulate", json=scenario(i, a.repeat))
                        ok = r.status_code == 200 and r.content.startswith(b'{"rows":1827')
                        msg = f"HTTP {r.status_code}"
                    except httpx.HTTPError as exc:
                        ok, msg = False, type(exc).__name__
                    dt = time.perf_counter() - t0
                    with lock:
                        lat.append(dt)
                        if not ok:
                            errors.append(msg)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    lat.sort()
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else lat * 99
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"{'cache hits (same scenario)' if a.repeat else 'distinct scenarios (no cache)'}, "
          f"{a.clients} clients, {a.workers} worker(s): {len(lat)} requests in {wall:.1f} s "
          f"({len(lat) / wall:.0f} req/s)")
    print(f"p50 {1e3 * q[49]:.0f} ms, p95 {1e3 * q[94]:.0f} ms, max {1e3 * lat[-1]:.0f} ms, "
          f"errors {len(errors)}" + (f" ({', '.join(sorted(set(errors)))})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
