"""Accounts: login required once one exists, per-user isolation (404 on others' ids), rate-limited logins, the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planner.cli import app as cli
from planner.web.models import Job, Plan, Version, make_sessions
from planner.web.settings import WebSettings
from tests.web.conftest import make_client

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def two_users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], Path]]:
    data = tmp_path_factory.mktemp("accounts")
    for name in ("alice", "bob"):
        result = CliRunner().invoke(
            cli, ["users", "add", name, "--data-dir", str(data), "--password-stdin"], input=PASSWORD + "\n"
        )
        assert result.exit_code == 0, result.output
    client = make_client(data)
    client.__enter__()
    tokens = {
        name: client.post("/api/login", json={"name": name, "password": PASSWORD}).json()["token"]
        for name in ("alice", "bob")
    }
    try:
        yield client, tokens, data
    finally:
        client.__exit__(None, None, None)


def as_user(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_nothing_answers_without_a_login(two_users: tuple[TestClient, dict[str, str], Path]) -> None:
    client, _, _ = two_users
    bare = TestClient(client.app)
    assert bare.get("/api/cases").status_code == 401
    assert bare.post("/api/cases", json={}).status_code == 401
    r = bare.get("/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert bare.get("/login").status_code == 200
    assert bare.get("/api/cases", headers=as_user("made-up")).status_code == 401


def test_a_second_user_cannot_read_change_or_delete_the_first_users_objects(
    two_users: tuple[TestClient, dict[str, str], Path],
) -> None:
    client, tokens, data = two_users
    alice, bob = as_user(tokens["alice"]), as_user(tokens["bob"])
    case = client.post("/api/cases", json={"name": "alice's"}, headers=alice).json()
    cid = case["id"]
    sessions = make_sessions(WebSettings(data_dir=data).db_url)
    with sessions() as s:  # a finished job and plan of alice's, without solving
        version = s.query(Version).filter_by(case_id=cid).one()
        job = Job(case_id=cid, version_id=version.id, status="done", stage="done")
        s.add(job)
        s.flush()
        plan = Plan(job_id=job.id, case_id=cid, version_id=version.id, status="optimal", headline={})
        s.add(plan)
        s.commit()
        jid, pid = job.id, plan.id
    assert client.get(f"/api/cases/{cid}", headers=alice).status_code == 200
    assert client.get(f"/api/jobs/{jid}", headers=alice).status_code == 200
    assert client.get(f"/api/plans/{pid}", headers=alice).status_code == 200

    table = client.get(f"/api/cases/{cid}/tables/hubs", headers=alice).json()
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/api/cases/{cid}", None),
        ("GET", f"/api/cases/{cid}/download.zip", None),
        ("GET", f"/api/cases/{cid}/download.xlsx", None),
        ("GET", f"/api/cases/{cid}/tables/hubs", None),
        ("POST", f"/api/cases/{cid}/tables/hubs/check", {"columns": table["columns"], "rows": table["rows"]}),
        ("PUT", f"/api/cases/{cid}/tables/hubs", {"columns": table["columns"], "rows": table["rows"][:1]}),
        ("GET", f"/api/cases/{cid}/settings", None),
        ("POST", f"/api/cases/{cid}/whatif", {"settings": {}}),
        ("PUT", f"/api/cases/{cid}/settings", {"settings": {"policy.carbon_price_yuan_per_t": 1}}),
        ("POST", f"/api/cases/{cid}/jobs", {}),
        ("GET", f"/api/jobs/{jid}", None),
        ("POST", f"/api/jobs/{jid}/cancel", None),
        ("POST", f"/api/jobs/{jid}/rerun", None),
        ("GET", f"/api/plans/{pid}", None),
        ("GET", f"/api/plans/{pid}/plan.json", None),
        ("GET", f"/api/plans/{pid}/report.html", None),
        ("GET", f"/api/plans/{pid}/download.zip", None),
        ("GET", f"/api/compare?plan={pid}&plan=999", None),
        ("GET", f"/cases/{cid}", None),
        ("GET", f"/cases/{cid}/tables/hubs", None),
        ("GET", f"/jobs/{jid}", None),
        ("GET", f"/plans/{pid}", None),
    ]
    for method, url, body in attempts:
        r = client.request(method, url, json=body, headers=bob)
        assert r.status_code == 404, (method, url, r.status_code)
    assert client.get("/api/cases", headers=bob).json() == []
    assert client.get("/api/jobs", headers=bob).json() == []
    assert client.get("/api/plans", headers=bob).json() == []
    assert (
        len(client.get(f"/api/cases/{cid}", headers=alice).json()["versions"]) == 1
    )  # nothing of bob's attempts landed
    assert client.get(f"/api/jobs?case_id={cid}", headers=alice).json()[0]["status"] == "done"
    assert [c["id"] for c in client.get("/api/cases", headers=alice).json()] == [cid]


def test_logins_are_rate_limited(two_users: tuple[TestClient, dict[str, str], Path]) -> None:
    client, _, _ = two_users
    codes = [client.post("/api/login", json={"name": "bob", "password": f"guess {i}"}).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    r = client.post("/api/login", json={"name": "bob", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert client.post("/api/login", json={"name": "nobody", "password": "x"}).status_code == 429  # same address


def test_login_form_cookie_and_logout(tmp_path: Path) -> None:
    CliRunner().invoke(
        cli, ["users", "add", "carol", "--data-dir", str(tmp_path), "--password-stdin"], input=PASSWORD + "\n"
    )
    client = make_client(tmp_path)
    with client:
        page = client.get("/login")
        token = client.cookies["planner_csrf"]
        assert page.status_code == 200
        assert 'name="password"' in page.text
        wrong = client.post("/login", data={"name": "carol", "password": "nope", "csrf_token": token})
        assert wrong.status_code == 401
        assert "wrong user name or password" in wrong.text
        assert client.post("/login", data={"name": "carol", "password": PASSWORD}).status_code == 403  # no CSRF token
        r = client.post(
            "/login", data={"name": "carol", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303
        assert "httponly" in r.headers["set-cookie"].lower()
        assert "samesite=lax" in r.headers["set-cookie"].lower()
        home = client.get("/")
        assert home.status_code == 200
        assert "carol" in home.text
        assert "Log out" in home.text
        client.post("/logout", data={"csrf_token": token})
        assert client.get("/", follow_redirects=False).status_code == 303
        api = TestClient(client.app)
        bearer = as_user(api.post("/api/login", json={"name": "carol", "password": PASSWORD}).json()["token"])
        assert api.get("/api/cases", headers=bearer).status_code == 200
        assert api.post("/api/logout", headers=bearer).status_code == 204
        assert api.get("/api/cases", headers=bearer).status_code == 401


def test_users_add_refuses_weak_or_repeated_accounts(tmp_path: Path) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["users", "add", "dave", "--data-dir", str(tmp_path), "--password-stdin"], input="short\n"
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(
            cli, ["users", "add", "../x", "--data-dir", str(tmp_path), "--password-stdin"], input=PASSWORD + "\n"
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(
            cli, ["users", "add", "dave", "--data-dir", str(tmp_path), "--password-stdin"], input=PASSWORD + "\n"
        ).exit_code
        == 0
    )
    again = runner.invoke(
        cli, ["users", "add", "dave", "--data-dir", str(tmp_path), "--password-stdin"], input=PASSWORD + "\n"
    )
    assert again.exit_code == 2
    assert "exists already" in again.output


def test_serve_binds_beyond_loopback_only_with_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr("uvicorn.run", lambda app, host, port, log_level: seen.append(host))
    refused = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert refused.exit_code == 2
    assert "planner users add" in refused.output
    assert not (tmp_path / "planner.db").exists()
    CliRunner().invoke(
        cli, ["users", "add", "erin", "--data-dir", str(tmp_path), "--password-stdin"], input=PASSWORD + "\n"
    )
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seen == ["0.0.0.0"]
    assert "put TLS in front" in result.output


def test_a_shared_case_can_be_read_not_changed(two_users: tuple[TestClient, dict[str, str], Path]) -> None:
    client, tokens, _ = two_users
    alice, bob = as_user(tokens["alice"]), as_user(tokens["bob"])
    cid = client.post("/api/cases", json={"name": "shared"}, headers=alice).json()["id"]
    assert (
        client.post(f"/api/cases/{cid}/shares", json={"user": "bob"}, headers=bob).status_code == 404
    )  # only the owner shares
    assert client.post(f"/api/cases/{cid}/shares", json={"user": "nobody"}, headers=alice).status_code == 422
    assert client.post(f"/api/cases/{cid}/shares", json={"user": "bob"}, headers=alice).json() == {
        "shared_with": ["bob"]
    }
    assert client.get(f"/api/cases/{cid}/shares", headers=alice).json() == {"shared_with": ["bob"]}
    assert client.get(f"/api/cases/{cid}/shares", headers=bob).status_code == 404
    table = client.get(f"/api/cases/{cid}/tables/hubs", headers=bob)
    assert table.status_code == 200
    assert client.get(f"/api/cases/{cid}/download.zip", headers=bob).status_code == 200
    assert (
        TestClient(client.app).get(f"/cases/{cid}", headers=bob).status_code == 200
    )  # (own cookie jar: a page sets the CSRF cookie)
    assert cid in [c["id"] for c in client.get("/api/cases", headers=bob).json()]
    body = {"columns": table.json()["columns"], "rows": table.json()["rows"]}
    for method, url, payload in [
        ("PUT", f"/api/cases/{cid}/tables/hubs", body),
        ("POST", f"/api/cases/{cid}/whatif", {"settings": {}}),
        ("PUT", f"/api/cases/{cid}/settings", {"settings": {}}),
        ("POST", f"/api/cases/{cid}/jobs", {}),
        ("DELETE", f"/api/cases/{cid}/shares/bob", None),
    ]:
        assert client.request(method, url, json=payload, headers=bob).status_code == 404, (method, url)
    assert client.delete(f"/api/cases/{cid}/shares/bob", headers=alice).json() == {"shared_with": []}
    assert client.get(f"/api/cases/{cid}", headers=bob).status_code == 404


def test_sharing_needs_accounts(client: TestClient, case_id: int) -> None:
    assert client.post(f"/api/cases/{case_id}/shares", json={"user": "bob"}).status_code == 400


def test_share_from_the_case_page(two_users: tuple[TestClient, dict[str, str], Path]) -> None:
    client, tokens, _ = two_users
    browser = TestClient(client.app, headers=as_user(tokens["alice"]))
    cid = browser.post("/api/cases", json={"name": "page share"}).json()["id"]
    page = browser.get(f"/cases/{cid}")
    assert "Read-only for: nobody" in page.text
    r = browser.post(
        f"/cases/{cid}/share",
        data={"user": "bob", "csrf_token": browser.cookies["planner_csrf"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Read-only for: bob" in browser.get(f"/cases/{cid}").text
    assert (
        "Sharing" not in TestClient(client.app, headers=as_user(tokens["bob"])).get(f"/cases/{cid}").text
    )  # bob reads, does not share
