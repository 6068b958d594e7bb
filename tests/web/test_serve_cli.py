"""`planner serve`: loopback only without accounts; options reach the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import planner.web
from planner.cli import app


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_serve_refuses_a_non_loopback_address(host: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", host, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert f"refusing to listen on {host}" in result.output
    assert "loopback" in result.output


def test_serve_passes_its_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, host: str, port: int, log_level: str) -> None:
        seen.update(host=host, port=port, settings=app.state.services.settings)

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = CliRunner().invoke(
        app, ["serve", "--host", "::1", "--port", "8123", "--data-dir", str(tmp_path), "--workers", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "planner workspace: http://[::1]:8123/" in result.output
    settings = seen["settings"]
    assert (seen["host"], seen["port"], settings.workers, settings.data_dir) == ("::1", 8123, 3, tmp_path)
    assert settings.db_url == f"sqlite:///{(tmp_path / 'planner.db').resolve()}"
    assert (tmp_path / "planner.db").exists()
    assert "::1" in settings.allowed_hosts


def test_serve_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("planner.web.settings.default_data_dir", lambda: tmp_path / "user-data")
    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        "uvicorn.run",
        lambda app, host, port, log_level: seen.update(host=host, port=port, data=app.state.services.settings.data_dir),
    )
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert seen == {"host": "127.0.0.1", "port": 8000, "data": tmp_path / "user-data"}
    assert "http://127.0.0.1:8000/" in result.output
    assert planner.web.is_loopback("localhost")
    assert planner.web.is_loopback("127.0.0.2")
    assert not planner.web.is_loopback("10.0.0.1")


def test_serve_passes_a_scheduler_to_the_job_dispatcher_and_refuses_a_bad_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, host, port, log_level: seen.update(svc=app.state.services))
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path), "--scheduler", "tcp://10.0.0.5:8786"])
    assert result.exit_code == 0, result.output
    assert "sweeps go to the Dask scheduler at tcp://10.0.0.5:8786" in result.output
    assert seen["svc"].settings.scheduler == seen["svc"].dispatcher.scheduler == "tcp://10.0.0.5:8786"
    bad = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path), "--scheduler", "10.0.0.5:8786"])
    assert bad.exit_code == 2
    assert "expected tcp://HOST:PORT" in bad.output
