"""Where the futures' subproblems run: in this process, or on Dask workers that each keep one.

`DaskPool` splits the futures into one contiguous chunk per worker, sends each worker its chunk's
numbers once (`scatter`, straight to the worker), and makes there a `Chunk` actor that builds one
`Subproblem` and walks its chunk by changing it in place (the workers build theirs at the same
time). Every future is solved from its own last basis (its first solve from the shared `start`
basis), so after the first pass every solve is a warm start and the results do not depend on how
the futures are split over the workers.

A round is one actor call per worker: the client sends the proposal straight to each worker (an
actor's calls skip the scheduler) and gets back a few arrays per worker (`Evals`). A pass over 100
futures of the default case is ~0.14 s of solving, so the round trip matters: as one Dask task
per worker and round (submit through the scheduler, then gather 100 Eval objects) a round trip cost
40-50 ms of clock and 12-17 ms of the client's CPU on the 2-core machine under load 3-4; as an
actor call with packed arrays, 7-13 ms and 3-4 ms.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from planner.config import RunConfig
from planner.scenarios.stochastic.problem import Layout, Numbers
from planner.scenarios.stochastic.subproblem import Eval, Subproblem


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


class Chunk:
    """Worker side, a Dask actor: one worker's futures and the subproblem that walks them.

    Made on its worker from that worker's futures' numbers (the subproblems of all workers are
    built at the same time), it keeps them and each future's last basis between rounds; a round is
    one call from the client straight to the worker (an actor's calls skip the scheduler), and its
    answer comes back as a few arrays (`Evals`), not one object per future.
    """

    def __init__(
        self,
        layout: Layout,
        chunk: dict[int, Numbers],
        config: RunConfig,
        start: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        self.sub = Subproblem(layout, next(iter(chunk.values())), config, start)
        self.chunk = chunk

    def run(self, xhat: np.ndarray | None, want_x: bool) -> Evals:
        """Every future of the chunk at x̂ (None: perfect foresight), packed."""
        return Evals.pack(_walk(self.sub, self.chunk, xhat, want_x))


@dataclass(frozen=True)
class Evals:
    """Several futures' Evals as arrays (one message per worker and round)."""

    scenario: np.ndarray
    feasible: np.ndarray
    value: np.ndarray
    grad: np.ndarray  # (futures, here-and-now columns)
    x: np.ndarray | None  # (futures, columns) when any Eval has its point; rows without one are NaN
    has_x: np.ndarray
    status: np.ndarray
    cpu_s: np.ndarray

    @staticmethod
    def pack(evals: list[Eval]) -> Evals:
        """The arrays of a list of Evals."""
        has_x = np.array([e.x is not None for e in evals])
        x = None
        if has_x.any():
            n = next(len(e.x) for e in evals if e.x is not None)
            x = np.stack([e.x if e.x is not None else np.full(n, np.nan) for e in evals])
        return Evals(
            np.array([e.scenario for e in evals]),
            np.array([e.feasible for e in evals]),
            np.array([e.value for e in evals]),
            np.stack([e.grad for e in evals]),
            x,
            has_x,
            np.array([e.status for e in evals]),
            np.array([e.cpu_s for e in evals]),
        )

    def unpack(self) -> list[Eval]:
        """Back to one Eval per future."""
        return [
            Eval(
                int(self.scenario[i]),
                bool(self.feasible[i]),
                float(self.value[i]),
                self.grad[i],
                self.x[i] if self.x is not None and self.has_x[i] else None,
                str(self.status[i]),
                float(self.cpu_s[i]),
            )
            for i in range(len(self.scenario))
        ]


class DaskPool:
    """The futures split over the workers of a Dask client, one `Chunk` actor (kept subproblem) per worker."""

    def __init__(
        self,
        client: Any,  # noqa: ANN401 - a distributed.Client
        layout: Layout,
        numbers: list[Numbers],
        config: RunConfig,
        timeout: float | None = None,
        start: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.client, self.timeout = client, timeout
        addresses = sorted(client.scheduler_info()["workers"])
        chunks = [c for c in np.array_split(np.arange(len(numbers)), len(addresses)) if len(c)]
        self.addresses = addresses[: len(chunks)]
        # each worker's numbers go straight to it (scatter), not through the scheduler in the task;
        # a list of one: scatter would send a dict's values as separate keys named by the dict's keys
        held = [
            client.scatter([{int(s): numbers[s] for s in c}], workers=[w], hash=False, direct=True)[0]
            for c, w in zip(chunks, self.addresses, strict=True)
        ]
        made = [
            client.submit(
                Chunk,
                layout,
                h,
                config,
                start,
                actor=True,
                workers=[w],
                allow_other_workers=False,
                pure=False,
            )
            for h, w in zip(held, self.addresses, strict=True)
        ]
        self.made = made  # the actors live while their futures are held
        self.actors = [f.result(timeout=timeout) for f in made]

    def run(self, xhat: np.ndarray | None, want_x: bool = False) -> list[Eval]:
        """One call per worker over its chunk; results back in future order."""
        calls = [a.run(xhat, want_x) for a in self.actors]
        return [e for call in calls for e in call.result(timeout=self.timeout).unpack()]

    @property
    def workers(self) -> int:
        """Workers holding a chunk."""
        return len(self.addresses)

    def close(self) -> None:
        """Let the workers drop their subproblems."""
        self.actors, self.made = [], []


QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
}
"""Dask settings of the LocalCluster: no statistical profiler (it samples every worker every 10 ms for a
dashboard we do not start), the event loops' health tick every 500 ms (not 20 ms) and the system monitor
every 5 s (not 0.5 s). Idle, the client and 2 workers used 0.14 cores with Dask's defaults, 0.014 with these:
on 2 cores that is CPU taken from the subproblems."""


@contextmanager
def dask_client(scheduler: str | None, workers: int | None, processes: bool = True) -> Iterator[Any]:
    """A client on the cluster at `scheduler`, or on a LocalCluster of `workers` 1-thread processes on 127.0.0.1.

    `processes` False: the workers are threads of this process (for the benchmark's comparison).
    """
    import logging

    import dask
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
            dask.config.set(QUIET),
            LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=processes,
                protocol="tcp://",  # also with thread workers, which would otherwise talk inproc://
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster) as client,
        ):
            client.wait_for_workers(n, timeout=120)
            yield client
