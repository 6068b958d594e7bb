"""What the workspace keeps in its database: cases, their versions, jobs and plans.

Files (a version's case folder, a job's plan folder) live under the data folder at paths made
from these rows' integer ids only (see `store`), never from anything a request sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker


def now() -> datetime:
    """The current time in UTC (stored naive, read as UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of the workspace's tables."""


class User(Base):
    """An account (`planner users add`); with any account present, every page and call needs a login."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(DateTime, default=now)


class LoginSession(Base):
    """A logged-in browser or script: the SHA-256 of its random token, never the token itself."""

    __tablename__ = "login_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created: Mapped[datetime] = mapped_column(DateTime, default=now)
    expires: Mapped[datetime] = mapped_column(DateTime)


class Case(Base):
    """A planning case: a name and its versions (the newest is the current one)."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    """The account that made it; None when the workspace runs without accounts."""
    created: Mapped[datetime] = mapped_column(DateTime, default=now)
    versions: Mapped[list[Version]] = relationship(
        back_populates="case", order_by="Version.number", cascade="all, delete-orphan"
    )


class CaseShare(Base):
    """A case its owner lets another account read (see, download, solve nothing)."""

    __tablename__ = "case_shares"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class Version(Base):
    """One saved state of a case; every saved change makes a new one. Every version validates."""

    __tablename__ = "versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    created: Mapped[datetime] = mapped_column(DateTime, default=now)
    case: Mapped[Case] = relationship(back_populates="versions")


class Job(Base):
    """A solve queued, running or finished in a worker process; survives a server restart."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    kind: Mapped[str] = mapped_column(String(20), default="solve")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    """queued, running, done, failed, infeasible, cancelled or interrupted (the server stopped during it)."""
    stage: Mapped[str] = mapped_column(String(100), default="queued")
    message: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(DateTime, default=now)
    started: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rerun_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[Version] = relationship()
    case: Mapped[Case] = relationship()


class Plan(Base):
    """The plan folder a finished job wrote, with its headline and verify's verdict."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    status: Mapped[str] = mapped_column(String(20))
    headline: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    verify_ok: Mapped[bool | None] = mapped_column(nullable=True)
    verify_text: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(DateTime, default=now)
    job: Mapped[Job] = relationship()
    case: Mapped[Case] = relationship()
    version: Mapped[Version] = relationship()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout, as worker processes write too."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:  # noqa: ANN401 - a DB-API connection
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Any:  # noqa: ANN401 - an alembic Config
    """The Alembic configuration of the workspace's schema (planner/web/migrations)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database's schema to the newest migration (creating it in an empty database)."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def make_sessions(url: str, upgrade: bool = True) -> sessionmaker[Any]:
    """A session factory; with `upgrade`, the schema is migrated to the newest version first.

    The server does; its workers don't.
    """
    engine = make_engine(url)
    if upgrade:
        migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
