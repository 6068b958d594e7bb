"""The web workspace (`planner serve`): cases edited as grids, live what-ifs, solve jobs, plans.

A thin layer, as the CLI is: routes (`api`, `pages`, `auth`) parse, call the library through
`cases`, `tune` and `engine` (the one adapter to the pipeline), and render. Persistence is
SQLAlchemy (`models`) plus a data folder addressed by database ids only (`store`); solves run as
jobs in worker processes (`jobs`). Without accounts the server binds loopback addresses only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from planner.web.accounts import AccountError
from planner.web.security import is_loopback
from planner.web.settings import WebSettings

__all__ = ["AccountError", "ServeError", "add_user", "is_loopback", "serve"]


_NO_ACCOUNTS = (
    "refusing to listen on {host}: without accounts the workspace serves only the loopback address "
    "(127.0.0.1, ::1 or localhost). Create one first (planner users add NAME --data-dir ...), or reach it "
    "from elsewhere through an SSH tunnel: ssh -L 8000:127.0.0.1:8000 HOST"
)


class ServeError(Exception):
    """`planner serve` cannot start as asked (exit code 2)."""


_SCHEDULER = re.compile(r"^tcp://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$")


def _settings(
    data_dir: Path | None,
    database: str | None,
    workers: int = 1,
    host: str | None = None,
    scheduler: str | None = None,
) -> WebSettings:
    base = WebSettings()
    hosts = base.allowed_hosts if host is None else (*base.allowed_hosts, host)
    if scheduler is not None and not _SCHEDULER.match(scheduler):
        raise ServeError(f"--scheduler: {scheduler!r} is not a Dask scheduler address; expected tcp://HOST:PORT")
    return WebSettings(
        data_dir=data_dir or base.data_dir,
        database_url=database,
        workers=workers,
        allowed_hosts=hosts,
        scheduler=scheduler,
    )


def add_user(name: str, password: str, data_dir: Path | None = None, database: str | None = None) -> Path | str:
    """`planner users add`: create an account in the workspace's database; returns where that is."""
    from planner.web.accounts import add_user as add
    from planner.web.models import make_sessions

    settings = _settings(data_dir, database)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    add(make_sessions(settings.db_url), name, password)
    return settings.database_url or settings.data_dir


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Path | None = None,
    database: str | None = None,
    workers: int = 1,
    announce: Callable[[str], None] = lambda _line: None,
    scheduler: str | None = None,
) -> None:
    """Run the workspace with uvicorn until interrupted; a non-loopback address needs accounts."""
    import uvicorn

    from planner.web.accounts import accounts_on
    from planner.web.app import create_app

    settings = _settings(data_dir, database, workers, host, scheduler)
    fresh = settings.database_url is None and not (settings.data_dir / "planner.db").exists()
    if not is_loopback(host) and fresh:
        raise ServeError(_NO_ACCOUNTS.format(host=host))
    app = create_app(settings)
    if not is_loopback(host):
        with app.state.services.sessions() as db:
            if not accounts_on(db):
                raise ServeError(_NO_ACCOUNTS.format(host=host))
        announce(
            f"note: listening on {host} over plain HTTP; put TLS in front (a reverse proxy) so passwords and cookies "
            "are encrypted"
        )
    shown = f"[{host}]" if ":" in host else host
    announce(
        f"planner workspace: http://{shown}:{port}/  (data: {settings.data_dir}; API docs: http://{shown}:{port}/docs; "
        "Ctrl-C stops it)" + (f"; sweeps go to the Dask scheduler at {scheduler}" if scheduler else "")
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
