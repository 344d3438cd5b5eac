"""The composition root: builds the engine, the adapters and the use cases, and the app on top.

Nothing here runs at import time; ``create_app(settings)`` does it all, so tests build the
app with their own settings.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text

from api.docs import install_docs
from api.errors import install_error_handlers, problems
from api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from api.routers import auth, health, users
from api.use_cases import UseCases
from domain.accounts.authenticate import Authenticate
from domain.accounts.change_password import ChangePassword
from domain.accounts.get_my_account import GetMyAccount
from domain.accounts.log_in import LogIn
from domain.accounts.refresh_session import RefreshSession
from domain.accounts.register_user import RegisterUser
from domain.accounts.revoke_refresh_token import RevokeRefreshToken
from domain.clock import Clock, SystemClock
from domain.rate_limits import Limit
from infrastructure.db.engine import create_engine
from infrastructure.db.errors import DATABASE_EXCEPTIONS, is_database_unavailable
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.rate_limiting import LimitsFailureLimiter
from infrastructure.security.access_tokens import JwtAccessTokens
from infrastructure.security.password_hasher import Argon2PasswordHasher, build_context
from infrastructure.settings import Settings

UPLOAD_PATHS = re.compile(r"^/api/v1/organizations/[^/]+/student-imports/?$")

DESCRIPTION = """
The backend that lets French schools activate their Pix Orga space and attach their students.

Every error is an RFC 9457 problem (`application/problem+json`) with a stable `code`; `detail`
is in French, or in English with `Accept-Language: en`. Log in with the **Authorize** button
(OAuth2 password flow: an e-mail address or a username, and a password).
"""


def build_limiter(settings: Settings) -> LimitsFailureLimiter:
    return LimitsFailureLimiter(
        settings.rate_limit_storage_url,
        {limit: getattr(settings, limit.value) for limit in Limit},
        enabled=settings.rate_limits_enabled,
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    hasher = Argon2PasswordHasher(build_context(fast_for_tests=settings.environment == "test"))
    tokens = JwtAccessTokens(settings.secret_key, timedelta(minutes=settings.access_token_ttl_minutes))
    limiter = build_limiter(settings)
    refresh_ttl = timedelta(days=settings.refresh_token_ttl_days)

    async def check_database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    cases = UseCases(
        check_database=check_database,
        authenticate=Authenticate(uow, tokens),
        register_user=RegisterUser(uow, hasher, clock),
        log_in=LogIn(uow, hasher, tokens, limiter, clock, refresh_ttl),
        refresh_session=RefreshSession(uow, tokens, clock, refresh_ttl),
        revoke_refresh_token=RevokeRefreshToken(uow, clock),
        change_password=ChangePassword(uow, hasher, clock),
        get_my_account=GetMyAccount(uow, clock),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Pix Orga activation API",
        version="1.0.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        responses=problems("INTERNAL_ERROR", "SERVICE_UNAVAILABLE"),
    )
    app.state.settings = settings
    app.state.use_cases = cases
    app.state.trusted_proxies = settings.trusted_proxies
    app.state.engine = engine
    app.state.limiter = limiter

    install_error_handlers(app, DATABASE_EXCEPTIONS, is_database_unavailable)
    install_docs(app)

    # Routers carry their full path (prefix included) so that the route template logged and
    # counted for a request is the whole one.
    for module in (auth, users):
        app.include_router(module.router, responses=problems("MALFORMED_JSON", "REQUEST_TOO_LARGE"))
    app.include_router(health.router)

    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        upload_pattern=UPLOAD_PATHS,
        max_upload_bytes=settings.import_max_upload_bytes + 64 * 1024,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "Content-Disposition"],
        max_age=600,
    )
    app.add_middleware(RequestContextMiddleware)
    return app
