"""Logging in and out (pages and API); the only routes that answer without a login when accounts are on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from planner.web import accounts
from planner.web.deps import DB, Svc, token_of
from planner.web.security import check_csrf

api = APIRouter(prefix="/api", tags=["accounts"], dependencies=[Depends(check_csrf)])
pages = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


class Login(BaseModel):
    """A user name and password."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    password: str = Field(max_length=500)


class Token(BaseModel):
    """A session token, for `Authorization: Bearer TOKEN`."""

    token: str
    user: str


def _login(request: Request, svc: Svc, db: DB, name: str, password: str) -> tuple[str, str]:
    keys = (f"ip:{request.client.host if request.client else '?'}", f"user:{name}")
    wait = svc.limiter.blocked(*keys)
    if wait > 0:
        raise HTTPException(
            429, f"too many failed logins; try again in {wait:.0f} s", headers={"Retry-After": str(int(wait) + 1)}
        )
    user = accounts.authenticate(db, name, password)
    if user is None:
        svc.limiter.failed(*keys)
        raise HTTPException(401, "wrong user name or password")
    return accounts.start_session(db, user), user.name


@api.post("/login", summary="Log in; returns a token for `Authorization: Bearer`")
def api_login(body: Login, request: Request, svc: Svc, db: DB) -> Token:
    """Five failed logins per 5 minutes per address or name, then 429."""
    token, name = _login(request, svc, db, body.name, body.password)
    return Token(token=token, user=name)


@api.post("/logout", status_code=204, summary="End this login")
def api_logout(request: Request, db: DB) -> Response:
    """The token (or cookie) stops working."""
    accounts.end_session(db, token_of(request))
    return Response(status_code=204)


@pages.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str = "") -> HTMLResponse:
    """The login form."""
    from planner.web.pages import render

    return render(request, "login.html", error=error[:200])


@pages.post("/login", response_model=None)
def login_form(
    request: Request,
    svc: Svc,
    db: DB,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=500)],
) -> Response:
    """Log in from the form; the session cookie is HttpOnly and SameSite=Lax (Secure over https)."""
    from planner.web.pages import render

    try:
        token, _ = _login(request, svc, db, name, password)
    except HTTPException as err:
        return render(request, "login.html", status_code=err.status_code, error=str(err.detail))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        accounts.SESSION_COOKIE,
        token,
        max_age=accounts.SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@pages.post("/logout")
def logout_form(request: Request, db: DB) -> RedirectResponse:
    """Log out from the page header."""
    accounts.end_session(db, token_of(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(accounts.SESSION_COOKIE, path="/")
    return response
