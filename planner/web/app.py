"""The FastAPI application: services on startup, the API and page routers, packaged static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from planner.web import api, auth, pages
from planner.web.deps import Services
from planner.web.jobs import Dispatcher
from planner.web.models import make_sessions
from planner.web.security import SecurityHeaders
from planner.web.settings import WebSettings
from planner.web.store import Store
from planner.web.whatifs import WhatIfs

STATIC = Path(__file__).with_name("static")


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The workspace app for one data folder and database."""
    settings = settings or WebSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    sessions = make_sessions(settings.db_url)
    st = Store(settings.data_dir)
    dispatcher = Dispatcher(sessions, settings.db_url, st, settings.workers, settings.scheduler)
    whatifs = WhatIfs(settings.whatif_processes, settings.whatif_wait_s, settings.whatif_limit_s)
    svc = Services(settings, sessions, st, whatifs, dispatcher)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        svc.dispatcher.start()
        try:
            yield
        finally:
            svc.dispatcher.stop()
            svc.tuner.close()

    app = FastAPI(
        title="planner workspace",
        summary="Cases, live what-ifs, solve jobs and plans of the 东数西算 capacity planner.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = svc
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    # Swagger UI 5 (OpenAPI 3.1) as fastapi-offline packages it; mounted before /static, which would catch it
    app.mount(
        "/static/swagger", StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"), name="swagger"
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.api)
    app.include_router(auth.pages)
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        """Pages' errors as a page in the user's language; the API's (and 401/403 of scripts) as JSON."""
        if request.url.path.startswith(("/api/", "/static/", "/openapi")) or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return await http_exception_handler(request, err)
        return pages.error_page(request, HTTPException(err.status_code, err.detail, dict(err.headers or {})))

    return app
