"""Load benchmark (issue 9): sign-ins, refreshes, GetUser and the cheap endpoints per second,
latency percentiles and server memory, on SQLite and PostgreSQL, next to the limits of the
machine measured in the same run. Run by hand; prints as it goes, asserts nothing.

    .venv/bin/python bench/load.py [--db sqlite|postgres|both] [--users N] [--duration S]
        [--connections C] [--workers W] [--scenarios a,b,...] [--out DIR]
        [--postgres-url URL] [--open-rate-fraction F] [--threads T] [--signin-connections N]

Writes DIR/load-<utc>.json (everything, raw) and DIR/load-<utc>.md (machine, limits, one table
per database), copies them to DIR/latest.json and DIR/latest.md, and keeps the server logs as
DIR/load-<utc>-server-<db>.log. Scenarios (``--scenarios``, default all, run in this order):
jwks, session, token_info, getuser, refresh, signin, mixed, signin_open, overload, signin_fail,
startup.

Method
------
* **Fresh database per run.** SQLite in a temporary data directory, or a new PostgreSQL
  database ``idmint_bench_<random>`` made on the maintenance URL and dropped at the end. The
  server is ``python -m idmint serve --port P --data-dir D | --database-url U [--workers W]``
  (``--workers`` only if ``serve --help`` lists it). It is always stopped (SIGTERM, then
  SIGKILL of its process group) and the database dropped, on errors and Ctrl-C too.
* **Seeding.** An admin key (``idmint admin-key create``), a pool and an app client
  (USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH, no secret) through boto3, then N users through the
  bulk path of bench/seed.py: rows written directly with idmint's table and row encoding, all
  sharing ONE argon2id hash of the benchmark password computed once with idmint's own hasher
  and parameters; every sign-in still runs a full argon2id verification (see seed.py, also for
  the placeholder SRP verifiers). Then a mint application (``idmint apps create --default``),
  and from K = min(200, size of the sign-in range) users: K real USER_PASSWORD_AUTH sign-ins
  (refresh, access and ID tokens), K mint password grants (user tokens) and K web-session
  signups with those ID tokens (cookies). Tokens go to files the Lua scripts read in init(), so
  every scenario cycles through many users and tokens, each wrk thread from its own offset.
* **Users are split in two ranges**: sign-ins (the first 80 %) and failed sign-ins (the last
  20 %). Failures count towards idmint's per-user lock (5 in a row lock the user, and a locked
  attempt is refused without a hash), so signin_fail has a range of its own, runs last, and a
  warning says when the expected failures per user approach the lock; refusals by the lock
  are counted apart (``400:NotAuthorizedException:locked``).
* **Why wrk.** A load generator in Python would be slower than the server it measures on the
  same cores; wrk (C, epoll, LuaJIT scripts) costs little CPU per request. It shares this
  machine with the server, so its CPU comes out of the server's: the results are what a
  co-located client gets. Every scenario is a Lua script under bench/lua/; its response()
  counts answers per status and Cognito ``__type`` (or API ``error``) code in each thread, and
  done() gathers the threads' counters (setup()/thread:get) and prints one JSON line with
  wrk's own latency percentiles (measured per request from the moment it was written).
* **Checked before timed.** Before each scenario, its script runs once in check mode (one
  connection, the first request(s) only) and the answer must be the expected one (sign-in
  and refresh 200 with AuthenticationResult, GetUser 200 with Username, the failed sign-in 400
  NotAuthorizedException, ...), or the scenario is skipped with the reason.
* **Closed loop** (wrk's own model): C connections, each sending its next request when the last
  answer arrives. **Open loop** (signin_open): requests at a fixed arrival rate,
  ``--open-rate-fraction`` x the argon2id both-core ceiling. wrk 4.1 has no rate option, so the
  Lua delay() paces: the wall clock is read through LuaJIT ffi clock_gettime(CLOCK_MONOTONIC),
  slot k of a thread is due at start + k * threads/rate, and delay() returns max(0, due - now)
  ms. wrk calls delay() per request without saying for which connection, so a thread's
  connections share its schedule (each free connection takes the next slot) rather than one
  schedule per connection; the aggregate arrival process is the same while a connection is
  free. Limits: at most C requests are in flight, so when the server falls behind, slots are
  sent late (the lateness is reported as schedule lag) and wrk's latency, which starts when a
  request is written, does not include that lateness (coordinated omission, which wrk2 would
  correct). The achieved rate is reported next to the target; millisecond timer resolution.
* **overload**: a sign-in flood at 10 x the argon2id both-core ceiling, paced as in the open
  loop over 10 x --connections connections (the issue's "10x the sign-in ceiling"; a closed
  loop retrying refusals at once would offer whatever the server can refuse, far more), while
  two more wrk processes run GetUser and refresh at 4 connections each. Reported: the flood's
  answers per status and ``__type`` (TooManyRequestsException once hashing is bounded), its
  maximum latency, GetUser's and refresh's rps and p99 during the flood, and the peak RSS.
* **startup**: after the scenarios, the server is stopped and started 5 times with the same
  flags on the now-populated database; time from launch to the first 200 from /health.
* **Limits**, measured in the same run before the databases (on a quiet machine): argon2id
  (idmint's parameters) single-hash median of 20 and the both-core ceiling (one thread per
  core hashing for 3 s); RS256 signatures/s on one core, signing an ID-token-sized payload
  with idmint's own ``tokens.sign`` and a fresh RSA-2048 key, and the refresh ceiling =
  signatures/s x cores / 2 (a refresh signs an ID and an access token); and a bare ASGI
  "hello" (bench/hello.py) under uvicorn with idmint's worker count and options, driven by wrk
  like the scenarios. Cheap endpoints are compared with it, sign-ins with the argon2 ceiling,
  refreshes with the RS256 ceiling.
* **CPU**: cores used during each scenario by the server's process tree, by wrk, by the
  local PostgreSQL backends serving the benchmark database, and by everything else on the
  machine (other work skews every figure: look at that column before trusting a ratio).
* **Memory**: the sum of VmRSS over the server's process tree (parent and all descendants,
  from /proc), idle before each scenario and peak sampled every 0.2 s during it. Pages shared
  between processes are counted once per process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import seed

REPO = Path(__file__).resolve().parent.parent
LUA = REPO / "bench" / "lua"
PYTHON = sys.executable
WRK = shutil.which("wrk") or "/usr/bin/wrk"

SCENARIOS = (
    "jwks",
    "session",
    "token_info",
    "getuser",
    "refresh",
    "signin",
    "mixed",
    "signin_open",
    "overload",
    "signin_fail",
    "startup",
)
CHEAP = ("getuser", "token_info", "session", "jwks")
SIGNIN_LIKE = ("signin", "signin_fail")
MIXED_CYCLE = 17  # 1 sign-in : 8 refreshes : 8 GetUser
TOKEN_USERS = 200
SIDE_CONNECTIONS = 4
STARTUP_RUNS = 5

# Targets of issue 9.
TARGET_SIGNIN_RATIO = 0.85
TARGET_OPEN_P99_HASHES = 4.0
TARGET_REFRESH_RATIO = 0.5
TARGET_REFRESH_RPS = 500.0
TARGET_CHEAP_RATIO = 0.5
TARGET_CHEAP_P99_MS = 20.0
TARGET_IDLE_RSS_MB = 100.0
TARGET_LOAD_RSS_MB = 300.0
TARGET_STARTUP_S = 0.5

# What a scenario's check-mode answer must be: status and substrings of the body.
EXPECT: dict[str, tuple[int, tuple[str, ...]]] = {
    "signin": (200, ('"AuthenticationResult"', '"AccessToken"', '"RefreshToken"')),
    "refresh": (200, ('"AuthenticationResult"', '"AccessToken"', '"IdToken"')),
    "getuser": (200, ('"Username"', '"UserAttributes"')),
    "signin_fail": (400, ("NotAuthorizedException", "Incorrect username or password")),
    "token_info": (200, ('"user"', '"token_type"')),
    "session": (200, ('"userInfo"', '"csrf"')),
    "jwks": (200, ('"keys"', '"RS256"')),
    "hello": (200, ("hello",)),
}
SCRIPT = {
    "signin_open": "signin",
    "overload": "signin",
    "signin": "signin",
    "signin_fail": "signin_fail",
    "refresh": "refresh",
    "getuser": "getuser",
    "token_info": "token_info",
    "session": "session",
    "jwks": "jwks",
    "mixed": "mixed",
    "hello": "hello",
}


def log(message: str) -> None:
    print(message, flush=True)


# -- processes and memory ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def process_tree(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, ()))
    return found


def _status_kib(path: str, field: str) -> int:
    try:
        with open(path) as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Sum of VmRSS over ``pid`` and all its descendants, in MB (10^6 bytes)."""
    kib = sum(_status_kib(f"/proc/{p}/status", "VmRSS:") for p in process_tree(pid))
    return kib * 1024 / 1e6


def tree_pss_mb(pid: int) -> float:
    """Sum of PSS (shared pages divided among their sharers) over the tree, in MB: what forked
    workers really cost together, unlike the RSS sum, which counts shared pages in each."""
    kib = sum(_status_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in process_tree(pid))
    return kib * 1024 / 1e6


def loadavg() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants (alive ones)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def postgres_cpu_seconds(database: str | None) -> float:
    """CPU seconds of the local PostgreSQL backends serving ``database`` (their process title
    names it; the server's pooled connections live through a scenario). 0 without one."""
    if not database:
        return 0.0
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                title = cmdline.read().decode(errors="replace")
            if not title.startswith("postgres:") or f" {database} " not in title:
                continue
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, from /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Cores used during a block: by the server tree, by wrk (this process's waited children)
    and by everything else on the machine (other work skews the results; it is reported)."""

    def __init__(self, pid: int, database: str | None = None) -> None:
        self.pid, self.database = pid, database
        self.result: dict[str, float] = {}

    @staticmethod
    def _children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def __enter__(self) -> CpuMeter:
        self._start = time.perf_counter()
        self._server = tree_cpu_seconds(self.pid)
        self._wrk = self._children()
        self._busy = machine_busy_seconds()
        self._postgres = postgres_cpu_seconds(self.database)
        return self

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self._start
        server = (tree_cpu_seconds(self.pid) - self._server) / elapsed
        wrk = (self._children() - self._wrk) / elapsed
        busy = (machine_busy_seconds() - self._busy) / elapsed
        postgres = max(0.0, postgres_cpu_seconds(self.database) - self._postgres) / elapsed
        self.result = {
            "server_cores": server,
            "wrk_cores": wrk,
            "postgres_cores": postgres,
            "other_cores": max(0.0, busy - server - wrk - postgres),
            "machine_cores": busy,
        }


def wait_quiet(pid: int, limit: float = 120.0, window: float = 0.5) -> float:
    """Wait until the server's process tree uses under 5 % of a core (the previous
    scenario's backlog is done); seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        before = tree_cpu_seconds(pid)
        time.sleep(window)
        if tree_cpu_seconds(pid) - before < 0.05 * window:
            break
    return time.perf_counter() - started


class RssSampler:
    """Peaks of ``tree_rss_mb(pid)`` and ``tree_pss_mb(pid)``, sampled every ``interval``
    seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak, self.peak_pss = pid, interval, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            self.peak_pss = max(self.peak_pss, tree_pss_mb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss_mb(self.pid))


def health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class Server:
    """A server process (idmint or the hello app) in its own process group, logging to a file."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.command, self.env, self.log_path = command, env, log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready_url: str, timeout: float = 120.0) -> float:
        """Launch and wait for ``ready_url`` to answer 200; seconds from launch to ready."""
        with open(self.log_path, "ab") as sink:
            sink.write(f"\n### {datetime.now(UTC).isoformat()} {' '.join(self.command)}\n".encode())
            sink.flush()
            started = time.perf_counter()
            self.proc = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if health_ok(ready_url):
                return time.perf_counter() - started
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode} before ready; see {self.log_path}"
                )
            time.sleep(0.005)
        raise RuntimeError(f"server not ready after {timeout:.0f} s; see {self.log_path}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            log(f"  server {proc.pid} ignored SIGTERM for 20 s: killing its process group")
        # Workers left behind (or a parent that would not stop): the group we created.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


# -- wrk -----------------------------------------------------------------------------------


@dataclass
class Wrk:
    scenario: str
    url: str
    config: Path
    connections: int
    threads: int
    duration: float
    rate: float = 0.0
    check: int = 0
    timeout_s: int = 10

    def command(self) -> list[str]:
        threads = max(1, min(self.threads, self.connections))
        args = [
            WRK,
            "-t",
            str(threads),
            "-c",
            str(self.connections),
            "-d",
            f"{max(1, round(self.duration))}s",
            "--timeout",
            f"{self.timeout_s}s",
            "-s",
            str(LUA / f"{SCRIPT[self.scenario]}.lua"),
            self.url,
            "--",
            f"config={self.config}",
            f"threads={threads}",
        ]
        if self.rate > 0:
            args.append(f"rate={self.rate:.6f}")
        if self.check:
            args.append(f"check={self.check}")
        return args

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )

    @staticmethod
    def result(proc: subprocess.Popen[str]) -> dict[str, Any]:
        out, err = proc.communicate()
        for line in out.splitlines():
            if line.startswith("BENCHJSON "):
                data: dict[str, Any] = json.loads(line[len("BENCHJSON ") :])
                # Empty Lua tables encode as {}: normalise the list and the maps.
                data["first"] = list(data.get("first") or [])
                data["counts"] = dict(data.get("counts") or {})
                return data
        raise RuntimeError(f"wrk exited {proc.returncode} without a result: {err.strip()[-500:]}")

    def run(self) -> dict[str, Any]:
        proc = self.start()
        try:
            return self.result(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def check_answers(scenario: str, raw: dict[str, Any]) -> str | None:
    """None if the check-mode answers are the expected ones, else what is wrong."""
    answers = raw["first"]
    if not answers:
        errors = {k: v for k, v in raw["errors"].items() if v}
        return f"no answer at all (socket errors {errors})"
    for answer in answers:
        kind = answer.get("kind") or scenario
        status, needles = EXPECT[SCRIPT.get(kind, kind)]
        body = str(answer.get("body", ""))
        missing = [n for n in needles if n not in body]
        if answer.get("status") != status or missing:
            return (
                f"{kind} request answered {answer.get('status')} (expected {status}"
                f"{' with ' + ', '.join(needles) if needles else ''}): {body[:300]!r}"
            )
    return None


def ok_keys(scenario: str) -> set[str]:
    return {"400:NotAuthorizedException"} if scenario == "signin_fail" else {"200"}


def summarize(scenario: str, raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6 if raw["duration_us"] else 0.0
    latency = raw["latency_us"]
    good = ok_keys(scenario)
    errors = {k: v for k, v in sorted(raw["counts"].items()) if k not in good}
    for kind in ("connect", "read", "write", "timeout"):
        if raw["errors"].get(kind):
            errors[f"socket:{kind}"] = raw["errors"][kind]
    return {
        "requests": raw["requests"],
        "seconds": seconds,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": latency["p50"] / 1000,
        "p90_ms": latency["p90"] / 1000,
        "p99_ms": latency["p99"] / 1000,
        "p999_ms": latency["p999"] / 1000,
        "max_ms": latency["max"] / 1000,
        "mean_ms": latency["mean"] / 1000,
        "ok": (ok := sum(v for k, v in raw["counts"].items() if k in good)),
        "ok_rps": ok / seconds if seconds else 0.0,
        "errors": errors,
        "error_count": sum(errors.values()),
        "counts": raw["counts"],
        "lag": raw.get("lag"),
        "raw": raw,
    }


# -- limits --------------------------------------------------------------------------------


def argon2_limits(runs: int = 20, seconds: float = 3.0) -> dict[str, Any]:
    """One hash at idmint's parameters on one thread (median of ``runs``), and hashes/s with
    one thread per core hashing at once for ``seconds`` (argon2-cffi releases the GIL)."""
    from argon2 import PasswordHasher, Type

    params = seed.hash_params()
    hasher = PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        type=Type.ID,
    )
    password = "Limit-Passw0rd!"
    hasher.hash(password)  # warm up
    single = []
    for _ in range(runs):
        started = time.perf_counter()
        hasher.hash(password)
        single.append(time.perf_counter() - started)
    cores = os.cpu_count() or 1
    counts = [0] * cores
    barrier = threading.Barrier(cores + 1)
    deadline = [0.0]

    def work(slot: int) -> None:
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            hasher.hash(password)
            counts[slot] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(cores)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "params": {
            "memory_kib": params.memory_kib,
            "time_cost": params.time_cost,
            "parallelism": params.parallelism,
        },
        "single_ms": statistics.median(single) * 1000,
        "single_min_ms": min(single) * 1000,
        "threads": cores,
        "hashes": sum(counts),
        "seconds": elapsed,
        "ceiling_per_s": sum(counts) / elapsed,
    }


def rs256_limits(seconds: float = 2.0) -> dict[str, Any]:
    """RS256 signatures/s on one core, signing an ID-token-sized payload as idmint does."""
    from idmint.core import tokens
    from idmint.core.keys import KeyRing, generate_signing_key

    now = time.time()
    ring = KeyRing([generate_signing_key(now)])
    pool = "us-east-1_AbCdEfGhI"
    claims = {
        "sub": "6f0c2d3e-8a1b-4c5d-9e7f-0a1b2c3d4e5f",
        "email_verified": False,
        "iss": f"http://127.0.0.1:8790/{pool}",
        "cognito:username": "user0000001",
        "origin_jti": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
        "aud": "a1b2c3d4e5f6g7h8i9j0k1l2m3",
        "event_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "token_use": "id",
        "auth_time": int(now),
        "exp": int(now) + 3600,
        "iat": int(now),
        "jti": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
        "email": "user0000001@bench.example",
    }
    token = tokens.sign(ring, claims)
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        tokens.sign(ring, claims)
        count += 1
    cores = os.cpu_count() or 1
    per_core = count / elapsed
    return {
        "key_bits": 2048,
        "token_bytes": len(token),
        "per_core_per_s": per_core,
        "cores": cores,
        "refresh_ceiling_per_s": per_core * cores / 2,
    }


# -- the run -------------------------------------------------------------------------------


@dataclass
class Options:
    dbs: list[str]
    users: int
    duration: float
    connections: int
    workers: int
    threads: int
    scenarios: list[str]
    out: Path
    postgres_url: str
    open_rate_fraction: float
    signin_connections: int


@dataclass
class Fixture:
    """What the scenarios need from the seeded server."""

    base_url: str
    pool_id: str
    client_id: str
    config: Path
    signin_first: int
    signin_count: int
    fail_first: int
    fail_count: int
    token_users: int
    database: str | None = None
    """The PostgreSQL database's name (for its backends' CPU); None on SQLite."""
    seed: dict[str, Any] = field(default_factory=dict)
    setup_seconds: dict[str, float] = field(default_factory=dict)


def cognito_call(http: httpx.Client, action: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(
        "/",
        content=json.dumps(body),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
        },
    )


def idmint_cli(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, "-m", "idmint", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"idmint {args[0]} {args[1]} failed: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def set_cookie_header(response: httpx.Response) -> str:
    """``name=value; ...`` of the response's Set-Cookie headers (read directly, whatever the
    Secure attribute says)."""
    pairs = [line.split(";", 1)[0].strip() for line in response.headers.get_list("set-cookie")]
    return "; ".join(p for p in pairs if p and not p.endswith("="))


def prepare(
    opts: Options, kind: str, base_url: str, db_args: list[str], env: dict[str, str], tmp: Path
) -> Fixture:
    """Admin key, pool and client, N users, mint application, tokens and cookies."""
    import boto3

    timings: dict[str, float] = {}
    started = time.perf_counter()
    key = idmint_cli(["admin-key", "create", "--json", *db_args], env)
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=base_url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    pool_id: str = cognito.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client_id: str = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="bench",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    timings["admin_key_pool_client"] = time.perf_counter() - started

    password = f"Bench-{secrets.token_hex(6)}-1aA"
    wrong = f"Wrong-{secrets.token_hex(6)}-1aA"
    started = time.perf_counter()
    hashed = seed.password_hash(password)
    timings["hash_once"] = time.perf_counter() - started
    log(f"  seeding {opts.users:,} users ({kind}) ...")
    if kind == "sqlite":
        seeded = seed.seed_sqlite(str(tmp / "data" / "idmint.db"), pool_id, opts.users, hashed)
    else:
        seeded = seed.seed_postgres(db_args[1], pool_id, opts.users, hashed)
    log(
        f"  seeded {seeded.rows:,} users in {seeded.seconds:.1f} s "
        f"({seeded.rows_per_second:,.0f} rows/s)"
        + ("" if seeded.checkpoint_complete else "; WAL checkpoint incomplete (a reader held it)")
    )

    started = time.perf_counter()
    app_args = ["apps", "create", "--pool", pool_id, "--name", "bench", "--default", "--json"]
    idmint_cli([*app_args, *db_args], env)
    timings["mint_app"] = time.perf_counter() - started

    fail_count = max(1, opts.users // 5)
    signin_count = opts.users - fail_count
    k = min(TOKEN_USERS, signin_count)
    started = time.perf_counter()
    tokens = acquire_tokens(base_url, client_id, password, k)
    timings["tokens"] = time.perf_counter() - started
    log(f"  {k} sign-ins, {k} mint grants, {k} web-session signups in {timings['tokens']:.1f} s")

    files = {name: tmp / f"{name}.txt" for name in ("refresh", "access", "mint", "cookie")}
    for name, path in files.items():
        path.write_text("".join(f"{t[name]}\n" for t in tokens))
    config = tmp / "lua-config.txt"
    values = {
        "pool_id": pool_id,
        "client_id": client_id,
        "password": password,
        "wrong_password": wrong,
        "signin_first": 1,
        "signin_count": signin_count,
        "fail_first": signin_count + 1,
        "fail_count": fail_count,
        "refresh_file": files["refresh"],
        "access_file": files["access"],
        "mint_file": files["mint"],
        "cookie_file": files["cookie"],
    }
    config.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return Fixture(
        base_url=base_url,
        pool_id=pool_id,
        client_id=client_id,
        config=config,
        signin_first=1,
        signin_count=signin_count,
        fail_first=signin_count + 1,
        fail_count=fail_count,
        token_users=k,
        seed={
            "rows": seeded.rows,
            "seconds": seeded.seconds,
            "rows_per_s": seeded.rows_per_second,
            "checkpoint_complete": seeded.checkpoint_complete,
        },
        setup_seconds=timings,
    )


def acquire_tokens(base_url: str, client_id: str, password: str, k: int) -> list[dict[str, str]]:
    """For users 1..k: a USER_PASSWORD_AUTH sign-in (refresh and access tokens), a mint
    password grant (user token) and a web-session signup with the ID token (cookies)."""

    def one(http: httpx.Client, n: int) -> dict[str, str]:
        name = seed.username(n)
        answer = cognito_call(
            http,
            "InitiateAuth",
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": client_id,
                "AuthParameters": {"USERNAME": name, "PASSWORD": password},
            },
        )
        if answer.status_code != 200:
            raise RuntimeError(f"sign-in of {name}: {answer.status_code} {answer.text[:300]}")
        result = answer.json()["AuthenticationResult"]
        mint = http.post(
            "/mint/api/v1/auth/authorize",
            json={"grant_type": "password", "username": name, "password": password},
        )
        if mint.status_code != 200:
            raise RuntimeError(f"mint grant of {name}: {mint.status_code} {mint.text[:300]}")
        web = http.post(
            "/api/v1/auth/cognito/signup",
            json={"idToken": result["IdToken"], "username": f"bench{n:07d}"},
            headers={"X-Endless-Auth": "v2"},
        )
        cookie = set_cookie_header(web)
        if web.status_code != 200 or "access=" not in cookie:
            raise RuntimeError(f"web signup of {name}: {web.status_code} {web.text[:300]}")
        return {
            "refresh": result["RefreshToken"],
            "access": result["AccessToken"],
            "mint": mint.json()["access_token"],
            "cookie": cookie,
        }

    with (
        httpx.Client(base_url=base_url, timeout=120) as http,
        ThreadPoolExecutor(max_workers=4) as pool,
    ):
        return list(pool.map(lambda n: one(http, n), range(1, k + 1)))


def limit_for(
    scenario: str, result: dict[str, Any], limits: dict[str, Any]
) -> tuple[str, float | None, list[tuple[str, bool]]]:
    """(limit name, ratio to it, [(target, passed)]) for one scenario's result."""
    # Ratios use the answers a scenario wants (ok_rps): a refusal costs no hash or signature.
    rps, p99 = result["ok_rps"], result["p99_ms"]
    argon = limits["argon2"]["ceiling_per_s"]
    targets: list[tuple[str, bool]] = []
    name, ratio = "", None
    if scenario in SIGNIN_LIKE:
        name, ratio = "argon2 ceiling", rps / argon
        targets.append((f">={TARGET_SIGNIN_RATIO} x argon2", ratio >= TARGET_SIGNIN_RATIO))
    elif scenario == "mixed":
        name, ratio = "argon2 ceiling (sign-in share 1/17)", rps / MIXED_CYCLE / argon
    elif scenario == "refresh":
        ceiling = limits["rs256"]["refresh_ceiling_per_s"]
        name, ratio = "RS256 refresh ceiling", rps / ceiling
        targets.append((f">={TARGET_REFRESH_RATIO} x RS256", ratio >= TARGET_REFRESH_RATIO))
        targets.append((f">={TARGET_REFRESH_RPS:.0f}/s", rps >= TARGET_REFRESH_RPS))
    elif scenario in CHEAP:
        hello = limits.get("hello", {}).get("rps")
        if hello:
            name, ratio = "bare ASGI", rps / hello
            targets.append((f">={TARGET_CHEAP_RATIO} x ASGI", ratio >= TARGET_CHEAP_RATIO))
        targets.append((f"p99<={TARGET_CHEAP_P99_MS:.0f}ms", p99 <= TARGET_CHEAP_P99_MS))
    elif scenario == "signin_open":
        bound = TARGET_OPEN_P99_HASHES * limits["argon2"]["single_ms"]
        name, ratio = "target rate", result["achieved_rate"] / result["target_rate"]
        targets.append((f"p99<={bound:.0f}ms (4 x hash)", p99 <= bound))
    elif scenario == "overload":
        name, ratio = "argon2 ceiling (flood 2xx)", rps / argon
    targets.append(
        (f"RSS<={TARGET_LOAD_RSS_MB:.0f}MB", result["rss_peak_mb"] <= TARGET_LOAD_RSS_MB)
    )
    return name, ratio, targets


def run_scenario(
    scenario: str,
    opts: Options,
    fixture: Fixture,
    server: Server,
    limits: dict[str, Any],
) -> dict[str, Any]:
    """Check, then time one scenario (with server RSS idle before and peak during)."""
    conns, duration = opts.connections, opts.duration
    if scenario in SIGNIN_LIKE:
        conns = opts.signin_connections
    base = Wrk(
        scenario, fixture.base_url, fixture.config, conns, opts.threads, duration, timeout_s=10
    )
    checks = 3 if scenario == "mixed" else 1
    quiet = wait_quiet(server.pid)
    check = Wrk(scenario, fixture.base_url, fixture.config, 1, 1, 2, check=checks)
    problem = check_answers(scenario, check.run())
    if problem:
        return {"aborted": f"check failed: {problem}", "quiet_wait_s": quiet}
    quiet += wait_quiet(server.pid)
    rss_idle = tree_rss_mb(server.pid)
    extra: dict[str, Any] = {
        "quiet_wait_s": quiet,
        "pss_idle_mb": tree_pss_mb(server.pid),
        "loadavg_before": loadavg(),
    }
    if scenario == "signin_open":
        rate = opts.open_rate_fraction * limits["argon2"]["ceiling_per_s"]
        base.rate = rate
        extra["target_rate"] = rate
    if scenario == "overload":
        flood = Wrk(
            "signin",
            fixture.base_url,
            fixture.config,
            10 * opts.connections,
            opts.threads,
            duration,
            timeout_s=60,
        )
        flood.rate = 10 * limits["argon2"]["ceiling_per_s"]
        extra["target_rate"] = flood.rate
        sides = {
            name: Wrk(name, fixture.base_url, fixture.config, SIDE_CONNECTIONS, 1, duration)
            for name in ("getuser", "refresh")
        }
        with RssSampler(server.pid) as sampler, CpuMeter(server.pid, fixture.database) as cpu:
            procs = {"flood": flood.start(), **{n: w.start() for n, w in sides.items()}}
            try:
                raws = {name: Wrk.result(proc) for name, proc in procs.items()}
            finally:
                for proc in procs.values():
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
        result = summarize("signin", raws["flood"])
        result["connections"] = 10 * opts.connections
        result["during_flood"] = {
            name: {
                "connections": SIDE_CONNECTIONS,
                **{k: v for k, v in summarize(name, raws[name]).items() if k != "raw"},
            }
            for name in sides
        }
        result["too_many_requests"] = sum(
            v for k, v in result["counts"].items() if "TooManyRequests" in k
        )
    else:
        with RssSampler(server.pid) as sampler, CpuMeter(server.pid, fixture.database) as cpu:
            result = summarize(scenario, base.run())
        result["connections"] = conns
    result.update(extra)
    if scenario == "signin_open":
        result["achieved_rate"] = result["rps"]
    result["threads"] = max(1, min(opts.threads, result["connections"]))
    result["rss_idle_mb"] = rss_idle
    result["rss_peak_mb"] = sampler.peak
    result["pss_peak_mb"] = sampler.peak_pss
    result["cpu"] = cpu.result
    result["loadavg_after"] = loadavg()
    name, ratio, targets = limit_for(scenario, result, limits)
    result["limit"], result["ratio"] = name, ratio
    result["targets"] = [{"target": t, "pass": ok} for t, ok in targets]
    return result


def describe(scenario: str, result: dict[str, Any]) -> str:
    if "aborted" in result:
        return f"  {scenario:12s} ABORTED: {result['aborted']}"
    errors = ", ".join(f"{k}={v}" for k, v in result["errors"].items()) or "none"
    ratio = f"{result['ratio']:.2f} x {result['limit']}" if result.get("ratio") is not None else ""
    line = (
        f"  {scenario:12s} {result['rps']:9.1f} req/s ({result['ok_rps']:.1f} ok)  "
        f"p50 {result['p50_ms']:7.1f} ms  "
        f"p99 {result['p99_ms']:7.1f} ms  errors {errors}  RSS {result['rss_idle_mb']:.0f}"
        f"->{result['rss_peak_mb']:.0f} MB  {ratio}"
        f"\n{'':15s}cores used: server {result['cpu']['server_cores']:.2f}, wrk "
        f"{result['cpu']['wrk_cores']:.2f}, postgres {result['cpu']['postgres_cores']:.2f}, "
        f"other {result['cpu']['other_cores']:.2f}"
    )
    if scenario == "signin_open":
        line += (
            f"\n{'':15s}target {result['target_rate']:.1f}/s, achieved "
            f"{result['achieved_rate']:.1f}/s, late slots {result['lag']['late']}, "
            f"max lag {result['lag']['max_ms']:.0f} ms"
        )
    if scenario == "overload":
        for name, side in result["during_flood"].items():
            line += (
                f"\n{'':15s}{name} during flood: {side['rps']:.1f} req/s, "
                f"p99 {side['p99_ms']:.1f} ms, errors {side['error_count']}"
            )
        line += f"\n{'':15s}flood max latency {result['max_ms']:.0f} ms"
    return line


def startup_runs(
    command: Callable[[int], list[str]], env: dict[str, str], log_path: Path
) -> dict[str, Any]:
    times = []
    for _ in range(STARTUP_RUNS):
        port = free_port()
        server = Server(command(port), env, log_path)
        try:
            times.append(server.start(f"http://127.0.0.1:{port}/health"))
        finally:
            server.stop()
    return {
        "runs_s": times,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "pass": statistics.median(times) <= TARGET_STARTUP_S,
    }


def scan_log(path: Path) -> dict[str, Any]:
    """Tracebacks, errors and warnings the server logged, and its logged request errors
    (``error=<type>``) counted per type."""
    if not path.exists():
        return {}
    text = path.read_text(errors="replace")
    lines = text.splitlines()
    serious = re.compile(r"\b(ERROR|CRITICAL|WARNING|Traceback)\b|InternalError")
    distinct: list[str] = []
    for line in lines:
        if serious.search(line):
            short = re.sub(r"^\d{4}-\d\d-\d\d [\d:,]+ ", "", line)[:300]
            if short not in distinct:
                distinct.append(short)
    logged: dict[str, int] = {}
    for match in re.finditer(r"\berror=(\w+)", text):
        logged[match.group(1)] = logged.get(match.group(1), 0) + 1
    return {
        "path": str(path),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "error_lines": sum(1 for line in lines if re.search(r"\b(ERROR|CRITICAL)\b", line)),
        "warning_lines": sum(1 for line in lines if re.search(r"\bWARNING\b", line)),
        "logged_request_errors": logged,
        "distinct": distinct[:20],
    }


async def _pg(url: str, statement: str) -> Any:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(statement)
    finally:
        await conn.close()


def pg(url: str, statement: str) -> Any:
    return asyncio.run(_pg(url, statement))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def run_database(
    kind: str,
    opts: Options,
    limits: dict[str, Any],
    serve_extra: list[str],
    stamp: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {"database": kind}
    log_path = opts.out / f"load-{stamp}-server-{kind}.log"
    env = {**os.environ, "IDMINT_INSECURE_LOCALHOST_COOKIES": "1"}
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="idmint-bench-")))
        if kind == "sqlite":
            db_args = ["--data-dir", str(tmp / "data")]
            out["version"] = f"SQLite {sqlite3.sqlite_version}"
        else:
            name = f"idmint_bench_{secrets.token_hex(4)}"
            pg(opts.postgres_url, f"CREATE DATABASE {name}")
            stack.callback(lambda: log(f"  dropped database {name}"))
            stack.callback(pg, opts.postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            url = with_database(opts.postgres_url, name)
            db_args = ["--database-url", url]
            out["version"] = "PostgreSQL " + str(pg(url, "SHOW server_version"))
            out["database_name"] = name

        def command(port: int) -> list[str]:
            return [PYTHON, "-m", "idmint", "serve", "--port", str(port), *db_args, *serve_extra]

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = Server(command(port), env, log_path)
        stack.callback(server.stop)
        log(f"\n== {kind}: {out['version']}; server log {log_path}")
        out["first_start_s"] = server.start(f"{base_url}/health")
        time.sleep(2)
        out["rss_idle_start_mb"] = tree_rss_mb(server.pid)
        out["pss_idle_start_mb"] = tree_pss_mb(server.pid)
        out["server_processes"] = len(process_tree(server.pid))
        log(
            f"  ready in {out['first_start_s']:.2f} s (fresh database), idle RSS "
            f"{out['rss_idle_start_mb']:.0f} MB over {out['server_processes']} processes"
        )
        fixture = prepare(opts, kind, base_url, db_args, env, tmp)
        fixture.database = out.get("database_name")
        out["seed"] = fixture.seed
        out["setup_seconds"] = fixture.setup_seconds
        out["ranges"] = {
            "signin": [fixture.signin_first, fixture.signin_first + fixture.signin_count - 1],
            "signin_fail": [fixture.fail_first, fixture.fail_first + fixture.fail_count - 1],
            "token_users": fixture.token_users,
        }
        out["rss_after_seed_mb"] = tree_rss_mb(server.pid)
        results: dict[str, Any] = {}
        out["scenarios"] = results
        for scenario in opts.scenarios:
            if scenario == "startup":
                continue
            if scenario == "signin_fail":
                per_user = limits["argon2"]["ceiling_per_s"] * opts.duration / fixture.fail_count
                if per_user > 4:
                    log(
                        f"  warning: ~{per_user:.1f} failed sign-ins per user of the failure "
                        "range; from the 5th the lock answers without a hash (counted as "
                        "':locked'): use more --users or a shorter --duration"
                    )
            try:
                results[scenario] = run_scenario(scenario, opts, fixture, server, limits)
            except RuntimeError as exc:
                results[scenario] = {"aborted": str(exc)}
            log(describe(scenario, results[scenario]))
            time.sleep(1)
        server.stop()
        if "startup" in opts.scenarios:
            startup_log = opts.out / f"load-{stamp}-server-{kind}-startup.log"
            out["startup"] = startup_runs(command, env, startup_log)
            out["startup_log"] = scan_log(startup_log)
            log(
                f"  startup      median {out['startup']['median_s'] * 1000:.0f} ms, max "
                f"{out['startup']['max_s'] * 1000:.0f} ms over {STARTUP_RUNS} runs"
            )
    out["server_log"] = scan_log(log_path)
    found = out["server_log"]
    log(
        f"  server log: {found['tracebacks']} tracebacks, {found['error_lines']} ERROR lines, "
        f"{found['warning_lines']} WARNING lines"
    )
    for line in found["distinct"][:10]:
        log(f"    {line}")
    return out


def measure_limits(opts: Options, effective_workers: int, stamp: str) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    log("== limits")
    limits["argon2"] = argon2_limits()
    a = limits["argon2"]
    log(
        f"  argon2id m={a['params']['memory_kib']} KiB t={a['params']['time_cost']} "
        f"p={a['params']['parallelism']}: one hash {a['single_ms']:.1f} ms (median of 20); "
        f"{a['threads']} threads: {a['ceiling_per_s']:.1f} hashes/s"
    )
    limits["rs256"] = rs256_limits()
    r = limits["rs256"]
    log(
        f"  RS256: {r['per_core_per_s']:.0f} signatures/s on one core; refresh ceiling "
        f"{r['refresh_ceiling_per_s']:.0f}/s ({r['cores']} cores / 2 signatures)"
    )
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        "bench.hello:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--no-proxy-headers",
        "--no-server-header",
        "--log-level",
        "warning",
    ]
    if effective_workers > 1:
        command += ["--workers", str(effective_workers)]
    hello_log = opts.out / f"load-{stamp}-hello.log"
    server = Server(command, dict(os.environ), hello_log)
    try:
        server.start(f"http://127.0.0.1:{port}/")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as empty:
            config = Path(empty.name)
        try:
            wrk = Wrk(
                "hello",
                f"http://127.0.0.1:{port}",
                config,
                opts.connections,
                opts.threads,
                opts.duration,
            )
            problem = check_answers("hello", Wrk("hello", wrk.url, config, 1, 1, 1, check=1).run())
            if problem:
                raise RuntimeError(f"hello check failed: {problem}")
            with RssSampler(server.pid) as sampler, CpuMeter(server.pid) as cpu:
                result = summarize("hello", wrk.run())
        finally:
            config.unlink()
        limits["hello"] = {
            "command": " ".join(command[1:]),
            "workers": effective_workers,
            "connections": opts.connections,
            "rss_peak_mb": sampler.peak,
            "cpu": cpu.result,
            **{k: v for k, v in result.items() if k != "raw"},
        }
        log(
            f"  bare ASGI hello ({effective_workers} worker(s)): {result['rps']:.0f} req/s, "
            f"p99 {result['p99_ms']:.1f} ms, errors {result['error_count']}"
        )
    finally:
        server.stop()
    return limits


# -- report --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
                break
    wrk_version = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False)
    from idmint import __version__

    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "idmint"], cwd=REPO, capture_output=True, text=True
    ).stdout.splitlines()
    return {
        "cpu": model,
        "idmint_commit": head,
        "idmint_uncommitted": [line[3:] for line in dirty],
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "idmint": __version__,
        "wrk": "wrk "
        + (wrk_version.stdout or wrk_version.stderr).split()[1],  # wrk <version> [epoll] ...
    }


def markdown(report: dict[str, Any]) -> str:
    m, o, limits = report["machine"], report["options"], report["limits"]
    lines = [
        f"# idmint load benchmark, {report['started_utc']}",
        "",
        f"- command: `{report['command']}`",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Linux "
        f"{m['kernel']}, Python {m['python']}, idmint {m['idmint']}, {m['wrk']}",
        f"- idmint commit {m['idmint_commit']}"
        + (
            f" plus uncommitted changes to {', '.join(m['idmint_uncommitted'])}"
            if m["idmint_uncommitted"]
            else ""
        ),
        "- databases: " + ", ".join(d.get("version", k) for k, d in report["databases"].items()),
        f"- users {o['users']:,}, server workers {report['workers']['effective']} "
        f"({report['workers']['note']}), {o['duration']} s per scenario, {o['connections']} "
        f"connections ({o['signin_connections']} for signin and signin_fail), "
        f"{o['threads']} wrk threads (wrk runs on the same machine)",
        "",
        "## Limits (same run)",
        "",
        "| limit | value |",
        "| --- | ---: |",
    ]
    a, r = limits["argon2"], limits["rs256"]
    lines += [
        f"| argon2id one hash (m={a['params']['memory_kib']} KiB, t={a['params']['time_cost']}, "
        f"p={a['params']['parallelism']}), median of 20 | {a['single_ms']:.1f} ms |",
        f"| argon2id both-core ceiling ({a['threads']} threads, {a['seconds']:.1f} s) | "
        f"{a['ceiling_per_s']:.1f} hashes/s |",
        f"| RS256 signatures, one core (RSA-2048, {r['token_bytes']}-byte ID token) | "
        f"{r['per_core_per_s']:,.0f}/s |",
        f"| RS256 refresh ceiling ({r['cores']} cores x signatures / 2) | "
        f"{r['refresh_ceiling_per_s']:,.0f}/s |",
    ]
    if "hello" in limits:
        h = limits["hello"]
        lines.append(
            f"| bare ASGI hello, {h['workers']} worker(s), {h['connections']} connections | "
            f"{h['rps']:,.0f} req/s (p99 {h['p99_ms']:.1f} ms) |"
        )
    for kind, db in report["databases"].items():
        lines += ["", f"## {kind}: {db.get('version', '')}", ""]
        if "failed" in db:
            lines += [f"**Failed:** {db['failed']}", ""]
        if "seed" in db:
            s = db["seed"]
            lines.append(
                f"Seeded {s['rows']:,} users in {s['seconds']:.1f} s ({s['rows_per_s']:,.0f} "
                f"rows/s). Idle RSS after start {db['rss_idle_start_mb']:.0f} MB (PSS "
                f"{db['pss_idle_start_mb']:.0f} MB) over "
                f"{db['server_processes']} processes "
                f"({'PASS' if db['rss_idle_start_mb'] <= TARGET_IDLE_RSS_MB else 'FAIL'} "
                f"<= {TARGET_IDLE_RSS_MB:.0f} MB); after seeding and token set-up "
                f"{db['rss_after_seed_mb']:.0f} MB."
            )
            lines.append("")
        lines += [
            "| scenario | conns | req/s | ok/s | p50 ms | p99 ms | max ms | errors "
            "| RSS idle → peak MB (PSS peak) | cores server/wrk/pg/other | ok/s vs limit "
            "| targets |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- | --- |",
        ]
        for name, res in db.get("scenarios", {}).items():
            if "aborted" in res:
                why = res["aborted"][:200].replace("|", "\\|").replace("\n", " ")
                lines.append(f"| {name} | | | | | | | ABORTED: {why} | | | | |")
                continue
            errors = ", ".join(f"{k}: {v}" for k, v in res["errors"].items()) or "0"
            ratio = f"{res['ratio']:.2f} x {res['limit']}" if res.get("ratio") is not None else ""
            cpu = res["cpu"]
            cores = "/".join(
                f"{cpu[k]:.2f}"
                for k in ("server_cores", "wrk_cores", "postgres_cores", "other_cores")
            )
            targets = "; ".join(
                f"{t['target']} {'PASS' if t['pass'] else 'FAIL'}" for t in res["targets"]
            )
            lines.append(
                f"| {name} | {res['connections']} | {res['rps']:,.1f} | {res['ok_rps']:,.1f} | "
                f"{res['p50_ms']:.1f} | {res['p99_ms']:.1f} | {res['max_ms']:.0f} | {errors} | "
                f"{res['rss_idle_mb']:.0f} → {res['rss_peak_mb']:.0f} "
                f"({res['pss_peak_mb']:.0f}) | {cores} | {ratio} | {targets} |"
            )
        scen = db.get("scenarios", {})
        notes = []
        if "mixed" in scen and "aborted" not in scen["mixed"]:
            mixed = scen["mixed"]
            notes.append(
                f"- mixed: {mixed['ok_rps'] / MIXED_CYCLE:.1f} sign-ins/s (1/17 of the answers) "
                f"= {mixed['ratio']:.2f} of the argon2 ceiling; the other 16/17 (refresh, "
                "GetUser) share the same cores, so no target applies."
            )
        if "signin_open" in scen and "aborted" not in scen["signin_open"]:
            so = scen["signin_open"]
            notes.append(
                f"- signin_open: target {so['target_rate']:.1f}/s "
                f"({o['open_rate_fraction']} x ceiling), achieved {so['achieved_rate']:.1f}/s; "
                f"p99 {so['p99_ms']:.1f} ms vs 4 x one hash = "
                f"{4 * limits['argon2']['single_ms']:.1f} ms; {so['lag']['late']} of "
                f"{so['lag']['slots']} slots sent >1 ms late (max {so['lag']['max_ms']:.0f} ms)."
            )
        if "overload" in scen and "aborted" not in scen["overload"]:
            ov = scen["overload"]
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(ov["counts"].items()))
            sides = "; ".join(
                f"{n} {s['rps']:,.1f} req/s, p99 {s['p99_ms']:.1f} ms, errors {s['error_count']}"
                for n, s in ov["during_flood"].items()
            )
            notes.append(
                f"- overload: sign-in flood at {ov['target_rate']:.0f}/s (10 x ceiling; "
                f"achieved {ov['rps']:,.0f}/s) over {ov['connections']} connections answered "
                f"{counts} (TooManyRequestsException: {ov['too_many_requests']}); flood max "
                f"latency {ov['max_ms']:.0f} ms; during it {sides}; peak RSS "
                f"{ov['rss_peak_mb']:.0f} MB."
            )
        if "startup" in db:
            st = db["startup"]
            notes.append(
                f"- startup on the populated database: median {st['median_s'] * 1000:.0f} ms, "
                f"max {st['max_s'] * 1000:.0f} ms ({STARTUP_RUNS} runs; "
                f"{'PASS' if st['pass'] else 'FAIL'} <= {TARGET_STARTUP_S * 1000:.0f} ms)."
            )
        if "server_log" in db:
            sl = db["server_log"]
            notes.append(
                f"- server log: {sl['tracebacks']} tracebacks, {sl['error_lines']} ERROR lines, "
                f"{sl['warning_lines']} WARNING lines"
                + ("".join(f"\n  - `{d}`" for d in sl["distinct"][:10]))
            )
        if notes:
            lines += ["", *notes]
    lines.append("")
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description="idmint load benchmark (wrk); see the module docstring for the method."
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="idmint serve --workers")
    parser.add_argument(
        "--threads",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="wrk threads per scenario [min(2, cores)]",
    )
    parser.add_argument("--scenarios", default="all", help=f"comma list of {','.join(SCENARIOS)}")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--open-rate-fraction", type=float, default=0.8)
    parser.add_argument(
        "--signin-connections",
        type=int,
        default=8,
        help="connections of signin and signin_fail [8]: within one process's hash admission "
        "(hash threads + queue = 9 with 2 workers on 2 cores), so the closed loop "
        "measures sign-ins at capacity; more makes wrk retry refusals at once, ignoring "
        "Retry-After (the overload scenario does that on purpose)",
    )
    args = parser.parse_args(argv)
    if args.users < 10:
        parser.error("--users must be at least 10")
    if args.connections < 1 or args.duration < 1:
        parser.error("--connections and --duration must be at least 1")
    if args.scenarios == "all":
        scenarios = list(SCENARIOS)
    else:
        wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in SCENARIOS]
        if unknown:
            parser.error(f"unknown scenarios {unknown}; choose from {','.join(SCENARIOS)}")
        scenarios = [s for s in SCENARIOS if s in wanted]  # signin_fail last, startup after
    return Options(
        dbs=["sqlite", "postgres"] if args.db == "both" else [args.db],
        users=args.users,
        duration=args.duration,
        connections=args.connections,
        workers=args.workers,
        threads=max(1, args.threads),
        scenarios=scenarios,
        out=args.out,
        postgres_url=args.postgres_url,
        open_rate_fraction=args.open_rate_fraction,
        signin_connections=args.signin_connections,
    )


def workers_support(requested: int) -> tuple[list[str], dict[str, Any]]:
    help_text = subprocess.run(
        [PYTHON, "-m", "idmint", "serve", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    if "--workers" in help_text:
        return ["--workers", str(requested)], {
            "requested": requested,
            "effective": requested,
            "supported": True,
            "note": f"idmint serve --workers {requested}",
        }
    return [], {
        "requested": requested,
        "effective": 1,
        "supported": False,
        "note": "idmint serve has no --workers yet: one process",
    }


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    opts.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    serve_extra, workers = workers_support(opts.workers)
    if not workers["supported"]:
        log(
            "note: `idmint serve --help` lists no --workers: running one process "
            f"(--workers {opts.workers} ignored)"
        )
    report: dict[str, Any] = {
        "started_utc": stamp,
        "command": " ".join([Path(PYTHON).name, *sys.argv]),
        "machine": machine(),
        "options": {
            "db": opts.dbs,
            "users": opts.users,
            "duration": opts.duration,
            "connections": opts.connections,
            "threads": opts.threads,
            "scenarios": opts.scenarios,
            "open_rate_fraction": opts.open_rate_fraction,
            "signin_connections": opts.signin_connections,
        },
        "workers": workers,
        "databases": {},
    }
    m = report["machine"]
    log(
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB, Linux {m['kernel']}, Python "
        f"{m['python']}, idmint {m['idmint']}, {m['wrk']}"
    )
    status = 0
    with _terminate_as_interrupt():
        try:
            report["limits"] = measure_limits(opts, workers["effective"], stamp)
            for kind in opts.dbs:
                try:
                    report["databases"][kind] = run_database(
                        kind, opts, report["limits"], serve_extra, stamp
                    )
                except Exception as exc:  # one database failing still reports the other
                    log(f"!! {kind} failed: {exc}")
                    report["databases"][kind] = {"database": kind, "failed": str(exc)}
                    status = 1
        except KeyboardInterrupt:
            log("interrupted: servers stopped, databases dropped; writing what was measured")
            report["interrupted"] = True
            status = 130
        finally:
            report.setdefault("limits", {"argon2": {}, "rs256": {}})
            write_report(report, opts.out, stamp)
    return status


def write_report(report: dict[str, Any], out: Path, stamp: str) -> None:
    json_text = json.dumps(report, indent=2, default=str)
    (out / f"load-{stamp}.json").write_text(json_text)
    (out / "latest.json").write_text(json_text)
    try:
        md = markdown(report)
    except (KeyError, TypeError, ZeroDivisionError) as exc:
        md = f"# idmint load benchmark, {stamp}\n\nincomplete run ({exc!r}); see the JSON.\n"
    (out / f"load-{stamp}.md").write_text(md)
    (out / "latest.md").write_text(md)
    log(f"\nwrote {out / f'load-{stamp}.json'} and {out / f'load-{stamp}.md'} (+ latest.*)")


if __name__ == "__main__":
    sys.exit(main())
