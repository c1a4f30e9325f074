"""Start-up to ready: time from `idmint serve` on an empty SQLite data directory to the first
200 from /health (migrations and first signing key included). Prints figures; asserts nothing.

    .venv/bin/python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def once(fresh: bool, data_dir: str) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "idmint", "serve", "--port", str(port), "--data-dir", data_dir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    empty, warm = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            empty.append(once(True, f"{tmp}/data"))
            warm.append(once(False, f"{tmp}/data"))
    for name, runs in (
        ("empty database (migrate + first key)", empty),
        ("existing database", warm),
    ):
        print(
            f"{name:40s} median {statistics.median(runs) * 1000:6.0f} ms   "
            f"min {min(runs) * 1000:6.0f} ms   max {max(runs) * 1000:6.0f} ms"
        )


if __name__ == "__main__":
    main()
