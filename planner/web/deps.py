"""What routes share: the app's services, a database session, and the one place objects are looked up by id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from planner.web.jobs import Dispatcher
from planner.web.models import Base
from planner.web.settings import WebSettings
from planner.web.store import Store
from planner.web.tune import Tuner

T = TypeVar("T", bound=Base)


@dataclass
class Services:
    """One server's settings, database, data folder, live tuner and job dispatcher."""

    settings: WebSettings
    sessions: sessionmaker[Any]
    store: Store
    tuner: Tuner
    dispatcher: Dispatcher


def services(request: Request) -> Services:
    """The app's services."""
    svc: Services = request.app.state.services
    return svc


def session(svc: Annotated[Services, Depends(services)]) -> Iterator[Session]:
    """A database session for one request."""
    with svc.sessions() as s:
        yield s


def load(s: Session, model: type[T], object_id: int) -> T:
    """An object by id, or 404. Every id from a request is looked up here (and, with accounts, owned here)."""
    obj = s.get(model, object_id)
    if obj is None:
        raise HTTPException(404, f"no {model.__tablename__[:-1]} {object_id}")
    return obj


Svc = Annotated[Services, Depends(services)]
DB = Annotated[Session, Depends(session)]
