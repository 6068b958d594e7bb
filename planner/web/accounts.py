"""Accounts: argon2 password hashes, login sessions by random token, a login rate limit.

Accounts are on as soon as one exists (`planner users add NAME`): then every page and API call
needs a login, each case (and its jobs and plans) belongs to the account that made it, and an id
of another account's object answers 404 like an id that does not exist (`deps.load`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, sessionmaker

from planner.web.models import LoginSession, User, now

SESSION_COOKIE = "planner_session"
SESSION_DAYS = 7
MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anyone has")


class AccountError(ValueError):
    """A user name or password that cannot be accepted."""


def accounts_on(db: Session) -> bool:
    """True when at least one account exists."""
    return bool(db.scalar(select(exists().where(User.id.is_not(None)))))


def add_user(sessions: sessionmaker[Any], name: str, password: str) -> User:
    """Create an account; the password is stored as an argon2id hash."""
    if not _NAME.match(name):
        raise AccountError("user names are 2-100 letters, digits, '_', '.', '@' or '-'")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")
    with sessions() as db:
        if db.scalar(select(User).where(User.name == name)) is not None:
            raise AccountError(f"user '{name}' exists already")
        user = User(name=name, password_hash=_hasher.hash(password))
        db.add(user)
        db.commit()
        return user


def authenticate(db: Session, name: str, password: str) -> User | None:
    """The user if the password is right; the same work is done for an unknown name."""
    user = db.scalar(select(User).where(User.name == name))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User) -> str:
    """A new login: returns the token (cookie value or Bearer token)."""
    token = secrets.token_urlsafe(32)
    db.execute(delete(LoginSession).where(LoginSession.expires < now()))
    db.add(LoginSession(token_sha256=_digest(token), user_id=user.id, expires=now() + timedelta(days=SESSION_DAYS)))
    db.commit()
    return token


def user_for(db: Session, token: str | None) -> User | None:
    """The user a live session token belongs to."""
    if not token:
        return None
    login = db.get(LoginSession, _digest(token))
    if login is None or login.expires < now():
        return None
    return db.get(User, login.user_id)


def end_session(db: Session, token: str | None) -> None:
    """Log out."""
    if token:
        db.execute(delete(LoginSession).where(LoginSession.token_sha256 == _digest(token)))
        db.commit()


class RateLimit:
    """At most `limit` failed logins per `window_s` per client address and per user name."""

    def __init__(self, limit: int = 5, window_s: float = 300.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, clock: float) -> deque[float]:
        q = self._failures[key]
        while q and q[0] < clock - self.window_s:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> float:
        """Seconds to wait (0 when allowed)."""
        clock = time.monotonic()
        with self._lock:
            waits = [q[0] + self.window_s - clock for k in keys if len(q := self._recent(k, clock)) >= self.limit]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        """Count a failed login."""
        clock = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, clock).append(clock)
