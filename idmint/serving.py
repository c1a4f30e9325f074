"""Running the server: one process, or ``--workers N`` processes sharing one listening socket.

A single Python process uses one core for everything but password hashing. ``serve --workers N``
(``IDMINT_WORKERS``) pre-forks N uvicorn servers on one socket, the way gunicorn does: the parent
binds the socket, migrates the database and makes the first signing key (so N processes starting
together never race to do it), then forks; the kernel spreads connections among the children.
The workers share nothing in memory that matters: every state a request depends on (sessions,
revocations, lock-outs, keys) is in the database, as it already is for several nodes sharing
PostgreSQL (``KeyManager`` reloads the key ring; nothing else is cached).

Forking rather than spawning means the children start without importing anything again, and the
code pages stay shared. The parent forks before any thread or event loop exists in it.

The parent supervises: SIGTERM or SIGINT is passed to every worker, which finishes its requests
(uvicorn's graceful shutdown) before the parent exits. A worker that dies on its own is replaced,
unless it died within ``_CRASH_WINDOW`` seconds of starting (a bad configuration, a database that
cannot be opened): then all stop and ``serve`` exits with an error instead of looping.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import time
from types import FrameType

import uvicorn

from idmint.settings import Settings

log = logging.getLogger("idmint")

_CRASH_WINDOW = 5.0


def _config(settings: Settings, app: object) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


async def _prepare(settings: Settings) -> None:
    """Migrate, make the first signing key and the server secret, once, before forking."""
    from idmint.app import build_context, open_store

    store = await open_store(settings)
    try:
        _ctx, close = await build_context(settings, store, time.time)
        close()
    finally:
        await store.close()


def run(settings: Settings, app: object) -> None:
    """Serve ``app`` until SIGTERM/SIGINT, in ``settings.workers`` processes."""
    config = _config(settings, app)
    if settings.workers == 1:
        uvicorn.Server(config).run()
        return
    asyncio.run(_prepare(settings))
    # Objects that exist now are left alone by the collector from here on, so the workers do
    # not write to (and so copy) the pages they share with the parent.
    gc.freeze()
    sock = config.bind_socket()
    code = _Supervisor(config, sock, settings.workers).run()
    sock.close()
    if code:
        sys.exit(code)


class _Supervisor:
    def __init__(self, config: uvicorn.Config, sock: socket.socket, workers: int) -> None:
        self.config = config
        self.sock = sock
        self.workers = workers
        self.children: dict[int, float] = {}  # pid -> start time
        self.stopping = False

    def _spawn(self) -> None:
        # Signals wait while forking, so a stop cannot fall between fork() and the pid's record.
        stops = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            pid = os.fork()
            if pid == 0:
                self._work()  # never returns
            self.children[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)

    def _work(self) -> None:
        """The worker: serve until told to stop, then leave without returning to the parent's
        code. A stop before uvicorn listens for one, or the one uvicorn raises again after its
        graceful shutdown, ends the worker as a normal exit."""

        def leave(signum: int, _frame: FrameType | None) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, leave)
        signal.signal(signal.SIGINT, leave)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
        code = 1
        try:
            server = uvicorn.Server(self.config)
            server.run(sockets=[self.sock])
            code = 0 if server.started else 3  # 3: uvicorn's "startup failed"
        except SystemExit as exc:
            code = 0 if exc.code in (0, None) else 1
        except BaseException:
            log.exception("worker %s failed", os.getpid())
        finally:
            logging.shutdown()
            os._exit(code)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.kill(pid, signal.SIGTERM)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for _ in range(self.workers):
            self._spawn()
        log.info("started %d worker processes: %s", self.workers, sorted(self.children))
        code = 0
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries wait() itself
                continue
            started = self.children.pop(pid, None)
            if started is None or self.stopping:
                continue
            exit_code = os.waitstatus_to_exitcode(status)
            if time.monotonic() - started < _CRASH_WINDOW:
                log.error("worker %s exited (%s) right after starting; stopping", pid, exit_code)
                code = 1
                self._stop(signal.SIGTERM, None)
                continue
            log.error("worker %s exited (%s); starting another", pid, exit_code)
            self._spawn()
        return code
