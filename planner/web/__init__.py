"""The web workspace (`planner serve`): cases edited as grids, live what-ifs, solve jobs, plans.

A thin layer, as the CLI is: routes (`api`, `pages`) parse, call the library through `cases`,
`tune` and `engine` (the one adapter to the pipeline), and render. Persistence is SQLAlchemy
(`models`) plus a data folder addressed by database ids only (`store`); solves run as jobs in
worker processes (`jobs`). Without accounts the server binds loopback addresses only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from planner.web.security import is_loopback
from planner.web.settings import WebSettings


class ServeError(Exception):
    """`planner serve` cannot start as asked (exit code 2)."""


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Path | None = None,
    database: str | None = None,
    workers: int = 1,
    announce: Callable[[str], None] = lambda _line: None,
) -> None:
    """Run the workspace with uvicorn until interrupted; refuses a non-loopback address (no accounts yet)."""
    if not is_loopback(host):
        raise ServeError(
            f"refusing to listen on {host}: without accounts the workspace serves only the loopback address "
            "(127.0.0.1, ::1 or localhost). Reach it from elsewhere through an SSH tunnel: ssh -L 8000:127.0.0.1:8000 HOST"
        )
    import uvicorn

    from planner.web.app import create_app

    base = WebSettings()
    settings = WebSettings(data_dir=data_dir or base.data_dir, database_url=database, workers=workers, allowed_hosts=(*base.allowed_hosts, host))
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    announce(f"planner workspace: http://{shown}:{port}/  (data: {settings.data_dir}; API docs: http://{shown}:{port}/docs; Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
