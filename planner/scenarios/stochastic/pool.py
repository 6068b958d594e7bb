"""Where the futures' subproblems run: in this process, or on Dask workers that each keep one.

`DaskPool` splits the futures into one contiguous chunk per worker, sends each worker its chunk's
numbers once (`scatter`), and at every proposal asks each worker for its chunk. A worker keeps one
`Subproblem` per problem (module state of the worker process) and walks its chunk by changing it
in place; every future is solved from its own last basis (its first solve from the shared `start`
basis), so after the first pass every solve is a warm start and the results do not depend on how
the futures are split over the workers.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Protocol

import numpy as np

from planner.config import RunConfig
from planner.scenarios.stochastic.problem import Layout, Numbers
from planner.scenarios.stochastic.subproblem import Eval, Subproblem

_HELD: dict[str, Subproblem] = {}
"""Per worker process: the subproblem of each problem token."""


class Pool(Protocol):
    """Solves every future's subproblem at a proposal (or without one: perfect foresight)."""

    def run(self, xhat: np.ndarray | None, want_x: bool = False) -> list[Eval]:
        """One Eval per future, in future order; xhat None: each future's perfect-foresight optimum."""
        ...

    @property
    def workers(self) -> int:
        """How many processes solve subproblems."""
        ...


def _walk(sub: Subproblem, chunk: dict[int, Numbers], xhat: np.ndarray | None, want_x: bool) -> list[Eval]:
    """Each future of the chunk in turn on the kept subproblem; each Eval carries the CPU seconds it took."""
    out = []
    for s, numbers in chunk.items():
        clock = time.process_time()
        sub.load(numbers)
        e = sub.perfect_foresight(s) if xhat is None else sub.evaluate(s, xhat, want_x)
        out.append(replace(e, cpu_s=time.process_time() - clock))
    return out


class LocalPool:
    """Every subproblem in this process, in one kept model."""

    def __init__(
        self,
        layout: Layout,
        numbers: list[Numbers],
        config: RunConfig,
        start: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.sub = Subproblem(layout, numbers[0], config, start)
        self.chunk = dict(enumerate(numbers))

    def run(self, xhat: np.ndarray | None, want_x: bool = False) -> list[Eval]:
        """Walk the futures in order."""
        return _walk(self.sub, self.chunk, xhat, want_x)

    @property
    def workers(self) -> int:
        """One process."""
        return 1


def work(
    token: str,
    layout: Layout,
    chunk: dict[int, Numbers],
    config: RunConfig,
    xhat: np.ndarray | None,
    want_x: bool,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Eval]:
    """Worker side: the kept subproblem of `token` (made on first call) walks this worker's futures."""
    sub = _HELD.get(token)
    if sub is None:
        if len(_HELD) >= 4:
            _HELD.pop(next(iter(_HELD)))
        sub = _HELD[token] = Subproblem(layout, next(iter(chunk.values())), config, start)
    return _walk(sub, chunk, xhat, want_x)


def forget(token: str) -> int:
    """Worker side: drop a problem's subproblem; returns the process id (for tests)."""
    _HELD.pop(token, None)
    return os.getpid()


class DaskPool:
    """The futures split over the workers of a Dask client, one kept subproblem per worker."""

    def __init__(
        self,
        client: Any,  # noqa: ANN401 - a distributed.Client
        layout: Layout,
        numbers: list[Numbers],
        config: RunConfig,
        timeout: float | None = None,
        start: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.client, self.config, self.timeout = client, config, timeout
        self.token = uuid.uuid4().hex
        addresses = sorted(client.scheduler_info()["workers"])
        chunks = [c for c in np.array_split(np.arange(len(numbers)), len(addresses)) if len(c)]
        self.addresses = addresses[: len(chunks)]
        self.layout = client.scatter(layout, broadcast=True, hash=False)
        self.start = client.scatter([start], broadcast=True, hash=False)[0]
        # a list of one: scatter would send a dict's values as separate keys named by the dict's keys
        self.chunks = [
            client.scatter([{int(s): numbers[s] for s in c}], workers=[w], hash=False)[0]
            for c, w in zip(chunks, self.addresses, strict=True)
        ]
        self.n = len(numbers)

    def run(self, xhat: np.ndarray | None, want_x: bool = False) -> list[Eval]:
        """One task per worker over its chunk; results back in future order."""
        futures = [
            self.client.submit(
                work,
                self.token,
                self.layout,
                chunk,
                self.config,
                xhat,
                want_x,
                self.start,
                workers=[w],
                allow_other_workers=False,
                pure=False,
            )
            for chunk, w in zip(self.chunks, self.addresses, strict=True)
        ]
        if self.timeout is not None:
            from distributed import wait

            wait(futures, timeout=self.timeout)  # a lost worker: TimeoutError, not a hang
        out: list[Eval] = [e for part in self.client.gather(futures) for e in part]
        return sorted(out, key=lambda e: e.scenario)

    @property
    def workers(self) -> int:
        """Workers holding a chunk."""
        return len(self.addresses)

    def close(self) -> None:
        """Let the workers drop their subproblems."""
        self.client.run(forget, self.token)


@contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A client on the cluster at `scheduler`, or on a LocalCluster of `workers` 1-thread processes on 127.0.0.1."""
    import logging

    from distributed import Client, LocalCluster

    from planner.scenarios.sweep import _quiet_dask

    with _quiet_dask(), warnings.catch_warnings():
        # the scheduler's HTTP server (on 127.0.0.1) moves to a free port when 8787 is taken: not news
        warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
        if scheduler:
            with Client(scheduler, timeout="20s") as client:
                client.wait_for_workers(1, timeout=60)
                yield client
            return
        n = workers or max(1, min(4, os.cpu_count() or 1))
        with (
            LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster) as client,
        ):
            client.wait_for_workers(n, timeout=120)
            yield client
