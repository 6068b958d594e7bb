"""What routes share: the app's services, a database session and who is asking.

This is also the one place objects are looked up by id (`load`) and lists are narrowed to what the
asker may see (`scope`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from planner.web.accounts import SESSION_COOKIE, RateLimit, accounts_on, user_for
from planner.web.jobs import Dispatcher
from planner.web.models import Base, Case, CaseShare
from planner.web.settings import WebSettings
from planner.web.store import Store
from planner.web.whatifs import WhatIfs


@dataclass
class Services:
    """One server's settings, database, data folder, what-if processes, job dispatcher and login limiter."""

    settings: WebSettings
    sessions: sessionmaker[Any]
    store: Store
    tuner: WhatIfs
    dispatcher: Dispatcher
    limiter: RateLimit = field(default_factory=RateLimit)


def services(request: Request) -> Services:
    """The app's services."""
    svc: Services = request.app.state.services
    return svc


def session(svc: Annotated[Services, Depends(services)]) -> Iterator[Session]:
    """A database session for one request."""
    with svc.sessions() as s:
        yield s


Svc = Annotated[Services, Depends(services)]
DB = Annotated[Session, Depends(session)]


def token_of(request: Request) -> str | None:
    """The session token: the cookie of a browser, or `Authorization: Bearer` of a script."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def identify(request: Request, db: Session) -> bool:
    """Record in the session who asks; False when accounts are on and nobody is logged in."""
    if not accounts_on(db):
        db.info.update(accounts=False, user_id=None)
        return True
    user = user_for(db, token_of(request))
    db.info.update(accounts=True, user_id=None if user is None else user.id)
    request.state.user = user
    return user is not None


def require_user(request: Request, db: DB) -> None:
    """API routes: 401 without a login when accounts are on."""
    if not identify(request, db):
        raise HTTPException(401, "log in first: POST /api/login", headers={"WWW-Authenticate": "Bearer"})


def require_page_user(request: Request, db: DB) -> None:
    """Pages: to the login page without a login when accounts are on."""
    if not identify(request, db):
        raise HTTPException(303, "log in first", headers={"Location": "/login"})


def _owner(s: Session) -> tuple[bool, int | None]:
    if "accounts" not in s.info:  # fail closed: a route that skipped identify() sees nothing
        raise HTTPException(500, "internal error: the request's user was not identified")
    return bool(s.info["accounts"]), s.info["user_id"]


def load[T: Base](s: Session, model: type[T], object_id: int, shared: bool = False) -> T:
    """An object by id, or 404: also for another account's case, job or plan (guessing ids tells nothing).

    Only the owner may change a case or run anything on it; `shared=True` (read-only routes only)
    also lets in an account the owner shared the case with.
    """
    accounts, user_id = _owner(s)
    obj = s.get(model, object_id)
    if obj is not None and accounts:
        case = obj if isinstance(obj, Case) else s.get(Case, getattr(obj, "case_id", None))
        mine = case is not None and case.owner_id == user_id
        if not mine and not (shared and case is not None and s.get(CaseShare, (case.id, user_id)) is not None):
            obj = None
    if obj is None:
        raise HTTPException(404, f"no {model.__tablename__[:-1]} {object_id}")
    return obj


def scope[Q](s: Session, query: Select[Q], model: type[Base]) -> Select[Q]:
    """A list query narrowed to the asker's own cases and those shared with them (and their jobs and plans)."""
    accounts, user_id = _owner(s)
    if not accounts:
        return query
    visible = (
        select(Case.id)
        .where(Case.owner_id == user_id)
        .union(select(CaseShare.case_id).where(CaseShare.user_id == user_id))
    )
    column = Case.id if model is Case else model.case_id  # type: ignore[attr-defined]  # every model but Case has case_id
    return query.where(column.in_(visible))
