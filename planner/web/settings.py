"""How one `planner serve` is set up: where its data and database are, how many workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    """The user's data folder for the planner (platformdirs)."""
    return Path(platformdirs.user_data_dir("planner", appauthor=False))


@dataclass(frozen=True)
class WebSettings:
    """Settings of one server."""

    data_dir: Path = field(default_factory=lambda: default_data_dir())
    database_url: str | None = None
    workers: int = 1
    scheduler: str | None = None
    whatif_processes: int = 1
    """Processes that answer live what-ifs (warm, one case always in the same one)."""
    whatif_wait_s: float = 30.0
    """How long a what-if waits for its process before the answer is 503 (busy)."""
    whatif_limit_s: float = 60.0
    """How long a what-if may run before its process is ended and the answer is 504."""
    """A Dask scheduler (tcp://HOST:PORT) that sweep jobs send their scenarios to; None: solved in the job's worker."""
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]", "::1")

    @property
    def db_url(self) -> str:
        """The database URL: as given, or an SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'planner.db').resolve()}"
