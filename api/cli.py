"""``pix-orga``: the operators' command line."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable
from typing import Annotated, NoReturn, TypeVar

import typer
import uvicorn

from domain.accounts.create_support_user import CreateSupportUser, CreateSupportUserCommand
from domain.clock import SystemClock
from domain.errors import DomainError
from infrastructure.db.engine import create_engine
from infrastructure.db.migrations import upgrade
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.security.password_hasher import Argon2PasswordHasher
from infrastructure.settings import Settings

app = typer.Typer(help="Pix Orga activation service: operators' commands.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:
        _fail(f"invalid configuration: {error}")


def _fail(reason: str) -> NoReturn:
    typer.echo(f"error: {reason}", err=True)
    raise typer.Exit(code=1)


def _run(awaitable: Awaitable[T]) -> T:
    async def runner() -> T:
        return await awaitable

    try:
        return asyncio.run(runner())
    except DomainError as error:
        _fail(error.code)
    except OSError as error:
        _fail(f"cannot reach the database ({type(error).__name__})")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the latest revision."""
    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database schema is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: WORKERS)")] = None,
) -> None:
    """Serve the API with uvicorn (uvloop, httptools)."""
    from api.middleware import configure_logging

    settings = _settings()
    configure_logging()
    uvicorn.run(
        "api.asgi:app_factory",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
        proxy_headers=False,
        timeout_graceful_shutdown=30,
    )


@users_app.command("create-support")
def create_support(
    email: Annotated[str, typer.Option(help="E-mail address, used to log in")],
    first_name: Annotated[str, typer.Option(help="First name")],
    last_name: Annotated[str, typer.Option(help="Last name")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
) -> None:
    """Create a user with the SUPPORT role. The password is never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            _fail("the two passwords differ")
    settings = _settings()

    async def create() -> int:
        engine = create_engine(settings.database_url)
        try:
            use_case = CreateSupportUser(lambda: SqlUnitOfWork(engine), Argon2PasswordHasher(), SystemClock())
            user = await use_case(
                CreateSupportUserCommand(
                    email=email, first_name=first_name, last_name=last_name, password=password
                )
            )
            return user.id
        finally:
            await engine.dispose()

    user_id = _run(create())
    typer.echo(f"support user created: id {user_id}")


def main() -> None:
    app()
